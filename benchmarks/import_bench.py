"""Import speed: ``annotator import`` of 20,000 documents against a raw sqlite-utils insert_all.

The seed articles are replicated under new ids; each copy gets a distinct last line so that the
content hashes differ (identical texts would be one document). Both sides write to a fresh file in
WAL mode; the raw side inserts already-prepared rows, the import reads, decodes, validates and
hashes the JSONL file first, then writes.

    python benchmarks/import_bench.py [--documents 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

from sqlite_utils import Database

from annotator.corpus import import_paths
from annotator.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_corpus(n: int, folder: Path) -> tuple[Path, list[dict[str, object]]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    rows = []
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"{texts[i % len(texts)]}\n\nKopie {i}"
            doc_id = f"doc-{i:06d}"
            fh.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            rows.append(
                {
                    "id": doc_id,
                    "text": text,
                    "hash": hashlib.sha256(text.encode()).hexdigest(),
                    "length": len(text),
                    "source": "corpus.jsonl",
                    "meta": "{}",
                }
            )
    return path, rows


def raw_insert(rows: list[dict[str, object]], path: Path) -> float:
    db = Database(path)
    db.enable_wal()
    start = time.perf_counter()
    db["documents"].insert_all(rows, pk="id", batch_size=2000)  # type: ignore[union-attr]
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def annotator_import(corpus: Path, path: Path) -> float:
    store = Store.open(path)
    start = time.perf_counter()
    report = import_paths(store, [corpus])
    elapsed = time.perf_counter() - start
    assert report.added == store.count_documents(), report.summary()
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus, rows = make_corpus(args.documents, folder)
        raw_times, ours = [], []
        for i in range(args.repeat):
            raw_times.append(raw_insert(rows, folder / f"raw{i}.db"))
            ours.append(annotator_import(corpus, folder / f"ours{i}.db"))
        raw, mine = min(raw_times), min(ours)
        n = args.documents
        print(f"documents: {n:,} ({corpus.stat().st_size / 1e6:.1f} MB of JSONL)")
        print(f"raw sqlite-utils insert_all : {raw:6.2f} s  {n / raw:10,.0f} docs/s")
        print(f"annotator import            : {mine:6.2f} s  {n / mine:10,.0f} docs/s")
        print(f"ratio (annotator / raw docs per second): {raw / mine:.2f}  (aim >= 0.5)")


if __name__ == "__main__":
    main()
