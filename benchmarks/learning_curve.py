"""Learning curve: better suggestions and fewer actions per document as the team annotates.

A simulated annotator works through documents in order, turning the suggestions it is shown into
the gold annotation with the session's own commands (accept, reject, add, relabel, resize) and
marking each document done. After each one the memory is refreshed (``refresh_memory``, as the
window does); with ``--retrain-every N`` the model is retrained after every N documents done
(``annotator.learn.train``, as the window's background training does: 20% of the done documents
held back, the new model used only if it is not worse there, untouched documents re-suggested).
After k documents we measure, on documents nobody has touched, the exact-span micro F1 of the
suggestions shown and the number of actions needed to turn them into gold.

Corpora (``--corpus``):

* ``seeds`` (default): the five seed articles, annotated by hand in
  ``tests/fixtures/gold_seed.jsonl`` (entities and events; DATE is not annotated there, so DATE
  is left out of scores and actions). Articles are cut into passages of about ``--passage``
  characters at sentence ends (the unit an annotator finishes, as Prodigy splits long texts).
  Each article in turn is the evaluation set while the passages of the other four are annotated
  in order; figures are the mean over the five rotations. Suggestions come from the built-in
  model (``--model`` for another pipeline, ``--model none`` for the memory alone) plus the
  memory; the window shows exactly these (``current_suggestions``).
* ``europarl``: Europarl dev sentences from ``../shared/data/ner-de/`` in pseudo documents of
  ``--per-doc`` sentences (entities only), the last ``--test`` of them the evaluation set, with
  ``--pad`` unannotated Europarl train documents so refresh times are measured on a corpus of
  realistic size. Only entities are scored (the corpus has no events).

GermEval's test split is never read.

Actions are counted as a person needs them: every fix (reject, relabel, resize, add) is one
action, and the right suggestions left after the fixes are taken with one "accept all" (the
column "one by one" counts each accept instead).

Refresh time is printed as a ratio against a raw baseline measured in the same run: a plain
``str.find`` of every remembered string over every document's text, without index or database.

Usage::

    python -m benchmarks.learning_curve --plot docs/learning_curve.png
    python -m benchmarks.learning_curve --retrain-every 8 --plot docs/learning_curve.png
    python -m benchmarks.learning_curve --corpus europarl --model none
    python -m benchmarks.learning_curve --corpus smartdata --order uncertain --rehearsal none \
        --minutes 4 --json sd-uncertain.json --plot-with sd-import.json \
        --plot docs/learning_smartdata.png
    python -m benchmarks.learning_curve --corpus hipe --minutes 4 --plot docs/learning_hipe.png
    python -m benchmarks.learning_curve --corpus legal --plot docs/learning_legal.png

``--corpus hipe``, ``--corpus legal`` and ``--corpus smartdata`` retrain at k = 10, 25, 50, 100,
200 finished documents of a new source (:mod:`benchmarks.learning_sizes`; figures in ADRs 0024
and 0025).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import DocStatus, Document, Span, SpanKind, SpanStatus  # noqa: E402
from annotator.session import Session  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest.evaluate import score_spans  # noqa: E402
from annotator.suggest.memory import Memory, refresh_memory  # noqa: E402
from annotator.suggest.pipelines import BUILTIN_MODEL_PATH  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ner-de"
GOLD = ROOT / "tests" / "fixtures" / "gold_seed.jsonl"
BUILTIN = BUILTIN_MODEL_PATH
Key = tuple[int, int, str]
Doc = tuple[str, str, list[Key]]
UNSCORED = {"DATE"}


# ---- corpora ---------------------------------------------------------------------------------


def pseudo_documents(path: Path, per_doc: int, prefix: str) -> list[Doc]:
    """Europarl sentences joined into documents: (id, text, gold spans)."""
    from training.prepare import read_europarl

    return sentence_documents(read_europarl(path), per_doc, prefix)


def sentence_documents(
    sentences: Iterable[Any], per_doc: int, prefix: str, *, digits: int = 3
) -> list[Doc]:
    """Consecutive sentences joined into documents of ``per_doc`` sentences (id, text, gold
    entity spans); sentences with no text are skipped. The ids' ``digits`` stay as each
    benchmark first had them: retraining holds documents back by a hash of their id."""
    from training.prepare import spaces_for

    docs: list[Doc] = []
    text, spans, n = "", [], 0
    for sentence in sentences:
        spaces = sentence.spaces or spaces_for(sentence.tokens)
        at = len(text) + (1 if text else 0)
        offsets, pieces = [], []
        for token, space in zip(sentence.tokens, spaces, strict=True):
            offsets.append((at, at + len(token)))
            pieces.append(token + (" " if space else ""))
            at += len(token) + (1 if space else 0)
        body = "".join(pieces).rstrip()
        if not body:
            continue
        text = f"{text} {body}" if text else body
        spans += [(offsets[s][0], offsets[e - 1][1], label) for s, e, label in sentence.spans()]
        n += 1
        if n == per_doc:
            docs.append((f"{prefix}{len(docs):0{digits}d}", text, spans))
            text, spans, n = "", [], 0
    if text:
        docs.append((f"{prefix}{len(docs):0{digits}d}", text, spans))
    return docs


def gold_seed() -> list[Doc]:
    """The hand-annotated seed articles, DATE left out."""
    out = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spans = [
            (s["start"], s["end"], s["label"])
            for s in record["spans"]
            if s["label"] not in UNSCORED
        ]
        out.append((str(record["meta"]["id"]).split("#")[0], record["text"], spans))
    return out


def passages(doc: Doc, size: int) -> list[Doc]:
    """A document cut at the first sentence end after every ``size`` characters (never inside a
    gold span); leading and trailing white space of a passage dropped, offsets shifted."""
    doc_id, text, spans = doc
    cuts = [0]
    at = size
    while at < len(text):
        end = _sentence_end(text, at, spans)
        if end is None:
            break
        cuts.append(end)
        at = end + size
    cuts.append(len(text))
    out: list[Doc] = []
    for a, b in itertools.pairwise(cuts):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if not piece:
            continue
        start = a + lead
        inside = [(s - start, e - start, label) for s, e, label in spans if a <= s and e <= b]
        out.append((f"{doc_id}/{len(out):02d}", piece, inside))
    assert sum(len(p[2]) for p in out) == len(spans), f"a span crosses a cut in {doc_id}"
    return out


def _sentence_end(text: str, at: int, spans: Sequence[Key]) -> int | None:
    for i in range(at, len(text) - 1):
        if (
            text[i] in ".!?"
            and (text[i + 1].isspace() or text[i + 1].isupper())
            and not text[i - 1].isdigit()
            and not any(s <= i < e for s, e, _ in spans)
        ):
            return i + 1
    return None


# ---- the simulated annotator -----------------------------------------------------------------


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


def pending(session: Session, doc_id: str) -> list[Span]:
    return [
        s
        for s in session.spans(doc_id)
        if s.status == SpanStatus.SUGGESTED and s.label not in UNSCORED
    ]


def annotate(session: Session, doc_id: str, gold: Sequence[Key]) -> int:
    """Carry out the plan with the session's commands, mark the document done; actions used."""
    actions = plan(pending(session, doc_id), gold)
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


