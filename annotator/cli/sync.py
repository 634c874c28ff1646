"""``annotator sync URL``: push this desktop's work to the team hub and pull everyone else's."""

from __future__ import annotations

import argparse
import os

from annotator.errors import UserError
from annotator.store import Store
from annotator.store.sync import BATCH

NAME = "sync"
HELP = (
    "Sync the project with the team hub (a PostgreSQL database, see `annotator hub`): push the "
    "work of the annotator the URL logs in as (gold too for a reviewer) and the documents, pull "
    "everyone's work, the gold and the documents this project lacks (matched by content). "
    "Syncing twice changes nothing; a killed sync resumes; nothing is ever overwritten that "
    "changed on both sides."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "url",
        nargs="?",
        metavar="URL",
        help="postgresql://ROLE:PASSWORD@HOST:PORT/DATABASE (default: $ANNOTATOR_HUB)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH,
        help=f"work units per hub transaction (default {BATCH}); a killed sync redoes one",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    from annotator.store.sync import sync

    if args.batch < 1:
        raise UserError("--batch must be at least 1")
    url = args.url or os.environ.get("ANNOTATOR_HUB")
    if not url:
        raise UserError("sync needs the hub's URL (or $ANNOTATOR_HUB)")

    def progress(what: str, n: int) -> None:
        if not args.quiet:
            print(f"  {what}: {n}", flush=True)

    with Store.open(args.db, create=False, verify=True) as store:
        report = sync(store, url, batch=args.batch, progress=progress)
    print(report.summary())
    return 0
