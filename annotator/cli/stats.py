"""``annotator stats``: what the project holds."""

from __future__ import annotations

import argparse
import json

from annotator.store import Store

NAME = "stats"
HELP = "Show the project's documents, annotators' progress and span counts (--json for machines)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    with Store.open_for_reading(args.db) as store:
        stats = store.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    print(format_stats(stats))
    return 0


def format_stats(stats: dict[str, object]) -> str:
    import io

    from rich.table import Table

    from annotator.terminal import console as make_console
    from annotator.terminal import text

    spans = stats["spans"]
    assert isinstance(spans, dict)
    console = make_console(record=True, file=io.StringIO(), width=100)
    console.print(
        f"[bold]{stats['documents']}[/bold] documents, {stats['characters']:,} characters; "
        f"spans: {spans['suggested']} suggested, {spans['accepted']} accepted, "
        f"{spans['rejected']} rejected"
    )
    annotators = stats["annotators"]
    assert isinstance(annotators, dict)
    if annotators:
        table = Table("annotator", "todo", "in progress", "done", "skipped", "accepted", "rejected")
        for name, c in annotators.items():
            table.add_row(
                text(name),
                *(
                    str(c.get(k, 0))
                    for k in ("todo", "in_progress", "done", "skipped", "accepted", "rejected")
                ),
            )
        console.print(table)
    models = stats.get("models") or []
    assert isinstance(models, list)
    for m in models:
        console.print(
            text(f"suggestions: {m['origin']} {m['version']} on {m['documents']} documents")
        )
    return console.export_text().rstrip()
