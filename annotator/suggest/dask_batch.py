"""Batch pre-annotation on a Dask cluster (``annotator suggest --dask SCHEDULER``).

The workers only compute: each task takes a chunk of texts and the suggester (pickled with its
settings, never with a loaded pipeline: each worker process loads the pipeline once and keeps it,
:mod:`annotator.suggest.pipelines`) and returns the spans. The store is written from one place,
this process: every finished chunk is saved in one transaction with its documents' run markers
(:meth:`annotator.store.Store.save_suggestions`), so a run that is killed resumes at the first
document without a run and a finished corpus adds nothing, exactly as the local batch does
(:mod:`annotator.suggest.batch`). Each chunk in flight is claimed under its own owner
(:meth:`annotator.store.Store.claim_documents`), so a local run or another cluster run at the same
moment takes other documents.

``SCHEDULER`` is a scheduler address (``tcp://host:8786``) or ``local:N`` for a cluster of N
worker processes on this machine, started and stopped with the run. Dask is the optional extra
``annotator[dask]``; nothing here imports it at module level.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from annotator.errors import UserError
from annotator.model import Span
from annotator.store import Store
from annotator.suggest.base import Suggester
from annotator.suggest.batch import BatchReport, Progress

LOCAL_PREFIX = "local:"
INSTALL_HINT = "pip install 'annotator[dask]'"


@dataclass(frozen=True)
class Scheduler:
    """Where the work goes: a running scheduler's address, or a local cluster of N workers."""

    address: str | None = None
    local_workers: int = 0

    def __str__(self) -> str:
        return self.address or f"{LOCAL_PREFIX}{self.local_workers}"


def parse_scheduler(text: str) -> Scheduler:
    """``local:N`` (N worker processes here) or a scheduler address; a clear error otherwise."""
    raw = text.strip()
    if raw.startswith(LOCAL_PREFIX):
        count = raw[len(LOCAL_PREFIX) :]
        if not count.isdigit() or int(count) < 1:
            raise UserError(f"--dask {text!r}: expected local:N with N at least 1 (local:2)")
        return Scheduler(local_workers=int(count))
    if not raw:
        raise UserError("--dask needs a scheduler address (tcp://host:8786) or local:N")
    return Scheduler(address=raw)


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise UserError(f"--dask needs Dask's distributed scheduler: {INSTALL_HINT}") from None
    return distributed


@contextmanager
def client_for(scheduler: Scheduler) -> Iterator[Any]:
    """A connected ``distributed.Client`` (for ``local:N`` with its own cluster), closed after."""
    distributed = _dask()
    if scheduler.address is None:
        cluster = distributed.LocalCluster(
            n_workers=scheduler.local_workers,
            threads_per_worker=1,  # spaCy holds the GIL: one text stream per process
            processes=True,
            dashboard_address=":0",  # any free port: never clash with a running cluster
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(scheduler.address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UserError(f"--dask {scheduler.address}: cannot reach the scheduler ({exc})") from None
    with client:
        yield client


def suggest_chunk(
    suggester: Suggester, texts: list[str], batch_size: int
) -> tuple[list[list[Span]], dict[str, int]]:
    """One task on a worker: the spans of each text, and the labels the suggester dropped."""
    dropped = getattr(suggester, "dropped", None)
    before = Counter(dropped) if dropped is not None else Counter()
    spans = list(suggester.suggest(texts, batch_size=batch_size))
    after = Counter(dropped) if dropped is not None else Counter()
    after.subtract(before)
    return spans, {label: n for label, n in after.items() if n > 0}


def suggest_corpus_dask(
    store: Store,
    suggester: Suggester,
    scheduler: Scheduler,
    *,
    chunk_size: int = 64,
    batch_size: int = 64,
    in_flight: int | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Suggest on a Dask cluster for every document without a run of ``suggester``'s name and
    version; the same report as :func:`annotator.suggest.batch.suggest_corpus`.

    ``chunk_size`` documents go to a task; ``in_flight`` tasks (default: two per worker) are
    queued at a time, so the cluster never waits for this process and this process never holds
    more than that many chunks' results.
    """
    with client_for(scheduler) as client:
        return run_on_client(
            client,
            store,
            suggester,
            chunk_size=chunk_size,
            batch_size=batch_size,
            in_flight=in_flight,
            limit=limit,
            progress=progress,
        )


def run_on_client(
    client: Any,
    store: Store,
    suggester: Suggester,
    *,
    chunk_size: int = 64,
    batch_size: int = 64,
    in_flight: int | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """:func:`suggest_corpus_dask` on a client that is already connected."""
    distributed = _dask()
    name, version = suggester.name, suggester.version
    report = BatchReport()
    todo = store.count_documents_without_run(name, version)
    report.already = store.count_documents() - todo
    if limit is not None:
        todo = min(todo, limit)
    if in_flight is None:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        in_flight = 2 * workers
    base = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    pending: dict[Any, tuple[str, list[str]]] = {}  # future -> (claim owner, document ids)
    dropped: Counter[str] = Counter()
    serial = 0

    def submit() -> Any | None:
        nonlocal todo, serial
        if todo <= 0:
            return None
        owner = f"{base}:{serial}"
        serial += 1
        chunk = store.claim_documents(name, version, owner, limit=min(chunk_size, todo))
        if not chunk:
            store.release_claim(owner)
            todo = 0
            return None
        todo -= len(chunk)
        future = client.submit(
            suggest_chunk, suggester, [d.text for d in chunk], batch_size, pure=False
        )
        pending[future] = (owner, [d.id for d in chunk])
        return future

    try:
        queue = distributed.as_completed()
        for _ in range(in_flight):
            future = submit()
            if future is None:
                break
            queue.add(future)
        for future in queue:
            owner, ids = pending.pop(future)
            spans, lost = future.result()
            if len(spans) != len(ids):
                raise RuntimeError(
                    f"{name}: a worker returned {len(spans)} result(s) for {len(ids)} text(s)"
                )
            report.spans += store.save_suggestions(
                list(zip(ids, spans, strict=True)), origin=name, version=version
            )
            report.documents += len(ids)
            dropped.update(lost)
            store.release_claim(owner)
            if progress:
                progress(len(ids))
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)
    finally:
        for future, (owner, _) in pending.items():
            future.cancel()
            store.release_claim(owner)
    if dropped:
        report.dropped = dict(dropped)
    return report
