"""``annotator merge``: bring other project files' annotators' work into this project."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.store import Store

NAME = "merge"
HELP = (
    "Merge the annotators' work (decisions, document states, relations, history) of other "
    "project files into this one, matching documents by content and adding the missing ones. "
    "The same annotator name with different work in both files is an error unless --rename. "
    "Merging twice changes nothing; a failed merge changes nothing."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("others", nargs="+", type=Path, metavar="OTHER_FILE", help="project files")
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="merge the other file's annotator OLD under the name NEW (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    from annotator.merge import merge, parse_renames

    renames = parse_renames(args.rename)
    with Store.open(args.db, create=False, verify=True) as store:
        report = merge(store, args.others, rename=renames)
    print(f"{report.summary()} -> {args.db}")
    return 0
