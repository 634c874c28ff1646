"""The window learns: marking a document done refreshes the memory off the UI thread, and the
retraining runner reports progress and its result through signals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.learn import BackgroundTraining, parse_progress, train_argv
from annotator.store import Store
from annotator.suggest.memory import MEMORY_ORIGIN

from .conftest import DOC

pytestmark = pytest.mark.gui


def test_done_refreshes_the_memory_and_the_open_document_shows_it(
    qtbot: Any, window: Any, suggested: Store
) -> None:
    window.learning.settings.setValue("learning/retrain_every", 0)  # no training here
    first = window.doc.selected_span
    assert window.doc.text[first.start : first.end] == "Trump"
    # "Trump" as ORG (the test model says PER everywhere, so ORG can only come from memory)
    qtbot.keyClick(window.article, Qt.Key.Key_O)
    window.go_to("004_fd51d1ede107031f")
    qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    def memory_spans() -> list[Any]:
        return [s for s in window.doc.spans if s.origin == MEMORY_ORIGIN]

    window.go_to("000_3ceaf76258df9ab5")
    # the refresh runs in a worker thread; the open document is reread when it changed
    qtbot.waitUntil(lambda: bool(memory_spans()), timeout=15000)
    (span,) = memory_spans()
    assert window.doc.text[span.start : span.end] == "Trump" and span.label == "ORG"
    assert window.learning.done_since_training == 1


def test_progress_lines_are_read_back() -> None:
    assert parse_progress("[ 42%] step 80 (loss 3.1)\n") == (0.42, "step 80 (loss 3.1)")
    assert parse_progress("[100%] done") == (1.0, "done")
    assert parse_progress("held-out F1 ...") is None
    argv = train_argv(Path("p.db"), max_steps=5)
    assert argv[:4] == [sys.executable, "-m", "annotator.cli", "train"]
    assert argv[-2:] == ["--max-steps", "5"] and "--json" in argv
    assert train_argv(Path("p.db"), annotator="anna")[-2:] == ["--annotator", "anna"]


def test_the_status_bar_says_the_decision_with_both_figures_and_their_spread() -> None:
    from annotator.gui.learning import trained_message

    project = {"units": 8, "current": 0.61, "new": 0.72, "low": 0.03, "high": 0.19}
    general = {"units": 574, "current": 0.8, "new": 0.79, "low": -0.03, "high": 0.01}
    used = {"version": "v002", "activated": True, "project": project, "general": general}
    line = trained_message(used)
    assert line.startswith("Model v002 in use")
    assert "0.610 -> 0.720 (gain +0.030 to +0.190)" in line
    assert "general German 0.800 -> 0.790 (gain -0.030 to +0.010)" in line
    refused = {**used, "activated": False, "reason": "not better by more than the noise"}
    assert trained_message(refused).startswith("Model v002 not used: not better by more")


@pytest.mark.slow
def test_background_training_reports_a_refusal_as_one_line(qtbot: Any, suggested: Store) -> None:
    assert suggested.path is not None
    done: list[tuple[Any, str]] = []
    runner = BackgroundTraining(
        suggested.path, on_progress=lambda f, t: None, on_done=lambda r, m: done.append((r, m))
    )
    runner.start()
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    result, message = done[0]
    assert result is None
    assert "needs at least 3 documents" in message
    assert not runner.running
    assert DOC  # the seed project: nothing marked done yet
