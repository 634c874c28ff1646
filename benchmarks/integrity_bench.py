"""What the integrity check before a writing command costs on a large project.

Builds (or reuses) the 100,000-document project of ``scale_bench.py`` (~400 MB) and times, each
in a fresh process with a cold-ish page cache replaced by a warm one after the first read,
``PRAGMA quick_check`` and ``PRAGMA integrity_check`` next to the raw baseline of reading the
whole file once (``cat``-like sequential read) and a bare ``SELECT count(*)``.

    python benchmarks/integrity_bench.py [--documents 100000] [--dir FOLDER] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PRAGMA = """
import sqlite3, sys, time
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro&immutable=1", uri=True)
start = time.perf_counter()
result = conn.execute(sys.argv[2]).fetchone()[0]
print(time.perf_counter() - start, result)
"""

_READ = """
import sys, time
start = time.perf_counter()
with open(sys.argv[1], "rb") as fh:
    while fh.read(1 << 20):
        pass
print(time.perf_counter() - start, "ok")
"""


def timed(code: str, *args: str) -> tuple[float, str]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    return float(out[0]), out[1].strip()


def main() -> None:
    from benchmarks.scale_bench import build

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="keep the project here (reused if it exists)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"scale-{args.documents}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.documents)
        print(f"built {args.documents:,} documents in {time.perf_counter() - t:.1f} s")
    print(f"project {db} ({db.stat().st_size / 1e6:.0f} MB)")
    rows = {
        "read the file sequentially (baseline)": (_READ, ()),
        "SELECT count(*) FROM documents": (_PRAGMA, ("SELECT count(*) FROM documents",)),
        "PRAGMA quick_check": (_PRAGMA, ("PRAGMA quick_check",)),
        "PRAGMA integrity_check": (_PRAGMA, ("PRAGMA integrity_check",)),
    }
    timed(_READ, str(db))  # warm the page cache once, so every row reads from memory
    results: dict[str, float] = {}
    for name, (code, extra) in rows.items():
        times = []
        for _ in range(args.repeat):
            seconds, answer = timed(code, str(db), *extra)
            times.append(seconds)
        results[name] = statistics.median(times)
        print(f"{name:40s} {results[name]:7.2f} s  ({answer})")
    base = results["read the file sequentially (baseline)"]
    print(
        f"ratios to reading the file: quick_check {results['PRAGMA quick_check'] / base:.1f}x, "
        f"integrity_check {results['PRAGMA integrity_check'] / base:.1f}x"
    )


if __name__ == "__main__":
    main()