@dataclass
class Point:
    """Figures after k documents done, on the evaluation documents."""

    k: int
    f1: float
    precision: float
    recall: float
    actions: float
    one_by_one: float
    model: str = ""


def measure(session: Session, test: Sequence[Doc], k: int, model: str = "") -> Point:
    shown = {doc_id: pending(session, doc_id) for doc_id, _, _ in test}
    scores = score_spans(
        [gold for _, _, gold in test], [[s.key for s in shown[d]] for d, _, _ in test]
    )["micro"]
    plans = [plan(shown[d], gold) for d, _, gold in test]
    return Point(
        k,
        scores.f1,
        scores.precision,
        scores.recall,
        statistics.mean(count(p) for p in plans),
        statistics.mean(count(p, accept_all=False) for p in plans),
        model,
    )


@dataclass
class Run:
    """One simulated annotator over one ordering of the documents."""

    points: list[Point] = field(default_factory=list)
    refresh_seconds: list[float] = field(default_factory=list)
    spent: list[int] = field(default_factory=list)
    trainings: list[str] = field(default_factory=list)


def simulate(
    store: Store,
    learn: Sequence[Doc],
    test: Sequence[Doc],
    ks: Sequence[int],
    *,
    retrain_every: int = 0,
    models: Path | None = None,
) -> Run:
    from annotator.learn import TrainError, TrainOptions, active_model, train

    session = Session(store, "anna")
    run = Run()
    done = 0
    for k in ks:
        while done < k:
            doc_id, _, spans = learn[done]
            run.spent.append(annotate(session, doc_id, spans))
            report = refresh_memory(store)
            run.refresh_seconds.append(report.seconds)
            done += 1
            if retrain_every and done % retrain_every == 0 and models is not None:
                try:
                    result = train(store, TrainOptions(out=models / f"v{done:03d}"))
                except TrainError as exc:
                    run.trainings.append(f"k={done}: {exc}")
                else:
                    run.trainings.append(f"k={done}: {result.summary()} ({result.seconds:.0f} s)")
        active = active_model(store)
        run.points.append(measure(session, test, k, active[0] if active else "built-in"))
    return run


