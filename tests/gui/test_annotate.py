"""The annotate window driven with keys; every effect is read back from the store."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.model import DocStatus, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

from .conftest import DOC, Answers, open_window

Key = Qt.Key
Mod = Qt.KeyboardModifier


def decisions(store: Store, doc_id: str = DOC) -> dict[tuple[int, int, str], str]:
    return {s.key: s.status.value for s in store.decisions(doc_id, "tester")}


def press(qtbot: Any, window: Any, key: Any, modifier: Any = Mod.NoModifier) -> None:
    qtbot.keyClick(window.article, key, modifier)


def test_opens_on_the_first_pending_suggestion(window: Any) -> None:
    span = window.doc.selected_span
    assert span is not None
    assert span.status == SpanStatus.SUGGESTED
    assert window.doc.text[span.start : span.end] == "Trump"
    assert "Document 3 of 5" in window.where.text()


def test_accept_writes_and_moves_to_next_suggestion(
    qtbot: Any, window: Any, suggested: Store
) -> None:
    first = window.doc.selected
    press(qtbot, window, Key.Key_Return)
    assert decisions(suggested) == {first: "accepted"}
    assert window.doc.selected != first
    assert window.doc.selected_span.status == SpanStatus.SUGGESTED
    assert window.doc.span(first).status == SpanStatus.ACCEPTED


def test_reject(qtbot: Any, window: Any, suggested: Store) -> None:
    first = window.doc.selected
    press(qtbot, window, Key.Key_X)
    assert decisions(suggested) == {first: "rejected"}
    assert "1 rejected" in window.counts.text()


def test_accept_all_is_one_undo_step(qtbot: Any, window: Any, suggested: Store) -> None:
    pending = [s.key for s in current_suggestions(suggested, DOC)]
    assert len(pending) > 5
    press(qtbot, window, Key.Key_A, Mod.ShiftModifier)
    assert decisions(suggested) == dict.fromkeys(pending, "accepted")
    assert "0 suggestions left" in window.counts.text()
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert decisions(suggested) == {}
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)
    assert decisions(suggested) == dict.fromkeys(pending, "accepted")


def test_undo_and_redo_of_accept_and_reject(qtbot: Any, window: Any, suggested: Store) -> None:
    first = window.doc.selected
    press(qtbot, window, Key.Key_Return)
    second = window.doc.selected
    press(qtbot, window, Key.Key_X)
    assert decisions(suggested) == {first: "accepted", second: "rejected"}
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert decisions(suggested) == {first: "accepted"}
    assert window.doc.selected == second  # undo shows what it undid
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert decisions(suggested) == {}
    press(qtbot, window, Key.Key_Y, Mod.ControlModifier)
    press(qtbot, window, Key.Key_Y, Mod.ControlModifier)
    assert decisions(suggested) == {first: "accepted", second: "rejected"}


def test_add_by_mouse_selection_snaps_to_the_token(
    qtbot: Any, window: Any, suggested: Store
) -> None:
    text = window.doc.text
    i = text.index("Lukashenko")
    window.article.select_offsets(i + 2, i + 5)  # "kas"
    press(qtbot, window, Key.Key_P)
    assert decisions(suggested) == {(i, i + len("Lukashenko"), "PER"): "accepted"}
    assert window.doc.selected == (i, i + len("Lukashenko"), "PER")


def test_snapping_off_keeps_the_exact_selection(qtbot: Any, window: Any, suggested: Store) -> None:
    i = window.doc.text.index("Lukashenko")
    qtbot.keyClick(window.article, Key.Key_T, Mod.ControlModifier)
    assert not window.actions_by_name["snapping"].isChecked()
    window.article.select_offsets(i, i + 4)
    press(qtbot, window, Key.Key_P)
    assert decisions(suggested) == {(i, i + 4, "PER"): "accepted"}


def test_add_by_keyboard_selection_after_emoji_crlf_and_tab(
    qtbot: Any, store_with_tricky_text: tuple[Store, str], answers: Answers, tmp_path: Any
) -> None:
    store, doc_id = store_with_tricky_text
    window = open_window(qtbot, store, doc_id, tmp_path)
    text = store.document(doc_id).text
    # Find the word with Qt's own search, so the test does not rely on our conversion.
    found = window.article.document().find("Lukaschenko", 0, QTextDocument.FindFlag(0))
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(found.selectionStart())
    window.article.setTextCursor(cursor)
    for _ in range(len("Lukaschenko")):
        press(qtbot, window, Key.Key_Right, Mod.ShiftModifier)
    press(qtbot, window, Key.Key_P)
    start = text.index("Lukaschenko")
    assert decisions(store, doc_id) == {(start, start + len("Lukaschenko"), "PER"): "accepted"}
    # a second one over a word carrying a combining mark: the mark belongs to the token
    j = text.index("Treffen\u0301")
    window.article.select_offsets(j, j + len("Treffen"))
    press(qtbot, window, Key.Key_1)
    key = (j, j + len("Treffen\u0301"), "MEETING")
    assert key in decisions(store, doc_id)
    # the view paints the stored span over the same characters Qt holds
    qs, qe = window.article.qt_range(window.doc.span(key))
    c = QTextCursor(window.article.document())
    c.setPosition(qs)
    c.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
    assert c.selectedText() == "Treffen\u0301"


def test_relabel_selected_span(qtbot: Any, window: Any, suggested: Store) -> None:
    span = window.doc.selected_span
    press(qtbot, window, Key.Key_O)
    assert decisions(suggested) == {
        span.key: "rejected",  # the model's PER stays rejected, so it does not come back
        (span.start, span.end, "ORG"): "accepted",
    }
    assert window.doc.selected == (span.start, span.end, "ORG")


def test_resize_by_a_token_at_both_ends(qtbot: Any, window: Any, suggested: Store) -> None:
    span = window.doc.selected_span
    text = window.doc.text
    press(qtbot, window, Key.Key_Right, Mod.AltModifier | Mod.ShiftModifier)  # grow end
    grown = window.doc.selected_span
    assert text[grown.start : grown.end] == "Trump führt"
    assert (grown.start, grown.end, "PER") in decisions(suggested)
    press(qtbot, window, Key.Key_Left, Mod.AltModifier)  # grow start
    grown = window.doc.selected_span
    assert text[grown.start : grown.end] == "Präsident Trump führt"
    press(qtbot, window, Key.Key_Left, Mod.AltModifier | Mod.ShiftModifier)  # shrink end
    press(qtbot, window, Key.Key_Right, Mod.AltModifier)  # shrink start
    final = window.doc.selected_span
    assert (final.start, final.end) == (span.start, span.end)
    assert decisions(suggested)[(span.start, span.end, "PER")] == "accepted"
    assert len([k for k, v in decisions(suggested).items() if v == "accepted"]) == 1


def test_delete_accepted_span(qtbot: Any, window: Any, suggested: Store) -> None:
    i = window.doc.text.index("Lukashenko")
    window.article.select_offsets(i, i + len("Lukashenko"))
    press(qtbot, window, Key.Key_P)
    press(qtbot, window, Key.Key_Delete)
    assert decisions(suggested) == {}
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert decisions(suggested) == {(i, i + len("Lukashenko"), "PER"): "accepted"}


def test_next_and_previous_span(qtbot: Any, window: Any) -> None:
    keys = [s.key for s in window.doc.spans]
    press(qtbot, window, Key.Key_J)
    assert window.doc.selected == keys[1]
    press(qtbot, window, Key.Key_K)
    press(qtbot, window, Key.Key_K)
    assert window.doc.selected == keys[-1]


def test_done_and_next_then_undo(qtbot: Any, window: Any, suggested: Store) -> None:
    press(qtbot, window, Key.Key_Return, Mod.ControlModifier)
    assert suggested.doc_state(DOC, "tester").status == DocStatus.DONE
    assert window.doc.doc_id != DOC
    assert suggested.doc_state(window.doc.doc_id, "tester").status == DocStatus.TODO
    assert window.doc_list.progress.value() == 1
    press(qtbot, window, Key.Key_Z, Mod.ControlModifier)
    assert window.doc.doc_id == DOC
    assert suggested.doc_state(DOC, "tester").status != DocStatus.DONE


def test_finishing_a_done_document_again_does_not_count_toward_training(
    qtbot: Any, window: Any, suggested: Store
) -> None:
    class CountingLearning:
        done = 0

        def document_done(self) -> None:
            self.done += 1

        def stop(self) -> None:
            pass

    learning = CountingLearning()
    window.learning = learning
    press(qtbot, window, Key.Key_Return, Mod.ControlModifier)
    assert suggested.doc_state(DOC, "tester").status == DocStatus.DONE
    assert learning.done == 1
    window.go_to(DOC)
    press(qtbot, window, Key.Key_Return, Mod.ControlModifier)  # already done
    assert suggested.doc_state(DOC, "tester").status == DocStatus.DONE
    assert window.doc.doc_id != DOC  # it still moves on
    assert learning.done == 1  # but counts once


def test_skip_flag_and_comment(qtbot: Any, window: Any, suggested: Store) -> None:
    press(qtbot, window, Key.Key_F)
    press(qtbot, window, Key.Key_C)
    state = suggested.doc_state(DOC, "tester")
    assert state.flagged
    assert state.comment == "checked twice"
    assert "flagged" in window.header_state.text()
    press(qtbot, window, Key.Key_Return, Mod.ControlModifier | Mod.ShiftModifier)
    assert suggested.doc_state(DOC, "tester").status == DocStatus.SKIPPED


def test_next_and_previous_document(qtbot: Any, window: Any) -> None:
    press(qtbot, window, Key.Key_PageDown, Mod.ControlModifier)
    assert window.doc.doc_id == "003_8aa0e316d7bbe749"
    press(qtbot, window, Key.Key_PageUp, Mod.ControlModifier)
    press(qtbot, window, Key.Key_PageUp, Mod.ControlModifier)
    assert window.doc.doc_id == "001_24bba3d1cc5dfb70"


def test_edit_elsewhere_is_reported_and_reloaded(
    qtbot: Any, window: Any, suggested: Store, answers: Answers
) -> None:
    other = Store.open(suggested.path)
    try:
        from annotator.session import Session

        theirs = Session(other, "tester")
        theirs.open(DOC)
        span = theirs.spans(DOC)[-1]
        theirs.execute(theirs.accept(DOC, span))
    finally:
        other.close()
    press(qtbot, window, Key.Key_Return)
    assert len(answers.errors) == 1
    assert "changed" in answers.errors[0]
    assert decisions(suggested) == {span.key: "accepted"}  # ours was not written
    assert window.doc.span(span.key).status == SpanStatus.ACCEPTED  # and the view shows theirs
    assert window.undo_stack.count() == 0


def test_label_key_without_selection_or_span_says_what_to_do(qtbot: Any, window: Any) -> None:
    press(qtbot, window, Key.Key_Escape)
    assert window.doc.selected is None
    press(qtbot, window, Key.Key_P)
    assert "Select text" in window.statusBar().currentMessage()


def test_help_sheet_lists_every_key(qtbot: Any, window: Any) -> None:
    from annotator.gui.help import HelpSheet

    press(qtbot, window, Key.Key_F1)
    sheets = window.findChildren(HelpSheet)
    assert len(sheets) == 1
    table = sheets[0].table
    cells = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert {"Return, Space", "Shift+A", "Ctrl+Z", "P", "1"} <= cells


def test_ctrl_u_goes_to_the_most_uncertain_open_document_next(
    qtbot: Any, window: Any, suggested: Store
) -> None:
    from annotator.model import Span, SpanKind

    # one document, not the next in import order, gets a model suggestion scored 0.5
    ids = suggested.document_ids()
    unsure = [d for d in ids if d != DOC][-1]
    suggested.save_suggestions(
        [(unsure, [Span(start=0, end=1, label="MISC", kind=SpanKind.ENTITY, score=0.5)])],
        origin="unsure-model",
        version="1",
    )
    expected = max(
        (d for d in ids if d != DOC),
        key=lambda d: (suggested.uncertainty_by_document().get(d, 0.0), -ids.index(d)),
    )
    assert expected == unsure and ids[ids.index(DOC) + 1] != unsure
    press(qtbot, window, Key.Key_U, Mod.ControlModifier)
    assert window.actions_by_name["uncertain_first"].isChecked()
    assert "most uncertain first" in window.statusBar().currentMessage()
    press(qtbot, window, Key.Key_Return, Mod.ControlModifier)
    assert window.doc.doc_id == unsure
    press(qtbot, window, Key.Key_U, Mod.ControlModifier)  # back to import order
    assert window.session.queue_order == "import"
