"""A writer waits for another writer's lock for a bounded time (30 s unless configured), then says
in one line who holds it: the command, pid, host and since when, from the record the holder left
beside the project (``NAME-writer``), or that the holder left no record."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path

import pytest

import annotator.store.connection
from annotator.model import Document
from annotator.store import LOCK_TIMEOUT_S, LockTimeoutError, Store


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project.db"
    with Store.open(path) as store:
        store.add_documents([Document(id="d1", text="Ein Text.")])
    return path


def test_a_writer_gives_up_after_the_timeout_and_names_the_annotator_process_holding_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annotator.store.connection, "COMMAND", "annotator suggest")
    holder = Store.open(project)
    waiter = Store.open(project, lock_timeout=0.3)
    try:
        with holder.transaction():
            holder.add_documents([Document(id="d2", text="Noch ein Text.")])
            with pytest.raises(LockTimeoutError) as info:
                waiter.add_documents([Document(id="d3", text="Ein dritter Text.")])
        message = str(info.value)
        assert "\n" not in message
        assert "waited 0.3 s" in message
        expected = f"held by annotator suggest (pid {os.getpid()} on {socket.gethostname()}, "
        assert expected in message
        assert "ANNOTATOR_LOCK_TIMEOUT" in message
        # the waiter's failed write left nothing; after the holder's commit it can write
        assert not waiter.has_document_id("d3")
        waiter.add_documents([Document(id="d3", text="Ein dritter Text.")])
        assert waiter.count_documents() == 3
    finally:
        waiter.close()
        holder.close()
    assert not project.with_name(project.name + "-writer").exists()  # removed by its writer


def test_a_lock_held_by_another_program_is_named_as_such(project: Path) -> None:
    other = sqlite3.connect(project)
    other.execute("BEGIN IMMEDIATE")
    try:
        with (
            Store.open(project, lock_timeout=0.2) as waiter,
            pytest.raises(LockTimeoutError, match="held by a program that left no record"),
        ):
            waiter.add_documents([Document(id="d2", text="Noch ein Text.")])
    finally:
        other.rollback()
        other.close()


def test_a_stale_record_of_a_finished_process_is_not_blamed(project: Path) -> None:
    record = project.with_name(project.name + "-writer")
    fields = {
        "command": "annotator import",
        "pid": 999_999_999,
        "host": socket.gethostname(),
        "since": "2026-01-01T10:00:00+00:00",
    }
    record.write_text(json.dumps(fields), encoding="utf-8")
    other = sqlite3.connect(project)
    other.execute("BEGIN IMMEDIATE")
    try:
        with (
            Store.open(project, lock_timeout=0.2) as waiter,
            pytest.raises(LockTimeoutError) as info,
        ):
            waiter.add_documents([Document(id="d2", text="x")])
        assert "annotator import (pid 999999999" in str(info.value)
        assert "no longer running, so another program holds it" in str(info.value)
    finally:
        other.rollback()
        other.close()


def test_the_cli_waits_as_configured_and_says_who_holds_the_lock(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from annotator import cli

    text = tmp_path / "new.txt"
    text.write_text("Ein neuer Text.", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_LOCK_TIMEOUT", "0.5")
    other = sqlite3.connect(project)
    other.execute("BEGIN IMMEDIATE")
    try:
        code = cli.main(["import", str(text), "--db", str(project)])
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "locked by another writer; waited 0.5 s" in err[0], err


def test_the_default_wait_is_what_the_docs_say_and_a_bad_setting_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    docs = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text("utf-8")
    assert f"{LOCK_TIMEOUT_S:g} s" in docs
    with Store.open(project) as store:
        assert store.lock_timeout == LOCK_TIMEOUT_S
        ms = store.db.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        assert ms == LOCK_TIMEOUT_S * 1000
    monkeypatch.setenv("ANNOTATOR_LOCK_TIMEOUT", "soon")
    assert cli.main(["stats", "--db", str(project)]) == 0  # reading does not wait for writers
    assert cli.main(["import", str(project), "--db", str(project)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ANNOTATOR_LOCK_TIMEOUT='soon'" in err[0]
