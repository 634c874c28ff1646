"""Learning curve of the memory of accepted spans: better suggestions, fewer actions, as k grows.

A simulated annotator works through documents in order, turning the suggestions into the gold
annotation with the session's own commands (accept, reject, add, relabel, resize) and marking each
document done; after each one the memory is refreshed (``refresh_memory``, as the window does).
After k documents we measure, on a fixed set of later documents nobody has touched, the exact-span
micro F1 of the suggestions and the number of actions needed to turn them into gold.

Data: ``tests/fixtures/gold_seed.jsonl`` (two seed articles annotated by hand, entities and
events) first, then Europarl dev sentences from ``../shared/data/ner-de/`` grouped into pseudo
documents of 10 sentences (entities; lower-case MISC adjectives dropped as in training/prepare.py).
The last ``--test`` documents are the evaluation set. ``--pad`` Europarl *train* pseudo documents
are added unannotated, so refresh times are measured on a corpus of realistic size. GermEval's
test split is never read.

Suggestions are the memory's only (``--model`` adds a spaCy model's static suggestions to both,
e.g. the built-in one); retraining per k is too slow for a curve and is tested in
tests/unit/test_train.py instead.

Refresh time is printed as a ratio against a raw baseline measured in the same run: a plain
``str.find`` of every remembered string over every document's text, without index or database.

Usage: ``python -m benchmarks.learning_curve [--plot docs/learning_curve.png]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import DocStatus, Document, Span, SpanStatus  # noqa: E402
from annotator.session import Session  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest.evaluate import score_spans  # noqa: E402
from annotator.suggest.memory import Memory, refresh_memory  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ner-de"
GOLD = ROOT / "tests" / "fixtures" / "gold_seed.jsonl"
Key = tuple[int, int, str]


def pseudo_documents(path: Path, per_doc: int, prefix: str) -> list[tuple[str, str, list[Key]]]:
    """Europarl sentences joined into documents: (id, text, gold spans)."""
    from training.prepare import read_europarl, spaces_for

    docs: list[tuple[str, str, list[Key]]] = []
    text, spans, n = "", [], 0
    for sentence in read_europarl(path):
        offsets = []
        pieces = []
        at = len(text) + (1 if text else 0)
        for token, space in zip(sentence.tokens, spaces_for(sentence.tokens), strict=True):
            offsets.append((at, at + len(token)))
            pieces.append(token + (" " if space else ""))
            at += len(token) + (1 if space else 0)
        sentence_text = "".join(pieces).rstrip()
        text = f"{text} {sentence_text}" if text else sentence_text
        for s, e, label in sentence.spans():
            spans.append((offsets[s][0], offsets[e - 1][1], label))
        n += 1
        if n == per_doc:
            docs.append((f"{prefix}{len(docs):03d}", text, spans))
            text, spans, n = "", [], 0
    if text:
        docs.append((f"{prefix}{len(docs):03d}", text, spans))
    return docs


def gold_seed() -> list[tuple[str, str, list[Key]]]:
    out = []
    for i, line in enumerate(GOLD.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
        out.append((f"seed{i}", record["text"], spans))
    return out


def plan(suggested: Sequence[Span], gold: Sequence[Key]) -> list[tuple[str, Span | None, Key]]:
    """The fewest simple actions that turn pending suggestions into gold, as
    (action, suggestion or None, gold key): exact -> accept; same boundaries -> relabel;
    overlapping with the same label -> resize; overlapping otherwise -> relabel + resize;
    other suggestions -> reject; gold left over -> add."""
    todo = set(gold)
    actions: list[tuple[str, Span | None, Key]] = []
    rest: list[Span] = []
    for s in suggested:
        if s.key in todo:
            todo.discard(s.key)
            actions.append(("accept", s, s.key))
        else:
            rest.append(s)
    later: list[Span] = []
    for s in rest:
        same = [g for g in todo if (g[0], g[1]) == (s.start, s.end)]
        if same:
            todo.discard(same[0])
            actions.append(("relabel", s, same[0]))
        else:
            later.append(s)
    for s in later:
        near = sorted(
            (g for g in todo if g[0] < s.end and s.start < g[1]),
            key=lambda g: (g[2] != s.label, abs(g[0] - s.start) + abs(g[1] - s.end)),
        )
        if near:
            g = near[0]
            todo.discard(g)
            actions.append(("resize" if g[2] == s.label else "relabel+resize", s, g))
        else:
            actions.append(("reject", s, s.key))
    actions.extend(("add", None, g) for g in sorted(todo))
    return actions


def count(actions: Sequence[tuple[str, Span | None, Key]], *, accept_all: bool = True) -> int:
    """Actions a person needs; with ``accept_all`` the right suggestions left after the fixes
    are taken with one "accept all" (the window's and the session's accept_all)."""
    fixes = sum(2 if a == "relabel+resize" else 1 for a, _, _ in actions if a != "accept")
    accepts = sum(1 for a, _, _ in actions if a == "accept")
    return fixes + (min(accepts, 1) if accept_all else accepts)


def annotate(session: Session, doc_id: str, gold: Sequence[Key]) -> int:
    """Carry out the plan with the session's commands, mark the document done; actions used."""
    pending = [s for s in session.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
    actions = plan(pending, gold)
    for action, span, key in actions:
        if action == "accept" and span is not None:
            session.execute(session.accept(doc_id, span))
        elif action == "reject" and span is not None:
            session.execute(session.reject(doc_id, span))
        elif action == "relabel" and span is not None:
            session.execute(session.relabel(doc_id, span, key[2]))
        elif span is not None:  # resize, or relabel + resize: one replacement
            session.execute(session.reject(doc_id, span))
            session.execute(session.add(doc_id, key[0], key[1], key[2]))
        else:
            session.execute(session.add(doc_id, key[0], key[1], key[2]))
    session.execute(session.set_status(doc_id, DocStatus.DONE))
    return count(actions)


def raw_scan(store: Store) -> float:
    """Baseline: every remembered string searched in every text with str.find, nothing else."""
    memory = Memory.from_store(store)
    texts = [d.text for d in store.iter_documents()]
    t0 = time.perf_counter()
    hits = 0
    for entry in memory.suggestible():
        for text in texts:
            at = text.find(entry.surface)
            while at >= 0:
                hits += 1
                at = text.find(entry.surface, at + 1)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-doc", type=int, default=10, help="sentences per pseudo document")
    parser.add_argument("--test", type=int, default=10, help="documents in the evaluation set")
    parser.add_argument("--pad", type=int, default=300, help="unannotated padding documents")
    parser.add_argument("--ks", default="0,1,2,4,8,12,16,20,26", help="checkpoints")
    parser.add_argument("--model", help="also use this spaCy model's suggestions (static)")
    parser.add_argument("--plot", type=Path, help="write the curve as a PNG")
    args = parser.parse_args(argv)

    docs = gold_seed() + pseudo_documents(DATA / "europarl-dev.tsv", args.per_doc, "ep")
    test, learn = docs[-args.test :], docs[: -args.test]
    ks = [k for k in (int(x) for x in args.ks.split(",")) if k <= len(learn)]
    pad = pseudo_documents(DATA / "europarl-train.tsv", args.per_doc, "pad")[: args.pad]
    gold = {doc_id: spans for doc_id, _, spans in docs}

    store = Store.open(None)
    store.add_documents(Document(id=i, text=t) for i, t, _ in [*docs, *pad])
    if args.model:
        from annotator.suggest.spacy_suggester import SpacySuggester

        suggester = SpacySuggester(Path(args.model), scheme=store.scheme, events=True)
        ids = [i for i, _, _ in docs]
        texts = [t for _, t, _ in docs]
        store.save_suggestions(
            zip(ids, suggester.suggest(texts), strict=True),
            origin=suggester.name,
            version=suggester.version,
        )
    session = Session(store, "anna")
    print(
        f"{len(learn)} documents to learn from, {len(test)} to evaluate on, {len(pad)} padding; "
        f"{store.count_documents()} documents, "
        f"{sum(len(t) for _, t, _ in [*docs, *pad]):,} characters; suggestions: "
        f"memory{' + ' + args.model if args.model else ''}"
    )
    print(
        f"{'k':>3} {'F1':>6} {'P':>6} {'R':>6} {'actions/doc':>12} {'one by one':>11} "
        f"{'last 3 learned':>15}"
    )
    rows: list[tuple[int, float, float]] = []
    refresh_times: list[float] = []
    spent: list[int] = []
    done = 0
    for k in ks:
        while done < k:
            doc_id, _, spans = learn[done]
            spent.append(annotate(session, doc_id, spans))
            report = refresh_memory(store)
            refresh_times.append(report.seconds)
            done += 1
        refresh_memory(store)
        predicted = [
            [s.key for s in session.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
            for doc_id, _, _ in test
        ]
        scores = score_spans([gold[d] for d, _, _ in test], predicted)["micro"]
        plans = [
            plan([s for s in session.spans(d) if s.status == SpanStatus.SUGGESTED], gold[d])
            for d, _, _ in test
        ]
        per_doc = statistics.mean(count(p) for p in plans)
        one_by_one = statistics.mean(count(p, accept_all=False) for p in plans)
        last = f"{statistics.mean(spent[-3:]):.1f}" if spent else "-"
        print(
            f"{k:>3} {scores.f1:6.3f} {scores.precision:6.3f} {scores.recall:6.3f} "
            f"{per_doc:12.2f} {one_by_one:11.2f} {last:>15}"
        )
        rows.append((k, scores.f1, per_doc))

    baseline = raw_scan(store)
    mean_refresh = statistics.mean(refresh_times) if refresh_times else 0.0
    print(
        f"\nrefresh_memory after each done: mean {mean_refresh * 1000:.0f} ms, "
        f"max {max(refresh_times, default=0) * 1000:.0f} ms over {store.count_documents()} "
        f"documents; raw str.find scan of the same strings: {baseline * 1000:.0f} ms; "
        f"ratio {mean_refresh / baseline if baseline else float('nan'):.2f}"
    )
    if args.plot:
        plot(rows, args.plot, title=f"memory{' + model' if args.model else ''}")
        print(f"plot -> {args.plot}")
    return 0


def plot(rows: Sequence[tuple[int, float, float]], path: Path, *, title: str) -> None:
    """Two panels (F1, actions per document) against k, drawn with Qt offscreen."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    _app = QGuiApplication.instance() or QGuiApplication([])
    width, height = 900, 420
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("Sans", 10))
    ks = [r[0] for r in rows]
    kmax = max(ks) or 1
    panels = [
        ("suggestion F1 on the evaluation documents", [r[1] for r in rows], 1.0, "#1f77b4"),
        (
            "actions per evaluation document",
            [r[2] for r in rows],
            float(max(4, math.ceil(max(r[2] for r in rows) * 1.1 / 4) * 4)),
            "#d62728",
        ),
    ]
    for i, (label, values, ymax, color) in enumerate(panels):
        box = QRectF(60 + i * 440, 50, 360, 300)
        p.setPen(QPen(QColor("#888"), 1))
        p.drawRect(box)
        p.setPen(QColor("black"))
        p.drawText(QRectF(box.left(), 20, box.width(), 24), Qt.AlignmentFlag.AlignCenter, label)
        for t in range(5):
            y = box.bottom() - box.height() * t / 4
            p.setPen(QPen(QColor("#ddd"), 1))
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
            p.setPen(QColor("black"))
            p.drawText(
                QRectF(box.left() - 55, y - 8, 50, 16),
                Qt.AlignmentFlag.AlignRight,
                f"{ymax * t / 4:.2f}" if ymax <= 1 else f"{ymax * t / 4:.0f}",
            )
        for k in ks:
            x = box.left() + box.width() * k / kmax
            p.drawText(
                QRectF(x - 15, box.bottom() + 4, 30, 16), Qt.AlignmentFlag.AlignCenter, str(k)
            )
        p.drawText(
            QRectF(box.left(), box.bottom() + 22, box.width(), 18),
            Qt.AlignmentFlag.AlignCenter,
            "k = documents annotated",
        )
        points = [
            QPointF(box.left() + box.width() * k / kmax, box.bottom() - box.height() * v / ymax)
            for k, v in zip(ks, values, strict=True)
        ]
        p.setPen(QPen(QColor(color), 2.5))
        for a, b in itertools.pairwise(points):
            p.drawLine(a, b)
        for pt in points:
            p.drawEllipse(pt, 3.5, 3.5)
    p.setPen(QColor("#444"))
    p.drawText(
        QRectF(0, height - 28, width, 20),
        Qt.AlignmentFlag.AlignCenter,
        f"learning curve ({title}): simulated annotator, benchmarks/learning_curve.py",
    )
    p.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.png")
    if not image.save(str(tmp), "PNG"):
        raise OSError(f"cannot write {tmp}")
    os.replace(tmp, path)


if __name__ == "__main__":
    raise SystemExit(main())
