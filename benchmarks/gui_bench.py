"""How fast the annotate window opens articles and answers a keypress (offscreen).

    python benchmarks/gui_bench.py

Prints, each next to a raw baseline measured in the same run:

* opening a seed article (the window: text, spans, span table, status) vs ``setPlainText`` of the
  same text into a bare ``QPlainTextEdit`` and one paint; aim < 50 ms;
* opening a 100,000-character article with 3,000 suggestions, same baseline; aim < 300 ms;
* keypress-to-repaint of accept (Return) over 200 presses on that long article, including the
  SQLite write, vs a raw sqlite-utils insert of one row plus one paint of the bare editor;
  aim: 95th percentile < 16 ms;
* opening a 1,000,000-character article (words, one paragraph: Qt's hardest layout) with 30,000
  suggestions, each in a fresh process so its peak RSS is its own (``resource.getrusage``), vs a
  fresh process that shows the same text in a bare ``QPlainTextEdit``; aim < 2 s and < 1 GB;
* painting the long article's viewport at 40 places through it with every event's arguments
  drawn as arcs (two arguments per event, 2,400 arcs) vs the same paint with the arcs not drawn,
  in turns at each place; aim: ratio < 1.5x (only the arcs with an end on screen are
  computed).

``python benchmarks/gui_bench.py --arcs`` runs only the last one.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from annotator.corpus import import_paths  # noqa: E402
from annotator.gui.app import _quiet_offscreen_warnings  # noqa: E402
from annotator.gui.main_window import MainWindow, settings_for  # noqa: E402
from annotator.model import Document, Span  # noqa: E402
from annotator.store import Store  # noqa: E402

SEED = "002_c37c1a0bbaeb8b11"
LONG_CHARS = 100_000
LONG_SPANS = 3_000
PRESSES = 200
HUGE_CHARS = 1_000_000
HUGE_SPANS = 30_000
LABELS = ("PER", "LOC", "ORG", "MEETING", "NEGOTIATION")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def long_document(store: Store) -> Document:
    text = ""
    seeds = [d.text for d in store.iter_documents()]
    while len(text) < LONG_CHARS:
        text += "\n\n".join(seeds) + "\n\n"
    return Document(id="long", text=text[:LONG_CHARS])


def long_spans(store: Store, text: str, *, n: int = LONG_SPANS) -> list[Span]:
    words = [m for m in re.finditer(r"\w{4,}", text)]
    step = max(1, len(words) // n)
    spans = []
    for i, m in enumerate(words[::step][:n]):
        label = LABELS[i % len(LABELS)]
        spans.append(
            Span(
                start=m.start(),
                end=m.end(),
                label=label,
                kind=store.scheme.kind_of(label),
                origin="bench",
                origin_version="1",
                score=0.5,
            )
        )
    return spans


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def time_open(app: QApplication, window: MainWindow, doc_id: str, other: str, n: int) -> float:
    times = []
    for _ in range(n):
        window.go_to(other)
        settle(app)
        t0 = time.perf_counter()
        window.go_to(doc_id)
        window.article.viewport().repaint()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_raw_open(app: QApplication, text: str, n: int) -> float:
    edit = QPlainTextEdit()
    edit.resize(900, 800)
    edit.show()
    times = []
    for _ in range(n):
        edit.setPlainText("x")
        settle(app)
        t0 = time.perf_counter()
        edit.setPlainText(text)
        edit.viewport().repaint()
        times.append(time.perf_counter() - t0)
    edit.close()
    return statistics.median(times)


def time_raw_write(folder: Path, app: QApplication, text: str) -> list[float]:
    from sqlite_utils import Database

    db = Database(folder / "raw.db")
    db.conn.execute("PRAGMA journal_mode = WAL")
    db.conn.execute("PRAGMA synchronous = FULL")  # the same durability as the store
    table = db["t"]
    table.create({"id": int, "start": int, "end": int, "label": str}, pk="id")
    edit = QPlainTextEdit()
    edit.resize(900, 800)
    edit.setPlainText(text)
    edit.show()
    settle(app)
    times = []
    for i in range(PRESSES):
        t0 = time.perf_counter()
        with db.conn:
            table.insert({"id": i, "start": i, "end": i + 1, "label": "PER"})
        edit.viewport().repaint()
        times.append(time.perf_counter() - t0)
    edit.close()
    return times


def huge_project(folder: Path) -> Path:
    """A project with the seeds and a 1,000,000-character article of their words, one paragraph,
    with 30,000 suggestions."""
    db = folder / "huge.db"
    store = Store.open(db)
    import_paths(store, [ROOT / "seeds"])
    words = " ".join(" ".join(d.text for d in store.iter_documents()).split())
    text = ""
    while len(text) < HUGE_CHARS:
        text += words + " "
    huge = Document(id="huge", text=text[:HUGE_CHARS])
    store.add_documents([huge])
    store.save_suggestions(
        [("huge", long_spans(store, huge.text, n=HUGE_SPANS))], origin="bench", version="1"
    )
    store.close()
    return db


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_open(db: Path) -> dict[str, float]:
    """In a fresh process: the window on a seed, then the huge article opened and painted."""
    app = QApplication.instance() or QApplication([])
    _quiet_offscreen_warnings()
    store = Store.open(db, create=False)
    window = MainWindow(store, "bench", settings=settings_for(db.with_suffix(".ini")))
    window.resize(1440, 880)
    window.show()
    window.open_first(SEED)
    settle(app)  # type: ignore[arg-type]
    before = _peak_mb()
    t0 = time.perf_counter()
    window.go_to("huge")
    window.article.viewport().repaint()
    elapsed = time.perf_counter() - t0
    settle(app)  # type: ignore[arg-type]
    shown = len(window.doc.spans)
    window.close()
    store.close()
    return {"seconds": elapsed, "peak_mb": _peak_mb(), "before_mb": before, "spans": shown}


def child_raw(db: Path) -> dict[str, float]:
    """In a fresh process: the same text in a bare QPlainTextEdit, one paint."""
    app = QApplication.instance() or QApplication([])
    store = Store.open(db, create=False)
    text = store.document("huge").text
    store.close()
    edit = QPlainTextEdit()
    edit.resize(900, 800)
    edit.show()
    settle(app)  # type: ignore[arg-type]
    before = _peak_mb()
    t0 = time.perf_counter()
    edit.setPlainText(text)
    edit.viewport().repaint()
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "peak_mb": _peak_mb(), "before_mb": before, "spans": 0}


def in_child(mode: str, db: Path) -> dict[str, float]:
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, mode, str(db)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def huge_case(folder: Path) -> bool:
    db = huge_project(folder)
    opened = in_child("--child-open", db)
    raw = in_child("--child-raw", db)
    print(
        f"open 1,000,000-char article ({int(opened['spans']):,} spans) "
        f"{opened['seconds']:6.2f} s, peak RSS {opened['peak_mb']:5.0f} MB   "
        f"raw setPlainText {raw['seconds']:6.2f} s, {raw['peak_mb']:5.0f} MB   "
        f"ratio {opened['seconds'] / raw['seconds']:5.1f}x time, "
        f"{opened['peak_mb'] / raw['peak_mb']:4.1f}x memory   aim < 2 s, < 1 GB"
    )
    return opened["seconds"] < 2 and opened["peak_mb"] < 1024


SCROLL_PLACES = 40


def paint_through(app: QApplication, window: MainWindow) -> tuple[list[float], list[float]]:
    """Seconds of one full repaint of the viewport at each of SCROLL_PLACES places, with the
    arcs drawn and without (``draw_arcs`` off), in turns at each place, each the best of five
    (a busy machine's pauses are not the paint's)."""
    article = window.article
    bar = article.verticalScrollBar()
    with_arcs: list[float] = []
    without: list[float] = []
    for i in range(SCROLL_PLACES):
        bar.setValue(bar.maximum() * i // (SCROLL_PLACES - 1))
        settle(app)
        best = {True: float("inf"), False: float("inf")}
        for trial in range(5):
            for arcs in (True, False) if trial % 2 else (False, True):
                article.draw_arcs = arcs
                t0 = time.perf_counter()
                article.viewport().repaint()
                best[arcs] = min(best[arcs], time.perf_counter() - t0)
        with_arcs.append(best[True])
        without.append(best[False])
    article.draw_arcs = True
    return with_arcs, without


def arcs_case(
    app: QApplication, store: Store, long: Document, spans: list[Span], folder: Path
) -> bool:
    """The long article, every span accepted, two arguments per event (its two spans before, as
    participant and place where the scheme allows): painted with the arcs and, in turns at the
    same places, without them (the same text, spans and tags)."""
    from annotator.model import Argument, SpanKind, SpanStatus

    accepted = [s.model_copy(update={"status": SpanStatus.ACCEPTED}) for s in spans]
    arguments = []
    scheme = store.scheme
    for i, event in enumerate(accepted):
        if event.kind != SpanKind.EVENT:
            continue
        roles = scheme.roles_of(event.label)
        fillers = [s for s in accepted[max(0, i - 4) : i] if s.kind == SpanKind.ENTITY][-2:]
        for filler in fillers:
            role = next((r for r in roles if filler.label in r.fillers), None)
            if role is not None:
                arguments.append(Argument(trigger=event.key, role=role.name, filler=filler.key))
    store.ensure_annotator("bench")
    store.add_documents([Document(id="long-arcs", text=f"{long.text}\nlong-arcs")])
    store.replace_decisions("long-arcs", "bench", add=accepted, action="bench", link=arguments)
    window = MainWindow(store, "bench", settings=settings_for(folder / "arcs.ini"))
    window.resize(1440, 880)
    window.show()
    window.go_to("long-arcs")
    settle(app)
    paint_through(app, window)  # warm up the layout
    arcs, plain = paint_through(app, window)
    article = window.article
    bar = article.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    settle(app)
    drawn = len(article.visible_arcs(QRectF(article.viewport().rect())))
    window.close()
    med_arcs, med_plain = statistics.median(arcs), statistics.median(plain)
    ratio = statistics.median(a / b for a, b in zip(arcs, plain, strict=True))
    print(
        f"paint long article, {len(arguments):,} arguments ({drawn} on the middle screen) "
        f"median {ms(med_arcs)}  p95 {ms(pct(arcs, 0.95))}   arcs not drawn median "
        f"{ms(med_plain)}  p95 {ms(pct(plain, 0.95))}   ratio (median of the places') "
        f"{ratio:5.2f}x   aim < 1.5x"
    )
    return len(arguments) > 0


def main() -> int:
    if len(sys.argv) == 2 and sys.argv[1] == "--arcs":
        app = QApplication.instance() or QApplication([])
        assert isinstance(app, QApplication)
        _quiet_offscreen_warnings()
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "arcs.db")
            import_paths(store, [ROOT / "seeds"])
            long = long_document(store)
            ok = arcs_case(app, store, long, long_spans(store, long.text), Path(tmp))
            store.close()
        return 0 if ok else 1
    if len(sys.argv) == 3 and sys.argv[1] in ("--child-open", "--child-raw"):
        import json

        run = child_open if sys.argv[1] == "--child-open" else child_raw
        print(json.dumps(run(Path(sys.argv[2]))))
        return 0
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    _quiet_offscreen_warnings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store.open(folder / "bench.db")
        import_paths(store, [ROOT / "seeds"])
        long = long_document(store)
        store.add_documents([long])
        spans = long_spans(store, long.text)
        store.save_suggestions([("long", spans)], origin="bench", version="1")
        window = MainWindow(store, "bench", settings=settings_for(folder / "s.ini"))
        window.resize(1440, 880)
        window.show()
        window.open_first(SEED)
        window.activateWindow()
        settle(app)

        seed_text = store.document(SEED).text
        seed_open = time_open(app, window, SEED, "001_24bba3d1cc5dfb70", 20)
        seed_raw = time_raw_open(app, seed_text, 20)
        long_open = time_open(app, window, "long", SEED, 7)
        long_raw = time_raw_open(app, long.text, 7)

        window.go_to("long")
        window.activateWindow()
        window.article.setFocus()
        settle(app)
        latencies = []
        for _ in range(PRESSES):
            t0 = time.perf_counter()
            QTest.keyClick(window.article, Qt.Key.Key_Return)
            deadline = t0 + 1.0
            while window.article.last_paint < t0 and time.perf_counter() < deadline:
                app.processEvents()
            latencies.append(window.article.last_paint - t0)
        accepted = sum(1 for s in store.decisions("long", "bench") if s.status.value == "accepted")
        raw = time_raw_write(folder, app, long.text)
        window.close()
        arcs_ok = arcs_case(app, store, long, spans, folder)
        store.close()

    print(f"gui_bench (offscreen, {len(long.text):,} chars / {len(spans):,} spans long article)")
    print(
        f"open seed article       {ms(seed_open)}   raw setPlainText {ms(seed_raw)}   "
        f"ratio {seed_open / seed_raw:5.1f}x   aim < 50 ms"
    )
    print(
        f"open long article       {ms(long_open)}   raw setPlainText {ms(long_raw)}   "
        f"ratio {long_open / long_raw:5.1f}x   aim < 300 ms"
    )
    med, p95 = statistics.median(latencies), pct(latencies, 0.95)
    raw_med, raw_p95 = statistics.median(raw), pct(raw, 0.95)
    print(
        f"accept keypress→repaint median {ms(med)}  p95 {ms(p95)}   "
        f"raw insert+paint median {ms(raw_med)}  p95 {ms(raw_p95)}   "
        f"ratio(p95) {p95 / raw_p95:5.1f}x   aim p95 < 16 ms"
    )
    print(f"({accepted} accepts written to SQLite in the long article)")
    with tempfile.TemporaryDirectory() as tmp:
        huge_ok = huge_case(Path(tmp))
    return 0 if accepted == PRESSES and huge_ok and arcs_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
