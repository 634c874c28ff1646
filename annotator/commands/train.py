"""``annotator train``: retrain the suggestion model on the annotators' finished documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator.cli import UserError, annotator_name
from annotator.store import Store

NAME = "train"
HELP = (
    "Retrain the suggestion model on the accepted spans of finished documents (entities and a "
    "span categoriser for events), starting from the current model. A part of the documents is "
    "held back; the new model is put into use only if it scores at least as well there as the "
    "current one, then documents nobody has touched get its suggestions."
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
    parser.add_argument(
        "--base",
        type=Path,
        help="spaCy pipeline to start from (default: the project's active model, else the "
        "built-in one)",
    )
    parser.add_argument(
        "--max-steps", type=int, default=200, help="update steps, bounds the time (default 200)"
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
    from annotator.learn import TrainError, TrainSettings, result_json, train

    if args.max_steps < 0:
        raise UserError("--max-steps must be 0 or more")
    if not 0.0 < args.holdout < 1.0:
        raise UserError("--holdout must be between 0 and 1")

    def progress(fraction: float, text: str) -> None:
        # one line per step: the window's runner reads these ("[ 42%] ...")
        print(f"[{round(fraction * 100):3d}%] {text}", flush=True)

    with Store.open(args.db, create=False, verify=True) as store:
        if args.use_builtin:
            from annotator.learn import use_builtin_model

            use_builtin_model(store)
            print(f"{args.db}: suggestions come from the built-in model again")
            return 0
        try:
            result = train(
                store,
                out=args.out,
                annotator=args.annotator,
                gold=args.gold,
                base=args.base,
                settings=TrainSettings(max_steps=args.max_steps, holdout=args.holdout),
                progress=progress,
                resuggest=not args.no_resuggest,
            )
        except TrainError as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            raise UserError(f"cannot load or write a model: {exc}") from None
    print(result.summary())
    if args.json:
        print(json.dumps(result_json(result)), flush=True)
    sys.stdout.flush()
    return 0
