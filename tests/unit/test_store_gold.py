"""Gold spans and review states in the store (migration m0002_gold)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import SCHEMA_VERSION, Store, StoreError

TEXT = "Anna traf Ben in Berlin."


def _span(start: int, end: int, label: str, status: SpanStatus = SpanStatus.ACCEPTED) -> Span:
    return Span(start=start, end=end, label=label, kind=SpanKind.ENTITY, status=status)


@pytest.fixture
def doc_store(store: Store) -> Store:
    store.add_documents([Document(id="d1", text=TEXT), Document(id="d2", text="Zweiter Text.")])
    return store


def test_schema_version_counts_the_gold_migration() -> None:
    assert SCHEMA_VERSION >= 2


def test_replace_gold_adds_removes_and_logs(doc_store: Store) -> None:
    berlin = _span(17, 23, "LOC").model_copy(update={"origin": "agreed"})
    anna = _span(0, 4, "PER").model_copy(update={"origin": "variant:anna"})
    doc_store.replace_gold("d1", "rita", add=[berlin, anna], action="accept")
    assert [(s.start, s.end, s.label, s.origin) for s in doc_store.gold_spans("d1")] == [
        (0, 4, "PER", "variant:anna"),
        (17, 23, "LOC", "agreed"),
    ]
    assert {s.origin_version for s in doc_store.gold_spans("d1")} == {"rita"}
    # a rejection replaces the accepted row; it is hidden unless asked for
    rejected = anna.model_copy(update={"status": SpanStatus.REJECTED})
    doc_store.replace_gold("d1", "rita", remove=[anna], add=[rejected], action="reject")
    assert [s.label for s in doc_store.gold_spans("d1")] == ["LOC"]
    with_rejected = doc_store.gold_spans("d1", include_rejected=True)
    assert [(s.label, s.status) for s in with_rejected] == [
        ("PER", SpanStatus.REJECTED),
        ("LOC", SpanStatus.ACCEPTED),
    ]
    provenance = doc_store.gold_provenance("d1")
    assert provenance[0]["reviewer"] == "rita"
    assert provenance[0]["source"] == "variant:anna"
    assert provenance[0]["created"]
    actions = [h["action"] for h in doc_store.history("d1")]
    assert actions == ["gold: accept", "gold: reject"]
    # annotators' tables are untouched
    assert doc_store.decisions("d1", "rita") == []


def test_gold_refuses_suggested_spans(doc_store: Store) -> None:
    with pytest.raises(ValueError, match="accepted or rejected"):
        doc_store.replace_gold(
            "d1", "rita", add=[_span(0, 4, "PER", SpanStatus.SUGGESTED)], action="x"
        )


def test_review_state_and_reviewed_documents(doc_store: Store) -> None:
    assert doc_store.review_state("d1") == ("todo", "")
    doc_store.set_review_state("d2", "rita", "reviewed")
    doc_store.set_review_state("d1", "rita", "reviewed")
    assert doc_store.reviewed_documents() == ["d1", "d2"]  # import order
    doc_store.set_review_state("d1", "rita", "todo")
    assert doc_store.reviewed_documents() == ["d2"]
    assert doc_store.review_state("d2") == ("reviewed", "rita")
    with pytest.raises(ValueError):
        doc_store.set_review_state("d1", "rita", "done")


def test_documents_done_by(doc_store: Store) -> None:
    for name in ("anna", "ben", "cem"):
        doc_store.set_doc_state(DocState(doc_id="d1", annotator=name, status=DocStatus.DONE))
    doc_store.set_doc_state(DocState(doc_id="d2", annotator="anna", status=DocStatus.DONE))
    doc_store.set_doc_state(DocState(doc_id="d2", annotator="ben", status=DocStatus.IN_PROGRESS))
    assert doc_store.documents_done_by() == {"d1": ["anna", "ben", "cem"]}
    assert doc_store.documents_done_by(min_annotators=1) == {
        "d1": ["anna", "ben", "cem"],
        "d2": ["anna"],
    }


def _downgrade_to_schema_1(path: Path) -> None:
    """Make ``path`` exactly what annotator with only migration m0001 wrote."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE gold_spans")
    conn.execute("DROP TABLE review_states")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm0002_gold'")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_schema_1_project_is_migrated_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path) as s:
        s.add_documents([Document(id="d1", text=TEXT)])
        s.replace_decisions("d1", "anna", add=[_span(0, 4, "PER")], action="add")
    _downgrade_to_schema_1(path)

    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [d.label for d in s.decisions("d1", "anna")] == ["PER"]
        assert s.gold_spans("d1") == []
        s.replace_gold("d1", "rita", add=[_span(17, 23, "LOC")], action="accept")
        assert [g.label for g in s.gold_spans("d1")] == ["LOC"]
    backup = tmp_path / "old.db.v1.bak"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "decisions" in tables and "gold_spans" not in tables


def test_open_for_reading_without_migration_does_not_migrate_or_write(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with Store.open(path) as s:
        s.add_documents([Document(id="d1", text=TEXT)])
    _downgrade_to_schema_1(path)
    other = Store.open_for_reading(path, migrate=False)
    try:
        assert other.schema_version == 1
        assert other.count_documents() == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            other.db.conn.execute("INSERT INTO annotators (name, created) VALUES ('x', '')")
        with pytest.raises(StoreError, match="read-only"):
            other.set_doc_state(DocState(doc_id="d1", annotator="x"))
    finally:
        other.close()
    assert not (tmp_path / "other.db.v1.bak").exists()
    with pytest.raises(StoreError, match="no such project file"):
        Store.open_for_reading(tmp_path / "missing.db", migrate=False)
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    with pytest.raises(StoreError, match="not an annotator project"):
        Store.open_for_reading(not_a_db, migrate=False)


def test_copy_work_is_verbatim(doc_store: Store) -> None:
    head = _span(0, 4, "PER")
    tail = _span(17, 23, "LOC")
    doc_store.copy_work(
        "d1",
        "anna",
        decisions=[head, tail],
        state=DocState(doc_id="d1", annotator="anna", status=DocStatus.DONE, comment="ok"),
        relations=[(head.key, tail.key, "place")],
        history=[{"ts": "2020-01-01", "action": "add", "before": "[]", "after": "[]"}],
    )
    assert [d.key for d in doc_store.decisions("d1", "anna")] == [head.key, tail.key]
    state = doc_store.doc_state("d1", "anna")
    assert (state.status, state.comment) == (DocStatus.DONE, "ok")
    assert [r.role for r in doc_store.relations("d1", "anna")] == ["place"]
    assert doc_store.work_history("d1", "anna") == [
        {"ts": "2020-01-01", "action": "add", "before": "[]", "after": "[]"}
    ]
    assert doc_store.documents_with_work("anna") == ["d1"]
