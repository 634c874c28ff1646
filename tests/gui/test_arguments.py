"""Event arguments by keys in both windows: A on an event starts adding arguments, J/K choose the
filler, a role key sets its role, Delete takes it away, Escape ends; every step read back
through the store (the annotator's arguments in one window, the gold arguments in the other)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.model import Argument, SpanStatus
from annotator.store import Store
from tests.unit.test_review_adjudicate import ANNA, TEXT, build_review_project

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


@dataclass
class Opened:
    kind: str
    window: Any
    store: Store

    def stored(self) -> set[tuple[str, str]]:
        """(role, filler text) of the stored arguments of «Gipfel»: the annotator's, or gold."""
        if self.kind == "annotate":
            arguments = self.store.arguments(DOC, "tester")
        else:
            arguments = self.store.gold_arguments(DOC)
        return {(a.role, TEXT[a.filler[0] : a.filler[1]]) for a in arguments if a.trigger == GIPFEL}

    def press(self, key: Qt.Key, mod: Qt.KeyboardModifier = Mod.NoModifier) -> None:
        from pytestqt.qtbot import QtBot

        QtBot.keyClick(self.window.article, key, mod)

    @property
    def chosen(self) -> tuple[int, int, str] | None:
        mode = self.window.editor.mode
        return None if mode is None else mode.filler


@pytest.fixture(params=["annotate", "review"])
def opened(request: Any, qtbot: Any, tmp_path: Path, answers: Answers) -> Iterator[Opened]:
    from annotator.gui.main_window import MainWindow, settings_for
    from annotator.gui.review_window import ReviewWindow

    store = Store.open(tmp_path / "project.db")
    build_review_project(store)
    store.save_suggestions([(DOC, ANNA)], origin="test-model", version="1")
    if request.param == "annotate":
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
    yield Opened(request.param, window, store)
    window.close()
    store.close()


def test_the_whole_argument_flow_by_keys(opened: Opened) -> None:
    window = opened.window
    window.doc.select(ANNA_BERG)
    opened.press(Key.Key_A)  # an entity: no arguments
    assert window.editor.mode is None
    window.doc.select(GIPFEL)
    opened.press(Key.Key_A)
    assert window.editor.mode is not None and window.editor.mode.trigger == GIPFEL
    assert opened.chosen == PARIS  # the nearest candidate to the event
    assert window.doc.selected == PARIS

    opened.press(Key.Key_L)  # l: the place (and the LOC label's key: the role wins)
    assert opened.stored() == {("place", "Paris")}
    opened.press(Key.Key_K)
    assert opened.chosen == BERLIN
    opened.press(Key.Key_T)  # time takes a DATE: refused, nothing written
    assert opened.stored() == {("place", "Paris")}
    opened.press(Key.Key_P)
    opened.press(Key.Key_K)
    assert opened.chosen == ANNA_BERG
    opened.press(Key.Key_P)
    assert opened.stored() == {
        ("place", "Paris"),
        ("participant", "Berlin"),
        ("participant", "Anna Berg"),
    }
    # every argument is listed under its event, and shown as an arc
    assert {(a.role, a.filler) for a in window.doc.arguments_of(GIPFEL)} == {
        ("place", PARIS),
        ("participant", BERLIN),
        ("participant", ANNA_BERG),
    }

    opened.press(Key.Key_Z, Mod.ControlModifier)  # undo: Anna Berg's argument goes
    assert ("participant", "Anna Berg") not in opened.stored()
    opened.press(Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier)  # redo brings it back
    assert ("participant", "Anna Berg") in opened.stored()

    opened.press(Key.Key_J)  # back to Berlin: another role
    assert opened.chosen == BERLIN
    opened.press(Key.Key_L)
    assert opened.stored() == {
        ("place", "Paris"),
        ("place", "Berlin"),
        ("participant", "Anna Berg"),
    }
    opened.press(Key.Key_Delete)  # the chosen argument goes, its spans stay
    assert opened.stored() == {("place", "Paris"), ("participant", "Anna Berg")}
    assert window.doc.span(BERLIN) is not None

    opened.press(Key.Key_Escape)
    assert window.editor.mode is None
    assert window.doc.selected == GIPFEL
    # out of the mode, l is the LOC label again and t nothing: no argument changes
    opened.press(Key.Key_T)
    assert opened.stored() == {("place", "Paris"), ("participant", "Anna Berg")}


