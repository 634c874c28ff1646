"""Suggested arguments: the sentence baseline and the learned role classifier (small cases)."""

from __future__ import annotations

from annotator.model import Argument, Document, LabelScheme, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.arguments import baseline, classified, sentences, train_roles

TEXT = "Kellogg traf Lukaschenko in Minsk zum Treffen. Am Freitag reiste Putin nach Moskau."


def at(word: str, label: str, status: SpanStatus = SpanStatus.SUGGESTED) -> Span:
    start = TEXT.index(word)
    kind = SpanKind.EVENT if label in ("MEETING", "VISIT") else SpanKind.ENTITY
    return Span(start=start, end=start + len(word), label=label, kind=kind, status=status)


SPANS = [
    at("Kellogg", "PER"),
    at("Lukaschenko", "PER"),
    at("Minsk", "LOC"),
    at("Treffen", "MEETING", SpanStatus.ACCEPTED),
    at("Freitag", "DATE"),
    at("Putin", "PER"),
    at("Moskau", "LOC"),
    at("reiste", "VISIT"),
]


def test_sentences_split_at_full_stops_before_capitals() -> None:
    bounds = sentences(TEXT)
    assert [TEXT[s:e] for s, e in bounds] == [
        "Kellogg traf Lukaschenko in Minsk zum Treffen.",
        "Am Freitag reiste Putin nach Moskau.",
    ]


def test_baseline_proposes_entities_of_the_sentence_in_the_roles_they_may_fill() -> None:
    scheme = LabelScheme.load()
    got = {
        (TEXT[a.trigger[0] : a.trigger[1]], a.role, TEXT[a.filler[0] : a.filler[1]])
        for a in baseline(TEXT, SPANS, scheme)
    }
    assert got == {
        ("Treffen", "participant", "Kellogg"),
        ("Treffen", "participant", "Lukaschenko"),
        ("Treffen", "participant", "Minsk"),  # a LOC may be a participant (a state)
        ("Treffen", "place", "Minsk"),
        ("reiste", "visitor", "Putin"),
        ("reiste", "destination", "Moskau"),
        ("reiste", "time", "Freitag"),
    }
    rejected = [
        s.model_copy(update={"status": SpanStatus.REJECTED}) if s.label == "VISIT" else s
        for s in SPANS
    ]
    assert all(a.trigger[2] == "MEETING" for a in baseline(TEXT, rejected, scheme))


def test_the_classifier_learns_which_role_a_pair_plays() -> None:
    scheme = LabelScheme.load()
    gold = [
        Argument(trigger=at("Treffen", "MEETING").key, role="place", filler=at("Minsk", "LOC").key),
        Argument(
            trigger=at("Treffen", "MEETING").key,
            role="participant",
            filler=at("Kellogg", "PER").key,
        ),
        Argument(
            trigger=at("Treffen", "MEETING").key,
            role="participant",
            filler=at("Lukaschenko", "PER").key,
        ),
    ]
    model = train_roles([(TEXT, SPANS, gold, None)] * 3, scheme)
    got = {
        (a.role, TEXT[a.filler[0] : a.filler[1]])
        for a in classified(model, TEXT, SPANS, scheme)
        if a.trigger[2] == "MEETING"
    }
    # Minsk was a place, never a participant: the baseline offers both, the classifier one
    assert ("place", "Minsk") in got and ("participant", "Minsk") not in got


def test_the_session_offers_what_the_annotator_has_not_made(store: Store) -> None:
    store.add_documents([Document(id="d", text=TEXT)])
    store.save_suggestions([("d", SPANS)], origin="builtin-de", version="1")
    session = Session(store, "anna")
    offered = session.suggested_arguments("d")
    assert len(offered) == 7
    first = next(a for a in offered if a.role == "place")
    view = {s.key: s for s in session.spans("d")}
    session.execute(session.add_argument("d", view[first.trigger], view[first.filler], first.role))
    assert first.key not in {a.key for a in session.suggested_arguments("d")}
    assert len(session.suggested_arguments("d")) == 6
