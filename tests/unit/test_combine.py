"""The memory has the last word over a model: vetoes, corrections, longer names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.formats import collect
from annotator.formats.prodigy import write_suggestions_jsonl
from annotator.model import DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.combine import (
    MEMORY_ORIGIN,
    VETO_ORIGIN,
    combine_suggestions,
    current_suggestions,
)
from annotator.suggest.memory import refresh_memory, set_memory_scope

E, V = SpanKind.ENTITY, SpanKind.EVENT


def _span(start: int, end: int, label: str, origin: str, score: float = 1.0, kind=E) -> Span:
    return Span(
        start=start,
        end=end,
        label=label,
        kind=kind,
        origin=origin,
        score=score,
        status=SpanStatus.SUGGESTED,
    )


def _keys(spans: list[Span]) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.label, s.origin or "") for s in spans]


def test_a_confident_memory_label_replaces_the_models_at_the_same_place() -> None:
    shown = combine_suggestions(
        [_span(0, 11, "PER", "model"), _span(0, 11, "ORG", MEMORY_ORIGIN, 0.67)]
    )
    assert _keys(shown) == [(0, 11, "ORG", MEMORY_ORIGIN)]


def test_a_spelling_variant_does_not_override_the_model() -> None:
    # a fuzzy match scores at most 0.8 of its string's score: below the override level
    spans = [_span(0, 10, "PER", "model"), _span(0, 10, "LOC", MEMORY_ORIGIN, 0.5)]
    assert _keys(combine_suggestions(spans)) == [
        (0, 10, "LOC", MEMORY_ORIGIN),
        (0, 10, "PER", "model"),
    ]


def test_memory_spans_that_tile_a_models_span_replace_it() -> None:
    # "Minsk Lukashenko" as one LOC from the model; the team knows "Minsk" and "Lukashenko"
    spans = [
        _span(0, 16, "LOC", "model"),
        _span(0, 5, "LOC", MEMORY_ORIGIN, 0.75),
        _span(6, 16, "PER", MEMORY_ORIGIN, 0.8),
    ]
    assert _keys(combine_suggestions(spans)) == [
        (0, 5, "LOC", MEMORY_ORIGIN),
        (6, 16, "PER", MEMORY_ORIGIN),
    ]


def test_a_memory_span_covering_the_models_wins() -> None:
    # model: "BOLTWISE"; the team accepted "IT BOLTWISE"
    spans = [_span(3, 11, "ORG", "model"), _span(0, 11, "ORG", MEMORY_ORIGIN, 0.67)]
    assert _keys(combine_suggestions(spans)) == [(0, 11, "ORG", MEMORY_ORIGIN)]


def test_a_longer_name_from_the_model_beats_a_remembered_part_of_it() -> None:
    # model: "Donald Trump"; the team knows only "Trump": the model's span stays, the part goes
    spans = [_span(0, 12, "PER", "model"), _span(7, 12, "PER", MEMORY_ORIGIN, 0.9)]
    assert _keys(combine_suggestions(spans)) == [(0, 12, "PER", "model")]
    # with another label both stay: the annotator decides
    spans = [_span(0, 12, "MISC", "model"), _span(7, 12, "PER", MEMORY_ORIGIN, 0.9)]
    assert len(combine_suggestions(spans)) == 2


def test_spans_of_other_kinds_and_crossing_spans_are_left_alone() -> None:
    spans = [
        _span(0, 14, "MISC", "model"),
        _span(0, 14, "MEETING", MEMORY_ORIGIN, 0.9, kind=V),
        _span(20, 30, "ORG", "model"),
        _span(25, 35, "ORG", MEMORY_ORIGIN, 0.9),
    ]
    assert len(combine_suggestions(spans)) == 4


def test_a_veto_hides_the_models_span_and_is_never_shown() -> None:
    spans = [
        _span(0, 8, "NEGOTIATION", "model", kind=V),
        _span(0, 8, "NEGOTIATION", VETO_ORIGIN, 0.0, kind=V),
        _span(10, 15, "PER", "model"),
    ]
    assert _keys(combine_suggestions(spans)) == [(10, 15, "PER", "model")]


def test_the_same_key_from_two_origins_is_shown_once_with_the_best_score() -> None:
    spans = [_span(0, 5, "LOC", MEMORY_ORIGIN, 0.67), _span(0, 5, "LOC", "model", 1.0)]
    (shown,) = combine_suggestions(spans)
    assert shown.score == 1.0


# ---- through the store, the memory refresh and the annotator's session -----------------------

TEXTS = {
    "a": "Trump nannte das Gespräch mit Lukaschenko gut, sagte Chas Pravdy.",
    "b": "Nach dem Gespräch berichtete Chas Pravdy über Lukaschenko.",
    "c": "Das Gespräch dauerte lange, schrieb Chas Pravdy.",
    "d": "Ein Gespräch mit Chas Pravdy.",
}
MODEL = "model-x"


def _model_suggests(store: Store) -> None:
    """A model that reads every "Gespräch" as NEGOTIATION and "Chas Pravdy" as a person."""
    results = []
    for doc_id, text in TEXTS.items():
        spans = []
        for surface, label, kind in (
            ("Gespräch", "NEGOTIATION", V),
            ("Chas Pravdy", "PER", E),
            ("Lukaschenko", "PER", E),
        ):
            at = text.find(surface)
            if at >= 0:
                spans.append(_span(at, at + len(surface), label, MODEL, kind=kind))
        results.append((doc_id, spans))
    store.save_suggestions(results, origin=MODEL, version="1")


def _shown(session: Session, doc_id: str) -> set[tuple[str, str]]:
    text = session.store.document(doc_id).text
    return {
        (s.covered(text), s.label)
        for s in session.spans(doc_id)
        if s.status == SpanStatus.SUGGESTED
    }


def _correct(session: Session, doc_id: str) -> None:
    """What the annotator does with the model's suggestions: relabel twice, accept the rest."""
    text = session.store.document(doc_id).text
    for span in session.spans(doc_id):
        if span.status != SpanStatus.SUGGESTED:
            continue
        surface = span.covered(text)
        if surface == "Gespräch" and span.label != "PHONE_CALL":
            session.execute(session.relabel(doc_id, span, "PHONE_CALL"))
        elif surface == "Chas Pravdy" and span.label != "ORG":
            session.execute(session.relabel(doc_id, span, "ORG"))
        else:
            session.execute(session.accept(doc_id, span))
    session.execute(session.set_status(doc_id, DocStatus.DONE))


