"""Exports replace their folder in one step: killed or failing at any point, the folder is the whole
earlier export or the whole new one; stale files go; a folder that is not an export is refused;
disk and name errors are one line."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import folders
from annotator.cli import main
from annotator.folders import MANIFEST, files_under, read_manifest
from annotator.formats import ExportError, export
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]
N_DOCS = 400

pytestmark = pytest.mark.slow


# ---- a project with two states to export ----------------------------------------------------


def _project(db: Path, n_docs: int) -> Store:
    store = Store.open(db)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    docs = [
        Document(id=f"doc-{i:04d}", text=f"Kopie {i}. " + seeds[i % len(seeds)][:400])
        for i in range(n_docs)
    ]
    store.add_documents(docs)
    return store


def _mark(store: Store, ids: range, *, status: DocStatus) -> None:
    for i in ids:
        doc_id = f"doc-{i:04d}"
        span = Span(start=0, end=5, label="PER", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED)
        if not store.decisions(doc_id, "anna"):
            store.replace_decisions(doc_id, "anna", add=[span], action="test")
        store.set_doc_state(DocState(doc_id=doc_id, annotator="anna", status=status))


def state_a(store: Store, n: int) -> None:
    store.ensure_annotator("anna")
    _mark(store, range(0, 3 * n // 4), status=DocStatus.DONE)


def state_b(store: Store, n: int) -> None:
    """Some documents of A no longer done (their files must go), others newly done."""
    _mark(store, range(0, n // 4), status=DocStatus.SKIPPED)
    _mark(store, range(3 * n // 4, n), status=DocStatus.DONE)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, without the manifest's own (it holds a time)."""
    return {f: (folder / f).read_bytes() for f in files_under(folder) if f != MANIFEST}


def assert_whole(folder: Path, *expected: dict[str, bytes]) -> dict[str, bytes]:
    """``folder`` is exactly one of the expected exports, its manifest listing its files."""
    got = snapshot(folder)
    assert any(got == e for e in expected), sorted(set(got) ^ set(expected[0]))[:5]
    manifest = read_manifest(folder)
    assert manifest is not None and sorted(manifest["files"]) == sorted(got)
    return got


def hidden_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".annotator-export-" in p.name)


