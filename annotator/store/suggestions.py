"""Suggestions, kept apart from decisions (ADR 0001): runs per document, origin and version, the
claims that let two ``suggest`` runs share the work, and the decided surfaces the memory learns
from (ADR 0009). Suggestions never change anyone's work and can be recomputed."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from annotator.model import Document, Span, SpanKind, SpanStatus
from annotator.store.connection import StoreBase, now
from annotator.store.rows import _doc


class SuggestionsMixin(StoreBase):
    """Suggestion runs per origin and version, the claims that share a batch, the memory's
    surfaces."""

    def has_suggestion_run(self, doc_id: str, origin: str, version: str) -> bool:
        if self._preview.get(doc_id, {}).get(origin, ("", []))[0] == version:
            return True
        return (
            self.db.conn.execute(
                "SELECT 1 FROM suggestion_runs WHERE doc_id = ? AND origin = ? AND version = ?",
                (doc_id, origin, version),
            ).fetchone()
            is not None
        )

    def documents_without_run(
        self, origin: str, version: str, *, batch: int = 500
    ) -> Iterator[Document]:
        """Documents this model version has not yet suggested for, streamed in import order."""
        last = 0
        while True:
            rows = self.db.conn.execute(
                "SELECT seq, id, text, hash, source, meta FROM documents d WHERE seq > ? "
                "AND NOT EXISTS (SELECT 1 FROM suggestion_runs r WHERE r.doc_id = d.id "
                "AND r.origin = ? AND r.version = ?) ORDER BY seq LIMIT ?",
                (last, origin, version, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _doc(row[1:])
            last = rows[-1][0]

    def count_documents_without_run(self, origin: str, version: str) -> int:
        return int(
            self.db.conn.execute(
                "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                "(SELECT 1 FROM suggestion_runs r "
                "WHERE r.doc_id = d.id AND r.origin = ? AND r.version = ?)",
                (origin, version),
            ).fetchone()[0]
        )

    def claim_documents(
        self, origin: str, version: str, owner: str, *, limit: int
    ) -> list[Document]:
        """Up to ``limit`` documents without a run of this model version that no other running
        ``suggest`` has claimed, claimed for ``owner`` in the same write transaction.

        Two runs at once thus share the work instead of both doing every document. A claim is one
        ``project`` row per running owner (``suggest-claim:OWNER``) holding the claimed documents;
        taking the next ones replaces the owner's earlier claim. Claims of a process that is gone
        (same host, pid not running; another host: older than :data:`CLAIM_TTL_S`) are dropped.
        """
        conn = self.db.conn
        with self.transaction():
            blocked: set[int] = set()
            for key, value in conn.execute(
                "SELECT key, value FROM project WHERE key LIKE ?", (CLAIM_PREFIX + "%",)
            ).fetchall():
                if key == CLAIM_PREFIX + owner:
                    continue
                claim = _parse_claim(value)
                if claim is None or _claim_stale(claim):
                    conn.execute("DELETE FROM project WHERE key = ?", (key,))
                elif claim["origin"] == origin and claim["version"] == version:
                    blocked.update(claim["seqs"])
            rows = conn.execute(
                "SELECT seq FROM documents d WHERE NOT EXISTS (SELECT 1 FROM suggestion_runs r "
                "WHERE r.doc_id = d.id AND r.origin = ? AND r.version = ?) ORDER BY seq LIMIT ?",
                (origin, version, limit + len(blocked)),
            ).fetchall()
            seqs = [r[0] for r in rows if r[0] not in blocked][:limit]
            claim = {
                "origin": origin,
                "version": version,
                "host": _HOST,
                "pid": os.getpid(),
                "claimed": time.time(),
                "seqs": seqs,
            }
            conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CLAIM_PREFIX + owner, json.dumps(claim)),
            )
        docs: list[Document] = []
        for i in range(0, len(seqs), 500):
            part = seqs[i : i + 500]
            marks = ",".join("?" * len(part))
            docs += [
                _doc(row)
                for row in conn.execute(
                    f"SELECT id, text, hash, source, meta FROM documents WHERE seq IN ({marks}) "
                    "ORDER BY seq",
                    part,
                )
            ]
        return docs

    def release_claim(self, owner: str) -> None:
        """Drop ``owner``'s claim (the run is over, or gave up)."""
        with self.transaction():
            self.db.conn.execute("DELETE FROM project WHERE key = ?", (CLAIM_PREFIX + owner,))

    def save_suggestions(
        self, results: Iterable[tuple[str, Sequence[Span]]], *, origin: str, version: str
    ) -> int:
        """Store one model version's suggestions for some documents, in one transaction.

        A document's run is written with its spans, so an interrupted batch resumes at the first
        document without a run and a rerun adds nothing.

        A read-only project (a screenshot, read-only media) keeps them in memory instead, as this
        origin's newest run, so that they can be shown; they are never written.
        """
        if self.read_only:
            n = 0
            for doc_id, spans in results:
                kept = [
                    s.model_copy(update={"origin": origin, "origin_version": version, "id": None})
                    for s in spans
                ]
                self._preview.setdefault(doc_id, {})[origin] = (version, kept)
                n += len(kept)
            return n
        created = now()
        n = 0
        with self.transaction():
            for doc_id, spans in results:
                cur = self.db.conn.execute(
                    "INSERT INTO suggestion_runs (doc_id, origin, version, created, n_spans) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (doc_id, origin, version, created, len(spans)),
                )
                if cur.rowcount == 0:
                    continue
                self.db.conn.executemany(
                    'INSERT INTO suggestions (doc_id, origin, version, start, "end", label, kind, '
                    "score) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [
                        (doc_id, origin, version, s.start, s.end, s.label, s.kind.value, s.score)
                        for s in spans
                    ],
                )
                n += len(spans)
        return n

    def suggested_spans(self, doc_id: str) -> list[Span]:
        """Every span of each origin's newest run for a document, as stored: the same key from
        two origins twice, the memory's vetoes included. What a person is shown is these with
        the combination rules applied, above the store
        (:func:`annotator.suggest.combine.current_suggestions`)."""
        rows = self.db.conn.execute(
            'SELECT s.id, s.start, s."end", s.label, s.kind, s.origin, s.version, s.score '
            "FROM suggestions s JOIN ("
            "  SELECT origin, version FROM suggestion_runs r1 WHERE doc_id = ? AND created = ("
            "    SELECT max(created) FROM suggestion_runs r2 "
            "    WHERE r2.doc_id = r1.doc_id AND r2.origin = r1.origin)"
            ") cur ON cur.origin = s.origin AND cur.version = s.version "
            'WHERE s.doc_id = ? ORDER BY s.start, s."end"',
            (doc_id, doc_id),
        ).fetchall()
        preview = self._preview.get(doc_id, {})
        if preview:  # a read-only project's own newest runs replace the stored ones
            rows = [r for r in rows if r[5] not in preview]
            rows += [
                (None, s.start, s.end, s.label, s.kind.value, origin, version, s.score)
                for origin, (version, spans) in preview.items()
                for s in spans
            ]
        return [
            Span(
                id=sid,
                start=start,
                end=end,
                label=label,
                kind=SpanKind(kind),
                origin=origin,
                origin_version=version,
                score=score,
                status=SpanStatus.SUGGESTED,
            )
            for sid, start, end, label, kind, origin, version, score in rows
        ]

    def uncertainty_by_document(self) -> dict[str, float]:
        """How unsure the models are about each document: the sum over the current
        suggestions of every model (not the memory) of ``1 - |2 score - 1|``, 1 for a span
        scored 0.5 and 0 for one scored 0 or 1 (spans without a score count 0). Documents
        without model suggestions are absent."""
        rows = self.db.conn.execute(
            "SELECT s.doc_id, sum(1.0 - abs(2.0 * coalesce(s.score, 1.0) - 1.0)) "
            "FROM suggestions s JOIN suggestion_runs r ON r.doc_id = s.doc_id "
            "AND r.origin = s.origin AND r.version = s.version "
            "WHERE s.origin NOT LIKE 'memory%' AND r.created = (SELECT max(created) "
            "FROM suggestion_runs r2 WHERE r2.doc_id = r.doc_id AND r2.origin = r.origin) "
            "GROUP BY s.doc_id"
        ).fetchall()
        return {doc_id: float(total or 0.0) for doc_id, total in rows}

    def decided_surfaces(
        self, *, annotator: str | None = None
    ) -> list[tuple[str, str, str, str, int]]:
        """(covered text, label, kind, status, number of decisions) over every annotator's
        decisions (or one annotator's): what the memory of accepted spans learns from."""
        sql = (
            'SELECT substr(d.text, x.start + 1, x."end" - x.start), x.label, x.kind, x.status, '
            "count(*) FROM decisions x JOIN documents d ON d.id = x.doc_id"
        )
        params: tuple[Any, ...] = ()
        if annotator is not None:
            sql += " WHERE x.annotator = ?"
            params = (annotator,)
        rows = self.db.conn.execute(sql + " GROUP BY 1, 2, 3, 4", params).fetchall()
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def suggestion_run_versions(self, origin: str) -> dict[str, set[str]]:
        """Every document's stored versions of one origin."""
        out: dict[str, set[str]] = {}
        for doc_id, version in self.db.conn.execute(
            "SELECT doc_id, version FROM suggestion_runs WHERE origin = ?", (origin,)
        ):
            out.setdefault(doc_id, set()).add(version)
        return out

    def delete_suggestion_runs(self, origin: str, doc_ids: Sequence[str]) -> None:
        """Forget one origin's suggestions (all versions) for some documents."""
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM suggestion_runs WHERE origin = ? AND doc_id = ?",
                [(origin, doc_id) for doc_id in doc_ids],
            )


CLAIM_PREFIX = "suggest-claim:"


CLAIM_TTL_S = 6 * 3600
"""A claim from another host counts as abandoned after this long (its pid cannot be checked)."""


_HOST = socket.gethostname()


def _parse_claim(value: str) -> dict[str, Any] | None:
    try:
        claim = json.loads(value)
    except ValueError:
        return None
    keys = {"origin", "version", "host", "pid", "claimed", "seqs"}
    return claim if isinstance(claim, dict) and keys <= set(claim) else None


def _claim_stale(claim: dict[str, Any]) -> bool:
    """Whether the process behind a claim is gone."""
    if claim["host"] != _HOST:
        return bool(time.time() - float(claim["claimed"]) > CLAIM_TTL_S)
    try:
        os.kill(int(claim["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False
