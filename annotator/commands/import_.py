"""``annotator import``: read .txt files, folders and JSONL into the project."""

from __future__ import annotations

import argparse
import codecs
from pathlib import Path

from annotator.cli import UserError
from annotator.corpus import import_paths
from annotator.model import LabelScheme
from annotator.store import Store

NAME = "import"
HELP = (
    "Import documents: .txt files or folders of them (one document per file, the file name is "
    "its id), JSONL in the Prodigy or doccano shape, and CoNLL (.conll). All or nothing unless "
    "--skip-bad."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--annotator",
        help="spans in the input become this annotator's accepted spans "
        "(without it they become suggestions with origin 'import')",
    )
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the good documents and list the bad ones instead of importing nothing",
    )
    parser.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
    parser.add_argument(
        "--scheme", type=Path, help="label scheme (JSON) for a new project (default: built-in)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        codecs.lookup(args.encoding)
    except LookupError:
        raise UserError(f"unknown encoding {args.encoding!r}") from None
    scheme = LabelScheme.load(args.scheme) if args.scheme else None
    with Store.open(args.db, scheme=scheme) as store:
        report = import_paths(
            store,
            args.paths,
            annotator=args.annotator,
            skip_bad=args.skip_bad,
            encoding=args.encoding,
        )
    for problem in report.problems:
        print(f"skipped: {problem}")
    print(f"{report.summary()} -> {args.db}")
    return 1 if report.problems else 0
