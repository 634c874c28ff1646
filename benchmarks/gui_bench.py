"""How fast the annotate window opens articles and answers a keypress (offscreen).

    python benchmarks/gui_bench.py

Prints, each next to a raw baseline measured in the same run:

* opening a seed article (the window: text, spans, span table, status) vs ``setPlainText`` of the
  same text into a bare ``QPlainTextEdit`` and one paint; aim < 50 ms;
* opening a 100,000-character article with 3,000 suggestions, same baseline; aim < 300 ms;
* keypress-to-repaint of accept (Return) over 200 presses on that long article, including the
  SQLite write, vs a raw sqlite-utils insert of one row plus one paint of the bare editor;
  aim: 95th percentile < 16 ms.
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

from PySide6.QtCore import Qt  # noqa: E402
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


def long_spans(store: Store, text: str) -> list[Span]:
    words = [m for m in re.finditer(r"\w{4,}", text)]
    step = max(1, len(words) // LONG_SPANS)
    spans = []
    for n, m in enumerate(words[::step][:LONG_SPANS]):
        label = LABELS[n % len(LABELS)]
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


def main() -> int:
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
    return 0 if accepted == PRESSES else 1


if __name__ == "__main__":
    raise SystemExit(main())