# ---- the two set-ups -------------------------------------------------------------------------


def model_suggestions(model: str, docs: Sequence[Doc], store: Store) -> tuple[str, str]:
    """Save a model's suggestions for every document under the built-in origin (so a retrained
    model's newer run replaces them, as in a project); (origin, version)."""
    from annotator.learn import project_suggester

    path = BUILTIN if model == "builtin" else Path(model)
    suggester = project_suggester(store, model=path)
    results = list(
        zip(
            [d for d, _, _ in docs],
            suggester.suggest([t for _, t, _ in docs], n_process=1),
            strict=True,
        )
    )
    store.save_suggestions(results, origin=suggester.name, version=suggester.version)
    return suggester.name, suggester.version


def seeds(args: argparse.Namespace) -> tuple[list[Point], Run, Store]:
    articles = gold_seed()
    cut = [passages(a, args.passage) for a in articles]
    ks_all = [int(x) for x in args.ks.split(",")]
    runs: list[Run] = []
    last_store: Store | None = None
    cache: dict[str, list[Span]] = {}
    with tempfile.TemporaryDirectory(prefix="learning-") as tmp:
        for r, held in enumerate(cut):
            test = held
            learn = [p for i, parts in enumerate(cut) if i != r for p in parts]
            ks = [k for k in ks_all if k <= len(learn)]
            db = Path(tmp) / f"rotation{r}.db"
            store = Store.open(db)
            store.add_documents(Document(id=d, text=t) for d, t, _ in [*learn, *test])
            if args.model != "none":
                _cached_suggestions(args.model, [*learn, *test], store, cache)
            models = Path(tmp) / f"models{r}"
            run = simulate(store, learn, test, ks, retrain_every=args.retrain_every, models=models)
            runs.append(run)
            print(
                f"rotation {r + 1}/{len(cut)}: evaluate on {articles[r][0]} "
                f"({len(test)} passages), learn from {len(learn)} passages; "
                + ", ".join(f"k={p.k} F1 {p.f1:.3f} act {p.actions:.2f}" for p in run.points),
                flush=True,
            )
            for line in run.trainings:
                print(f"    retrain {line}")
            last_store = store
        assert last_store is not None
        mean_points = _mean(runs)
        merged = Run(
            points=mean_points,
            refresh_seconds=[t for run in runs for t in run.refresh_seconds],
            spent=[a for run in runs for a in run.spent],
        )
        return mean_points, merged, last_store


def _cached_suggestions(
    model: str, docs: Sequence[Doc], store: Store, cache: dict[str, list[Span]]
) -> None:
    """The model's suggestions, computed once per passage over all rotations."""
    from annotator.learn import project_suggester

    path = BUILTIN if model == "builtin" else Path(model)
    suggester = project_suggester(store, model=path)
    todo = [(d, t) for d, t, _ in docs if d not in cache]
    if todo:
        for (d, _), spans in zip(
            todo, suggester.suggest([t for _, t in todo], n_process=1), strict=True
        ):
            cache[d] = spans
    store.save_suggestions(
        [(d, cache[d]) for d, _, _ in docs], origin=suggester.name, version=suggester.version
    )


def _mean(runs: Sequence[Run]) -> list[Point]:
    by_k: dict[int, list[Point]] = {}
    for run in runs:
        for p in run.points:
            by_k.setdefault(p.k, []).append(p)
    return [
        Point(
            k,
            statistics.mean(p.f1 for p in ps),
            statistics.mean(p.precision for p in ps),
            statistics.mean(p.recall for p in ps),
            statistics.mean(p.actions for p in ps),
            statistics.mean(p.one_by_one for p in ps),
            f"{len(ps)} rotations",
        )
        for k, ps in sorted(by_k.items())
        if len(ps) == len(runs)
    ]


