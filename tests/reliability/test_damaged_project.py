"""A project file with one damaged page: every command that writes refuses with one line before
writing anything (the file keeps its bytes, nothing is left beside it), and says how to recover.

The project is made the way a user makes one (``annotator import`` of the seeds plus an
annotator's decisions), then one page in the middle of the file is overwritten.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.model import Span, SpanStatus
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _make_project(path: Path) -> None:
    from annotator import cli

    assert cli.main(["import", str(SEEDS), "--db", str(path)]) == 0
    with Store.open(path, create=False) as store:
        for i in range(200):  # enough rows that the file has pages of every kind
            store.add_documents([_doc(i)])
        doc_id = store.document_ids(limit=1)[0]
        store.replace_decisions(
            doc_id,
            "anna",
            add=[Span(start=0, end=3, label="ORG", status=SpanStatus.ACCEPTED)],
            action="accept",
        )


def _doc(i: int):  # type: ignore[no-untyped-def]
    from annotator.model import Document

    return Document(id=f"extra-{i}", text=f"Ein Text über Minsk und Moskau, Nummer {i}. " * 20)


def _page_size(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big") or 65536


def _damage_page(path: Path, page: int, seed: int) -> None:
    """Overwrite page number ``page`` (1-based) with random bytes, in place."""
    size = _page_size(path)
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(random.Random(seed).randbytes(size))


def _quick_check(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()


def _state(path: Path) -> tuple[str, int, list[str]]:
    beside = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, beside


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("good") / "project.db"
    _make_project(path)
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed: all in one file
    return path.read_bytes()


@pytest.fixture(params=[0.35, 0.5, 0.75], ids=["page-35%", "page-50%", "page-75%"])
def damaged(request: pytest.FixtureRequest, tmp_path: Path, good_project: bytes) -> Path:
    path = tmp_path / "project.db"
    path.write_bytes(good_project)
    pages = len(good_project) // _page_size(path)
    _damage_page(path, max(2, int(pages * request.param)), seed=pages)
    assert _quick_check(path) != "ok"  # the damage is real (checked by SQLite itself)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return path


def _other_project(tmp_path: Path) -> Path:
    other = tmp_path / "other" / "other.db"
    other.parent.mkdir()
    with Store.open(other) as store:
        store.add_documents([_doc(0)])
    return other


WRITING = {
    "import": lambda db, tmp: ["import", str(SEEDS), "--db", str(db)],
    "suggest": lambda db, tmp: ["suggest", "--db", str(db), "--quiet"],
    "train": lambda db, tmp: ["train", "--db", str(db), "--annotator", "anna", "--max-steps", "1"],
    "merge": lambda db, tmp: ["merge", str(_other_project(tmp)), "--db", str(db)],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", list(WRITING))
def test_every_writing_command_refuses_a_damaged_project_and_writes_nothing(
    damaged: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    argv = WRITING[command](damaged, tmp_path)
    before = _state(damaged)
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    head = f"annotator {command}: error: {damaged}: the project file is damaged"
    assert lines[0].startswith(head)
    assert ".recover" in lines[0] and "nothing was written" in lines[0]
    assert _state(damaged) == before  # same bytes and mtime, no -wal/-shm/-writer beside it


@pytest.mark.slow
def test_the_window_refuses_a_damaged_project_and_writes_nothing(damaged: Path) -> None:
    """The real entry point in its own process (a window that opened would not return)."""
    before = _state(damaged)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "gui", "--db", str(damaged), "--annotator", "anna"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"annotator gui: error: {damaged}: the project file is damaged" in result.stderr
    assert _state(damaged) == before


@pytest.mark.slow
def test_the_message_names_the_automatic_backup_when_there_is_one(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    backup = damaged.with_name(damaged.name + ".v1.bak")
    backup.write_bytes(b"SQLite format 3\x00")
    assert cli.main(["import", str(SEEDS), "--db", str(damaged)]) == 2
    assert f"restore the automatic backup {backup}" in capsys.readouterr().err


def test_an_intact_project_passes_the_check(tmp_path: Path, good_project: bytes) -> None:
    path = tmp_path / "project.db"
    path.write_bytes(good_project)
    with Store.open(path, create=False, verify=True) as store:
        assert store.quick_check() == "ok"
        assert store.count_documents() == len(list(SEEDS.glob("*.txt"))) + 200
