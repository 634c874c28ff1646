"""Bulk suggestion, side by side in one run: one process, two processes (``--n-process 2``) and a
local Dask cluster of two workers (``--dask local:2``), each on a fresh project holding the same
texts (the seed articles replicated, distinct texts), docs/s and the ratio to one process.

Every side runs the whole command path (claim, suggest, store with run markers). The Dask side is
timed from a cluster that is already up with the pipeline loaded on its workers (its start-up,
a few seconds, is printed apart), as the local side's pipeline is loaded before its clock starts.

    nice -n 15 python benchmarks/suggest_scale_bench.py [--documents 400]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from annotator.model import Document
from annotator.store import Store
from annotator.suggest import builtin_suggester
from annotator.suggest.batch import suggest_corpus
from annotator.suggest.dask_batch import run_on_client, suggest_chunk

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _project(folder: Path, name: str, texts: list[str]) -> Store:
    store = Store.open(folder / f"{name}.db")
    store.add_documents(Document(id=f"d{i:05d}", text=t) for i, t in enumerate(texts))
    return store


def _rows(store: Store) -> list[tuple[object, ...]]:
    return store.db.conn.execute(
        'SELECT doc_id, start, "end", label, score FROM suggestions ORDER BY 1, 2, 3, 4'
    ).fetchall()


def main() -> None:
    import distributed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--chunk-size", type=int, default=32)
    args = parser.parse_args()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = [f"{seeds[i % 5]}\n\nKopie {i}" for i in range(args.documents)]
    suggester = builtin_suggester()
    list(suggester.load().pipe(texts[:10]))  # warm up
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stores = {}
        for name, n_process in (("1 process", 1), ("2 processes", 2)):
            store = _project(folder, name.replace(" ", "-"), texts)
            start = time.perf_counter()
            suggest_corpus(store, suggester, n_process=n_process)
            results[name] = args.documents / (time.perf_counter() - start)
            stores[name] = store
        started = time.perf_counter()
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        with distributed.Client(cluster) as client:
            client.run(suggest_chunk, suggester, texts[:2], 8)  # each worker loads the pipeline
            up = time.perf_counter() - started
            store = _project(folder, "dask", texts)
            start = time.perf_counter()
            run_on_client(client, store, suggester, chunk_size=args.chunk_size)
            results["dask local:2"] = args.documents / (time.perf_counter() - start)
            stores["dask local:2"] = store
        cluster.close()
        same = _rows(stores["dask local:2"]) == _rows(stores["1 process"])
    base = results["1 process"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.documents} documents, built-in model, {os.cpu_count()} cores, load {load}")
    for name, rate in results.items():
        print(f"  {name:<14} {rate:7.1f} docs/s   x{rate / base:.2f} of one process")
    print(f"  (cluster start-up with the pipeline loaded: {up:.1f} s; stored rows equal: {same})")


if __name__ == "__main__":
    main()