def test_the_arguments_spans_are_accepted_with_it(opened: Opened) -> None:
    """The event and the filler were only suggested (annotate) or undecided (review): adding
    the argument accepts them in the same step, and undo takes all of it back."""
    window, store = opened.window, opened.store

    def accepted() -> set[tuple[int, int, str]]:
        if opened.kind == "annotate":
            spans = store.decisions(DOC, "tester")
        else:
            spans = store.gold_spans(DOC)
        return {s.key for s in spans if s.status == SpanStatus.ACCEPTED}

    before = accepted()
    assert GIPFEL not in before and PARIS not in before
    window.doc.select(GIPFEL)
    opened.press(Key.Key_A)
    opened.press(Key.Key_L)
    assert {GIPFEL, PARIS} <= accepted()
    opened.press(Key.Key_Z, Mod.ControlModifier)
    assert accepted() == before
    assert opened.stored() == set()


def test_a_click_chooses_the_filler_and_the_span_list_shows_the_arguments(
    opened: Opened,
) -> None:
    window = opened.window
    window.doc.select(GIPFEL)
    opened.press(Key.Key_A)
    window.article.span_clicked.emit(ANNA_BERG)  # what a click on the span sends
    assert opened.chosen == ANNA_BERG and window.editor.mode.trigger == GIPFEL
    opened.press(Key.Key_P)
    assert opened.stored() == {("participant", "Anna Berg")}
    if opened.kind != "annotate":
        return
    table = window.spans.table
    rows = [table.argument_at(r) for r in range(table.rowCount())]
    listed = [a for a in rows if a is not None]
    assert listed == [Argument(trigger=GIPFEL, role="participant", filler=ANNA_BERG)]
    row = rows.index(listed[0])
    assert table.span_row(row) == window.doc.index_of(GIPFEL)  # under its event
    assert "participant" in table.index(row, 0).data()
    # choosing the row in the list starts the mode on that argument; P there changes nothing,
    # Delete takes it away
    opened.press(Key.Key_Escape)
    opened.press(Key.Key_Escape)
    assert window.editor.mode is None
    window.spans.selectRow(row)
    assert window.editor.mode is not None and opened.chosen == ANNA_BERG
    opened.press(Key.Key_Delete)
    assert opened.stored() == set()


def _arc_project(tmp_path: Path, text: str, pairs: list[tuple[str, str, str, str]]) -> Store:
    """A project of one document ``text`` whose annotator 'tester' accepted, for each
    (event word, event label, filler word, role), the two spans and the argument."""
    from annotator.model import Document, Span

    store = Store.open(tmp_path / "arcs.db")
    store.add_documents([Document(id="a", text=text)])
    store.ensure_annotator("tester")
    spans: dict[tuple[int, int, str], Span] = {}
    arguments = []
    scheme = store.scheme
    for n, (event, label, filler, role) in enumerate(pairs):
        keys = []
        for word, name in ((event, label), (filler, None)):
            start = _nth(text, word, n if word == event else 0)
            if name is None:
                name = next(r.fillers[0] for r in scheme.roles_of(label) if r.name == role)
            span = Span(
                start=start,
                end=start + len(word),
                label=name,
                kind=scheme.kind_of(name),
                status=SpanStatus.ACCEPTED,
            )
            spans[span.key] = span
            keys.append(span.key)
        arguments.append(Argument(trigger=keys[0], role=role, filler=keys[1]))
    store.replace_decisions("a", "tester", add=list(spans.values()), action="add", link=arguments)
    return store


def _nth(text: str, word: str, n: int) -> int:
    start = -1
    for _ in range(n + 1):
        start = text.index(word, start + 1)
    return start


def test_an_arc_across_line_breaks_is_two_halves_that_cross_no_text(
    qtbot: Any, tmp_path: Path, answers: Answers
) -> None:
    from PySide6.QtCore import QRectF

    from .conftest import open_window

    text = "Das Treffen fand statt.\n\n\n\nDort, in Minsk, war es kalt."
    store = _arc_project(tmp_path, text, [("Treffen", "MEETING", "Minsk", "place")])
    window = open_window(qtbot, store, "a", tmp_path)
    article = window.article
    arcs = article.visible_arcs(QRectF(article.viewport().rect()))
    assert [a.role for a, _t, _f in arcs] == ["place"]
    _a, t, f = arcs[0]
    assert t is not None and f is not None and f.top() > t.bottom() + t.height()  # lines apart
    pieces = article._arc_pieces(t, f, article._lane(), 500.0, True, 30.0)
    assert len(pieces) == 2  # the event's half out to the margin, the filler's in from it
    out, into = pieces[0][0].boundingRect(), pieces[1][0].boundingRect()
    assert out.right() == pytest.approx(500.0) and out.top() >= t.bottom()  # below its line
    assert into.left() == pytest.approx(4.0) and into.bottom() <= f.bottom() + article._lane()
    assert pieces[1][1] is not None  # the arrow head at the filler
    window.close()
    store.close()