@pytest.fixture
def project(store: Store) -> Store:
    store.add_documents(Document(id=k, text=v) for k, v in TEXTS.items())
    _model_suggests(store)
    return store


def test_corrections_the_team_made_replace_the_models_mistakes(project: Store) -> None:
    anna = Session(project, "anna")
    assert _shown(anna, "c") == {("Gespräch", "NEGOTIATION"), ("Chas Pravdy", "PER")}
    _correct(anna, "a")
    refresh_memory(project)
    # the memory's labels replace the model's at the same places: nothing left to reject
    assert _shown(anna, "c") == {("Gespräch", "PHONE_CALL"), ("Chas Pravdy", "ORG")}
    # where the team agreed with the model nothing changes
    assert ("Lukaschenko", "PER") in _shown(anna, "b")


def test_a_string_rejected_twice_is_vetoed_for_every_model(project: Store) -> None:
    set_memory_scope(project, "team")  # the team's counts: anna rejects, ben adds later
    anna = Session(project, "anna")
    for doc_id in ("a", "b"):
        (span,) = [s for s in anna.spans(doc_id) if s.label == "NEGOTIATION"]
        anna.execute(anna.reject(doc_id, span))
        anna.execute(anna.set_status(doc_id, DocStatus.DONE))
    report = refresh_memory(project)
    assert report.vetoes == 2  # the two documents not done: c and d
    assert ("Gespräch", "NEGOTIATION") not in _shown(anna, "c")
    assert ("Gespräch", "NEGOTIATION") not in _shown(Session(project, "ben"), "d")
    # the model's run is untouched: the veto is a layer over it
    raw = project.db.conn.execute(
        "SELECT count(*) FROM suggestions WHERE origin = ? AND label = 'NEGOTIATION'", (MODEL,)
    ).fetchone()[0]
    assert raw == 4
    # the team changes its mind: added twice by hand, the veto is lifted
    ben = Session(project, "ben")
    for doc_id in ("c", "d"):
        start = TEXTS[doc_id].index("Gespräch")
        ben.execute(ben.add(doc_id, start, start + len("Gespräch"), "NEGOTIATION"))
    assert refresh_memory(project).vetoes == 0
    assert ("Gespräch", "NEGOTIATION") in _shown(anna, "c")


def test_one_rejection_only_hides_that_place(project: Store) -> None:
    anna = Session(project, "anna")
    (span,) = [s for s in anna.spans("a") if s.label == "NEGOTIATION"]
    anna.execute(anna.reject("a", span))
    refresh_memory(project)
    assert ("Gespräch", "NEGOTIATION") in _shown(anna, "b")
    assert ("Gespräch", "NEGOTIATION") not in _shown(anna, "a")


def test_the_store_keeps_every_origins_spans_and_every_reader_applies_the_same_rules(
    tmp_path: Path,
) -> None:
    """The store returns the runs as stored (vetoes included); the rules are applied above it,
    once, and the annotator's session, the export and ``suggest --jsonl`` all show that."""
    text = "Minsk liegt in Belarus. Minsk ist groß."
    model = [_span(0, 5, "PER", "m", 0.9), _span(15, 22, "LOC", "m", 0.8)]
    model += [_span(24, 29, "PER", "m", 0.7)]
    vetoes = [_span(24, 29, "PER", VETO_ORIGIN)]
    memory = [_span(0, 5, "LOC", MEMORY_ORIGIN, 0.9)]
    store = Store.open(None)
    store.add_documents([Document(id="d", text=text)])
    for origin, spans in (("m", model), (VETO_ORIGIN, vetoes), (MEMORY_ORIGIN, memory)):
        store.save_suggestions([("d", spans)], origin=origin, version="1")

    stored = {(s.start, s.end, s.label, s.origin) for s in store.suggested_spans("d")}
    assert stored == {(s.start, s.end, s.label, s.origin) for s in [*model, *vetoes, *memory]}

    # The rules, from the input: a vetoed key goes, a confident memory span covering a model's
    # span replaces it, the rest of the model's spans stay, vetoes are never shown.
    vetoed = {s.key for s in vetoes}
    covered = {m.key for m in model for r in memory if r.start <= m.start and m.end <= r.end}
    expected = {s.key for s in model if s.key not in vetoed | covered} | {s.key for s in memory}
    shown = {s.key for s in Session(store, "anna").suggestions("d")}
    assert shown == expected
    assert shown == {s.key for s in current_suggestions(store, "d")}

    exported = {
        s.key
        for doc, spans in collect(store, include_suggestions=True, status="any")
        for s in spans
    }
    assert exported == expected
    out = tmp_path / "s.jsonl"
    write_suggestions_jsonl(store, out)
    (line,) = [json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines()]
    assert {(s["start"], s["end"], s["label"]) for s in line["spans"]} == expected
