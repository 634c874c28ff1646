"""Batch pre-annotation: run a suggester over every document that lacks its suggestions.

Resumable and idempotent: a document's suggestions and its run marker are written in one
transaction (see :meth:`annotator.store.Store.save_suggestions`), so a killed batch continues at
the first document without a run, and a second run over a finished corpus adds nothing. Work is
claimed a chunk at a time (:meth:`annotator.store.Store.claim_documents`), so two runs at the same
moment share the documents instead of both doing all of them.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotator.model import Document, Span
from annotator.store import Store
from annotator.suggest.base import Suggester

Progress = Callable[[int], None]
"""Called with the number of documents just finished."""


@dataclass
class BatchReport:
    documents: int = 0
    spans: int = 0
    already: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def summary(self, name: str, version: str) -> str:
        text = (
            f"suggested {self.spans} span(s) in {self.documents} document(s) with {name} "
            f"{version}; {self.already} document(s) already had them"
        )
        if self.dropped:
            dropped = ", ".join(f"{label} x{n}" for label, n in sorted(self.dropped.items()))
            text += f"; dropped labels outside the scheme: {dropped}"
        return text


def suggest_corpus(
    store: Store,
    suggester: Suggester,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    chunk_size: int = 1000,
    commit_every: int = 64,
    limit: int | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Suggest for every document without a run of ``suggester``'s name and version.

    Texts go to the suggester ``chunk_size`` at a time (``nlp.pipe`` batches inside a chunk and
    keeps its worker processes for the chunk); results are committed every ``commit_every``
    documents, so an interruption loses at most that many documents' work.
    """
    name, version = suggester.name, suggester.version
    report = BatchReport()
    todo = store.count_documents_without_run(name, version)
    report.already = store.count_documents() - todo
    if limit is not None:
        todo = min(todo, limit)
    # Each chunk is claimed before it is worked on, so a second run at the same time takes
    # other documents instead of doing (and reporting) the same ones.
    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    try:
        while todo > 0:
            chunk = store.claim_documents(name, version, owner, limit=min(chunk_size, todo))
            if not chunk:
                break
            todo -= len(chunk)
            _suggest_and_save(
                store,
                suggester,
                chunk,
                batch_size=batch_size,
                n_process=n_process,
                commit_every=commit_every,
                report=report,
                progress=progress,
            )
    finally:
        store.release_claim(owner)
    dropped = getattr(suggester, "dropped", None)
    if dropped:
        report.dropped = dict(dropped)
    return report


def suggest_documents(
    store: Store,
    suggester: Suggester,
    doc_ids: Sequence[str],
    *,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> BatchReport:
    """Suggest for those of ``doc_ids`` that have no run of ``suggester``'s name and version yet,
    in this process and in the order given, saving every ``batch_size`` documents in one
    transaction: the suggest-then-save loop of the window (a document just opened, the documents
    around it); the CLI's :func:`suggest_corpus` claims its documents first and shares the step
    that suggests and saves."""
    name, version = suggester.name, suggester.version
    todo = [d for d in doc_ids if not store.has_suggestion_run(d, name, version)]
    report = BatchReport(already=len(doc_ids) - len(todo))
    for i in range(0, len(todo), batch_size):
        docs = [store.document(d) for d in todo[i : i + batch_size]]
        _suggest_and_save(
            store,
            suggester,
            docs,
            batch_size=None,
            n_process=1,
            commit_every=batch_size,
            report=report,
            progress=progress,
        )
    return report


def _suggest_and_save(
    store: Store,
    suggester: Suggester,
    docs: Sequence[Document],
    *,
    batch_size: int | None,
    n_process: int,
    commit_every: int,
    report: BatchReport,
    progress: Progress | None,
) -> None:
    """Suggest for ``docs`` and save the results every ``commit_every`` documents."""
    pending: list[tuple[str, list[Span]]] = []
    texts = [d.text for d in docs]
    # batch_size None: the window's call, suggest(texts, n_process=1), that any suggester takes
    results = (
        suggester.suggest(texts, n_process=n_process)
        if batch_size is None
        else suggester.suggest(texts, batch_size=batch_size, n_process=n_process)
    )
    for doc, spans in zip(docs, results, strict=True):
        pending.append((doc.id, spans))
        if len(pending) >= commit_every:
            _save(store, suggester, pending, report, progress)
            pending = []
    if pending:
        _save(store, suggester, pending, report, progress)


def _save(
    store: Store,
    suggester: Suggester,
    pending: list[tuple[str, list[Span]]],
    report: BatchReport,
    progress: Progress | None,
) -> None:
    report.spans += store.save_suggestions(
        pending, origin=suggester.name, version=suggester.version
    )
    report.documents += len(pending)
    if progress:
        progress(len(pending))
