"""``annotator export``: training data out, in the spaCy, CoNLL, JSONL or brat format."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.cli import annotator_name
from annotator.errors import UserError
from annotator.model import SpanKind

NAME = "export"
HELP = (
    "Export annotations as training data: spaCy DocBin files plus a config.cfg that trains as "
    "written, CoNLL-2003, this project's JSONL (imports back without loss), Prodigy tasks, "
    "doccano, Label Studio, brat standoff or WebAnno TSV 3 (INCEpTION). "
    "Decided (accepted) spans of one annotator on the documents they marked done, by default."
)
DEFAULT_OUT = Path("exports")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from annotator.formats import FORMATS

    parser.add_argument(
        "--format", required=True, choices=list(FORMATS), help="output format (required)"
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--annotator",
        type=annotator_name,
        help="whose accepted spans to export (default: the project's only annotator)",
    )
    who.add_argument(
        "--gold", action="store_true", help="export the adjudicated spans of the review mode"
    )
    parser.add_argument(
        "--status",
        choices=["done", "all", "any"],
        default="done",
        help="done: documents the annotator marked done (default); "
        "all: every document except those they skipped; any: every document (a full copy "
        "of the project with --format jsonl)",
    )
    parser.add_argument(
        "--include-suggestions",
        action="store_true",
        help="also export the suggestions the annotator has not decided (a pre-annotated corpus)",
    )
    parser.add_argument(
        "--split",
        metavar="TRAIN/DEV/TEST",
        help="split the documents, e.g. 80/10/10 or 80/20: one file per part "
        "(train, dev, test); without it everything goes into one part named 'all'",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the shuffle behind --split (default 0)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder (default: ./{DEFAULT_OUT}), replaced as a whole: it must be new, "
        "empty or an earlier export",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that is not an earlier export (its files are deleted)",
    )
    parser.add_argument(
        "--spans-key",
        default="sc",
        help="spacy: the doc.spans key for event spans, also set in config.cfg (default sc)",
    )
    parser.add_argument(
        "--alignment",
        choices=["expand", "strict"],
        default="expand",
        help="spacy/conll: spans off token boundaries are widened and counted (expand, default) "
        "or make the export fail, naming them (strict)",
    )
    parser.add_argument(
        "--lang",
        help="spacy: the language of the tokenizer and the training config, an ISO code spaCy "
        "knows (default: the project's language, else de); stored as the project's language",
    )
    parser.add_argument(
        "--tags",
        choices=["iob2", "iob1", "bilou", "bioes"],
        help="conll: tag scheme (default: the one a document was imported in, else iob2)",
    )
    parser.add_argument(
        "--columns",
        type=int,
        metavar="N",
        help="conll: N columns: 2 writes the two-column CoNLL 2002 that INCEpTION reads (one "
        "file per document), 4 the CoNLL-2003 shape (default: the shape a document was "
        "imported in, else 4)",
    )
    parser.add_argument(
        "--kind",
        choices=[k.value for k in SpanKind],
        default=SpanKind.ENTITY.value,
        help="conll: which spans become tags: entities (default) or event triggers",
    )


def run(args: argparse.Namespace) -> int:
    from annotator.formats import LANG_KEY, ExportOptions, export
    from annotator.formats.spacy_ import check_lang, training_command
    from annotator.store import Store

    if not args.spans_key.strip():
        raise UserError("--spans-key cannot be empty")
    options = ExportOptions(
        spans_key=args.spans_key,
        alignment=args.alignment,
        tags=args.tags,
        kind=SpanKind(args.kind),
        columns=args.columns,
        lang=args.lang,
    )
    if args.lang is not None:
        check_lang(args.lang)
    # Reading only, so a project on read-only media exports; --lang stores the project's
    # language, which makes this run a writing one (checked like every writing command).
    with (
        Store.open(args.db, create=False, verify=True)
        if args.lang is not None
        else Store.open_for_reading(args.db)
    ) as store:
        report = export(
            store,
            args.format,
            args.out,
            annotator=args.annotator,
            gold=args.gold,
            status=args.status,
            include_suggestions=args.include_suggestions,
            split=args.split,
            seed=args.seed,
            options=options,
            force=args.force,
        )
        if args.lang is not None and store.project_value(LANG_KEY) != args.lang:
            store.set_project_value(LANG_KEY, args.lang)  # the project's language from now on
    for note in report.notes():
        print(note)
    print(report.summary())
    if args.format == "spacy":
        command = training_command(report.out, report.documents)
        print(f"train with: {command}")
        if "dev" not in report.documents:
            print("(the training part is also the dev part: give --split 80/20 to hold one out)")
    return 0
