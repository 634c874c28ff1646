"""The team hub at size: 100,000 documents, two and then twenty desktops, on a throwaway
PostgreSQL server on 127.0.0.1 (``tests/hub/pg_server.py``).

Prints the sync time per 1,000 decisions pushed and per 1,000 pulled, each against a raw
baseline: the same unit contents ``COPY``-ed into a plain table with no trigger, no policy and no
comparison (push), and read back with one ``SELECT`` (pull). Then twenty desktops sync at once
(threads), twice with work in between, and the run checks that every desktop ends with every
annotator's work, each history entry once. The tests (``tests/hub/test_sync.py``) do the same
with hundreds of documents, to stay within seconds; this is the 100,000-document run.

    nice -n 15 python -m benchmarks.hub_bench [--documents 100000] [--per-desktop 250]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from annotator.store import Store
from annotator.store.hub import init_hub
from annotator.store.sync import local_work, sync
from tests.hub.helpers import annotate, corpus, desktop, everyone_work, member_url
from tests.hub.pg_server import start_server


def _decisions(store: Store, name: str) -> int:
    return int(
        store.db.conn.execute(
            "SELECT count(*) FROM decisions WHERE annotator = ?", (name,)
        ).fetchone()[0]
    )


def _raw_push(url: str, contents: list[tuple[str, str]]) -> tuple[float, float]:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS raw_work (doc_hash text, content text)")
        cur.execute("TRUNCATE raw_work")
        conn.commit()
        start = time.perf_counter()
        with cur.copy("COPY raw_work (doc_hash, content) FROM STDIN") as copy:
            for row in contents:
                copy.write_row(row)
        conn.commit()
        took = time.perf_counter() - start
        start = time.perf_counter()
        cur.execute("SELECT doc_hash, content FROM raw_work").fetchall()
        return took, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--per-desktop", type=int, default=250, help="documents annotated each")
    parser.add_argument("--work", type=int, default=3000, help="documents in the timed push")
    args = parser.parse_args()
    server = start_server()
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        admin = server.url(db="bench")
        init_hub(admin)
        docs = corpus(args.documents, seed=1)
        start = time.perf_counter()
        desktop(folder / "template.db", docs).close()
        took = time.perf_counter() - start
        print(f"{args.documents} documents; a project file made in {took:.1f} s")

        # ---- two desktops: the timed push and pull ------------------------------------------
        urls = [member_url(admin, f"a{k:02d}") for k in range(20)]
        for k in range(2):
            shutil.copy(folder / "template.db", folder / f"d{k:02d}.db")
        a, b = (Store.open(folder / f"d{k:02d}.db") for k in range(2))
        start = time.perf_counter()
        sync(a, urls[0])
        print(f"first sync (every document to the hub): {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        sync(b, urls[1])
        print(
            f"second desktop's first sync (documents matched): {time.perf_counter() - start:.1f} s"
        )
        ids = [d.id for d in random.Random(2).sample(docs, args.work)]
        annotate(a, "a00", ids, seed=3)
        made = _decisions(a, "a00")
        start = time.perf_counter()
        pushed = sync(a, urls[0])
        push = time.perf_counter() - start
        start = time.perf_counter()
        pulled = sync(b, urls[1])
        pull = time.perf_counter() - start
        assert pushed.pushed["work"] == args.work == pulled.pulled["work"], (pushed, pulled)
        hashes = dict(a.db.conn.execute("SELECT id, hash FROM documents").fetchall())
        contents = [(hashes[d], c) for d, c in local_work(a, ids, "a00").items()]
        raw_push, raw_pull = _raw_push(admin, contents)
        per = 1000 / made
        print(f"{made} decisions on {args.work} documents:")
        print(
            f"  push {push * per:6.3f} s per 1,000 decisions (raw COPY {raw_push * per:.3f} s, "
            f"x{push / raw_push:.0f})"
        )
        print(
            f"  pull {pull * per:6.3f} s per 1,000 decisions (raw SELECT {raw_pull * per:.3f} s, "
            f"x{pull / raw_pull:.0f})"
        )
        start = time.perf_counter()
        assert not sync(a, urls[0]).changed and not sync(b, urls[1]).changed
        print(f"  a re-sync of both, nothing to do: {time.perf_counter() - start:.2f} s")
        a.close()
        b.close()

        # ---- twenty desktops at once --------------------------------------------------------
        for k in range(2, 20):
            shutil.copy(folder / "template.db", folder / f"d{k:02d}.db")
        stores = [Store.open(folder / f"d{k:02d}.db") for k in range(20)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            start = time.perf_counter()
            list(pool.map(lambda k: sync(stores[k], urls[k]), range(20)))
            print(f"twenty desktops, first sync at once: {time.perf_counter() - start:.1f} s")
            for rnd in range(2):
                for k, store in enumerate(stores):
                    rng = random.Random(100 * rnd + k)
                    picked = [d.id for d in rng.sample(docs, args.per_desktop)]
                    annotate(store, f"a{k:02d}", picked, seed=1000 * rnd + k)
                start = time.perf_counter()
                reports = list(pool.map(lambda k: sync(stores[k], urls[k]), range(20)))
                pushed_units = sum(r.pushed.get("work", 0) for r in reports)
                print(
                    f"  round {rnd + 1}: all twenty synced at once in "
                    f"{time.perf_counter() - start:.1f} s ({pushed_units} work units pushed)"
                )
            start = time.perf_counter()
            list(pool.map(lambda k: sync(stores[k], urls[k]), range(20)))
            print(f"  last round (everyone pulls the rest): {time.perf_counter() - start:.1f} s")
        work = everyone_work(stores[0])
        same = all(everyone_work(s) == work for s in stores[1:])
        history = {
            int(s.db.conn.execute("SELECT count(*) FROM history").fetchone()[0]) for s in stores
        }
        with psycopg.connect(admin) as conn:
            on_hub = conn.execute("SELECT count(*) FROM hub.work").fetchone()
            hub_history = conn.execute("SELECT count(*) FROM hub.history").fetchone()
        print(
            f"  every desktop holds the same {len(work)} work units: {same}; hub work units "
            f"{on_hub[0] if on_hub else '?'}; history entries per desktop {sorted(history)}, "
            f"on the hub {hub_history[0] if hub_history else '?'}"
        )
        for s in stores:
            s.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
