"""Counts over the whole project: documents, each annotator's states and decisions, suggestions
per model (``annotator stats``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotator.model import DocStatus
from annotator.store.states import StatesMixin


class StatsMixin(StatesMixin):
    """Counts over the whole project (``annotator stats``)."""

    def stats(self) -> dict[str, Any]:
        conn = self.db.conn
        annotators: dict[str, dict[str, int]] = {}
        for name in self.annotators():
            annotators[name] = {status.value: 0 for status in DocStatus}
            annotators[name]["accepted"] = 0
            annotators[name]["rejected"] = 0
        for name, status, n in conn.execute(
            "SELECT annotator, status, count(*) FROM doc_states GROUP BY annotator, status"
        ):
            annotators.setdefault(name, {})[status] = n
        for name, status, n in conn.execute(
            "SELECT annotator, status, count(*) FROM decisions GROUP BY annotator, status"
        ):
            annotators.setdefault(name, {})[status] = n
        for counts in annotators.values():
            touched = sum(counts.get(s.value, 0) for s in DocStatus if s != DocStatus.TODO)
            counts["todo"] = max(0, self.count_documents() - touched)
        by_label: Counter[str] = Counter()
        for label, n in conn.execute(
            "SELECT label, count(*) FROM decisions WHERE status = 'accepted' GROUP BY label"
        ):
            by_label[label] = n
        suggested = conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        accepted = conn.execute(
            "SELECT count(*) FROM decisions WHERE status = 'accepted'"
        ).fetchone()[0]
        rejected = conn.execute(
            "SELECT count(*) FROM decisions WHERE status = 'rejected'"
        ).fetchone()[0]
        models = [
            {"origin": o, "version": v, "documents": n}
            for o, v, n in conn.execute(
                "SELECT origin, version, count(*) FROM suggestion_runs GROUP BY origin, version"
            )
        ]
        return {
            "documents": self.count_documents(),
            "characters": conn.execute("SELECT coalesce(sum(length), 0) FROM documents").fetchone()[
                0
            ],
            "annotators": annotators,
            "spans": {
                "suggested": suggested,
                "accepted": accepted,
                "rejected": rejected,
                "accepted_by_label": dict(sorted(by_label.items())),
            },
            "models": models,
        }
