"""What ``synchronous = FULL`` costs on an accept, against ``NORMAL`` (WAL mode in both).

An accept is one ``Session.execute`` (one ``BEGIN IMMEDIATE`` transaction: revision bump,
decision row, history row). The raw baseline, measured in the same run on the same disk, is a
bare ``INSERT`` + ``COMMIT`` through the sqlite3 module under each setting.

    python benchmarks/durability_bench.py [--accepts 300]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from annotator.model import Document, Span, SpanKind
from annotator.session import Session
from annotator.store import Store


def accepts(folder: Path, synchronous: str, n: int) -> list[float]:
    path = folder / f"accept-{synchronous}.db"
    text = "Lukaschenko traf in Minsk den Außenminister. " * 40
    with Store.open(path) as store:
        store.add_documents([Document(id="d", text=text)])
        spans = [
            Span(start=i, end=i + 3, label="LOC", kind=SpanKind.ENTITY) for i in range(0, n * 2, 2)
        ]
        store.save_suggestions([("d", spans)], origin="m", version="1")
        store.db.conn.execute(f"PRAGMA synchronous = {synchronous}")
        session = Session(store, "anna")
        session.open("d")
        pending = [s for s in session.spans("d")][:n]
        times = []
        for span in pending:
            command = session.accept("d", span)
            start = time.perf_counter()
            session.execute(command)
            times.append(time.perf_counter() - start)
    return times


def raw(folder: Path, synchronous: str, n: int) -> list[float]:
    conn = sqlite3.connect(folder / f"raw-{synchronous}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE t (x INTEGER)")
    times = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?)", (i,))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accepts", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="folder on the disk to measure (default: tmp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        rows = []
        for sync in ("NORMAL", "FULL"):
            rows.append((f"raw commit, {sync}", raw(folder, sync, args.accepts)))
            rows.append((f"accept, {sync}", accepts(folder, sync, args.accepts)))
    medians = {name: statistics.median(t) * 1000 for name, t in rows}
    p95 = {name: sorted(t)[int(len(t) * 0.95)] * 1000 for name, t in rows}
    print(f"{args.accepts} commits each, WAL mode, folder {args.dir or tempfile.gettempdir()}")
    for name, _ in rows:
        print(f"  {name:22s} median {medians[name]:7.3f} ms   p95 {p95[name]:7.3f} ms")
    print(
        f"FULL/NORMAL on an accept: {medians['accept, FULL'] / medians['accept, NORMAL']:.2f}x; "
        f"on a raw commit: {medians['raw commit, FULL'] / medians['raw commit, NORMAL']:.2f}x; "
        f"accept under FULL vs raw commit under FULL: "
        f"{medians['accept, FULL'] / medians['raw commit, FULL']:.2f}x"
    )


if __name__ == "__main__":
    main()
