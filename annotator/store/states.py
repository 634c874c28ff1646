"""Annotators and document states: per annotator and document the status, flag and comment, and
the revision that detects two windows editing one document; the document list's rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.errors import StaleEditError
from annotator.model import TITLE_KEYS, DocState, DocStatus, document_title
from annotator.store.connection import now
from annotator.store.documents import DocumentsMixin
from annotator.store.history import HistoryMixin


class StatesMixin(DocumentsMixin, HistoryMixin):
    """Annotators and their document states (status, flag, comment, revision)."""

    def ensure_annotator(self, name: str) -> None:
        if self.read_only:
            return  # reading a person's view of a read-only project registers nobody
        # the INSERT opens an implicit transaction: commit it unless the caller had one open
        outer = self.db.conn.in_transaction
        self.db.conn.execute(
            "INSERT INTO annotators (name, created) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (name, now()),
        )
        if not outer:
            self.db.conn.commit()

    def annotators(self) -> list[str]:
        return [r[0] for r in self.db.conn.execute("SELECT name FROM annotators ORDER BY name")]

    def doc_state(self, doc_id: str, annotator: str) -> DocState:
        row = self.db.conn.execute(
            "SELECT status, flagged, comment, revision FROM doc_states "
            "WHERE doc_id = ? AND annotator = ?",
            (doc_id, annotator),
        ).fetchone()
        if row is None:
            return DocState(doc_id=doc_id, annotator=annotator)
        status, flagged, comment, revision = row
        return DocState(
            doc_id=doc_id,
            annotator=annotator,
            status=DocStatus(status),
            flagged=bool(flagged),
            comment=comment,
            revision=revision,
        )

    def doc_statuses(self, annotator: str, doc_ids: Sequence[str]) -> dict[str, DocStatus]:
        out: dict[str, DocStatus] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for doc_id, status in self.db.conn.execute(
                "SELECT doc_id, status FROM doc_states "
                f"WHERE annotator = ? AND doc_id IN ({marks})",
                [annotator, *chunk],
            ):
                out[doc_id] = DocStatus(status)
        return out

    def document_rows(
        self,
        annotator: str,
        *,
        statuses: Sequence[DocStatus] | None = None,
        contains: str = "",
        after: str | None = None,
        offset: int = 0,
        limit: int = -1,
        preview: int = 400,
    ) -> list[tuple[str, str, DocStatus]]:
        """(id, title, this annotator's status) in import order, a page at a time, filtered by
        status, by a substring of the text and to documents after ``after``. The title is
        :func:`annotator.model.document_title` of the meta title or the first ``preview``
        characters."""
        sql = (
            "SELECT d.id, substr(d.text, 1, ?), coalesce(s.status, 'todo'), "
            + ", ".join(f"json_extract(d.meta, '$.{key}')" for key in TITLE_KEYS)
            + " FROM documents d "
            "LEFT JOIN doc_states s ON s.doc_id = d.id AND s.annotator = ? WHERE 1"
        )
        params: list[Any] = [preview, annotator]
        if statuses is not None:
            sql += f" AND coalesce(s.status, 'todo') IN ({','.join('?' * len(statuses))})"
            params += [status.value for status in statuses]
        if contains:
            sql += " AND instr(d.text, ?) > 0"
            params.append(contains)
        if after is not None:
            sql += " AND d.seq > (SELECT seq FROM documents WHERE id = ?)"
            params.append(after)
        sql += " ORDER BY d.seq LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [
            (r[0], document_title(r[1], dict(zip(TITLE_KEYS, r[3:], strict=True))), DocStatus(r[2]))
            for r in self.db.conn.execute(sql, params)
        ]

    def status_counts(self, annotator: str) -> dict[DocStatus, int]:
        """How many documents this annotator has in each status (untouched ones are todo)."""
        counts = dict.fromkeys(DocStatus, 0)
        for status, n in self.db.conn.execute(
            "SELECT status, count(*) FROM doc_states WHERE annotator = ? GROUP BY status",
            (annotator,),
        ):
            counts[DocStatus(status)] = n
        counts[DocStatus.TODO] += self.count_documents() - sum(counts.values())
        return counts

    def set_doc_state(
        self, state: DocState, *, expected_revision: int | None = None, action: str = "state"
    ) -> DocState:
        """Write one annotator's status, flag and comment for a document; returns the new state."""
        with self.transaction():
            self.ensure_annotator(state.annotator)
            before = self._bump_revision(state.doc_id, state.annotator, expected_revision)
            self.db.conn.execute(
                "UPDATE doc_states SET status = ?, flagged = ?, comment = ?, updated = ? "
                "WHERE doc_id = ? AND annotator = ?",
                (
                    state.status.value,
                    int(state.flagged),
                    state.comment,
                    now(),
                    state.doc_id,
                    state.annotator,
                ),
            )
            self._log(
                state.annotator,
                state.doc_id,
                action,
                before.model_dump(mode="json"),
                state.model_dump(mode="json"),
            )
            return state.model_copy(update={"revision": before.revision + 1})

    def _bump_revision(self, doc_id: str, annotator: str, expected: int | None) -> DocState:
        """Lock-step counter per (document, annotator): detects two windows editing one document."""
        before = self.doc_state(doc_id, annotator)
        if expected is not None and before.revision != expected:
            raise StaleEditError(
                f"document {doc_id} was changed for {annotator} elsewhere "
                f"(revision {before.revision}, this window had {expected}); reload it"
            )
        # The first touch makes a document "in progress"; later edits leave the status alone, so
        # that undoing an edit gives back exactly the state before it (an explicit "todo" stays).
        self.db.conn.execute(
            "INSERT INTO doc_states (doc_id, annotator, status, revision, updated) "
            "VALUES (?, ?, 'in_progress', 1, ?) "
            "ON CONFLICT(doc_id, annotator) DO UPDATE SET revision = revision + 1, "
            "updated = excluded.updated",
            (doc_id, annotator, now()),
        )
        return before

    def annotators_of(self, doc_id: str) -> list[str]:
        """The annotators who have worked on a document (decided something or set a state)."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT annotator FROM doc_states WHERE doc_id = ? ORDER BY annotator", (doc_id,)
            )
        ]

    def has_shared_documents(self) -> bool:
        """Whether two or more annotators have worked on the same document (double annotation).
        Asked on every document opened: a project of one annotator answers from the annotators
        table without reading its document states."""
        (annotators,) = self.db.conn.execute("SELECT count(*) FROM annotators").fetchone()
        if annotators < 2:
            return False
        row = self.db.conn.execute(
            "SELECT 1 FROM doc_states GROUP BY doc_id HAVING count(*) >= 2 LIMIT 1"
        ).fetchone()
        return row is not None

    def unfinished_documents(self) -> list[str]:
        """Documents not yet done or skipped by every annotator (untouched ones included), in
        import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE (SELECT count(*) FROM doc_states s "
                "WHERE s.doc_id = d.id AND s.status IN ('done', 'skipped')) < "
                "max(1, (SELECT count(*) FROM annotators)) ORDER BY d.seq"
            )
        ]

    def untouched_documents(self) -> list[str]:
        """Documents on which nobody has decided anything or set a state, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM decisions x "
                "WHERE x.doc_id = d.id) AND NOT EXISTS (SELECT 1 FROM doc_states s "
                "WHERE s.doc_id = d.id) ORDER BY d.seq"
            )
        ]
