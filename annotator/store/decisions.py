"""Decisions: each annotator's accepted and rejected spans, and the arguments (relations) between
them; every change bumps the document state's revision and appends to the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.model import Argument, Relation, Span, SpanStatus
from annotator.store.connection import now
from annotator.store.rows import _arg_dict, _decision_row, _span_dict, _span_from_row
from annotator.store.states import StatesMixin


class DecisionsMixin(StatesMixin):
    """An annotator's decisions and the arguments (relations) between them."""

    def decisions(self, doc_id: str, annotator: str) -> list[Span]:
        rows = self.db.conn.execute(
            'SELECT id, start, "end", label, kind, status, origin, origin_version, score '
            'FROM decisions WHERE doc_id = ? AND annotator = ? ORDER BY start, "end", label',
            (doc_id, annotator),
        ).fetchall()
        return [_span_from_row(r) for r in rows]

    def replace_decisions(
        self,
        doc_id: str,
        annotator: str,
        *,
        remove: Sequence[Span] = (),
        add: Sequence[Span] = (),
        action: str,
        expected_revision: int | None = None,
        unlink: Sequence[Argument] = (),
        link: Sequence[Argument] = (),
    ) -> int:
        """Remove some decision rows and add others, atomically, with a history entry.

        Rows are matched by (start, end, label). Every added span must be accepted or rejected.
        ``unlink`` arguments are removed first, ``link`` arguments added last: both ends must
        then be accepted decisions of the annotator, the trigger an event. A removed span takes
        the arguments it is part of with it (list them in ``unlink`` to undo that exactly).
        Returns the document's new revision for this annotator.
        """
        for span in add:
            if span.status == SpanStatus.SUGGESTED:
                raise ValueError("a decision must be accepted or rejected, not suggested")
        created = now()
        with self.transaction():
            self.ensure_annotator(annotator)
            before = self._bump_revision(doc_id, annotator, expected_revision)
            if unlink:
                self._unlink(doc_id, annotator, unlink)
            self.db.conn.executemany(
                "DELETE FROM decisions WHERE doc_id = ? AND annotator = ? AND start = ? "
                'AND "end" = ? AND label = ?',
                [(doc_id, annotator, s.start, s.end, s.label) for s in remove],
            )
            self.db.conn.executemany(
                'INSERT INTO decisions (doc_id, annotator, start, "end", label, kind, status, '
                "origin, origin_version, score, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                'ON CONFLICT (doc_id, annotator, start, "end", label) DO UPDATE SET '
                "status = excluded.status, kind = excluded.kind, origin = excluded.origin, "
                "origin_version = excluded.origin_version, score = excluded.score",
                [_decision_row(doc_id, annotator, s, created) for s in add],
            )
            if link:
                self._link(doc_id, annotator, link)
            before_log: Any = [_span_dict(s) for s in remove]
            after_log: Any = [_span_dict(s) for s in add]
            if unlink or link:
                before_log = {"spans": before_log, "arguments": [_arg_dict(a) for a in unlink]}
                after_log = {"spans": after_log, "arguments": [_arg_dict(a) for a in link]}
            self._log(annotator, doc_id, action, before_log, after_log)
            return before.revision + 1

    def arguments(self, doc_id: str, annotator: str) -> list[Argument]:
        """The annotator's arguments of a document (relations, ends named by span keys)."""
        rows = self.db.conn.execute(
            'SELECT h.start, h."end", h.label, r.role, t.start, t."end", t.label '
            "FROM relations r JOIN decisions h ON h.id = r.head JOIN decisions t ON t.id = r.tail "
            'WHERE r.doc_id = ? AND r.annotator = ? ORDER BY h.start, h."end", h.label, r.role, '
            't.start, t."end"',
            (doc_id, annotator),
        ).fetchall()
        return [
            Argument(trigger=(r[0], r[1], r[2]), role=r[3], filler=(r[4], r[5], r[6])) for r in rows
        ]

    def _decision_ids(
        self, doc_id: str, annotator: str
    ) -> dict[tuple[int, int, str], tuple[int, str, str]]:
        return {
            (r[1], r[2], r[3]): (r[0], r[4], r[5])
            for r in self.db.conn.execute(
                'SELECT id, start, "end", label, kind, status FROM decisions '
                "WHERE doc_id = ? AND annotator = ?",
                (doc_id, annotator),
            )
        }

    def _unlink(self, doc_id: str, annotator: str, arguments: Sequence[Argument]) -> None:
        ids = self._decision_ids(doc_id, annotator)
        self.db.conn.executemany(
            "DELETE FROM relations WHERE doc_id = ? AND annotator = ? AND head = ? AND tail = ? "
            "AND role = ?",
            [
                (doc_id, annotator, ids[a.trigger][0], ids[a.filler][0], a.role)
                for a in arguments
                if a.trigger in ids and a.filler in ids
            ],
        )

    def _link(self, doc_id: str, annotator: str, arguments: Sequence[Argument]) -> None:
        ids = self._decision_ids(doc_id, annotator)
        rows = []
        for a in arguments:
            head, tail = ids.get(a.trigger), ids.get(a.filler)
            if head is None or tail is None or head[2] != "accepted" or tail[2] != "accepted":
                raise ValueError(
                    f"argument {a.role!r}: trigger and filler must be accepted spans of {annotator}"
                )
            if head[1] != "event":
                raise ValueError(f"argument {a.role!r}: its trigger {a.trigger[2]} is not an event")
            if a.trigger == a.filler:
                raise ValueError(f"argument {a.role!r}: a span cannot be its own argument")
            rows.append((doc_id, annotator, head[0], tail[0], a.role))
        self.db.conn.executemany(
            "INSERT INTO relations (doc_id, annotator, head, tail, role) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (head, tail, role) DO NOTHING",
            rows,
        )

    def relations(self, doc_id: str, annotator: str) -> list[Relation]:
        rows = self.db.conn.execute(
            "SELECT id, head, tail, role FROM relations WHERE doc_id = ? AND annotator = ?",
            (doc_id, annotator),
        ).fetchall()
        return [Relation(id=r[0], head=r[1], tail=r[2], role=r[3]) for r in rows]

    def add_relation(self, doc_id: str, annotator: str, relation: Relation) -> int:
        with self.transaction():
            cur = self.db.conn.execute(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?)",
                (doc_id, annotator, relation.head, relation.tail, relation.role),
            )
            self._log(annotator, doc_id, "relation", {}, relation.model_dump(mode="json"))
            return int(cur.lastrowid or 0)

    def add_relations_by_key(
        self,
        doc_id: str,
        annotator: str,
        relations: Sequence[tuple[tuple[int, int, str], tuple[int, int, str], str]],
        *,
        action: str = "relation",
    ) -> int:
        """Add relations between this annotator's decisions, named by (start, end, label).

        Both ends must be decisions of the annotator already; a relation that exists is left as it
        is. Returns how many were added. One history entry for all of them.
        """
        if not relations:
            return 0
        with self.transaction():
            ids = {
                (r[1], r[2], r[3]): r[0]
                for r in self.db.conn.execute(
                    'SELECT id, start, "end", label FROM decisions '
                    "WHERE doc_id = ? AND annotator = ?",
                    (doc_id, annotator),
                )
            }
            rows = []
            for head, tail, role in relations:
                if head not in ids or tail not in ids:
                    raise ValueError(
                        f"relation {role!r}: both spans must be decisions of {annotator}"
                    )
                rows.append((doc_id, annotator, ids[head], ids[tail], role))
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (head, tail, role) DO NOTHING",
                rows,
            )
            added = self.db.conn.total_changes - before
            self._log(
                annotator,
                doc_id,
                action,
                {},
                [{"head": list(h), "tail": list(t), "role": r} for h, t, r in relations],
            )
            return added
