"""Argument disagreements between annotators, and resolving them into gold arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import (
    Argument,
    ArgumentError,
    DocState,
    DocStatus,
    Document,
    Span,
    SpanKind,
    SpanStatus,
)
from annotator.review.adjudicate import ArgumentDisagreementType, adjudicate_arguments
from annotator.review.session import ReviewSession
from annotator.store import Store

TEXT = "Anna traf Ben in Minsk und Berlin zum Treffen am Freitag."


def at(word: str, label: str) -> Span:
    start = TEXT.index(word)
    kind = SpanKind.EVENT if label == "MEETING" else SpanKind.ENTITY
    return Span(
        start=start, end=start + len(word), label=label, kind=kind, status=SpanStatus.ACCEPTED
    )


T = at("Treffen", "MEETING")
ANNA_, BEN_, MINSK, BERLIN, FREITAG = (
    at("Anna", "PER"),
    at("Ben", "PER"),
    at("Minsk", "LOC"),
    at("Berlin", "LOC"),
    at("Freitag", "DATE"),
)
SPANS = [T, ANNA_, BEN_, MINSK, BERLIN, FREITAG]


def arg(role: str, filler: Span) -> Argument:
    return Argument(trigger=T.key, role=role, filler=filler.key)


# anna and ben agree on Anna as participant; Ben: participant (anna) vs place (ben) -> role;
# place: Minsk (anna) vs Berlin (ben) -> other argument; time: Freitag only anna -> missing.
ANNA_ARGS = [
    arg("participant", ANNA_),
    arg("participant", BEN_),
    arg("place", MINSK),
    arg("time", FREITAG),
]
BEN_ARGS = [arg("participant", ANNA_), arg("participant", BERLIN), arg("place", BERLIN)]


def test_three_kinds_of_argument_disagreement() -> None:
    adj = adjudicate_arguments("d", {"anna": ANNA_ARGS, "ben": BEN_ARGS})
    assert [a.key for a in adj.agreed] == [arg("participant", ANNA_).key]
    # Counted by hand, per slot without the agreed argument: participant: anna {Ben}, ben
    # {Berlin} -> other argument; place: anna {Minsk}, ben {Berlin} -> other argument;
    # time: anna {Freitag}, ben {} -> missing.
    assert sorted(d.type.value for d in adj.disagreements) == ["argument", "argument", "missing"]
    by_slot = {next(iter(d.keys))[1]: d for d in adj.disagreements}
    assert {v.annotators: v.keys for v in by_slot["place"].variants} == {
        ("anna",): {arg("place", MINSK).key},
        ("ben",): {arg("place", BERLIN).key},
    }
    assert {v.annotators: v.keys for v in by_slot["participant"].variants} == {
        ("anna",): {arg("participant", BEN_).key},
        ("ben",): {arg("participant", BERLIN).key},
    }
    assert by_slot["time"].type == ArgumentDisagreementType.MISSING
    assert by_slot["time"].variant_of("ben") is not None
    assert by_slot["time"].variant_of("ben").arguments == ()  # type: ignore[union-attr]


def test_the_same_filler_in_another_role_is_a_role_disagreement() -> None:
    adj = adjudicate_arguments(
        "d", {"anna": [arg("participant", MINSK)], "ben": [arg("place", MINSK)]}
    )
    assert [d.type for d in adj.disagreements] == [ArgumentDisagreementType.ROLE]
    assert adj.disagreements[0].variant_of("ben") is not None


@pytest.fixture
def review(store: Store) -> ReviewSession:
    store.add_documents([Document(id="d", text=TEXT)])
    for name, args in (("anna", ANNA_ARGS), ("ben", BEN_ARGS)):
        store.replace_decisions("d", name, add=SPANS, action="add", link=args)
        store.set_doc_state(DocState(doc_id="d", annotator=name, status=DocStatus.DONE))
    return ReviewSession(store, "rita")


def test_resolving_argument_disagreements_into_gold_and_back(review: ReviewSession) -> None:
    store = review.store
    assert store.gold_arguments("d") == []
    review.execute(review.accept_agreed_arguments("d"))
    assert [a.key for a in store.gold_arguments("d")] == [arg("participant", ANNA_).key]
    # the argument's spans came into gold with it
    assert {s.key for s in store.gold_spans("d")} >= {T.key, ANNA_.key}
    open_before = review.unresolved_arguments("d")
    other = next(d for d in open_before if next(iter(d.keys))[1] == "place")
    review.execute(review.take_arguments("d", other, "ben"))
    rows = {a.key: a.status for a in store.gold_arguments("d", include_rejected=True)}
    assert rows[arg("place", BERLIN).key] == SpanStatus.ACCEPTED
    assert rows[arg("place", MINSK).key] == SpanStatus.REJECTED
    assert len(review.unresolved_arguments("d")) == len(open_before) - 1
    review.undo()
    assert len(review.unresolved_arguments("d")) == len(open_before)
    review.undo()
    assert store.gold_arguments("d", include_rejected=True) == []
    assert store.gold_spans("d") == []


def test_reviewer_adds_changes_and_deletes_gold_arguments(review: ReviewSession) -> None:
    store = review.store
    with pytest.raises(ArgumentError, match="the time of MEETING is DATE, not LOC"):
        review.add_argument("d", T, MINSK, "time")
    review.execute(review.add_argument("d", T, MINSK, "participant"))
    added = arg("participant", MINSK)
    assert [a.key for a in store.gold_arguments("d")] == [added.key]
    review.execute(review.change_role("d", added, "place"))
    # Minsk as place is anna's: it is accepted now, the participant one (only the reviewer's) gone
    assert [(a.key, a.status) for a in store.gold_arguments("d", include_rejected=True)] == [
        (arg("place", MINSK).key, SpanStatus.ACCEPTED)
    ]
    review.execute(review.delete_argument("d", arg("place", MINSK)))
    # anna made that argument: it stays, turned down, so its disagreement stays resolved
    assert [(a.key, a.status) for a in store.gold_arguments("d", include_rejected=True)] == [
        (arg("place", MINSK).key, SpanStatus.REJECTED)
    ]
    review.undo()
    review.undo()
    assert [a.key for a in store.gold_arguments("d")] == [added.key]
    # deleting the trigger from gold takes its gold arguments with it; undo brings them back
    review.execute(review.delete("d", T))
    assert store.gold_arguments("d") == []
    review.undo()
    assert [a.key for a in store.gold_arguments("d")] == [added.key]


def test_opening_pre_accepts_the_arguments_every_annotator_made(review: ReviewSession) -> None:
    store = review.store
    review.open("d")
    agreed = {a.key for a in ANNA_ARGS} & {a.key for a in BEN_ARGS}
    assert {a.key for a in store.gold_arguments("d")} == agreed
    assert {a.origin for a in store.gold_arguments("d")} == {"agreed"}
    # not again: a reviewer who turned the agreed argument down keeps it turned down
    (only,) = store.gold_arguments("d")
    review.execute(review.delete_argument("d", only))
    review.open("d")
    rows = store.gold_arguments("d", include_rejected=True)
    assert [(a.key, a.status) for a in rows] == [(only.key, SpanStatus.REJECTED)]


def test_a_project_opened_read_only_is_reviewed_as_it_is(tmp_path: Path) -> None:
    """A screenshot opens the project read-only: nothing is pre-accepted (and nothing fails)."""
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.add_documents([Document(id="d", text=TEXT)])
        for name, args in (("anna", ANNA_ARGS), ("ben", BEN_ARGS)):
            store.replace_decisions("d", name, add=SPANS, action="add", link=args)
            store.set_doc_state(DocState(doc_id="d", annotator=name, status=DocStatus.DONE))
    with Store.open_for_reading(path) as store:
        adj, gold = ReviewSession(store, "rita").open("d")
        assert adj.agreed and gold == [] and store.gold_arguments("d") == []