def europarl(args: argparse.Namespace) -> tuple[list[Point], Run, Store]:
    docs = pseudo_documents(DATA / "europarl-dev.tsv", args.per_doc, "ep")
    test, learn = docs[-args.test :], docs[: -args.test]
    ks = [k for k in (int(x) for x in args.ks.split(",")) if k <= len(learn)]
    pad = pseudo_documents(DATA / "europarl-train.tsv", args.per_doc, "pad")[: args.pad]
    tmp = tempfile.mkdtemp(prefix="learning-")
    store = Store.open(Path(tmp) / "europarl.db")
    store.add_documents(Document(id=i, text=t) for i, t, _ in [*docs, *pad])
    # Europarl has entities only: the event patterns' suggestions are neither scored nor acted on
    UNSCORED.update(label.name for label in store.scheme.of_kind(SpanKind.EVENT))
    if args.model != "none":
        model_suggestions(args.model, docs, store)
    print(
        f"{len(learn)} documents to learn from, {len(test)} to evaluate on, {len(pad)} padding; "
        f"{sum(len(t) for _, t, _ in [*docs, *pad]):,} characters"
    )
    run = simulate(
        store, learn, test, ks, retrain_every=args.retrain_every, models=Path(tmp) / "models"
    )
    for line in run.trainings:
        print(f"    retrain {line}")
    return run.points, run, store


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
    parser.add_argument(
        "--corpus", choices=("seeds", "europarl", "hipe", "legal", "smartdata"), default="seeds"
    )
    parser.add_argument(
        "--order",
        choices=("import", "uncertain"),
        default="import",
        help="hipe/legal/smartdata: the pool's order, or most uncertain first",
    )
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="hipe/legal/smartdata: training budget at each k"
    )
    parser.add_argument(
        "--rehearsal", default="sample", help="hipe/legal/smartdata: TrainOptions.rehearsal"
    )
    parser.add_argument(
        "--rehearsal-per-step", type=int, default=None, help="TrainOptions.rehearsal_per_step"
    )
    parser.add_argument(
        "--pool", type=int, default=400, help="hipe/legal/smartdata: pool documents"
    )
    parser.add_argument(
        "--model",
        default="builtin",
        help="'builtin' (default), a spaCy pipeline folder, or 'none' for the memory alone",
    )
    parser.add_argument(
        "--retrain-every", type=int, default=0, help="retrain after every N documents done"
    )
    parser.add_argument("--passage", type=int, default=500, help="seeds: characters a passage")
    parser.add_argument("--per-doc", type=int, default=10, help="europarl: sentences a document")
    parser.add_argument("--test", type=int, default=10, help="europarl: evaluation documents")
    parser.add_argument("--pad", type=int, default=300, help="europarl: padding documents")
    parser.add_argument("--ks", default=None, help="checkpoints (documents done)")
    parser.add_argument("--plot", type=Path, help="write the curve as a PNG")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument(
        "--plot-with", action="append", type=Path, help="also draw this earlier --json result"
    )
    args = parser.parse_args(argv)
    if args.corpus in ("hipe", "legal", "smartdata"):
        return sized(args)
    if args.ks is None:
        args.ks = "0,2,4,8,12,16,19" if args.corpus == "seeds" else "0,1,2,4,8,12,16,20,26"

    what = "memory" if args.model == "none" else f"{args.model} model + memory"
    if args.retrain_every:
        what += f" + retraining every {args.retrain_every} documents"
    print(f"corpus {args.corpus}; suggestions: {what}", flush=True)
    points, run, store = seeds(args) if args.corpus == "seeds" else europarl(args)
    print(f"\n{'k':>3} {'F1':>6} {'P':>6} {'R':>6} {'actions/doc':>12} {'one by one':>11}  model")
    for p in points:
        print(
            f"{p.k:>3} {p.f1:6.3f} {p.precision:6.3f} {p.recall:6.3f} "
            f"{p.actions:12.2f} {p.one_by_one:11.2f}  {p.model}"
        )
    baseline = raw_scan(store)
    mean_refresh = statistics.mean(run.refresh_seconds) if run.refresh_seconds else 0.0
    print(
        f"\nrefresh_memory after each done: mean {mean_refresh * 1000:.0f} ms, "
        f"max {max(run.refresh_seconds, default=0) * 1000:.0f} ms over {store.count_documents()} "
        f"documents; raw str.find scan of the same strings: {baseline * 1000:.0f} ms; "
        f"ratio {mean_refresh / baseline if baseline else float('nan'):.2f}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"corpus": args.corpus, "suggestions": what, "points": [vars(p) for p in points]},
                indent=2,
            ),
            encoding="utf-8",
        )
    if args.plot:
        series = [(what, points)]
        for extra in args.plot_with or []:
            data = json.loads(Path(extra).read_text(encoding="utf-8"))
            series.append((data["suggestions"], [Point(**p) for p in data["points"]]))
        plot(series, args.plot, title=args.corpus)
        print(f"plot -> {args.plot}")
    return 0


