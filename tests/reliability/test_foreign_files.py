"""A project file from elsewhere: not a project, too new, damaged or truncated gives one clear
line from the CLI (exit 2) and leaves the file exactly as it was; an older schema is migrated
after a backup copy is written."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.model import Document, Span, SpanStatus
from annotator.store import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parents[2]


def _project(path: Path, n: int = 400) -> bytes:
    """A real project with enough documents to span many pages; returns its bytes (checkpointed)."""
    seed = (ROOT / "seeds" / "000_3ceaf76258df9ab5.txt").read_text(encoding="utf-8")
    with Store.open(path) as store:
        store.add_documents(Document(id=f"d{i}", text=f"{seed[:900]} {i}") for i in range(n))
        store.replace_decisions(
            "d0",
            "anna",
            add=[Span(start=0, end=4, label="ORG", status=SpanStatus.ACCEPTED)],
            action="a",
        )
    return path.read_bytes()


def _plain_sqlite(path: Path, *, wal: bool) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()


def _garbage(data: bytes, keep: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return data[:keep] + rng.randbytes(len(data) - keep)


def _newer(path: Path) -> None:
    _project(path, 5)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()


CASES: dict[str, tuple[Callable[[Path, bytes], None], str]] = {
    "text file": (lambda p, d: p.write_text("name,notes\n", encoding="utf-8"), "not an SQLite"),
    "random bytes": (lambda p, d: p.write_bytes(random.Random(2).randbytes(9000)), "not an SQLite"),
    "other SQLite file": (lambda p, d: _plain_sqlite(p, wal=False), "not an annotator project"),
    "other SQLite file in WAL mode": (
        lambda p, d: _plain_sqlite(p, wal=True),
        "not an annotator project",
    ),
    "newer schema": (lambda p, d: _newer(p), "newer annotator"),
    "header then garbage": (lambda p, d: p.write_bytes(_garbage(d, 100)), "malformed|damaged"),
    "first page then garbage": (lambda p, d: p.write_bytes(_garbage(d, 4096)), "malformed|damaged"),
    "garbage in the second half": (
        lambda p, d: p.write_bytes(_garbage(d, len(d) // 2)),
        "malformed|damaged",
    ),
    "truncated to half": (lambda p, d: p.write_bytes(d[: len(d) // 2]), "malformed|damaged"),
    "truncated inside the first page": (lambda p, d: p.write_bytes(d[:3000]), "malformed|damaged"),
}


def _fingerprint(path: Path) -> tuple[str, int, list[str]]:
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, siblings


@pytest.fixture(scope="module")
def project_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _project(tmp_path_factory.mktemp("source") / "source.db")


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from annotator import cli

    code = cli.main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", ["stats", "import"])
@pytest.mark.parametrize("case", list(CASES))
def test_foreign_file_gives_one_line_and_stays_untouched(
    tmp_path: Path,
    project_bytes: bytes,
    case: str,
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, message = CASES[case]
    path = tmp_path / "project.db"
    make(path, project_bytes)
    # Old enough that a rewrite would show in the mtime even on coarse clocks.
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = _fingerprint(path)
    extra = [str(ROOT / "seeds")] if command == "import" else []
    code, err = _cli([command, *extra, "--db", str(path)], capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"annotator {command}: error: {path}")
    assert any(m in lines[0] for m in message.split("|")), lines[0]
    assert _fingerprint(path) == before  # same bytes, same mtime, no -wal/-shm left beside it


@pytest.mark.parametrize("case", ["other SQLite file in WAL mode", "garbage in the second half"])
def test_foreign_file_in_a_real_process_has_no_traceback(
    tmp_path: Path, project_bytes: bytes, case: str
) -> None:
    make, message = CASES[case]
    path = tmp_path / "project.db"
    make(path, project_bytes)
    before = _fingerprint(path)
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "import", str(ROOT / "seeds"), "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert any(m in result.stderr for m in message.split("|")), result.stderr
    assert _fingerprint(path) == before


def test_schema_1_project_is_backed_up_then_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.store import schema as store_module

    path = tmp_path / "old.db"
    only_first = store_module.Migrations("annotator")
    only_first._migrations = list(store_module.migrations._migrations[:1])
    with monkeypatch.context() as m:
        m.setattr(store_module, "migrations", only_first)
        m.setattr(store_module, "SCHEMA_VERSION", 1)
        _project(path, 20)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    assert "gold_spans" not in tables
    old_bytes = path.read_bytes()

    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "stats", "--json", "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"documents": 20' in result.stdout

    backup = tmp_path / "old.db.v1.bak"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 20
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert len(old_bytes) > 0
    with Store.open(path, create=False) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.gold_spans("d0") == []
        assert [s.key for s in store.decisions("d0", "anna")] == [(0, 4, "ORG")]
        assert store.integrity_check() == "ok"
