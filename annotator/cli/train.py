"""``annotator train``: retrain the suggestion model on the annotators' finished documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator.cli import annotator_name
from annotator.errors import UserError
from annotator.learn import DEFAULT_MINUTES, MERGE_RULES, REHEARSAL_KINDS, TrainOptions
from annotator.store import Store

NAME = "train"
HELP = (
    "Retrain the suggestion model on the accepted spans of finished documents (entities and a "
    "span categoriser for events), starting from the current model, within a time budget, with "
    "early stopping and rehearsal of the built-in model's training sentences. A part of the "
    "documents is held back; the new model is put into use only if it beats the current one "
    "there by more than the noise and is no worse on general German sentences; then documents "
    "nobody has touched get its suggestions."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the new model (default: <project>.models/vNNN beside the project file)",
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--annotator",
        type=annotator_name,
        help="learn from this annotator's documents marked done",
    )
    who.add_argument("--gold", action="store_true", help="learn from the reviewed gold spans")
    who.add_argument(
        "--merge",
        choices=MERGE_RULES,
        help="learn from every finisher of a document: union (all their accepted spans) or "
        "agreed (the spans all of them accepted)",
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="spaCy pipeline to start from (default: the project's active model, else the "
        "built-in one)",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=DEFAULT_MINUTES,
        help=f"time budget for loading, training and comparing (default {DEFAULT_MINUTES:g})",
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        help="at most this many update steps (default: as many as the budget allows, up to "
        "30 passes over the documents)",
    )
    parser.add_argument(
        "--rehearsal",
        choices=REHEARSAL_KINDS,
        default="sample",
        help="sample: mix the built-in model's training sentences into training so it keeps "
        "what it knew (default); none: the project's documents only",
    )
    parser.add_argument(
        "--min-heldout",
        type=int,
        default=TrainOptions.min_heldout,
        help="held-back documents the gate needs to put a model into use "
        f"(default {TrainOptions.min_heldout})",
    )
    parser.add_argument(
        "--holdout",
        type=float,
        default=0.2,
        help="share of the documents held back to compare the models (default 0.2)",
    )
    parser.add_argument(
        "--no-resuggest",
        action="store_true",
        help="do not renew the suggestions of untouched documents",
    )
    parser.add_argument(
        "--json", action="store_true", help="end with one JSON line describing the result"
    )
    parser.add_argument(
        "--use-builtin",
        action="store_true",
        help="do not train: forget the project's retrained model, so that suggestions come from "
        "the built-in model again (the model folders stay)",
    )


def run(args: argparse.Namespace) -> int:
    from annotator.learn import TrainProgress, train

    if args.max_steps is not None and args.max_steps < 0:
        raise UserError("--max-steps must be 0 or more")
    if args.minutes <= 0:
        raise UserError("--minutes must be more than 0")
    if args.min_heldout < 1:
        raise UserError("--min-heldout must be 1 or more")
    if not 0.0 < args.holdout < 1.0:
        raise UserError("--holdout must be between 0 and 1")

    def progress(p: TrainProgress) -> None:
        # one line per report: the window's runner reads these ("[ 42%] ...")
        print(f"[{round(p.fraction * 100):3d}%] {p.text}", flush=True)

    with Store.open(args.db, create=False, verify=True) as store:
        if args.use_builtin:
            from annotator.learn import use_builtin_model

            use_builtin_model(store)
            print(f"{args.db}: suggestions come from the built-in model again")
            return 0
        try:
            options = TrainOptions(
                annotator=args.annotator,
                gold=args.gold,
                merge=args.merge,
                minutes=args.minutes,
                max_steps=args.max_steps,
                holdout=args.holdout,
                min_heldout=args.min_heldout,
                rehearsal=args.rehearsal,
                base=args.base,
                out=args.out,
                resuggest=not args.no_resuggest,
            )
            result = train(store, options, progress=progress)
        except OSError as exc:
            raise UserError(f"cannot load or write a model: {exc}") from None
    print(result.summary())
    if args.json:
        print(json.dumps(result.to_json()), flush=True)
    sys.stdout.flush()
    return 0
