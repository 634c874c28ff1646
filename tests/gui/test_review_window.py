"""The review flow driven by keys: resolve an agreement and three kinds of disagreement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence

from annotator.gui.actions import REVIEW, actions_of
from annotator.gui.help import help_rows
from annotator.gui.review_window import ReviewWindow
from annotator.model import DocState, DocStatus, Document, SpanStatus
from annotator.store import Store
from tests.unit.test_review_adjudicate import TEXT, build_review_project, work_snapshot

pytestmark = pytest.mark.gui


@pytest.fixture
def window(store: Store, qtbot) -> Iterator[ReviewWindow]:  # type: ignore[no-untyped-def]
    build_review_project(store)
    w = ReviewWindow(store, "rita")
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.open_first()
    w.article.setFocus()
    yield w


def key(
    qtbot, w: ReviewWindow, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(w.article, k, mod)


def gold(store: Store) -> set[tuple[str, str, str]]:
    return {(TEXT[g.start : g.end], g.label, g.origin) for g in store.gold_spans("d1")}


def test_review_by_keys(window: ReviewWindow, store: Store, qtbot) -> None:  # type: ignore[no-untyped-def]
    before = work_snapshot(store)
    doc = window.doc
    # opened on the first unresolved disagreement, agreement pre-accepted
    assert gold(store) == {("Anna Berg", "PER", "agreed")}
    assert doc.current_disagreement is not None
    assert TEXT[doc.current_disagreement.start : doc.current_disagreement.end] == "Berlin"
    assert "1 of 3" in window.variants.title.text()

    key(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # take anna's Berlin
    assert ("Berlin", "LOC", "variant:anna") in gold(store)
    # moved on to the label disagreement: take ben's ORG
    assert TEXT[doc.current_disagreement.start : doc.current_disagreement.end] == "Paris"  # type: ignore[union-attr]
    key(qtbot, window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert ("Paris", "ORG", "variant:ben") in gold(store)
    # boundary: V chooses the next variant, X rejects it, Return accepts the other
    d = doc.current_disagreement
    assert d is not None and TEXT[d.start : d.end] == "zum Gipfel"
    first = doc.current_variant
    assert first is not None
    key(qtbot, window, Qt.Key.Key_X)
    rows = {(g.key, g.status) for g in store.gold_spans("d1", include_rejected=True)}
    assert all((s.key, SpanStatus.REJECTED) in rows for s in first.spans)
    key(qtbot, window, Qt.Key.Key_Return)
    assert doc.unresolved() == []
    other = next(v for v in d.variants if v != first)
    (span,) = other.spans
    chosen = (TEXT[span.start : span.end], "MEETING", other.source)
    assert gold(store) == {
        ("Anna Berg", "PER", "agreed"),
        ("Berlin", "LOC", "variant:anna"),
        ("Paris", "ORG", "variant:ben"),
        chosen,
    }

    # undo and redo through the window's stack
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.unresolved()) == 1
    key(
        qtbot,
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert doc.unresolved() == []

    # edit as in annotate mode: select "Ben", press the PER key
    start = TEXT.index("Ben")
    window.article.select_offsets(start, start + 3)
    key(qtbot, window, Qt.Key.Key_P)
    assert ("Ben", "PER", "edit") in gold(store)

    # mark reviewed
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert store.reviewed_documents() == ["d1"]
    assert work_snapshot(store) == before  # the annotators' work is unchanged


def test_navigation_and_accept_agreements(window: ReviewWindow, store: Store, qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = window.doc
    assert doc.current == 0
    key(qtbot, window, Qt.Key.Key_N)
    assert doc.current == 1
    key(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert doc.current == 0
    # delete the agreed span from gold, then Shift+A brings it back
    doc.select(next(s.key for s in doc.spans if s.label == "PER"))
    key(qtbot, window, Qt.Key.Key_Delete)
    assert gold(store) == set()
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert gold(store) == {("Anna Berg", "PER", "agreed")}
    # the variant panel lists every variant with who chose it
    texts = [window.variants.list.item(i).text() for i in range(window.variants.list.count())]
    assert any("anna" in t for t in texts) and any("ben" in t for t in texts)
    # the queue and the heatmap are filled
    assert window.queue.count() == 1
    assert "PER" in window.agreement.heatmap.labels


def test_resize_gold_span_by_token_keys(window: ReviewWindow, store: Store, qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = window.doc
    start = TEXT.index("Ben")
    window.article.select_offsets(start, start + 3)
    key(qtbot, window, Qt.Key.Key_P)
    doc.select((start, start + 3, "PER"))
    # Alt+Shift+Right: the end moves to the end of the next token; undo puts it back.
    key(
        qtbot,
        window,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    grown = [g for g in store.gold_spans("d1") if g.start == start and g.label == "PER"]
    assert len(grown) == 1 and grown[0].end > start + 3
    assert TEXT[grown[0].start : grown[0].end].startswith("Ben ")
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [
        (g.start, g.end) for g in store.gold_spans("d1") if g.label == "PER" and g.start == start
    ] == [(start, start + 3)]


# ---- a window that explains itself ------------------------------------------------------------


def test_a_new_project_says_how_to_get_something_to_review(project: Store, qtbot: Any) -> None:
    from annotator.review.session import nothing_to_review

    w = ReviewWindow(project, "rita")
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.open_first()
    assert w.ids == []
    assert w.middle.currentIndex() == 1 and w.empty.isVisible()
    assert not w.right.isVisible() and not w.left.isVisible()
    text = w.empty.text()
    assert text == nothing_to_review(project)
    assert text.startswith("Nothing to review yet")
    assert "annotator merge" in text and "--annotator NAME --done" in text
    assert f"{project.count_documents()} document(s)" in text


def test_the_hint_goes_once_two_annotators_are_done(store: Store) -> None:
    from annotator.review.session import nothing_to_review

    store.add_documents([Document(id="d0", text="Anna in Berlin.")])
    assert nothing_to_review(store) is not None
    store.set_doc_state(DocState(doc_id="d0", annotator="anna", status=DocStatus.DONE))
    assert "anna 1" in (nothing_to_review(store) or "")
    build_review_project(store)
    assert nothing_to_review(store) is None


def test_confusion_counts_on_hover_in_cells_and_large(window: ReviewWindow, qtbot: Any) -> None:
    from annotator.gui.review_heatmap import MIN_NUMBER_CELL, ConfusionHeatmap, LargeConfusion

    labels = [label.name for label in window.scheme.labels] + ["none"]  # 15 labels and none
    n = len(labels)
    matrix = [[(i * 7 + j * 3) % 5 if i != j else 9 for j in range(n)] for i in range(n)]
    heatmap = ConfusionHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_matrix(labels, matrix)
    heatmap.resize(420, 420)  # the agreement panel's size at the window's default
    heatmap.show()
    qtbot.waitExposed(heatmap)
    heatmap.grab()  # paints: the geometry of the cells is known
    cell = heatmap._cell
    assert cell >= MIN_NUMBER_CELL  # room for the numbers at 15 labels
    for i, j in ((0, 0), (3, 7), (n - 1, 2)):
        centre = QPointF(heatmap._margin + (j + 0.5) * cell, heatmap._margin + (i + 0.5) * cell)
        assert heatmap.cell_at(centre) == (i, j)
        text = heatmap.cell_text(i, j)
        assert text.startswith(f"{labels[i]} → {labels[j]}: {matrix[i][j]} ")
    assert heatmap.cell_at(QPointF(1, 1)) is None

    window.agreement.heatmap.set_matrix(labels, matrix)
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    large = window.large
    assert isinstance(large, LargeConfusion) and large.isVisible()
    assert large.heatmap.matrix == matrix and large.heatmap.labels == labels
    large.heatmap.grab()
    assert large.heatmap._cell >= 2 * MIN_NUMBER_CELL


def test_review_keys_are_in_menus_and_the_help_sheet(window: ReviewWindow, qtbot: Any) -> None:
    from annotator.gui.help import HelpSheet

    rows = help_rows(window.scheme, window.actions_by_name, window=REVIEW)
    keys_of = {what: keys.split(", ") for _, keys, what in rows}
    native = QKeySequence.SequenceFormat.NativeText
    for spec in actions_of(REVIEW):
        assert keys_of[spec.text] == [QKeySequence(k).toString(native) for k in spec.keys]
    menu_texts = {a.text() for m in window.menuBar().actions() for a in m.menu().actions()} | {
        a.text()
        for m in window.menuBar().actions()
        for sub in m.menu().actions()
        if sub.menu() is not None
        for a in sub.menu().actions()
    }
    assert {spec.text for spec in actions_of(REVIEW)} <= menu_texts
    assert keys_of["Take annotator 2's variant"] == ["Alt+2"]
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_F1)
    sheets = window.findChildren(HelpSheet)
    assert sheets and sheets[-1].table.rowCount() == len(rows)


def test_the_queue_is_computed_in_a_worker_and_the_first_document_opens_when_it_is_known(
    project: Store, qtbot: Any
) -> None:
    from annotator.review.agreement import document_agreement
    from annotator.session import Session

    ids = project.document_ids()
    for name in ("anna", "ben"):
        session = Session(project, name)
        for doc_id in ids[:2]:
            session.execute(session.set_status(doc_id, DocStatus.DONE))
    w = ReviewWindow(project, "rita")  # a project file: agreement in the worker thread
    qtbot.addWidget(w)
    assert w.worker is not None
    w.show()
    w.open_first()
    qtbot.waitUntil(lambda: w.doc.doc_id is not None)
    expected = [r.doc_id for r in document_agreement(project)]
    assert w.ids == expected
    assert w.doc.doc_id == expected[0]
    assert w.queue.count() == len(expected)
    # marking reviewed moves on and updates the marks
    qtbot.keyClick(w.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.doc.doc_id == expected[1]
    assert w.queue.item(0).text().startswith("✓")
    w.close()
