"""Gold and review (ADR 0006): the adjudicated version of a document, kept apart from every
annotator's work, each document's review state, and the review queue.

A gold row's ``source`` says where it came from ("agreed", "variant:anna,ben", "edit"); history
entries of gold changes carry the reviewer's name and an action starting "gold: "."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.model import Argument, Span, SpanStatus
from annotator.store.connection import now
from annotator.store.history import HistoryMixin
from annotator.store.rows import _arg_dict, _span_dict, _span_from_row


class GoldMixin(HistoryMixin):
    """Gold spans and arguments, and review states (review mode, ADR 0006)."""

    def gold_spans(self, doc_id: str, *, include_rejected: bool = False) -> list[Span]:
        """The document's gold spans; ``origin`` holds the row's source, ``origin_version`` its
        reviewer. Rejected rows (variants the reviewer turned down) only when asked."""
        sql = (
            'SELECT id, start, "end", label, kind, status, source, reviewer FROM gold_spans '
            "WHERE doc_id = ?"
        )
        if not include_rejected:
            sql += " AND status = 'accepted'"
        rows = self.db.conn.execute(sql + ' ORDER BY start, "end", label', (doc_id,)).fetchall()
        return [_span_from_row(r) for r in rows]

    def gold_provenance(self, doc_id: str) -> list[dict[str, Any]]:
        """Every gold row of a document with who put it there, from which variant, and when."""
        keys = ("start", "end", "label", "kind", "status", "reviewer", "source", "created")
        rows = self.db.conn.execute(
            'SELECT start, "end", label, kind, status, reviewer, source, created FROM gold_spans '
            'WHERE doc_id = ? ORDER BY start, "end", label',
            (doc_id,),
        ).fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def replace_gold(
        self,
        doc_id: str,
        reviewer: str,
        *,
        remove: Sequence[Span] = (),
        add: Sequence[Span] = (),
        action: str,
    ) -> None:
        """Remove some gold rows and add others (matched by start, end, label), atomically, with
        a history entry. Added spans are accepted or rejected; their ``origin`` is the source."""
        for span in add:
            if span.status == SpanStatus.SUGGESTED:
                raise ValueError("a gold span must be accepted or rejected, not suggested")
        created = now()
        with self.transaction():
            self.db.conn.executemany(
                'DELETE FROM gold_spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?',
                [(doc_id, s.start, s.end, s.label) for s in remove],
            )
            self.db.conn.executemany(
                'INSERT INTO gold_spans (doc_id, start, "end", label, kind, status, reviewer, '
                "source, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                'ON CONFLICT (doc_id, start, "end", label) DO UPDATE SET kind = excluded.kind, '
                "status = excluded.status, reviewer = excluded.reviewer, "
                "source = excluded.source, created = excluded.created",
                [
                    (
                        doc_id,
                        s.start,
                        s.end,
                        s.label,
                        s.kind.value,
                        s.status.value,
                        reviewer,
                        s.origin,
                        created,
                    )
                    for s in add
                ],
            )
            self._log(
                reviewer,
                doc_id,
                f"gold: {action}",
                [_span_dict(s) for s in remove],
                [_span_dict(s) for s in add],
            )

    def gold_arguments(self, doc_id: str, *, include_rejected: bool = False) -> list[Argument]:
        """The document's gold arguments; ``origin`` holds the row's source. Rejected rows (an
        argument the reviewer turned down) only when asked."""
        sql = (
            "SELECT head_start, head_end, head_label, role, tail_start, tail_end, tail_label, "
            "status, source FROM gold_relations WHERE doc_id = ?"
        )
        if not include_rejected:
            sql += " AND status = 'accepted'"
        rows = self.db.conn.execute(
            sql + " ORDER BY head_start, head_end, head_label, role, tail_start, tail_end",
            (doc_id,),
        ).fetchall()
        return [
            Argument(
                trigger=(r[0], r[1], r[2]),
                role=r[3],
                filler=(r[4], r[5], r[6]),
                status=SpanStatus(r[7]),
                origin=r[8],
            )
            for r in rows
        ]

    def replace_gold_arguments(
        self,
        doc_id: str,
        reviewer: str,
        *,
        remove: Sequence[Argument] = (),
        add: Sequence[Argument] = (),
        action: str,
    ) -> None:
        """Remove some gold arguments and add others (matched by their keys), atomically, with a
        history entry. An accepted argument needs both its spans accepted in gold."""
        created = now()
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM gold_relations WHERE doc_id = ? AND head_start = ? AND head_end = ? "
                "AND head_label = ? AND role = ? AND tail_start = ? AND tail_end = ? "
                "AND tail_label = ?",
                [(doc_id, *a.trigger, a.role, *a.filler) for a in remove],
            )
            if any(a.status == SpanStatus.ACCEPTED for a in add):
                gold = {s.key for s in self.gold_spans(doc_id)}
                for a in add:
                    if a.status == SpanStatus.ACCEPTED and not {a.trigger, a.filler} <= gold:
                        raise ValueError(
                            f"gold argument {a.role!r}: trigger and filler must be gold spans"
                        )
            for a in add:
                if a.status == SpanStatus.SUGGESTED:
                    raise ValueError("a gold argument must be accepted or rejected")
            self.db.conn.executemany(
                "INSERT INTO gold_relations (doc_id, head_start, head_end, head_label, role, "
                "tail_start, tail_end, tail_label, status, reviewer, source, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "status = excluded.status, reviewer = excluded.reviewer, "
                "source = excluded.source, created = excluded.created",
                [
                    (
                        doc_id,
                        *a.trigger,
                        a.role,
                        *a.filler,
                        a.status.value,
                        reviewer,
                        a.origin,
                        created,
                    )
                    for a in add
                ],
            )
            self._log(
                reviewer,
                doc_id,
                f"gold: {action}",
                {"arguments": [_arg_dict(a) for a in remove]},
                {"arguments": [_arg_dict(a) for a in add]},
            )

    def review_state(self, doc_id: str) -> tuple[str, str]:
        """(status, reviewer) of a document's review: status 'todo' or 'reviewed'."""
        row = self.db.conn.execute(
            "SELECT status, reviewer FROM review_states WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return ("todo", "") if row is None else (str(row[0]), str(row[1]))

    def set_review_state(self, doc_id: str, reviewer: str, status: str) -> None:
        if status not in ("todo", "reviewed"):
            raise ValueError(f"review status must be 'todo' or 'reviewed', not {status!r}")
        with self.transaction():
            before, _ = self.review_state(doc_id)
            self.db.conn.execute(
                "INSERT INTO review_states (doc_id, reviewer, status, updated) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(doc_id) DO UPDATE SET "
                "reviewer = excluded.reviewer, status = excluded.status, "
                "updated = excluded.updated",
                (doc_id, reviewer, status, now()),
            )
            self._log(reviewer, doc_id, f"gold: mark {status}", before, status)

    def reviewed_documents(self) -> list[str]:
        """Ids of the documents whose review is finished, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d JOIN review_states r ON r.doc_id = d.id "
                "WHERE r.status = 'reviewed' ORDER BY d.seq"
            )
        ]

    def documents_done_by(self, *, min_annotators: int = 2) -> dict[str, list[str]]:
        """Documents that at least ``min_annotators`` annotators marked done, in import order,
        each with those annotators' names (sorted): the review queue."""
        out: dict[str, list[str]] = {}
        for doc_id, names in self.db.conn.execute(
            "SELECT d.id, group_concat(s.annotator, char(31)) FROM documents d "
            "JOIN doc_states s ON s.doc_id = d.id WHERE s.status = 'done' "
            "GROUP BY d.id HAVING count(*) >= ? ORDER BY d.seq",
            (min_annotators,),
        ):
            out[doc_id] = sorted(names.split("\x1f"))
        return out
