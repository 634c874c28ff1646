"""The span-editing controller both windows share: the same keys on the annotate window and on the
review window do the same to the span, read back through the store (the annotator's decisions in
one, the gold version in the other)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.model import SpanStatus
from annotator.store import Store
from tests.unit.test_review_adjudicate import ANNA, TEXT, build_review_project

from .conftest import Answers

pytestmark = pytest.mark.gui

Key = Qt.Key
Mod = Qt.KeyboardModifier
DOC = "d1"


@dataclass
class Opened:
    kind: str
    window: Any
    store: Store
    baseline: set[tuple[str, str]]

    def saved(self) -> set[tuple[str, str]]:
        """What the window's owner has as accepted spans, as stored, beyond what it had when
        the window opened (the review window pre-accepts the agreed span)."""
        if self.kind == "annotate":
            spans = [
                s for s in self.store.decisions(DOC, "tester") if s.status == SpanStatus.ACCEPTED
            ]
        else:
            spans = self.store.gold_spans(DOC)
        return {(TEXT[s.start : s.end], s.label) for s in spans} - self.baseline

    def press(self, key: Qt.Key, mod: Qt.KeyboardModifier = Mod.NoModifier) -> None:
        from pytestqt.qtbot import QtBot

        QtBot.keyClick(self.window.article, key, mod)

    def select_text(self, part: str, *, length: int | None = None) -> None:
        """Select the first ``part`` of the text (only its first ``length`` characters)."""
        start = TEXT.index(part)
        self.window.article.select_offsets(start, start + (length or len(part)))


def _gold_or_decisions(store: Store, kind: str) -> set[tuple[str, str]]:
    if kind == "annotate":
        spans = [s for s in store.decisions(DOC, "tester") if s.status == SpanStatus.ACCEPTED]
    else:
        spans = store.gold_spans(DOC)
    return {(TEXT[s.start : s.end], s.label) for s in spans}


@pytest.fixture(params=["annotate", "review"])
def opened(request: Any, qtbot: Any, tmp_path: Path, answers: Answers) -> Iterator[Opened]:
    from annotator.gui.main_window import MainWindow, settings_for
    from annotator.gui.review_window import ReviewWindow

    store = Store.open(tmp_path / "project.db")
    build_review_project(store)
    # the annotate window has spans to step through too: anna's, as suggestions
    store.save_suggestions([(DOC, ANNA)], origin="test-model", version="1")
    kind = request.param
    if kind == "annotate":
        window = MainWindow(store, "tester", settings=settings_for(tmp_path / "s.ini"))
    else:
        window = ReviewWindow(store, "rita")
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_first(DOC)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts only reach an active window
    window.article.setFocus()
    yield Opened(kind, window, store, _gold_or_decisions(store, kind))
    window.close()
    store.close()


def test_add_relabel_grow_undo_redo_delete(opened: Opened) -> None:
    opened.select_text("Ben")
    opened.press(Key.Key_P)
    assert opened.saved() == {("Ben", "PER")}
    assert opened.window.doc.selected == (TEXT.index("Ben"), TEXT.index("Ben") + 3, "PER")
    opened.press(Key.Key_O)  # relabel the new (selected) span
    assert opened.saved() == {("Ben", "ORG")}
    opened.press(Key.Key_Right, Mod.AltModifier | Mod.ShiftModifier)  # the end a token later
    assert opened.saved() == {("Ben in", "ORG")}
    opened.press(Key.Key_Left, Mod.AltModifier)  # the start a token earlier
    assert opened.saved() == {("traf Ben in", "ORG")}
    opened.press(Key.Key_Right, Mod.AltModifier)  # and back
    assert opened.saved() == {("Ben in", "ORG")}
    opened.press(Key.Key_Z, Mod.ControlModifier)
    opened.press(Key.Key_Z, Mod.ControlModifier)
    opened.press(Key.Key_Z, Mod.ControlModifier)
    assert opened.saved() == {("Ben", "ORG")}
    opened.press(Key.Key_Z, Mod.ControlModifier)
    assert opened.saved() == {("Ben", "PER")}
    opened.press(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert opened.saved() == {("Ben", "ORG")}
    opened.press(Key.Key_Delete)
    assert opened.saved() == set()


def test_the_snapping_toggle_holds_in_both_windows(opened: Opened) -> None:
    opened.select_text("Ben", length=2)  # part of a word
    opened.press(Key.Key_P)
    assert opened.saved() == {("Ben", "PER")}  # snapped to the token
    opened.press(Key.Key_T, Mod.ControlModifier)  # snapping off
    assert not opened.window.actions_by_name["snapping"].isChecked()
    opened.select_text("Berlin", length=5)
    opened.press(Key.Key_L)
    assert opened.saved() == {("Ben", "PER"), ("Berli", "LOC")}  # exactly the selection


def test_select_and_step_in_reading_order(opened: Opened) -> None:
    doc = opened.window.doc
    spans = doc.spans
    assert len(spans) >= 3
    opened.press(Key.Key_Escape)
    assert doc.selected is None
    opened.press(Key.Key_J)
    assert doc.selected == spans[0].key
    opened.press(Key.Key_J)
    assert doc.selected == spans[1].key
    opened.press(Key.Key_K)
    assert doc.selected == spans[0].key
    opened.press(Key.Key_K)
    assert doc.selected == spans[-1].key  # wraps


def test_a_label_key_with_nothing_selected_says_what_to_do(opened: Opened) -> None:
    opened.press(Key.Key_Escape)
    opened.press(Key.Key_P)
    assert "Select text" in opened.window.statusBar().currentMessage()
    assert opened.saved() == set()


def test_an_edit_elsewhere_is_reported_nothing_written_and_reloaded(
    opened: Opened, answers: Answers
) -> None:
    from annotator.review.session import ReviewSession
    from annotator.session import Session

    start = TEXT.index("Ben")
    other = Store.open(opened.store.path)
    try:
        if opened.kind == "annotate":
            theirs: Any = Session(other, "tester")
        else:
            theirs = ReviewSession(other, "rita")
        theirs.open(DOC)
        theirs.execute(theirs.add(DOC, start, start + 3, "ORG"))
    finally:
        other.close()
    opened.select_text("Ben")
    opened.press(Key.Key_P)
    assert len(answers.errors) == 1 and "changed" in answers.errors[0]
    assert opened.saved() == {("Ben", "ORG")}  # theirs; ours was not written
    assert opened.window.doc.span((start, start + 3, "ORG")) is not None  # the view shows theirs
    assert opened.window.undo_stack.count() == 0
    opened.select_text("Ben")  # after the reload, editing works again
    opened.press(Key.Key_P)
    assert opened.saved() == {("Ben", "ORG"), ("Ben", "PER")}


def test_any_user_error_of_an_edit_goes_to_the_status_bar_and_a_fault_is_raised(
    opened: Opened,
) -> None:
    """Both windows: an edit refused for a reason the person can fix (here a project error, not
    only a span's) is told in the status bar and nothing is pushed; a program fault is not
    swallowed."""
    from annotator.store import StoreError

    editor = opened.window.editor
    steps = editor.undo_stack.count()

    def refused() -> None:
        raise StoreError("project.db is read-only")

    assert editor.build(refused) is False
    assert "project.db is read-only" in opened.window.statusBar().currentMessage()
    assert editor.undo_stack.count() == steps

    def faulty() -> None:
        raise KeyError("internal")

    with pytest.raises(KeyError):
        editor.build(faulty)