def sized(args: argparse.Namespace) -> int:
    """Retraining at k documents of a new source (:mod:`benchmarks.learning_sizes`)."""
    from benchmarks import learning_sizes

    if args.ks is None:
        args.ks = "10,25,50,100,200"
    if args.test == 10:  # the Europarl default: far too few held-out documents here
        args.test = 150
    if args.per_doc == 10 and args.corpus == "hipe":
        args.per_doc = 8
    if args.per_doc == 10 and args.corpus == "legal":  # a decision averages ~90 sentences
        args.per_doc = 20
    runs = [learning_sizes.load(p) for p in args.plot_with or []]
    result = learning_sizes.run(args)
    if args.json:
        learning_sizes.save(result, args.json)
    runs.append(result)
    print()
    print(learning_sizes.table(runs))
    if args.plot:
        title = {
            "hipe": "HIPE historical newspapers",
            "legal": "German court decisions (LER)",
        }.get(args.corpus, "Smart Data, own scheme")
        learning_sizes.plot(runs, args.plot, title=title)
        print(f"plot -> {args.plot}")
    return 0


COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def draw_panel(
    p: Any,
    box: Any,
    label: str,
    ymax: float,
    ks: Sequence[int],
    kmax: int,
    xlabel: str,
    *,
    title: Any,
    xlabel_gap: float,
) -> None:
    """One plot panel's frame: its box, title (drawn in the rectangle ``title``), five grid
    lines with their values up to ``ymax``, a tick for each k and the x-axis label."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QPen

    p.setPen(QPen(QColor("#888"), 1))
    p.drawRect(box)
    p.setPen(QColor("black"))
    p.drawText(title, Qt.AlignmentFlag.AlignCenter, label)
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
        p.drawText(QRectF(x - 15, box.bottom() + 4, 30, 16), Qt.AlignmentFlag.AlignCenter, str(k))
    p.drawText(
        QRectF(box.left(), box.bottom() + xlabel_gap, box.width(), 18),
        Qt.AlignmentFlag.AlignCenter,
        xlabel,
    )


def save_png(image: Any, path: Path) -> None:
    """Write a QImage as PNG through a temporary file, so a half-written plot never stays."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.png")
    if not image.save(str(tmp), "PNG"):
        raise OSError(f"cannot write {tmp}")
    os.replace(tmp, path)


def plot(series: Sequence[tuple[str, Sequence[Point]]], path: Path, *, title: str) -> None:
    """Two panels (F1, actions per document) against k, one line per series, drawn with Qt
    offscreen."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    _app = QGuiApplication.instance() or QGuiApplication([])
    width, height = 900, 490
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("Sans", 10))
    kmax = max((pt.k for _, pts in series for pt in pts), default=1) or 1
    top_actions = max((pt.actions for _, pts in series for pt in pts), default=4.0)
    panels = [
        ("suggestion F1 on untouched documents", lambda pt: pt.f1, 1.0),
        (
            "actions per untouched document",
            lambda pt: pt.actions,
            float(max(4, math.ceil(top_actions * 1.1 / 4) * 4)),
        ),
    ]
    for i, (label, value, ymax) in enumerate(panels):
        box = QRectF(60 + i * 440, 50, 360, 300)
        draw_panel(
            p,
            box,
            label,
            ymax,
            sorted({pt.k for _, pts in series for pt in pts}),
            kmax,
            "k = documents annotated",
            title=QRectF(box.left(), 20, box.width(), 24),
            xlabel_gap=22,
        )
        for (_, pts), colour in zip(series, COLOURS, strict=False):
            points = [
                QPointF(
                    box.left() + box.width() * pt.k / kmax,
                    box.bottom() - box.height() * value(pt) / ymax,
                )
                for pt in pts
            ]
            p.setPen(QPen(QColor(colour), 2.5))
            for a, b in itertools.pairwise(points):
                p.drawLine(a, b)
            for pt in points:
                p.drawEllipse(pt, 3.5, 3.5)
    for j, ((name, _), colour) in enumerate(zip(series, COLOURS, strict=False)):
        y = 410 + 17 * j
        p.setPen(QPen(QColor(colour), 3))
        p.drawLine(QPointF(70, y), QPointF(100, y))
        p.setPen(QColor("black"))
        p.drawText(QRectF(108, y - 9, 760, 18), Qt.AlignmentFlag.AlignLeft, name)
    p.setPen(QColor("#444"))
    p.drawText(
        QRectF(0, height - 22, width, 20),
        Qt.AlignmentFlag.AlignCenter,
        f"learning curve ({title}): simulated annotator, benchmarks/learning_curve.py",
    )
    p.end()
    save_png(image, path)


if __name__ == "__main__":
    raise SystemExit(main())
