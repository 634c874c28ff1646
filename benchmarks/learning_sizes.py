"""Learning curve at a team's real size: retraining at k finished documents of a new source.

``python -m benchmarks.learning_curve --corpus hipe|legal|smartdata`` runs this. A simulated
annotator (the one of :mod:`benchmarks.learning_curve`: the session's commands, one "accept
all" for the right suggestions) finishes documents of a pool one by one, the memory refreshed
after each (the team's memory: one annotator); at each k of ``--ks`` the model is retrained with
:func:`annotator.learn.train` (the project's own gate decides whether it goes into use; untouched
documents get its suggestions when it does). After each k we measure on held-out documents of
the same source, never annotated: the F1 of the suggestions shown (model + memory, what the
window shows), the F1 of the retrained model alone (whether or not the gate let it in), the
actions per document, and the training time.

Corpora:

* ``hipe``: HIPE-2022 German historical newspapers (OCR text; PER, LOC, ORG, MISC), cut into
  passages of ``--per-doc`` sentences; the pool from the NewsEye and SoNAR dev files, the
  held-out documents from their test files (never tuned on). Entities only are scored.
* ``legal``: German court decisions (LER, clean text the built-in model never saw; PER, LOC, ORG,
  MISC mapped as ``training/corpora.py`` does, so law and case references are no entities),
  passages of ``--per-doc`` (20) consecutive sentences of each court's file; every fifth block of
  20 passages is held out (other decisions than the pool's). Entities only are scored.
* ``smartdata``: the Smart Data corpus under its own scheme (concept types as entity labels,
  event names as event labels: none of them known to the built-in model or its patterns); the
  pool from the train file, the held-out documents from the test file (every other one).
  Event triggers and entities are scored apart.

``--order uncertain`` picks the next document of the pool by the models' uncertainty
(:func:`annotator.session.most_uncertain`, what the window's "most uncertain first" does)
instead of the pool's order.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from annotator.model import Document, LabelScheme, SpanKind
from annotator.session import Session, most_uncertain
from annotator.store import Store
from annotator.suggest.combine import current_suggestions
from annotator.suggest.evaluate import score_spans
from annotator.suggest.memory import refresh_memory, set_memory_scope
from benchmarks.learning_curve import (
    DATA,
    UNSCORED,
    Doc,
    Key,
    annotate,
    count,
    draw_panel,
    pending,
    plan,
    save_png,
    sentence_documents,
)


@dataclass
class SizedPoint:
    k: int
    shown_f1: float
    shown_entity_f1: float
    shown_event_f1: float
    model_entity_f1: float
    model_event_f1: float
    actions: float
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0
    """Processor time of the training (this process): the machine is shared, wall time is not
    the training's alone."""
    steps: int = 0
    epochs: float = 0.0
    stopped: str = ""
    activated: bool = False
    gate: str = ""
    model: str = ""


@dataclass
class SizedRun:
    corpus: str
    order: str
    minutes: float
    pool: int
    test: int
    points: list[SizedPoint] = field(default_factory=list)


# ---- corpora ---------------------------------------------------------------------------------


def hipe(per_doc: int) -> tuple[list[Doc], list[Doc], LabelScheme | None]:
    from training.corpora import read_hipe

    folder = DATA / "hipe"
    pool: list[Doc] = []
    test: list[Doc] = []
    for part in ("newseye-dev", "newseye-dev2", "sonar-dev"):
        path = folder / f"HIPE-2022-v2.1-{part}-de.tsv.gz"
        pool += sentence_documents(read_hipe(path), per_doc, f"{part}/", digits=4)
    for part in ("newseye-test", "sonar-test"):
        path = folder / f"HIPE-2022-v2.1-{part}-de.tsv.gz"
        test += sentence_documents(read_hipe(path), per_doc, f"{part}/", digits=4)
    # the pool in an order that mixes both newspapers collections, the same every run
    pool = [pool[i] for i in _spread(len(pool))]
    test = [test[i] for i in _spread(len(test))]
    return pool, test, None


