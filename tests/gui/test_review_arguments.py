"""The review of argument disagreements by keys: anna and ben marked the same spans but other
arguments; the agreed argument is in gold on opening, the two argument disagreements are
resolved with the keys of span disagreements (Alt+N, V, Return, X), read back from gold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.model import Argument, DocState, DocStatus, Document, SpanStatus
from annotator.review.adjudicate import ArgumentDisagreement
from annotator.store import Store
from tests.unit.test_review_adjudicate import ANNA, TEXT

from .conftest import Answers

pytestmark = pytest.mark.gui

Key = Qt.Key
Mod = Qt.KeyboardModifier
DOC = "d1"


def key_of(part: str, label: str) -> tuple[int, int, str]:
    start = TEXT.index(part)
    return (start, start + len(part), label)


GIPFEL = key_of("Gipfel", "MEETING")
ANNA_BERG = key_of("Anna Berg", "PER")
BERLIN = key_of("Berlin", "LOC")
PARIS = key_of("Paris", "LOC")


def arg(role: str, filler: tuple[int, int, str]) -> Argument:
    return Argument(trigger=GIPFEL, role=role, filler=filler)


# both have the participant Anna Berg; Berlin is anna's place and ben's participant (other
# role); only ben has Paris as the place (missing)
WORK = {
    "anna": [arg("participant", ANNA_BERG), arg("place", BERLIN)],
    "ben": [arg("participant", ANNA_BERG), arg("participant", BERLIN), arg("place", PARIS)],
}


def gold(store: Store, status: SpanStatus) -> set[tuple[str, str]]:
    return {
        (a.role, TEXT[a.filler[0] : a.filler[1]])
        for a in store.gold_arguments(DOC, include_rejected=True)
        if a.status == status and a.trigger == GIPFEL
    }


@pytest.fixture
def review(qtbot: Any, tmp_path: Path, answers: Answers) -> Iterator[tuple[Any, Store]]:
    from annotator.gui.review_window import ReviewWindow

    store = Store.open(tmp_path / "project.db")
    store.add_documents([Document(id=DOC, text=TEXT)])
    for name, arguments in WORK.items():
        store.replace_decisions(DOC, name, add=ANNA, action="add", link=arguments)
        store.set_doc_state(DocState(doc_id=DOC, annotator=name, status=DocStatus.DONE))
    window = ReviewWindow(store, "rita")
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_first(DOC)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.article.setFocus()
    yield window, store
    window.close()
    store.close()


def press(window: Any, key: Qt.Key, mod: Qt.KeyboardModifier = Mod.NoModifier) -> None:
    from pytestqt.qtbot import QtBot

    QtBot.keyClick(window.article, key, mod)


def test_argument_disagreements_are_adjudicated_into_gold_by_keys(
    review: tuple[Any, Store],
) -> None:
    window, store = review
    doc = window.doc
    agreed = set(WORK["anna"]) & set(WORK["ben"])
    # opening put what both made into gold (with the spans, which they agree on too)
    assert gold(store, SpanStatus.ACCEPTED) == {
        (a.role, TEXT[a.filler[0] : a.filler[1]]) for a in agreed
    }
    assert {a.origin for a in store.gold_arguments(DOC)} == {"agreed"}
    arguments = [d for d in doc.disagreements if isinstance(d, ArgumentDisagreement)]
    assert len(arguments) == 2 == len(doc.disagreements)  # the spans agree
    assert {d.type.value for d in arguments} == {"missing", "role"}
    # the panel says what it is about
    assert "arguments of MEETING «Gipfel»" in window.variants.title.text()

    # the missing place: take ben's variant (Alt+2: ben is the second annotator)
    while doc.current_disagreement.type.value != "missing":
        press(window, Key.Key_N)
    press(window, Key.Key_2, Mod.AltModifier)
    assert gold(store, SpanStatus.ACCEPTED) >= {("place", "Paris")}
    missing = next(d for d in doc.disagreements if d.type.value == "missing")
    assert doc.is_resolved(missing)
    # moved on to the other role: choose anna's variant (V) and accept it (Return)
    d = doc.current_disagreement
    assert isinstance(d, ArgumentDisagreement) and d.type.value == "role"
    while doc.current_variant.annotators != ("anna",):
        press(window, Key.Key_V)
    press(window, Key.Key_Return)
    assert gold(store, SpanStatus.ACCEPTED) == {
        ("participant", "Anna Berg"),
        ("place", "Paris"),
        ("place", "Berlin"),
    }
    assert gold(store, SpanStatus.REJECTED) == {("participant", "Berlin")}  # ben's turned down
    assert doc.unresolved() == []

    press(window, Key.Key_Z, Mod.ControlModifier)  # undo: that disagreement is open again
    assert ("place", "Berlin") not in gold(store, SpanStatus.ACCEPTED)
    assert gold(store, SpanStatus.REJECTED) == set()
    assert len(doc.unresolved()) == 1
    # X turns the chosen variant down instead (and the other stays to decide)
    d = doc.current_disagreement
    assert isinstance(d, ArgumentDisagreement) and d.type.value == "role"
    before = doc.current_variant
    press(window, Key.Key_X)
    assert gold(store, SpanStatus.REJECTED) == {
        (a.role, TEXT[a.filler[0] : a.filler[1]]) for a in before.arguments
    }


def test_the_review_draws_the_arguments_pending_and_in_gold(review: tuple[Any, Store]) -> None:
    from PySide6.QtCore import QRectF

    window, _store = review
    article = window.article
    shown = {
        (a.role, a.filler, a.status)
        for a, _t, _f in article.visible_arcs(QRectF(article.viewport().rect()))
    }
    every = {(a.role, a.filler) for args in WORK.values() for a in args}
    assert {(r, f) for r, f, _s in shown} == every
    # the agreed one is gold; the disputed ones are pending (dashed)
    assert ("participant", ANNA_BERG, SpanStatus.ACCEPTED) in shown
    assert ("place", PARIS, SpanStatus.SUGGESTED) in shown
