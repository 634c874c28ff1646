"""The review flow driven by keys: resolve an agreement and three kinds of disagreement."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from annotator.gui.review_window import ReviewWindow
from annotator.model import SpanStatus
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
