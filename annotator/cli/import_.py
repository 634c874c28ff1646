"""``annotator import``: read files and folders in any registered format into the project."""

from __future__ import annotations

import argparse
import codecs
from pathlib import Path

from annotator.cli import annotator_name
from annotator.corpus import import_paths
from annotator.errors import UserError
from annotator.formats.reading import ReadOptions
from annotator.formats.registry import reading_formats, scheme_from_input, spec
from annotator.model import LabelScheme
from annotator.store import Store

NAME = "import"
HELP = (
    "Import documents: plain .txt files or folders of them (the file name is the id), JSON lines "
    "(Prodigy, doccano, this project's own), Label Studio JSON, CoNLL and the other formats "
    "listed under --format. "
    "Each file's format is found from its content and suffix unless --format names it. All or "
    "nothing unless --skip-bad; the last line says what was kept and what was not."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(s.name for s in reading_formats())
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--format",
        dest="fmt",
        metavar="NAME",
        help=f"the format of every file, whatever its suffix ({names})",
    )
    parser.add_argument(
        "--annotator",
        type=annotator_name,
        help="the input is this annotator's work: its spans become their decisions (accepted, "
        "or rejected where the input says so), with relations and document statuses "
        "(without it spans become suggestions with origin 'import')",
    )
    parser.add_argument(
        "--done",
        action="store_true",
        help="mark every imported document done for --annotator (needed for agreement, review, "
        "export and train)",
    )
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the good documents and list the bad ones instead of importing nothing",
    )
    parser.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
    parser.add_argument(
        "--text-key", help="JSON formats: the field that holds the text (default: text)"
    )
    parser.add_argument(
        "--label-key", help="JSON formats: the field that holds the spans (default: by shape)"
    )
    parser.add_argument(
        "--columns",
        type=int,
        metavar="N",
        help="column formats (CoNLL, CoNLL-U): the column holding the tags, counted from 1 "
        "(negative: from the end; default: CoNLL the last, CoNLL-U the NE/Entity of MISC)",
    )
    parser.add_argument(
        "--add-labels",
        action="store_true",
        help="add the labels the input uses that the project's scheme lacks (kind from the "
        "input, else entity; a new colour and a free key), instead of refusing them",
    )
    parser.add_argument(
        "--scheme",
        type=Path,
        help="label scheme (JSON) for a new project (default: the one the input declares, "
        "such as brat's annotation.conf, else the built-in one); an existing project with "
        "another scheme is refused",
    )


def run(args: argparse.Namespace) -> int:
    try:
        codec = codecs.lookup(args.encoding)
        if not getattr(codec, "_is_text_encoding", True):  # rot13, base64: bytes or str only
            raise LookupError(args.encoding)
    except LookupError:
        raise UserError(
            f"unknown encoding {args.encoding!r} (e.g. utf-8, utf-16, cp1252, latin-1)"
        ) from None
    if args.done and not args.annotator:
        raise UserError("--done marks documents done for an annotator: give --annotator NAME")
    try:
        if args.fmt is not None:
            spec(args.fmt)
        scheme = LabelScheme.load(args.scheme) if args.scheme else None
        if scheme is None and not Path(args.db).exists():
            declared = scheme_from_input(args.paths, args.fmt)
            scheme = declared if isinstance(declared, LabelScheme) else None
    except ValueError as exc:  # e.g. an annotation.conf that makes no label scheme
        if isinstance(exc, UserError):
            raise
        raise UserError(str(exc)) from None
    if args.columns == 0:
        raise UserError("--columns counts from 1 (or from the end: -1 is the last column)")
    options = ReadOptions(
        encoding=args.encoding,
        text_key=args.text_key,
        label_key=args.label_key,
        columns=args.columns,
        add_labels=args.add_labels,
    )
    with Store.open(args.db, scheme=scheme, verify=True) as store:
        if args.scheme is not None and scheme is not None and store.scheme != scheme:
            # ADR 0019: a project's scheme is changed on purpose, never as a side effect.
            raise UserError(
                f"{args.db} already has the label scheme {store.scheme.name!r} "
                f"({', '.join(store.scheme.names)}), not the one in {args.scheme}; --scheme only "
                "sets the scheme of a new project (nothing was imported; leave out --scheme, "
                "or give a new --db)"
            )
        report = import_paths(
            store,
            args.paths,
            annotator=args.annotator,
            done=args.done,
            fmt=args.fmt,
            options=options,
            skip_bad=args.skip_bad,
            encoding=args.encoding,
        )
    for problem in report.problems:
        print(f"skipped: {problem}")
    print(f"{report.summary()} -> {args.db}")
    return 1 if report.problems else 0
