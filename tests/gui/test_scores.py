"""Scores in the window: the span list sorts by them, "accept confident" keeps to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.gui.actions import ACTIONS, CONFIDENT_SCORE
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

from .conftest import DOC, Answers, open_window, pattern_spans

Key = Qt.Key
Mod = Qt.KeyboardModifier


@pytest.fixture
def scored(project: Store) -> Store:
    """The seed project with suggestions whose scores differ: 0.95, 0.5, 0.85, 0.3, ..."""
    cycle = (0.95, 0.5, 0.85, 0.3)
    batches = []
    for document in project.iter_documents():
        spans = pattern_spans(document.text, project)
        spans = [s.model_copy(update={"score": cycle[i % 4]}) for i, s in enumerate(spans)]
        batches.append((document.id, spans))
    project.save_suggestions(batches, origin="test-model", version="1")
    return project


@pytest.fixture
def window(qtbot: Any, scored: Store, answers: Answers, tmp_path: Path) -> Any:
    return open_window(qtbot, scored, DOC, tmp_path)


def _shown_scores(window: Any) -> list[float]:
    model = window.spans.model()
    column = 3  # Score
    return [float(model.index(row, column).data()) for row in range(model.rowCount())]


def test_the_keys_are_in_the_key_sheet() -> None:
    names = {spec.name: spec for spec in ACTIONS}
    assert names["sort_by_score"].keys and names["accept_confident"].keys
    assert f"{CONFIDENT_SCORE:.2f}" in names["accept_confident"].text


def test_sort_by_score_and_back_keeps_the_selection(qtbot: Any, window: Any) -> None:
    by_position = _shown_scores(window)
    assert by_position != sorted(by_position, reverse=True)  # the fixture mixes them
    selected = window.doc.selected
    qtbot.keyClick(window.article, Key.Key_S, Mod.ControlModifier | Mod.ShiftModifier)
    assert _shown_scores(window) == sorted(by_position, reverse=True)
    assert window.doc.selected == selected
    row = window.spans.currentIndex().row()
    shown = window.spans.model().index(row, 0).data()
    assert shown == window.doc.text[selected[0] : selected[1]]
    # choosing a row selects that row's span, in sorted order too
    window.spans.setCurrentIndex(window.spans.model().index(0, 0))
    assert window.doc.selected_span.score == max(by_position)
    qtbot.keyClick(window.article, Key.Key_S, Mod.ControlModifier | Mod.ShiftModifier)
    assert _shown_scores(window) == by_position


def test_accept_confident_takes_only_the_high_scores(
    qtbot: Any, window: Any, scored: Store
) -> None:
    pending = current_suggestions(scored, DOC)
    high = {s.key for s in pending if s.score is not None and s.score >= CONFIDENT_SCORE}
    assert high and len(high) < len(pending)
    qtbot.keyClick(window.article, Key.Key_A, Mod.ControlModifier | Mod.ShiftModifier)
    accepted = {s.key for s in scored.decisions(DOC, "tester") if s.status.value == "accepted"}
    assert accepted == high
    qtbot.keyClick(window.article, Key.Key_Z, Mod.ControlModifier)  # one undo step
    assert list(scored.decisions(DOC, "tester")) == []
