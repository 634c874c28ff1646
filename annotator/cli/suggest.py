"""``annotator suggest``: pre-annotate the corpus with a suggester."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import UserError
from annotator.store import Store

if TYPE_CHECKING:
    from annotator.suggest.base import Suggester
    from annotator.suggest.batch import BatchReport, Progress
    from annotator.suggest.dask_batch import Scheduler

NAME = "suggest"
HELP = (
    "Suggest spans for every document that has no suggestions from this model version yet "
    "(the built-in German model and event patterns unless --model). Resumes where it stopped; "
    "a second run adds nothing."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        help="any spaCy pipeline: an installed package name or a folder "
        "(default: the built-in German model with the event patterns)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SRC=DST|FILE",
        help="bring a pipeline's labels into the scheme, e.g. --map GPE=LOC --map PERSON=PER, "
        "or a file of such pairs (JSON object or one pair per line); repeatable",
    )
    parser.add_argument("--name", help="the origin name to store (default: the model's name)")
    parser.add_argument(
        "--events",
        action="store_true",
        help="with --model: also run the built-in event patterns",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size")
    parser.add_argument("--n-process", type=int, default=1, help="worker processes for nlp.pipe")
    parser.add_argument(
        "--dask",
        metavar="SCHEDULER",
        help="suggest on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for N "
        "worker processes here; this process writes the project (needs annotator[dask])",
    )
    parser.add_argument("--limit", type=int, help="suggest for at most this many documents")
    parser.add_argument(
        "--jsonl",
        type=Path,
        metavar="OUT",
        help="also write all current suggestions, one line per document (Prodigy shape)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from annotator.formats.prodigy import write_suggestions_jsonl
    from annotator.suggest import SpacySuggester, builtin_suggester, load_label_map

    if args.n_process < 1 or args.batch_size < 1:
        raise UserError("--n-process and --batch-size must be at least 1")
    scheduler = None
    if args.dask is not None:
        from annotator.suggest.dask_batch import parse_scheduler

        if args.n_process != 1:
            raise UserError("--dask and --n-process do not go together: the cluster has workers")
        scheduler = parse_scheduler(args.dask)
    with Store.open(args.db, create=False, verify=True) as store:
        if args.model:
            label_map = load_label_map(args.map) if args.map else {}
            try:
                suggester = SpacySuggester(
                    args.model,
                    label_map=label_map,
                    scheme=store.scheme,
                    name=args.name,
                    events=args.events,
                )
                suggester.load()
            except (OSError, FileNotFoundError) as exc:
                raise UserError(f"cannot load spaCy pipeline {args.model!r}: {exc}") from None
        else:
            if args.map:
                raise UserError("--map needs --model (the built-in model speaks the scheme)")
            from annotator.learn import (
                RESET_HINT,
                active_model,
                active_model_warning,
                project_suggester,
            )

            active = active_model(store)  # confined to <db>.models/, else one line
            warning = active_model_warning(store)
            if warning:
                print(f"annotator suggest: warning: {warning}", file=sys.stderr)
            if active is not None:  # a retrained model put into use by `annotator train`
                suggester = project_suggester(store)
                try:
                    suggester.load()
                except Exception as exc:  # a damaged model folder: say which, and the way out
                    raise UserError(
                        f"cannot load the project's retrained model {active[0]} from "
                        f"{active[1]} ({type(exc).__name__}: {exc}); {RESET_HINT}"
                    ) from None
                print(f"using the project's retrained model {active[0]} ({active[1]})")
            else:
                suggester = builtin_suggester(scheme=store.scheme)
            if not (Path(suggester.model) / "meta.json").is_file():
                raise UserError(
                    f"the built-in model is missing from {suggester.model}; "
                    "rebuild it (see annotator/resources/model-de/MODEL_CARD.md) or pass --model"
                )
        report = _run_with_progress(store, suggester, args, scheduler)
        print(report.summary(suggester.name, suggester.version))
        if args.jsonl:
            lines = write_suggestions_jsonl(store, args.jsonl)
            print(f"wrote {lines} document(s) with their suggestions to {args.jsonl}")
    return 0


def _run_with_progress(
    store: Store, suggester: Suggester, args: argparse.Namespace, scheduler: Scheduler | None
) -> BatchReport:
    from annotator.suggest.batch import suggest_corpus

    def work(progress: Progress | None) -> BatchReport:
        if scheduler is not None:
            from annotator.suggest.dask_batch import suggest_corpus_dask

            return suggest_corpus_dask(
                store,
                suggester,
                scheduler,
                batch_size=args.batch_size,
                limit=args.limit,
                progress=progress,
            )
        return suggest_corpus(
            store,
            suggester,
            batch_size=args.batch_size,
            n_process=args.n_process,
            limit=args.limit,
            progress=progress,
        )

    total = store.count_documents_without_run(suggester.name, suggester.version)
    if args.limit is not None:
        total = min(total, args.limit)
    if args.quiet or total == 0:
        return work(None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from annotator.terminal import console, visible_controls

    with Progress(
        TextColumn("{task.description}", markup=False),  # the model name is data
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=console(),
    ) as bar:
        name = visible_controls(suggester.name)
        where = f" on {scheduler}" if scheduler is not None else ""
        task = bar.add_task(f"suggesting with {name}{where}", total=total)
        return work(lambda n: bar.advance(task, n))