def legal(per_doc: int) -> tuple[list[Doc], list[Doc], LabelScheme | None]:
    """German court decisions (LER): consecutive sentences of each court's file as passages;
    every fifth block of 20 passages (a few decisions) is held out, so held-out passages share
    no decision with the pool's."""
    from training.corpora import LER_COURTS, read_ler

    pool: list[Doc] = []
    test: list[Doc] = []
    seen: set[str] = set()
    for court in LER_COURTS:
        docs = sentence_documents(
            read_ler(DATA / "legal" / f"{court}.conll.gz"), per_doc, f"{court}/", digits=4
        )
        for i, doc in enumerate(docs):
            if doc[1] in seen:
                continue  # boilerplate passages repeat: one document
            seen.add(doc[1])
            (test if (i // 20) % 5 == 0 else pool).append(doc)
    pool = [pool[i] for i in _spread(len(pool))]
    test = [test[i] for i in _spread(len(test))]
    return pool, test, None


def _spread(n: int) -> list[int]:
    """0..n-1 in a fixed order that strides through the whole range (7 is prime to most n)."""
    step = next(s for s in (7, 11, 13, 17, 19) if n % s)
    return [(i * step) % n for i in range(n)]


def smartdata() -> tuple[list[Doc], list[Doc], LabelScheme | None]:
    from annotator.formats import smartdata as reader
    from annotator.formats.reading import ReadContext, Record

    folder = DATA / "smartdata"
    files = [folder / "v1_20180119_train.json.gz", folder / "v1_20180119_test.json.gz"]
    scheme = reader.scheme(files)
    assert scheme is not None
    seen: set[str] = set()

    def docs(path: Path) -> list[Doc]:
        out: list[Doc] = []
        for record in reader.read(path, ReadContext(scheme)):
            if not isinstance(record, Record):
                continue
            if record.doc.id in seen or record.doc.text in seen:
                continue  # the same text twice in the corpus: one document
            seen.update((record.doc.id, record.doc.text))
            out.append((record.doc.id, record.doc.text, [s.key for s in record.spans]))
        return out

    pool = docs(files[0])
    test = [d for i, d in enumerate(docs(files[1])) if i % 2 == 1]
    return pool, test, scheme


# ---- the run ---------------------------------------------------------------------------------


def _f1(gold: Sequence[Sequence[Key]], shown: Sequence[Sequence[Key]], labels: set[str]) -> float:
    return score_spans(
        [[g for g in doc if g[2] in labels] for doc in gold],
        [[s for s in doc if s[2] in labels] for doc in shown],
    )["micro"].f1


def run(args: argparse.Namespace) -> SizedRun:
    from annotator.learn import TrainError, TrainOptions, active_model, project_suggester, train

    corpora = {"hipe": hipe, "legal": legal}
    pool, test, scheme = (
        corpora[args.corpus](args.per_doc) if args.corpus in corpora else smartdata()
    )
    pool = pool[: args.pool]
    test = test[: args.test]
    ks = [int(x) for x in args.ks.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="learning-sizes-"))
    store = Store.open(tmp / f"{args.corpus}.db", scheme=scheme)
    set_memory_scope(store, "team")  # one annotator
    store.add_documents(Document(id=d, text=t) for d, t, _ in [*pool, *test])
    entity_labels = {label.name for label in store.scheme.of_kind(SpanKind.ENTITY)}
    event_labels = {label.name for label in store.scheme.of_kind(SpanKind.EVENT)}
    if args.corpus in corpora:  # entities only; DATE is annotated in neither
        UNSCORED.update(event_labels | {"DATE"})
        entity_labels -= {"DATE"}
        event_labels = set()
    scored = entity_labels | event_labels
    suggester = project_suggester(store)
    t0 = time.perf_counter()
    everything = [*pool, *test]
    for i in range(0, len(everything), 64):
        chunk = everything[i : i + 64]
        store.save_suggestions(
            list(
                zip(
                    [d for d, _, _ in chunk],
                    suggester.suggest([t for _, t, _ in chunk]),
                    strict=True,
                )
            ),
            origin=suggester.name,
            version=suggester.version,
        )
    print(
        f"{args.corpus}: pool {len(pool)}, held out {len(test)} documents; built-in "
        f"suggestions in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    session = Session(store, "anna")
    gold_of = {d: spans for d, _, spans in pool}
    open_ids = [d for d, _, _ in pool]
    result = SizedRun(args.corpus, args.order, args.minutes, len(pool), len(test))
    test_gold = [g for _, _, g in test]
    ids = [d for d, _, _ in test]
    done = 0

    builtin = [
        [s.key for s in current_suggestions(store, d) if s.origin == suggester.name] for d in ids
    ]
    base_entity = _f1(test_gold, builtin, entity_labels)
    base_event = _f1(test_gold, builtin, event_labels)
    shown = [[s.key for s in pending(session, d)] for d, _, _ in test]
    result.points.append(
        SizedPoint(
            0,
            _f1(test_gold, shown, scored),
            _f1(test_gold, shown, entity_labels),
            _f1(test_gold, shown, event_labels),
            base_entity,
            base_event,
            statistics.mean(count(plan(pending(session, d), g)) for d, _, g in test),
            model="built-in",
        )
    )
    _print(result.points[-1])
    for k in ks:
        while done < k and open_ids:
            if args.order == "uncertain":
                doc_id = most_uncertain(store.uncertainty_by_document(), open_ids)
                assert doc_id is not None
            else:
                doc_id = open_ids[0]
            open_ids.remove(doc_id)
            annotate(session, doc_id, gold_of[doc_id])
            refresh_memory(store)
            done += 1
        point = SizedPoint(done, 0, 0, 0, 0, 0, 0)
        cpu = time.process_time()
        try:
            # the benchmark renews only the suggestions it reads (held-out documents; the pool
            # too when the order depends on them): the window renews every untouched one
            report = train(
                store,
                TrainOptions(
                    minutes=args.minutes,
                    rehearsal=args.rehearsal,
                    resuggest=False,
                    **(
                        {"rehearsal_per_step": args.rehearsal_per_step}
                        if args.rehearsal_per_step is not None
                        else {}
                    ),
                ),
                progress=None,
            )
        except TrainError as exc:
            point.gate = f"not trained: {exc}"
        else:
            point.train_seconds = report.seconds
            point.train_cpu_seconds = time.process_time() - cpu
            point.steps = report.steps
            point.epochs = report.epochs
            point.stopped = report.stopped
            point.activated = report.activated
            point.gate = report.reason
            new = project_suggester(store, model=report.path)
            found = list(new.suggest([t for _, t, _ in test]))
            keys = [[s.key for s in spans] for spans in found]
            point.model_entity_f1 = _f1(test_gold, keys, entity_labels)
            point.model_event_f1 = _f1(test_gold, keys, event_labels)
            if report.activated:
                renew = [(d, spans) for (d, _, _), spans in zip(test, found, strict=True)]
                if args.order == "uncertain":
                    texts = {d: t for d, t, _ in pool}
                    renew += list(
                        zip(open_ids, new.suggest([texts[d] for d in open_ids]), strict=True)
                    )
                store.save_suggestions(renew, origin=new.name, version=new.version)
        active = active_model(store)
        point.model = active[0] if active else "built-in"
        if not active:
            point.model_entity_f1 = point.model_entity_f1 or base_entity
        shown = [[s.key for s in pending(session, d)] for d, _, _ in test]
        point.shown_f1 = _f1(test_gold, shown, scored)
        point.shown_entity_f1 = _f1(test_gold, shown, entity_labels)
        point.shown_event_f1 = _f1(test_gold, shown, event_labels)
        point.actions = statistics.mean(count(plan(pending(session, d), g)) for d, _, g in test)
        result.points.append(point)
        _print(point)
        if args.json:
            save(result, args.json)  # after every k: a run cut short keeps its points
    return result


def _print(p: SizedPoint) -> None:
    print(
        f"k={p.k:>3}: shown F1 {p.shown_f1:.3f} (entities {p.shown_entity_f1:.3f}, triggers "
        f"{p.shown_event_f1:.3f}); retrained model alone: entities {p.model_entity_f1:.3f}, "
        f"triggers {p.model_event_f1:.3f}; actions/doc {p.actions:.2f}; training "
        f"{p.train_seconds:.0f} s ({p.train_cpu_seconds:.0f} s CPU), {p.steps} steps, "
        f"{p.epochs:.1f} epochs ({p.stopped}); "
        f"in use: {p.model}; {p.gate}",
        flush=True,
    )


def table(runs: Sequence[SizedRun]) -> str:
    lines = [
        "| corpus | order | k | shown F1 | shown entities | shown triggers | model entities | "
        "model triggers | actions/doc | training s | CPU s | steps | epochs | in use |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        for p in r.points:
            lines.append(
                f"| {r.corpus} | {r.order} | {p.k} | {p.shown_f1:.3f} | {p.shown_entity_f1:.3f} | "
                f"{p.shown_event_f1:.3f} | {p.model_entity_f1:.3f} | {p.model_event_f1:.3f} | "
                f"{p.actions:.2f} | {p.train_seconds:.0f} | {p.train_cpu_seconds:.0f} | "
                f"{p.steps} | {p.epochs:.1f} | "
                f"{p.model} |"
            )
    return "\n".join(lines)


def save(result: SizedRun, path: Path) -> None:
    path.write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")


def load(path: Path) -> SizedRun:
    data = json.loads(path.read_text(encoding="utf-8"))
    points = [SizedPoint(**p) for p in data.pop("points")]
    return SizedRun(**data, points=points)


COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def plot(runs: Sequence[SizedRun], path: Path, *, title: str) -> None:
    """Three panels against k: F1 (one line per measure and run), actions per document and
    training seconds; drawn with Qt offscreen, small PNG."""
    import itertools
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    _app = QGuiApplication.instance() or QGuiApplication([])
    smart = any(r.corpus == "smartdata" for r in runs)
    f1_measures = (
        [("shown triggers", "shown_event_f1"), ("model triggers", "model_event_f1"),
         ("shown entities", "shown_entity_f1")]
        if smart
        else [("shown entities", "shown_entity_f1"), ("model alone", "model_entity_f1")]
    )  # fmt: skip
    width, height = 1200, 520
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("Sans", 9))
    kmax = max((pt.k for r in runs for pt in r.points), default=1) or 1
    top_actions = max((pt.actions for r in runs for pt in r.points), default=1.0)
    top_seconds = max((pt.train_seconds for r in runs for pt in r.points), default=60.0)
    series_f1 = [
        (f"{name} ({r.order})", [(pt.k, getattr(pt, attr)) for pt in r.points])
        for r in runs
        for name, attr in f1_measures
    ]
    panels = [
        ("F1 on held-out documents", 1.0, series_f1),
        (
            "actions per held-out document",
            max(1.0, top_actions * 1.15),
            [(f"actions ({r.order})", [(pt.k, pt.actions) for pt in r.points]) for r in runs],
        ),
        (
            "training seconds at k",
            max(60.0, top_seconds * 1.15),
            [
                series
                for r in runs
                for series in (
                    (
                        f"training, wall ({r.order})",
                        [(pt.k, pt.train_seconds) for pt in r.points if pt.k],
                    ),
                    (
                        f"training, CPU ({r.order})",
                        [(pt.k, pt.train_cpu_seconds) for pt in r.points if pt.k],
                    ),
                )
            ],
        ),
    ]
    legend: dict[str, str] = {}
    colour_of: dict[str, str] = {}
    for i, (label, ymax, series) in enumerate(panels):
        box = QRectF(60 + i * 390, 40, 320, 280)
        draw_panel(
            p,
            box,
            label,
            ymax,
            sorted({pt.k for r in runs for pt in r.points}),
            kmax,
            "k = documents finished",
            title=QRectF(box.left(), 14, box.width(), 22),
            xlabel_gap=20,
        )
        for name, values in series:
            measure = name.rsplit(" (", 1)[0]  # one colour per measure, dashes for the order
            colour = colour_of.setdefault(measure, COLOURS[len(colour_of) % len(COLOURS)])
            dashed = "uncertain" in name
            legend[measure] = colour
            points = [
                QPointF(
                    box.left() + box.width() * k / kmax,
                    box.bottom() - box.height() * min(v, ymax) / ymax,
                )
                for k, v in values
            ]
            pen = QPen(QColor(colour), 2.2)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            for a, b in itertools.pairwise(points):
                p.drawLine(a, b)
            for pt in points:
                p.drawEllipse(pt, 3, 3)
    orders = sorted({r.order for r in runs})
    styles = [("import order: solid", Qt.PenStyle.SolidLine)] if "import" in orders else []
    if "uncertain" in orders:
        styles.append(("most uncertain first: dashed", Qt.PenStyle.DashLine))
    entries = [(name, colour, Qt.PenStyle.SolidLine) for name, colour in legend.items()]
    entries += [(name, "#444444", style) for name, style in styles]
    for j, (name, colour, style) in enumerate(entries):
        x = 70 + (j % 3) * 390
        y = 370 + 18 * (j // 3)
        pen = QPen(QColor(colour), 3)
        pen.setStyle(style)
        p.setPen(pen)
        p.drawLine(QPointF(x, y), QPointF(x + 28, y))
        p.setPen(QColor("black"))
        p.drawText(QRectF(x + 34, y - 9, 340, 18), Qt.AlignmentFlag.AlignLeft, name)
    p.setPen(QColor("#444"))
    p.drawText(
        QRectF(0, height - 22, width, 20),
        Qt.AlignmentFlag.AlignCenter,
        f"{title}: retraining at k finished documents, benchmarks/learning_curve.py",
    )
    p.end()
    save_png(image, path)
