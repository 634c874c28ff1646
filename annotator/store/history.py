"""The history: the append-only log of every change (who, when, what, before and after).

Every aggregate that changes someone's work appends its entry with :meth:`HistoryMixin._log`, in
the transaction that makes the change."""

from __future__ import annotations

import json
from typing import Any

from annotator.store.connection import StoreBase, now


class HistoryMixin(StoreBase):
    """The history: every change appended in the transaction that makes it."""

    def _log(self, annotator: str, doc_id: str, action: str, before: Any, after: Any) -> None:
        self.db.conn.execute(
            "INSERT INTO history (ts, annotator, doc_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                now(),
                annotator,
                doc_id,
                action,
                json.dumps(before, ensure_ascii=False),
                json.dumps(after, ensure_ascii=False),
            ),
        )

    def history(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, ts, annotator, doc_id, action, before, after FROM history"
        params: tuple[Any, ...] = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        rows = self.db.conn.execute(sql + " ORDER BY id", params).fetchall()
        keys = ("id", "ts", "annotator", "doc_id", "action", "before", "after")
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for entry in out:
            entry["before"] = json.loads(entry["before"])
            entry["after"] = json.loads(entry["after"])
        return out
