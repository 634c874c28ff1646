"""Event arguments as session commands: add, delete, change role, each undone exactly, written
through to the store, checked against the scheme's roles."""

from __future__ import annotations

import pytest

from annotator.model import Argument, ArgumentError, Document, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import StaleEditError, Store

TEXT = "Kit Kellogg traf Lukaschenko in Minsk zu einem Treffen am Freitag."


def _at(word: str, label: str) -> Span:
    start = TEXT.index(word)
    kind = SpanKind.EVENT if label == "MEETING" else SpanKind.ENTITY
    return Span(start=start, end=start + len(word), label=label, kind=kind)


KELLOGG = _at("Kit Kellogg", "PER")
LUKA = _at("Lukaschenko", "PER")
MINSK = _at("Minsk", "LOC")
TREFFEN = _at("Treffen", "MEETING")
FREITAG = _at("Freitag", "DATE")


@pytest.fixture
def session(store: Store) -> Session:
    store.add_documents([Document(id="d", text=TEXT)])
    store.save_suggestions(
        [("d", [KELLOGG, LUKA, MINSK, TREFFEN, FREITAG])], origin="builtin-de", version="1"
    )
    return Session(store, "anna")


def _span(session: Session, span: Span) -> Span:
    return next(s for s in session.spans("d") if s.key == span.key)


def _stored(store: Store) -> set[tuple[str, str, str]]:
    return {
        (TEXT[a.trigger[0] : a.trigger[1]], a.role, TEXT[a.filler[0] : a.filler[1]])
        for a in store.arguments("d", "anna")
    }


def test_adding_an_argument_accepts_its_spans_and_undo_takes_all_back(session: Session) -> None:
    store = session.store
    command = session.add_argument(
        "d", _span(session, TREFFEN), _span(session, LUKA), "participant"
    )
    assert command is not None
    session.execute(command)
    assert _stored(store) == {("Treffen", "participant", "Lukaschenko")}
    accepted = {s.key for s in store.decisions("d", "anna") if s.status == SpanStatus.ACCEPTED}
    assert accepted == {TREFFEN.key, LUKA.key}
    # the same argument again changes nothing
    assert (
        session.add_argument("d", _span(session, TREFFEN), _span(session, LUKA), "participant")
        is None
    )
    session.undo()
    assert _stored(store) == set()
    assert store.decisions("d", "anna") == []
    session.redo()
    assert _stored(store) == {("Treffen", "participant", "Lukaschenko")}


def test_arguments_are_checked_against_the_roles_of_the_scheme(session: Session) -> None:
    trigger = _span(session, TREFFEN)
    with pytest.raises(ArgumentError, match="MEETING has no role 'releaser'"):
        session.add_argument("d", trigger, _span(session, LUKA), "releaser")
    with pytest.raises(ArgumentError, match="the place of MEETING is LOC, not PER"):
        session.add_argument("d", trigger, _span(session, LUKA), "place")
    with pytest.raises(ArgumentError, match="not an event label"):
        session.add_argument("d", _span(session, LUKA), _span(session, MINSK), "place")
    with pytest.raises(ArgumentError, match="itself"):
        session.add_argument("d", trigger, trigger, "participant")
    assert session.store.arguments("d", "anna") == []
    assert session.store.decisions("d", "anna") == []


def test_delete_and_change_role_and_their_inverses(session: Session) -> None:
    store = session.store
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, MINSK), "place")
    )
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, FREITAG), "time")
    )
    place = Argument(trigger=TREFFEN.key, role="place", filler=MINSK.key)
    with pytest.raises(ArgumentError, match="the time of MEETING is DATE, not LOC"):
        session.change_role("d", place, "time")
    assert session.change_role("d", place, "place") is None
    # relabelled to a role the filler label allows
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, KELLOGG), "participant")
    )
    participant = Argument(trigger=TREFFEN.key, role="participant", filler=KELLOGG.key)
    before = _stored(store)
    session.execute(session.delete_argument("d", participant))
    assert _stored(store) == before - {("Treffen", "participant", "Kit Kellogg")}
    assert _span(session, KELLOGG).status == SpanStatus.ACCEPTED  # the span stays
    session.undo()
    assert _stored(store) == before
    assert session.delete_argument("d", participant.model_copy(update={"role": "place"})) is None


def test_change_role_is_one_step(store: Store) -> None:
    store.add_documents([Document(id="d", text=TEXT)])
    session = Session(store, "anna")
    session.execute(session.add("d", TREFFEN.start, TREFFEN.end, "MEETING"))
    session.execute(session.add("d", MINSK.start, MINSK.end, "LOC"))
    trigger, minsk = _span(session, TREFFEN), _span(session, MINSK)
    session.execute(session.add_argument("d", trigger, minsk, "participant"))
    argument = session.arguments("d")[0]
    session.execute(session.change_role("d", argument, "place"))
    assert [a.role for a in store.arguments("d", "anna")] == ["place"]
    session.undo()
    assert [a.role for a in store.arguments("d", "anna")] == ["participant"]


def test_deleting_a_span_takes_its_arguments_and_undo_brings_them_back(session: Session) -> None:
    store = session.store
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, LUKA), "participant")
    )
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, MINSK), "place")
    )
    full = _stored(store)
    session.execute(session.delete("d", _span(session, LUKA)))
    assert _stored(store) == {("Treffen", "place", "Minsk")}
    session.undo()
    assert _stored(store) == full
    session.execute(session.delete("d", _span(session, TREFFEN)))
    assert _stored(store) == set()
    session.undo()
    assert _stored(store) == full


def test_resizing_or_relabelling_a_span_carries_its_arguments(session: Session) -> None:
    store = session.store
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, KELLOGG), "participant")
    )
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, MINSK), "place")
    )
    kellogg = _span(session, KELLOGG)
    session.execute(session.resize("d", kellogg, kellogg.start + 4, kellogg.end))
    assert _stored(store) == {("Treffen", "participant", "Kellogg"), ("Treffen", "place", "Minsk")}
    # Minsk as ORG: the place of a MEETING must be LOC, so that argument goes (undo: back)
    session.execute(session.relabel("d", _span(session, MINSK), "ORG"))
    assert _stored(store) == {("Treffen", "participant", "Kellogg")}
    session.undo()
    session.undo()
    assert _stored(store) == {
        ("Treffen", "participant", "Kit Kellogg"),
        ("Treffen", "place", "Minsk"),
    }


def test_a_stale_window_cannot_add_an_argument(session: Session) -> None:
    store = session.store
    session.open("d")
    other = Session(store, "anna")
    other.open("d")
    other.execute(other.accept("d", _span(other, LUKA)))
    command = session.add_argument(
        "d", _span(session, TREFFEN), _span(session, LUKA), "participant"
    )
    with pytest.raises(StaleEditError):
        session.execute(command)
    assert store.arguments("d", "anna") == []
    assert {s.key for s in store.decisions("d", "anna")} == {LUKA.key}


def test_history_records_argument_changes(session: Session) -> None:
    session.execute(
        session.add_argument("d", _span(session, TREFFEN), _span(session, LUKA), "participant")
    )
    entry = session.store.history("d")[-1]
    assert entry["action"] == "add participant argument"
    assert entry["after"]["arguments"] == [
        {
            "trigger": list(TREFFEN.key),
            "role": "participant",
            "filler": list(LUKA.key),
            "status": "accepted",
        }
    ]
