"""``annotator gui --screenshot`` never writes the project: no annotator registered, no
suggestions stored, the file's bytes unchanged and nothing left beside it, so ``export`` still
finds the project's only annotator. The suggestions in the picture are computed in memory."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from annotator.model import DocState, DocStatus, Document, Span, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Putin traf Lukaschenko in Minsk. Danach reiste er nach Moskau."


def _project(path: Path) -> None:
    with Store.open(path) as store:
        store.add_documents([Document(id="d1", text=TEXT), Document(id="d2", text=TEXT + " Ja.")])
        store.replace_decisions(
            "d1",
            "anna",
            add=[Span(start=0, end=5, label="PER", status=SpanStatus.ACCEPTED)],
            action="accept",
        )
        store.set_doc_state(DocState(doc_id="d1", annotator="anna", status=DocStatus.DONE))


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _stats(db: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "stats", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


class _Fixed:
    """A suggester that proposes LOC on every 'Minsk' (the window's factory interface)."""

    name = "fixed"
    version = "1"

    def suggest(self, texts: Sequence[str], *, n_process: int = 1) -> Iterator[list[Span]]:
        for text in texts:
            at = text.find("Minsk")
            yield [Span(start=at, end=at + 5, label="LOC")] if at >= 0 else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    db = folder / "p.db"
    _project(db)
    return db


@pytest.mark.slow
def test_a_screenshot_from_the_command_line_changes_nothing(project: Path, tmp_path: Path) -> None:
    """The real entry point with the built-in model: another annotator name, a document."""
    before_files, before_stats = _state(project.parent), _stats(project)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "annotator.cli",
            "gui",
            "--db",
            str(project),
            "--screenshot",
            str(shot),
            "--annotator",
            "someone-else",
            "--document",
            "d2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 0
    assert _state(project.parent) == before_files  # same bytes, nothing beside the file
    assert _stats(project) == before_stats
    out = tmp_path / "out"
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "annotator.cli",
            "export",
            "--format",
            "jsonl",
            "--db",
            str(project),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert export.returncode == 0, export.stderr  # still one annotator: no --annotator needed


def test_the_screenshot_shows_suggestions_computed_in_memory(
    project: Path, tmp_path: Path, qapp: object
) -> None:
    from annotator.gui import app as gui_app

    before = _state(project.parent)
    shown: list[list[Span]] = []
    real = gui_app.save_screenshot

    def spy(app: object, window: object, target: Path) -> int:
        shown.append(list(window.doc.spans))  # type: ignore[attr-defined]
        return real(app, window, target)  # type: ignore[arg-type]

    gui_app.save_screenshot = spy  # type: ignore[assignment]
    try:
        code = gui_app.run(
            project,
            annotator="bert",
            screenshot=tmp_path / "s.png",
            document="d2",
            suggester=_Fixed,
        )
    finally:
        gui_app.save_screenshot = real  # type: ignore[assignment]
    assert code == 0
    at = TEXT.find("Minsk")
    assert any(s.label == "LOC" and (s.start, s.end) == (at, at + 5) for s in shown[0])
    assert _state(project.parent) == before
    with Store.open_for_reading(project) as store:
        assert store.annotators() == ["anna"]
        assert current_suggestions(store, "d2") == []


def test_a_read_only_store_keeps_suggestions_in_memory_and_refuses_other_writes(
    project: Path,
) -> None:
    before = _state(project.parent)
    with Store.open_for_reading(project) as store:
        n = store.save_suggestions(
            [("d1", [Span(start=6, end=10, label="PER")])], origin="m", version="2"
        )
        assert n == 1 and store.has_suggestion_run("d1", "m", "2")
        assert [(s.start, s.end, s.origin) for s in current_suggestions(store, "d1")] == [
            (6, 10, "m")
        ]
        store.ensure_annotator("someone")
        with pytest.raises(Exception, match="read-only"):
            store.set_doc_state(DocState(doc_id="d1", annotator="someone"))
    assert _state(project.parent) == before


def test_a_review_screenshot_changes_nothing(project: Path, tmp_path: Path, qapp: object) -> None:
    from annotator.gui import app as gui_app

    with Store.open(project, create=False) as store:  # a second annotator done: reviewable
        store.replace_decisions(
            "d1",
            "ben",
            add=[Span(start=0, end=4, label="PER", status=SpanStatus.ACCEPTED)],
            action="accept",
        )
        store.set_doc_state(DocState(doc_id="d1", annotator="ben", status=DocStatus.DONE))
    before = _state(project.parent)
    shot = tmp_path / "r.png"
    assert gui_app.run(project, annotator="rita", screenshot=shot, document="d1", review=True) == 0
    assert (tmp_path / "r.png").stat().st_size > 0
    assert _state(project.parent) == before
