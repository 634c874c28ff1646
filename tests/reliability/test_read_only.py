"""A project on read-only media can be read: ``stats``, ``export``, ``agreement`` and ``merge``
(from it) work and leave nothing beside it; writing commands say it is read-only in one line.

Tests run as root, for whom ``chmod`` does not stop writes. So the real case is built with a
read-only bind mount in a private mount namespace (``unshare -m``, as root can), where the kernel
refuses every write (EROFS), root's included. Where that is not possible the same code path is
driven in process by making :func:`annotator.store.connection._writable` say no (the one place
that decides how a project is opened for reading).
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.model import DocState, DocStatus, Document, Span, SpanStatus
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _project(path: Path, annotators: tuple[str, ...] = ("anna", "ben")) -> None:
    text = "Lukaschenko traf Putin in Minsk. Danach flog er nach Moskau."
    with Store.open(path) as store:
        store.add_documents([Document(id="d1", text=text), Document(id="d2", text=text + " Ja.")])
        for name in annotators:
            for doc in ("d1", "d2"):
                store.replace_decisions(
                    doc,
                    name,
                    add=[Span(start=0, end=11, label="PER", status=SpanStatus.ACCEPTED)],
                    action="accept",
                )
                store.set_doc_state(DocState(doc_id=doc, annotator=name, status=DocStatus.DONE))


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


def _in_read_only_mount(folder: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``annotator ARGV`` with ``folder`` mounted read-only (for this process only)."""
    command = shlex.join([sys.executable, "-m", "annotator.cli", *argv])
    f = shlex.quote(str(folder))
    script = f"mount --bind {f} {f} && mount -o remount,bind,ro {f} && touch {f}/probe 2>/dev/null"
    script += f" && echo 'mount is writable' >&2 && exit 99; {command}"
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300
    )


READING = {
    "stats": lambda db, out: ["stats", "--db", str(db)],
    "stats --json": lambda db, out: ["stats", "--json", "--db", str(db)],
    "agreement": lambda db, out: ["agreement", "--db", str(db)],
    "export": lambda db, out: [
        "export",
        "--format",
        "jsonl",
        "--annotator",
        "anna",
        "--db",
        str(db),
        "--out",
        str(out),
    ],
}


@pytest.mark.slow
@pytest.mark.skipif(not _can_mount_read_only(), reason="needs unshare -m and mount (root)")
@pytest.mark.parametrize("command", list(READING))
def test_reading_commands_work_on_a_read_only_mount(tmp_path: Path, command: str) -> None:
    media = tmp_path / "media"
    media.mkdir()
    db = media / "project.db"
    _project(db)
    before = _fingerprint(media)
    out = tmp_path / "out"
    result = _in_read_only_mount(media, READING[command](db, out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert _fingerprint(media) == before  # nothing written, nothing created beside it
    if command == "export":
        assert len((out / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    if command == "stats --json":
        import json

        assert json.loads(result.stdout)["documents"] == 2


@pytest.mark.slow
@pytest.mark.skipif(not _can_mount_read_only(), reason="needs unshare -m and mount (root)")
def test_merge_from_a_project_on_a_read_only_mount(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    other = media / "other.db"
    _project(other, annotators=("carla",))
    before = _fingerprint(media)
    target = tmp_path / "mine.db"
    _project(target, annotators=("anna",))
    result = _in_read_only_mount(media, ["merge", str(other), "--db", str(target)])
    assert result.returncode == 0, result.stderr
    assert _fingerprint(media) == before
    with Store.open_for_reading(target) as store:
        assert "carla" in store.annotators()


@pytest.mark.slow
@pytest.mark.skipif(not _can_mount_read_only(), reason="needs unshare -m and mount (root)")
def test_a_writing_command_on_a_read_only_mount_says_so_in_one_line(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    db = media / "project.db"
    _project(db)
    text = tmp_path / "new.txt"
    text.write_text("Ein neuer Text.", encoding="utf-8")
    before = _fingerprint(media)
    result = _in_read_only_mount(media, ["import", str(text), "--db", str(db)])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0], result.stderr
    assert _fingerprint(media) == before


@pytest.fixture
def not_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``os.access`` says on read-only media, for a process that may write everything."""
    import annotator.store.connection

    monkeypatch.setattr(annotator.store.connection, "_writable", lambda path: False)


def test_read_only_open_uses_immutable_and_creates_nothing(
    tmp_path: Path, not_writable: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = tmp_path / "project.db"
    _project(db)
    before = _fingerprint(tmp_path)
    assert cli.main(["stats", "--db", str(db)]) == 0
    assert "anna" in capsys.readouterr().out
    assert cli.main(["agreement", "--db", str(db)]) == 0
    assert _fingerprint(tmp_path) == before  # a mode=ro connection would have made -wal/-shm
    with Store.open_for_reading(db) as store:
        assert store.read_only
        with pytest.raises(Exception, match="read-only"):
            store.set_doc_state(DocState(doc_id="d1", annotator="anna"))


def test_a_wal_without_its_shm_on_read_only_media_is_refused(
    tmp_path: Path, not_writable: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``immutable`` would ignore the commits in the -wal file: say so instead."""
    from annotator import cli

    db = tmp_path / "project.db"
    _project(db)
    db.with_name(db.name + "-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    assert cli.main(["stats", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "project.db-wal" in err[0] and "writable folder" in err[0]


def test_reading_a_writable_project_leaves_nothing_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = tmp_path / "project.db"
    _project(db)
    before = _fingerprint(tmp_path)
    assert cli.main(["stats", "--db", str(db)]) == 0
    out = tmp_path.parent / f"{tmp_path.name}-export"
    args = [
        "export",
        "--format",
        "jsonl",
        "--annotator",
        "anna",
        "--db",
        str(db),
        "--out",
        str(out),
    ]
    assert cli.main(args) == 0
    assert _fingerprint(tmp_path) == before