# ---- fault injection at every step, in process -------------------------------------------


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no clean-up either."""


STEPS = ("_rename", "_exchange", "_remove_tree", "_sync_tree", "_fsync_dir")


def _count_steps(monkeypatch: pytest.MonkeyPatch, fail_at: int | None, how: str) -> list[str]:
    """Wrap every step of the swap (and every file written); the ``fail_at``-th call fails."""
    calls: list[str] = []

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            if fail_at is not None and len(calls) - 1 == fail_at:
                if how == "kill":
                    raise Killed(name)
                raise OSError(errno.EIO, "Input/output error", str(args[-1]))
            return fn(*args, **kwargs)

        return step

    for name in STEPS:
        monkeypatch.setattr(folders, name, wrap(name, getattr(folders, name)))
    import annotator.formats as formats

    staged = wrap("write", formats.Outputs._staged)
    monkeypatch.setattr(formats.Outputs, "_staged", lambda self, name: staged(self, name))
    if how == "kill":  # a killed process cleans nothing up
        monkeypatch.setattr(folders.StagedFolder, "discard", lambda self: None)
    return calls


class Refs(dict[str, dict[str, bytes]]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing case
        return f"<exports {', '.join(self)}>"


@pytest.fixture(scope="module")
def two_states() -> Iterator[tuple[Path, dict[str, dict[str, bytes]]]]:
    """A project file in state A, and the expected brat exports of A and B."""
    tmp = Path(tempfile.mkdtemp(prefix="atomic-"))
    n = 12
    store = _project(tmp / "a.db", n)
    state_a(store, n)
    export(store, "brat", tmp / "ref-a")
    store.close()
    shutil.copy(tmp / "a.db", tmp / "b.db")
    store = Store.open(tmp / "b.db")
    state_b(store, n)
    export(store, "brat", tmp / "ref-b")
    store.close()
    refs = Refs(a=snapshot(tmp / "ref-a"), b=snapshot(tmp / "ref-b"))
    assert refs["a"] != refs["b"] and set(refs["a"]) - set(refs["b"])  # B drops files of A
    yield tmp, refs
    shutil.rmtree(tmp, ignore_errors=True)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), exchange=st.booleans(), how=st.sampled_from(["kill", "error"]))
def test_a_failure_at_any_step_leaves_the_old_or_the_new_export_whole(
    two_states: tuple[Path, dict[str, dict[str, bytes]]],
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
    exchange: bool,
    how: str,
) -> None:
    base, refs = two_states
    work = Path(tempfile.mkdtemp(dir=base))
    try:
        out = work / "export"
        shutil.copytree(base / "ref-a", out)  # the earlier export, in state A
        store = Store.open(shutil.copy(base / "b.db", work / "b.db"))
        with monkeypatch.context() as m:
            if not exchange:  # a system without RENAME_EXCHANGE: two renames and a backup
                m.setattr(folders, "_exchange", lambda a, b: False)
            probe = work / "probe"  # the same export into a copy: how many steps it takes
            shutil.copytree(base / "ref-a", probe)
            calls = _count_steps(m, None, how)
            export(store, "brat", probe)
            shutil.rmtree(probe)
            fail_at = data.draw(st.integers(0, len(calls) - 1), label="fail_at")
            failed = calls[fail_at]
            _count_steps(m, fail_at, how)
            try:
                export(store, "brat", out)
                raised = False
            except (Killed, ExportError):
                raised = True
        if how == "error" and not raised:  # a failure after the swap: the new export, whole
            assert_whole(out, refs["b"])
        elif how == "error":  # a failed step: the old export, untouched
            assert_whole(out, refs["a"])
            if failed != "_remove_tree":  # (a failed clean-up is cleared by the next run)
                assert hidden_leftovers(work) == []
        elif out.exists():  # killed: old or new, whole
            assert_whole(out, refs["a"], refs["b"])
        else:  # killed between the two renames of the fallback: a whole backup is there
            assert not exchange
            assert any("old-" in name for name in hidden_leftovers(work))
        # The next run repairs and clears everything and writes the new export.
        export(store, "brat", out)
        assert_whole(out, refs["b"])
        assert hidden_leftovers(work) == []
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_recovery_alone_puts_back_the_old_export(
    two_states: tuple[Path, dict[str, dict[str, bytes]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the two renames, the next run restores the earlier export before it
    checks the folder: an export that then fails (here: strict alignment) leaves the old one."""
    base, refs = two_states
    work = Path(tempfile.mkdtemp(dir=base))
    out = work / "export"
    shutil.copytree(base / "ref-a", out)
    store = Store.open(shutil.copy(base / "b.db", work / "b.db"))
    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    renames = 0
    original = folders._rename

    def rename(src: Path, dst: Path) -> None:
        nonlocal renames
        renames += 1
        if renames == 2:
            raise Killed()
        original(src, dst)

    with monkeypatch.context() as m:
        m.setattr(folders, "_rename", rename)
        m.setattr(folders.StagedFolder, "discard", lambda self: None)
        with pytest.raises(Killed):
            export(store, "brat", out)
    assert not out.exists()
    folders.StagedFolder(out).recover()
    assert_whole(out, refs["a"])
    assert hidden_leftovers(work) == []
    store.close()


# ---- real kills ------------------------------------------------------------------------------


