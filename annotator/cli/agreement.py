"""``annotator agreement``: how much the annotators agree; every figure with its unit, method."""

from __future__ import annotations

import argparse
import json
from typing import Any

from annotator.errors import UserError
from annotator.store import Store

NAME = "agreement"
HELP = (
    "Show inter-annotator agreement on the documents two or more annotators marked done: pairwise "
    "span F1 (exact and overlap-lenient, overall and per label), Cohen's kappa per pair and "
    "Krippendorff's alpha on token BIO labels, per-document agreement (worst first) and a label "
    "confusion matrix. Every figure states its unit and method."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--label", metavar="L", help="only spans with this label")


def run(args: argparse.Namespace) -> int:
    from annotator.review.agreement import agreement

    with Store.open_for_reading(args.db) as store:
        if args.label is not None and args.label not in store.scheme:
            raise UserError(
                f"unknown label {args.label!r} (the scheme has {', '.join(store.scheme.names)})"
            )
        report = agreement(store, label=args.label).as_dict()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(format_report(report))
    return 0


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def format_report(report: dict[str, Any]) -> str:
    import io

    from rich.table import Table

    from annotator.terminal import console as make_console
    from annotator.terminal import text

    console = make_console(record=True, file=io.StringIO(), width=120)
    only = f", label {report['label']}" if report["label"] else ""
    console.print(
        text(
            (str(report["documents"]), "bold"),
            " documents marked done by two or more annotators ",
            f"({', '.join(report['annotators']) or 'none'}){only}",
        )
    )
    if not report["documents"]:
        console.print(
            "nothing to compare yet: agreement needs documents two annotators marked done"
        )
        return console.export_text().rstrip()

    f1 = report["span_f1"]
    kappa = {(p["a"], p["b"]): p for p in report["cohen_kappa"]["pairs"]}
    table = Table(
        "pair",
        "docs",
        "exact F1",
        "lenient F1",
        "spans A/B",
        "kappa",
        "tokens",
        title="Pairwise agreement",
    )
    for p in f1["pairs"]:
        k = kappa[(p["a"], p["b"])]
        table.add_row(
            text(f"{p['a']} – {p['b']}"),
            str(p["documents"]),
            _f(p["exact"]["f1"]),
            _f(p["lenient"]["f1"]),
            f"{p['exact']['spans_a']}/{p['exact']['spans_b']}",
            _f(k["kappa"]),
            str(k["tokens"]),
        )
    console.print(table)
    console.print(f"span F1 — unit: {f1['unit']}; {f1['method']}")
    ck = report["cohen_kappa"]
    console.print(f"Cohen's kappa — unit: {ck['unit']}; {ck['method']}")

    labels = sorted({lab for p in f1["pairs"] for lab in p["by_label"]})
    if labels:
        by = Table("label", title="F1 per label")
        for p in f1["pairs"]:
            by.add_column(text(f"{p['a']} – {p['b']}"))
        for lab in labels:
            cells = []
            for p in f1["pairs"]:
                c = p["by_label"].get(lab)
                cells.append("–" if c is None else f"{_f(c['exact'])} / {_f(c['lenient'])}")
            by.add_row(text(lab), *cells)
        console.print(by)
        console.print("cells: exact F1 / lenient F1")

    args_f1 = report["argument_f1"]
    if any(p["exact"]["spans_a"] or p["exact"]["spans_b"] for p in args_f1["pairs"]):
        arg_table = Table(
            "pair", "exact F1", "lenient F1", "arguments A/B", title="Argument agreement"
        )
        for p in args_f1["pairs"]:
            arg_table.add_row(
                f"{p['a']} – {p['b']}",
                _f(p["exact"]["f1"]),
                _f(p["lenient"]["f1"]),
                f"{p['exact']['spans_a']}/{p['exact']['spans_b']}",
            )
        console.print(arg_table)
        roles = sorted({r for p in args_f1["pairs"] for r in p["by_role"]})
        by_role = Table(
            "role",
            *(f"{p['a']} – {p['b']}" for p in args_f1["pairs"]),
            title="Argument F1 per role",
        )
        for role in roles:
            cells = []
            for p in args_f1["pairs"]:
                c = p["by_role"].get(role)
                cells.append("–" if c is None else f"{_f(c['exact'])} / {_f(c['lenient'])}")
            by_role.add_row(role, *cells)
        console.print(by_role)
        console.print(f"argument F1 — unit: {args_f1['unit']}; {args_f1['method']}")

    ka = report["krippendorff_alpha"]
    console.print(
        f"Krippendorff's alpha: [bold]{_f(ka['alpha'])}[/bold] over {ka['units']} items — "
        f"unit: {ka['unit']}; {ka['method']}"
    )

    docs = report["documents_agreement"]
    queue = Table("document", "annotators", "F1", title="Per document, worst first")
    for d in docs["documents"][:20]:
        queue.add_row(text(d["doc_id"]), text(", ".join(d["annotators"])), _f(d["f1"]))
    console.print(queue)
    if len(docs["documents"]) > 20:
        console.print(f"… {len(docs['documents']) - 20} more (--json lists all)")
    console.print(f"per document — unit: {docs['unit']}; {docs['method']}")

    conf = report["confusion"]
    if conf["labels"]:
        matrix = Table("", title="Label confusion between annotators")
        for lab in conf["labels"]:
            matrix.add_column(text(lab))
        for name, row in zip(conf["labels"], conf["matrix"], strict=True):
            matrix.add_row(text(name), *(str(n) if n else "·" for n in row))
        console.print(matrix)
        console.print(f"confusion — unit: {conf['unit']}; {conf['method']}")
    return console.export_text().rstrip()
