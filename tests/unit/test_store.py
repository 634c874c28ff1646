from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from annotator.model import Document, Span, SpanStatus
from annotator.store import SCHEMA_VERSION, StaleEditError, Store, StoreError, schema
from annotator.suggest.combine import current_suggestions


def _accepted(start: int, end: int, label: str) -> Span:
    return Span(start=start, end=end, label=label, status=SpanStatus.ACCEPTED)


def test_new_project_is_versioned_wal_and_has_foreign_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        conn = store.db.conn
        assert store.schema_version == SCHEMA_VERSION >= 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        applied = [m.name for m in schema.migrations.applied(store.db)]
        assert applied[0] == "m0001_initial"


def test_reopening_applies_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.add_documents([Document(id="d", text="Minsk")])
    with Store.open(path) as store:
        assert store.document("d").text == "Minsk"
    assert not list(tmp_path.glob("*.bak"))


def test_document_text_is_immutable(store: Store) -> None:
    store.add_documents([Document(id="d", text="Minsk")])
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        store.db.conn.execute("UPDATE documents SET text = 'x' WHERE id = 'd'")


def test_same_text_is_one_document(store: Store) -> None:
    assert store.add_documents(
        [Document(id="a", text="Minsk"), Document(id="b", text="Minsk")]
    ) == (
        1,
        1,
    )
    assert store.count_documents() == 1


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_documents([Document(id="a", text="eins"), Document(id="b", text="zwei")])
        raise RuntimeError("boom")
    assert store.count_documents() == 0


def test_suggestions_and_decisions_are_apart(store: Store) -> None:
    store.add_documents([Document(id="d", text="Lukaschenko in Minsk")])
    store.save_suggestions([("d", [Span(start=15, end=20, label="LOC")])], origin="m", version="1")
    store.replace_decisions("d", "anna", add=[_accepted(0, 11, "PER")], action="add")
    # Recomputing suggestions with a new version touches no decision.
    store.save_suggestions([("d", [Span(start=0, end=11, label="PER")])], origin="m", version="2")
    assert [s.key for s in current_suggestions(store, "d")] == [(0, 11, "PER")]
    assert [s.key for s in store.decisions("d", "anna")] == [(0, 11, "PER")]
    assert store.decisions("d", "ben") == []


def test_a_run_is_written_once(store: Store) -> None:
    store.add_documents([Document(id="d", text="Minsk")])
    spans = [Span(start=0, end=5, label="LOC", score=0.9)]
    assert store.save_suggestions([("d", spans)], origin="m", version="1") == 1
    assert store.save_suggestions([("d", spans)], origin="m", version="1") == 0
    assert list(store.documents_without_run("m", "1")) == []
    assert [d.id for d in store.documents_without_run("m", "2")] == ["d"]


def test_history_records_before_and_after(store: Store) -> None:
    store.add_documents([Document(id="d", text="Minsk")])
    store.replace_decisions("d", "anna", add=[_accepted(0, 5, "LOC")], action="accept")
    store.replace_decisions(
        "d", "anna", remove=[_accepted(0, 5, "LOC")], add=[_accepted(0, 5, "ORG")], action="relabel"
    )
    entries = store.history("d")
    assert [e["action"] for e in entries] == ["accept", "relabel"]
    assert entries[1]["before"][0]["label"] == "LOC"
    assert entries[1]["after"][0]["label"] == "ORG"


def test_stale_revision_is_refused(store: Store) -> None:
    store.add_documents([Document(id="d", text="Minsk")])
    rev = store.replace_decisions("d", "anna", add=[_accepted(0, 5, "LOC")], action="a")
    store.replace_decisions(
        "d", "anna", add=[_accepted(0, 5, "ORG")], action="b", expected_revision=rev
    )
    with pytest.raises(StaleEditError, match="changed for anna elsewhere"):
        store.replace_decisions(
            "d", "anna", add=[_accepted(0, 5, "PER")], action="c", expected_revision=rev
        )
    assert {s.label for s in store.decisions("d", "anna")} == {"LOC", "ORG"}


def test_two_connections_write_without_locked_errors(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.add_documents([Document(id=f"d{i}", text=f"Text {i} in Minsk") for i in range(20)])
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with Store.open(path) as s:
                for i in range(20):
                    s.replace_decisions(f"d{i}", name, add=[_accepted(0, 4, "MISC")], action="a")
        except BaseException as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("anna", "ben", "cem")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(path) as store:
        assert store.stats()["spans"]["accepted"] == 60
        assert store.integrity_check() == "ok"


def test_not_a_project_is_refused_and_untouched(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_text("hello", encoding="utf-8")
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store.open(text_file)
    assert text_file.read_text(encoding="utf-8") == "hello"
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an annotator project"):
        Store.open(other)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer annotator"):
        Store.open(path)


def test_pending_migration_backs_up_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.store import schema as store_module

    path = tmp_path / "p.db"
    with Store.open(path) as s:
        s.add_documents([Document(id="d", text="Minsk")])
    extra = store_module.Migrations("annotator")
    extra._migrations = list(store_module.migrations._migrations)

    @extra()
    def m9999_test(db: object) -> None:
        store_module.SCHEMA_VERSION  # noqa: B018 - a no-op migration

    monkeypatch.setattr(store_module, "migrations", extra)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(extra._migrations))
    with Store.open(path) as s:
        assert s.schema_version == len(extra._migrations)
        assert s.document("d").text == "Minsk"
    backups = list(tmp_path.glob("p.db.v*.bak"))
    assert len(backups) == 1
    with Store.open(backups[0], create=False) as old:
        assert old.document("d").text == "Minsk"


def test_stats_counts(project: Store) -> None:
    project.replace_decisions(
        "000_3ceaf76258df9ab5", "anna", add=[_accepted(0, 1, "MISC")], action="a"
    )
    stats = project.stats()
    assert stats["documents"] == 5
    assert stats["annotators"]["anna"]["in_progress"] == 1
    assert stats["annotators"]["anna"]["todo"] == 4
    assert stats["spans"]["accepted"] == 1