def _export_proc(db: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "annotator.cli", "export", "--db", str(db)),
            *("--format", "brat", "--annotator", "anna", "--out", str(out)),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_export_killed_at_random_moments_is_old_or_new_whole(tmp_path: Path) -> None:
    """SIGKILL a real ``annotator export`` of 400 documents (800 files) at random moments."""
    store = _project(tmp_path / "p.db", N_DOCS)
    state_a(store, N_DOCS)
    out = tmp_path / "exports" / "brat"
    export(store, "brat", out)
    export(store, "brat", tmp_path / "ref-a")
    state_b(store, N_DOCS)
    export(store, "brat", tmp_path / "ref-b")
    store.close()
    refs = [snapshot(tmp_path / "ref-a"), snapshot(tmp_path / "ref-b")]
    assert refs[0] != refs[1]

    t0 = time.perf_counter()
    proc = _export_proc(tmp_path / "p.db", tmp_path / "timing")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    duration = time.perf_counter() - t0

    rng = random.Random(2016)
    seen: set[int] = set()
    for _ in range(8):
        proc = _export_proc(tmp_path / "p.db", out)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        got = assert_whole(out, *refs)
        seen.add(refs.index(got))
    proc = _export_proc(tmp_path / "p.db", out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert_whole(out, refs[1])
    assert hidden_leftovers(out.parent) == []


# ---- which folders may be replaced ------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Store]:
    store = _project(tmp_path / "p.db", 6)
    state_a(store, 6)
    yield store
    store.close()


def test_re_export_removes_stale_files(small: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(small, "jsonl", out, split="50/50")
    assert {"train.jsonl", "dev.jsonl"} <= set(os.listdir(out))
    export(small, "jsonl", out)
    assert sorted(os.listdir(out)) == [MANIFEST, "all.jsonl"]


def test_a_folder_that_is_not_an_export_is_refused_unless_force(
    small: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(ExportError, match="not an earlier export"):
        export(small, "jsonl", out)
    assert os.listdir(out) == ["notes.txt"]
    argv = ["export", "--db", str(small.path), "--format", "jsonl", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert main([*argv, "--force"]) == 0
    assert sorted(os.listdir(out)) == [MANIFEST, "all.jsonl"]
    assert "1 file(s) that were no export replaced" in capsys.readouterr().out


def test_a_file_added_to_an_export_is_not_deleted_silently(small: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(small, "conll", out)
    (out / "README.md").write_text("how we made it", encoding="utf-8")
    with pytest.raises(ExportError, match=r"README\.md"):
        export(small, "conll", out)
    assert (out / "README.md").exists()


def test_an_empty_folder_and_gitkeep_are_fine(small: Store, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    (out / ".gitkeep").write_text("", encoding="utf-8")
    export(small, "conll", out)
    export(small, "conll", out)
    assert sorted(os.listdir(out)) == [MANIFEST, ".gitkeep", "all.conll"]


def test_the_folder_of_the_project_file_is_never_replaced(small: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="project file"):
        export(small, "jsonl", tmp_path, force=True)
    assert (tmp_path / "p.db").exists()


def test_the_current_folder_and_its_parents_are_never_replaced(
    small: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    (work / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(work)
    for target in (work, work.parent, Path(".")):
        with pytest.raises(ExportError, match="current folder"):
            export(small, "jsonl", target, force=True)
    assert (work / "notes.txt").read_text(encoding="utf-8") == "mine"


# ---- one-line errors -----------------------------------------------------------------------


def _run_export(
    small: Store, out: Path, capsys: pytest.CaptureFixture[str], fmt: str = "jsonl"
) -> str:
    argv = ["export", "--db", str(small.path), "--format", fmt, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_read_only_output_folder_is_one_line(
    small: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    original = Path.mkdir

    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.parent == ro:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)  # root ignores chmod; a read-only mount
    err = _run_export(small, ro / "out", capsys)
    assert "Read-only file system" in err and str(ro) in err
    assert os.listdir(ro) == []


def test_full_disk_is_one_line_and_keeps_the_old_export(
    small: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import annotator.formats as formats

    out = tmp_path / "out"
    export(small, "jsonl", out)
    before = snapshot(out)
    original = formats.Outputs._staged

    def full(self: formats.Outputs, name: str) -> Path:
        original(self, name)
        return Path("/dev/full")  # every write to it fails with ENOSPC, like a full disk

    monkeypatch.setattr(formats.Outputs, "_staged", full)
    err = _run_export(small, out, capsys)
    assert "no space left" in err
    assert snapshot(out) == before
    assert hidden_leftovers(tmp_path) == []


def test_over_long_names_are_one_line(
    small: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _run_export(small, tmp_path / ("x" * 300), capsys)
    assert "too long" in err.lower()
    small.add_documents([Document(id="y" * 300, text="Ein langer Name.")])
    small.set_doc_state(DocState(doc_id="y" * 300, annotator="anna", status=DocStatus.DONE))
    err = _run_export(small, tmp_path / "brat", capsys, fmt="brat")
    assert "too long" in err.lower()
    assert not (tmp_path / "brat").exists()
    assert hidden_leftovers(tmp_path) == []
