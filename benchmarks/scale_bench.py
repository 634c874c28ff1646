"""A project of 100,000 documents: `annotator stats`, opening the window on the first document and
scrolling the document list to its end, each in its own process, with wall time and peak memory.

Baselines measured in the same run: a bare ``SELECT count(*)`` through sqlite3 (for stats) and a
bare offscreen QMainWindow with a QPlainTextEdit (for the window). Peak memory is the child's
``ru_maxrss`` (``resource.getrusage(RUSAGE_CHILDREN)`` read by a launcher process per
measurement, so one child's peak does not hide another's).

    python benchmarks/scale_bench.py [--documents 100000] [--dir FOLDER]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_LAUNCH = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall} {peak} {done.returncode}")
print(done.stdout[-2000:])
sys.stderr.write(done.stderr[-2000:])
"""

_BASE_SQL = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
"""

_BASE_QT = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
app = QApplication([])
w = QMainWindow(); edit = QPlainTextEdit(); w.setCentralWidget(edit)
edit.setPlainText(open(sys.argv[1], encoding="utf-8").read())
w.resize(1400, 900); w.show(); app.processEvents()
"""

_WINDOW = """
import os, sys, time, json
os.environ["QT_QPA_PLATFORM"] = "offscreen"
start = time.perf_counter()
from PySide6.QtWidgets import QApplication
from annotator.gui.main_window import MainWindow
from annotator.store import Store
app = QApplication([])
store = Store.open(sys.argv[1], create=False)
window = MainWindow(store, "anna", suggester=None)
window.resize(1400, 900)
window.show()
window.open_first(None)
app.processEvents()
shown = time.perf_counter() - start
text = window.doc.text if hasattr(window.doc, "text") else ""
scrolled = None
if sys.argv[2] == "scroll":
    panel = window.doc_list
    t = time.perf_counter()
    while panel.model.canFetchMore():
        panel.view.scrollToBottom()
        app.processEvents()
        if panel.model.canFetchMore():
            panel.model.fetchMore()
    panel.view.scrollToBottom()
    app.processEvents()
    scrolled = time.perf_counter() - t
    assert panel.model.rowCount() == store.count_documents(), panel.model.rowCount()
print(json.dumps({"shown": shown, "scrolled": scrolled}))
window.close()
store.close()
"""


def build(path: Path, n: int) -> None:
    from annotator.model import Document
    from annotator.store import Store

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with Store.open(path) as store, store.transaction():
        batch: list[Document] = []
        for i in range(n):
            batch.append(Document(id=f"doc-{i:06d}", text=f"{texts[i % len(texts)]}\n\nKopie {i}"))
            if len(batch) == 5000:
                store.add_documents(batch)
                batch = []
        store.add_documents(batch)


def measure(*cmd: str) -> tuple[float, float, str]:
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *cmd], capture_output=True, text=True, check=True
    )
    first, _, child_out = out.stdout.partition("\n")
    wall, peak, code = first.split()
    if code != "0":
        raise SystemExit(f"{cmd[:4]} failed:\n{child_out}\n{out.stderr}")
    return float(wall), int(peak) / 1024, child_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="keep the project here (reused if it exists)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="scale-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"scale-{args.documents}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.documents)
        print(f"built {args.documents:,} documents in {time.perf_counter() - t:.1f} s")
    print(f"project {db} ({db.stat().st_size / 2**20:.0f} MB)")
    py = sys.executable
    rows: list[tuple[str, float, float, str]] = []
    rows.append(("python + sqlite3 SELECT count(*)", *measure(py, "-c", _BASE_SQL, str(db))))
    rows.append(("annotator stats", *measure(py, "-m", "annotator.cli", "stats", "--db", str(db))))
    first_seed = sorted(SEEDS.glob("*.txt"))[0]
    rows.append(("bare Qt window + text (baseline)", *measure(py, "-c", _BASE_QT, str(first_seed))))
    rows.append(("window open, first document", *measure(py, "-c", _WINDOW, str(db), "open")))
    rows.append(
        ("window open + list scrolled to end", *measure(py, "-c", _WINDOW, str(db), "scroll"))
    )
    print(f"{'':36s} {'wall s':>8s} {'peak MB':>8s}")
    for name, wall, peak, _ in rows:
        print(f"{name:36s} {wall:8.2f} {peak:8.0f}")
    inner = {name: json.loads(out.strip().splitlines()[-1]) for name, *_, out in rows[3:]}
    shown = inner["window open, first document"]["shown"]
    scrolled = inner["window open + list scrolled to end"]["scrolled"]
    print(
        f"window: first document shown {shown:.2f} s after start (aim < 2 s); "
        f"list scrolled through {args.documents:,} rows in {scrolled:.2f} s"
    )
    print(
        f"ratios: stats / raw count {rows[1][1] / rows[0][1]:.1f}x wall, "
        f"{rows[1][2] / rows[0][2]:.1f}x memory; window / bare Qt window "
        f"{rows[3][1] / rows[2][1]:.1f}x wall, {rows[3][2] / rows[2][2]:.1f}x memory; "
        f"peak memory aim < 400 MB: max {max(r[2] for r in rows[1:]):.0f} MB"
    )


if __name__ == "__main__":
    main()
