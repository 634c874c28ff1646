"""Copying annotators' work between project files (``annotator merge``): what one annotator did on
a document, read from the other file (opened with ``Store.open_for_reading(path,
migrate=False)``), written here verbatim."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.model import DocState, Span
from annotator.store.connection import now
from annotator.store.rows import _decision_row
from annotator.store.states import StatesMixin


class MergeMixin(StatesMixin):
    """Reading an annotator's work from another project file and writing it here verbatim."""

    def documents_with_work(self, annotator: str) -> list[str]:
        """Documents on which an annotator decided something or has a state, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE EXISTS (SELECT 1 FROM decisions x "
                "WHERE x.doc_id = d.id AND x.annotator = ?) OR EXISTS (SELECT 1 FROM doc_states s "
                "WHERE s.doc_id = d.id AND s.annotator = ?) ORDER BY d.seq",
                (annotator, annotator),
            )
        ]

    def work_history(self, doc_id: str, annotator: str) -> list[dict[str, Any]]:
        """An annotator's own history rows for a document (gold changes left out), raw."""
        keys = ("ts", "action", "before", "after")
        rows = self.db.conn.execute(
            "SELECT ts, action, before, after FROM history WHERE doc_id = ? AND annotator = ? "
            "AND action NOT LIKE 'gold: %' ORDER BY id",
            (doc_id, annotator),
        ).fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def copy_work(
        self,
        doc_id: str,
        annotator: str,
        *,
        decisions: Sequence[Span],
        state: DocState | None,
        relations: Sequence[tuple[tuple[int, int, str], tuple[int, int, str], str]],
        history: Sequence[dict[str, Any]],
    ) -> None:
        """Write an annotator's work on a document as it was in another file: decisions, state,
        relations (given by the keys of their head and tail spans) and history rows, verbatim.
        Runs in the caller's transaction if there is one."""
        created = now()
        with self.transaction():
            self.ensure_annotator(annotator)
            self.db.conn.executemany(
                'INSERT INTO decisions (doc_id, annotator, start, "end", label, kind, status, '
                "origin, origin_version, score, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [_decision_row(doc_id, annotator, s, created) for s in decisions],
            )
            if state is not None:
                self.db.conn.execute(
                    "INSERT INTO doc_states (doc_id, annotator, status, flagged, comment, "
                    "revision, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(doc_id, annotator) DO UPDATE SET status = excluded.status, "
                    "flagged = excluded.flagged, comment = excluded.comment, "
                    "revision = revision + 1, updated = excluded.updated",
                    (
                        doc_id,
                        annotator,
                        state.status.value,
                        int(state.flagged),
                        state.comment,
                        state.revision,
                        created,
                    ),
                )
            ids = {
                (r[1], r[2], r[3]): r[0]
                for r in self.db.conn.execute(
                    'SELECT id, start, "end", label FROM decisions WHERE doc_id = ? '
                    "AND annotator = ?",
                    (doc_id, annotator),
                )
            }
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    (doc_id, annotator, ids[head], ids[tail], role)
                    for head, tail, role in relations
                    if head in ids and tail in ids
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO history (ts, annotator, doc_id, action, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (h["ts"], annotator, doc_id, h["action"], h["before"], h["after"])
                    for h in history
                ],
            )
