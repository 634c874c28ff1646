"""The review queue with its agreement figures, recomputed only where the annotators' work changed.

Agreement between annotators changes only when one of them edits or (un)finishes a document; the
reviewer's gold writes never change it. :class:`QueueAgreement` remembers, per reviewable
document, a fingerprint of whose work it holds (each done annotator with the document's revision
for them) and recomputes a document's figure only when its fingerprint changed. The corpus-wide
report (pairs, kappa, alpha, the label confusion) is recomputed only when some document changed.
No Qt: the review window runs :meth:`QueueAgreement.update` in a worker thread on its own store
connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.model import document_title
from annotator.store import Store

Fingerprint = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class QueueRow:
    doc_id: str
    title: str
    f1: float
    annotators: tuple[str, ...]


@dataclass(frozen=True)
class QueueSnapshot:
    """The queue as the window shows it, immutable so it can cross threads."""

    worst_first: tuple[QueueRow, ...]
    import_order: tuple[QueueRow, ...]
    report: dict[str, Any]

    def rows(self, *, worst_first: bool) -> tuple[QueueRow, ...]:
        return self.worst_first if worst_first else self.import_order


class QueueAgreement:
    def __init__(self) -> None:
        self._rows: dict[str, QueueRow] = {}
        self._prints: dict[str, Fingerprint] = {}
        self._order: list[str] = []
        self._report: dict[str, Any] | None = None
        self.recomputed: list[str] = []  # the documents the last update computed again

    def update(self, store: Store) -> QueueSnapshot | None:
        """Bring the figures up to date; a new snapshot, or None when nothing changed."""
        from annotator.review.adjudicate import done_work
        from annotator.review.agreement import DocWork, agreement, document_agreement

        done = store.documents_done_by()
        prints = {
            doc_id: tuple((a, store.doc_state(doc_id, a).revision) for a in names)
            for doc_id, names in done.items()
        }
        changed = [d for d in done if self._prints.get(d) != prints[d]]
        gone = [d for d in self._prints if d not in done]
        self.recomputed = changed
        if not changed and not gone and self._report is not None:
            return None
        for doc_id in gone:
            self._rows.pop(doc_id, None)
        docs = []
        for doc_id in changed:
            doc = store.document(doc_id)
            docs.append(DocWork(doc_id, doc.text, done_work(store, doc_id, done[doc_id])))
            self._rows[doc_id] = QueueRow(
                doc_id, document_title(doc.text, doc.meta, limit=40), 1.0, ()
            )
        for row in document_agreement(store, docs=docs):
            title = self._rows[row.doc_id].title
            self._rows[row.doc_id] = QueueRow(row.doc_id, title, row.f1, row.annotators)
        self._prints = prints
        self._order = list(done)
        self._report = agreement(store).as_dict()
        return self.snapshot()

    def snapshot(self) -> QueueSnapshot:
        place = {doc_id: i for i, doc_id in enumerate(self._order)}
        in_order = tuple(self._rows[d] for d in self._order)
        worst = tuple(sorted(in_order, key=lambda r: (r.f1, place[r.doc_id])))
        return QueueSnapshot(worst, in_order, dict(self._report or {}))
