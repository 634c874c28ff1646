"""The project's own values: its label scheme and its settings (the ``project`` table:
``active_model``, ``lang``, the last annotator...)."""

from __future__ import annotations

from annotator.model import LabelScheme
from annotator.store.connection import StoreBase


class ProjectMixin(StoreBase):
    """The project table: the label scheme and the project's settings."""

    @property
    def scheme(self) -> LabelScheme:
        if self._scheme is None:
            row = self.db.conn.execute("SELECT value FROM project WHERE key = 'scheme'").fetchone()
            self._scheme = LabelScheme.model_validate_json(row[0])
        return self._scheme

    def set_scheme(self, scheme: LabelScheme) -> None:
        """Replace the project's label scheme (labels in use must stay)."""
        used = {
            r[0]
            for r in self.db.conn.execute(
                "SELECT DISTINCT label FROM decisions UNION SELECT DISTINCT label FROM suggestions "
                "UNION SELECT DISTINCT label FROM gold_spans"
            )
        }
        missing = sorted(used - set(scheme.names))
        if missing:
            raise ValueError(f"labels in use are missing from the new scheme: {', '.join(missing)}")
        with self.transaction():
            self.db.table("project").upsert({"key": "scheme", "value": scheme.to_json()}, pk="key")
        self._scheme = scheme

    def project_value(self, key: str) -> str | None:
        """A setting of the project table (e.g. ``active_model``), None when unset."""
        row = self.db.conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_project_value(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