def test_only_the_arcs_with_an_end_on_screen_are_computed(
    qtbot: Any, tmp_path: Path, answers: Answers
) -> None:
    from PySide6.QtCore import QRectF

    from .conftest import open_window

    filler = "Kalt war es. " * 400
    text = f"Das Treffen in Minsk.\n\n{filler}\n\nDas Treffen in Riga."
    store = _arc_project(
        tmp_path,
        text,
        [("Treffen", "MEETING", "Minsk", "place"), ("Treffen", "MEETING", "Riga", "place")],
    )
    window = open_window(qtbot, store, "a", tmp_path)
    article = window.article
    window.doc.select(None)
    article.verticalScrollBar().setValue(0)

    def shown() -> list[str]:
        arcs = article.visible_arcs(QRectF(article.viewport().rect()))
        return [text[a.filler[0] : a.filler[1]] for a, _t, _f in arcs]

    assert shown() == ["Minsk"]
    article.verticalScrollBar().setValue(article.verticalScrollBar().maximum())
    assert shown() == ["Riga"]
    article.verticalScrollBar().setValue(article.verticalScrollBar().maximum() // 2)
    assert shown() == []
    window.close()
    store.close()


def test_proposed_arguments_are_taken_with_return_and_skipped_with_x(opened: Opened) -> None:
    """The session's suggested arguments of the event (the baseline here: each entity of its
    sentence in every role its label may fill) are offered in the mode; Return takes a
    proposal that names one role, X goes on to the next. The reviewer gets none."""
    window = opened.window
    scheme = window.session.scheme
    window.doc.select(GIPFEL)
    opened.press(Key.Key_A)
    mode = window.editor.mode
    if opened.kind == "review":
        assert mode.proposed == ()
        return
    expected = {
        (role.name, key)
        for key in (ANNA_BERG, BERLIN, PARIS)
        for role in scheme.roles_of("MEETING")
        if key[2] in role.fillers
    }
    assert {(a.role, a.filler) for a in mode.proposed} == expected
    # Paris (LOC) may be participant or place: Return does not guess
    assert opened.chosen == PARIS
    opened.press(Key.Key_Return)
    assert opened.stored() == set()
    while opened.chosen != ANNA_BERG:
        opened.press(Key.Key_X)  # only candidates with a proposal
    per_roles = [r for r, k in expected if k == ANNA_BERG]
    assert len(per_roles) == 1
    opened.press(Key.Key_Return)
    assert opened.stored() == {(per_roles[0], "Anna Berg")}
    assert window.editor.mode is not None and opened.chosen != ANNA_BERG  # on to the next
    assert ANNA_BERG not in {a.filler for a in window.editor.mode.proposed}  # made: no longer


def test_arc_labels_are_packed_off_the_tags_and_each_other() -> None:
    from PySide6.QtCore import QRectF

    from annotator.gui.article_view import pack_labels

    tags = [QRectF(100, 10, 30, 10)]
    wanted = [QRectF(90, 11, 40, 10), QRectF(95, 11, 40, 10), QRectF(400, 11, 40, 10)]
    placed = pack_labels(wanted, tags)
    boxes = [*placed, *tags]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.intersects(b), (a, b)
    assert placed[2] == wanted[2]  # nothing in its way: where it wanted to be
    assert all(p.left() >= w.left() for p, w in zip(placed, wanted, strict=True))  # only right


def test_the_help_sheet_lists_every_role_key_of_the_scheme(opened: Opened) -> None:
    from annotator.gui.help import help_rows

    window = opened.window
    scheme = window.session.scheme
    rows = help_rows(scheme, window.actions_by_name, window=opened.kind)
    roles = [(keys, text) for section, keys, text in rows if section == "Roles"]
    expected = [(label, role) for label in scheme.labels for role in label.roles]
    assert len(roles) == len(expected)
    for (keys, text), (label, role) in zip(roles, expected, strict=True):
        assert keys == role.key.upper() and text.startswith(f"{label.name}: {role.name}")
    assert any(keys == "A" for _s, keys, _t in rows)  # the key that starts adding arguments
