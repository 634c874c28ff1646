"""Batch pre-annotation: run a suggester over every document that lacks its suggestions.

Resumable and idempotent: a document's suggestions and its run marker are written in one
transaction (see :meth:`annotator.store.Store.save_suggestions`), so a killed batch continues at
the first document without a run, and a second run over a finished corpus adds nothing. Work is
claimed a chunk at a time (:meth:`annotator.store.Store.claim_documents`), so two runs at the same
moment share the documents instead of both doing all of them.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.model import Span
from annotator.store import Store
from annotator.suggest.base import Suggester
from annotator.suggest.combine import current_suggestions

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
            pending: list[tuple[str, list[Span]]] = []
            results = suggester.suggest(
                [d.text for d in chunk], batch_size=batch_size, n_process=n_process
            )
            for doc, spans in zip(chunk, results, strict=True):
                pending.append((doc.id, spans))
                if len(pending) >= commit_every:
                    _save(store, pending, name, version, report, progress)
                    pending = []
            if pending:
                _save(store, pending, name, version, report, progress)
    finally:
        store.release_claim(owner)
    dropped = getattr(suggester, "dropped", None)
    if dropped:
        report.dropped = dict(dropped)
    return report


def _save(
    store: Store,
    pending: list[tuple[str, list[Span]]],
    name: str,
    version: str,
    report: BatchReport,
    progress: Progress | None,
) -> None:
    report.spans += store.save_suggestions(pending, origin=name, version=version)
    report.documents += len(pending)
    if progress:
        progress(len(pending))


def write_suggestions_jsonl(store: Store, path: Path) -> int:
    """All current suggestions, one line per document in the Prodigy shape; returns the lines.

    Written to a temporary file beside ``path`` and moved into place, so an error never leaves
    half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    lines = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for doc in store.iter_documents():
                spans = [
                    {
                        "start": s.start,
                        "end": s.end,
                        "label": s.label,
                        "kind": s.kind.value,
                        "score": s.score,
                        "origin": s.origin,
                    }
                    for s in current_suggestions(store, doc.id)
                ]
                line = {
                    "text": doc.text,
                    "meta": {"id": doc.id, "source": doc.source},
                    "spans": spans,
                }
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                lines += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return lines
