"""Documents: the immutable texts of a project, known by id and content hash, in import order."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from annotator.model import Document
from annotator.store.connection import StoreBase, now
from annotator.store.rows import _doc


class DocumentsMixin(StoreBase):
    """The documents: immutable texts, known by id and content hash, in import order."""

    def add_documents(self, docs: Iterable[Document]) -> tuple[int, int]:
        """Insert documents not yet in the project (identity is the content hash).

        Returns (added, already there). Runs in the caller's transaction if there is one.
        """
        rows = [
            (d.id, d.text, d.hash, len(d.text), d.source, json.dumps(d.meta, ensure_ascii=False))
            for d in docs
        ]
        created = now()
        with self.transaction():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO documents (id, text, hash, length, source, meta, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                [(*r, created) for r in rows],
            )
            added = self.db.conn.total_changes - before
        return added, len(rows) - added

    def document(self, doc_id: str) -> Document:
        row = self.db.conn.execute(
            "SELECT id, text, hash, source, meta FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return _doc(row)

    def document_by_hash(self, hash_: str) -> Document | None:
        row = self.db.conn.execute(
            "SELECT id, text, hash, source, meta FROM documents WHERE hash = ?", (hash_,)
        ).fetchone()
        return None if row is None else _doc(row)

    def id_for_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for hash_, doc_id in self.db.conn.execute(
                f"SELECT hash, id FROM documents WHERE hash IN ({marks})", chunk
            ):
                out[hash_] = doc_id
        return out

    def existing_ids(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these document ids the project already has."""
        out: set[str] = set()
        for i in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM documents WHERE id IN ({marks})"
            out.update(r[0] for r in self.db.conn.execute(sql, chunk))
        return out

    def has_document_id(self, doc_id: str) -> bool:
        sql = "SELECT 1 FROM documents WHERE id = ?"
        return self.db.conn.execute(sql, (doc_id,)).fetchone() is not None

    def count_documents(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_ids(self, *, offset: int = 0, limit: int = -1) -> list[str]:
        """Document ids in import order, a page at a time (the list view fetches lazily)."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT id FROM documents ORDER BY seq LIMIT ? OFFSET ?", (limit, offset)
            )
        ]

    def iter_documents(self, *, batch: int = 500) -> Iterator[Document]:
        """Every document, streamed in import order without holding them all in memory."""
        last = 0
        while True:
            rows = self.db.conn.execute(
                "SELECT seq, id, text, hash, source, meta FROM documents WHERE seq > ? "
                "ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _doc(row[1:])
            last = rows[-1][0]

    def document_index(self, doc_id: str) -> int:
        """Zero-based place of a document in import order."""
        row = self.db.conn.execute(
            "SELECT count(*) FROM documents WHERE seq < (SELECT seq FROM documents WHERE id = ?)",
            (doc_id,),
        ).fetchone()
        return int(row[0])
