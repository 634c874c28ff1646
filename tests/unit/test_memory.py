"""The memory of accepted spans: exact and fuzzy matches, rejections, refresh into the store."""

from __future__ import annotations

import pytest

from annotator.model import DocStatus, Document, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.combine import current_suggestions
from annotator.suggest.memory import (
    MEMORY_ORIGIN,
    CorpusIndex,
    Memory,
    MemorySuggester,
    memory_per_annotator,
    memory_scope,
    refresh_memory,
    score_of,
    set_memory_scope,
)

TEXTS = {
    "a": "Präsident Lukaschenko traf Kit Kellogg in Minsk.",
    "b": "Lukaschenko sagte, die EU-Kommission und die EU hätten nichts gesagt.",
    "c": "Der Sondergesandte Kellogs sprach mit Lukashenko über Lukaschenkos Pläne.",
    "d": "Ein Treffen in Minsk, ohne Lukaschenko.",
}


@pytest.fixture
def corpus(store: Store) -> Store:
    store.add_documents(Document(id=k, text=v) for k, v in TEXTS.items())
    return store


def _accept(session: Session, doc_id: str, surface: str, label: str) -> None:
    text = session.store.document(doc_id).text
    start = text.index(surface)
    assert session.execute(session.add(doc_id, start, start + len(surface), label))


def _memory(store: Store, doc_id: str) -> dict[str, tuple[str, float]]:
    """covered text -> (label, score) of the memory suggestions stored for a document."""
    text = store.document(doc_id).text
    return {
        s.covered(text): (s.label, s.score or 0.0)
        for s in current_suggestions(store, doc_id)
        if s.origin == MEMORY_ORIGIN
    }


def test_score_counts_acceptances_against_rejections() -> None:
    assert score_of(1, 0) == pytest.approx(2 / 3)
    assert score_of(1, 1) == pytest.approx(0.5)
    assert score_of(5, 0) > score_of(1, 0) > score_of(1, 2)


def test_an_accepted_string_is_suggested_wherever_it_recurs(corpus: Store) -> None:
    anna = Session(corpus, "anna")
    _accept(anna, "a", "Lukaschenko", "PER")
    report = refresh_memory(corpus)

    assert _memory(corpus, "b") == {"Lukaschenko": ("PER", pytest.approx(2 / 3, abs=1e-3))}
    assert _memory(corpus, "d")["Lukaschenko"][0] == "PER"
    # the accepted place itself is the annotator's decision, not a pending suggestion
    spans_a = anna.spans("a")
    assert [(s.label, s.status) for s in spans_a] == [("PER", SpanStatus.ACCEPTED)]
    assert {"b", "d"} <= set(report.changed)
    text_b = corpus.document("b").text
    (span,) = [s for s in current_suggestions(corpus, "b") if s.origin == MEMORY_ORIGIN]
    assert (span.start, span.end) == (0, len("Lukaschenko"))
    assert span.kind == SpanKind.ENTITY and span.covered(text_b) == "Lukaschenko"


def test_matches_are_whole_words_not_parts_of_hyphenated_compounds(corpus: Store) -> None:
    anna = Session(corpus, "anna")
    text = corpus.document("b").text
    start = text.index("EU hätten")
    anna.execute(anna.add("b", start, start + 2, "ORG"))
    corpus.add_documents([Document(id="e", text="Die EU und die EU-Kommission, nicht EUROPA.")])
    refresh_memory(corpus)
    spans = [s for s in current_suggestions(corpus, "e") if s.origin == MEMORY_ORIGIN]
    assert [(s.start, s.end) for s in spans] == [(4, 6)]


def test_spelling_variants_are_suggested_with_a_lower_score(corpus: Store) -> None:
    anna = Session(corpus, "anna")
    _accept(anna, "a", "Lukaschenko", "PER")
    _accept(anna, "a", "Kellogg", "PER")
    refresh_memory(corpus)

    found = _memory(corpus, "c")
    exact = score_of(1, 0)
    assert set(found) == {"Kellogs", "Lukashenko", "Lukaschenkos"}
    for label, score in found.values():
        assert label == "PER"
        assert 0 < score < exact
    # the closer spelling scores higher
    assert found["Lukashenko"][1] > found["Kellogs"][1]


def test_a_variant_with_decisions_of_its_own_is_judged_by_them(corpus: Store) -> None:
    anna = Session(corpus, "anna")
    _accept(anna, "a", "Kellogg", "PER")
    refresh_memory(corpus)
    (kellogs,) = [s for s in anna.spans("c") if s.covered(TEXTS["c"]) == "Kellogs"]
    assert anna.execute(anna.reject("c", kellogs))
    corpus.add_documents([Document(id="f", text="Kellogs und Kellogg.")])
    refresh_memory(corpus)
    assert set(_memory(corpus, "f")) == {"Kellogg"}


def test_a_rejected_suggestion_is_not_offered_again_to_that_annotator(corpus: Store) -> None:
    anna, ben = Session(corpus, "anna"), Session(corpus, "ben")
    _accept(anna, "a", "Lukaschenko", "PER")
    refresh_memory(corpus)
    (suggested,) = [s for s in ben.spans("d") if s.status == SpanStatus.SUGGESTED]
    assert suggested.origin == MEMORY_ORIGIN
    assert ben.execute(ben.reject("d", suggested))
    refresh_memory(corpus)

    # ben's view of that place: his rejection, no pending suggestion
    ben_view = [(s.key, s.status) for s in ben.spans("d")]
    assert ben_view == [(suggested.key, SpanStatus.REJECTED)]
    # anna still sees it there: the rejection was ben's
    assert (suggested.key, SpanStatus.SUGGESTED) in [(s.key, s.status) for s in anna.spans("d")]
    # one rejection against one acceptance lowers the score but keeps the suggestion elsewhere
    assert _memory(corpus, "b")["Lukaschenko"][1] == pytest.approx(0.5)


def test_a_string_rejected_often_stops_being_suggested(corpus: Store) -> None:
    set_memory_scope(corpus, "team")  # the team's counts (ben and cleo share document d)
    anna, ben, cleo = Session(corpus, "anna"), Session(corpus, "ben"), Session(corpus, "cleo")
    _accept(anna, "a", "Minsk", "LOC")
    refresh_memory(corpus)
    assert "Minsk" in _memory(corpus, "d")
    for session in (ben, cleo):
        (minsk,) = [s for s in session.spans("d") if s.label == "LOC"]
        session.execute(session.reject("d", minsk))
    report = refresh_memory(corpus)
    assert "d" in report.changed
    assert "Minsk" not in _memory(corpus, "d")
    assert all(s.origin != MEMORY_ORIGIN for s in current_suggestions(corpus, "d"))


def test_longest_remembered_string_wins_where_matches_overlap(project: Store) -> None:
    anna = Session(project, "anna")
    first = project.document_ids()[0]
    _accept(anna, first, "Alexander Lukaschenko", "PER")
    _accept(anna, first, "Lukaschenko", "PER")
    refresh_memory(project)
    third = project.document_ids()[2]
    text = project.document(third).text
    spans = [s for s in current_suggestions(project, third) if s.origin == MEMORY_ORIGIN]
    covered = {s.covered(text) for s in spans}
    # the seed spells it "Lukashenko": a two-word variant, not two overlapping spans
    assert "Alexander Lukashenko" in covered
    full = [s for s in spans if s.covered(text) == "Alexander Lukashenko"]
    alone = [s for s in spans if s.covered(text) == "Lukashenko"]
    assert len(full) == 2 and len(alone) == 3  # the seed has it twice with, three times without
    for a in spans:
        for b in spans:
            assert a is b or not (a.start < b.end and b.start < a.end)


def test_refresh_rewrites_only_changed_documents_and_skips_finished_ones(corpus: Store) -> None:
    anna = Session(corpus, "anna")
    _accept(anna, "a", "Lukaschenko", "PER")
    first = refresh_memory(corpus)
    assert first.changed
    again = refresh_memory(corpus)
    assert again.changed == [] and again.version == first.version
    version_b = current_suggestions(corpus, "b")[0].origin_version

    anna.execute(anna.set_status("d", DocStatus.DONE))
    _accept(anna, "a", "Minsk", "LOC")
    third = refresh_memory(corpus)
    assert third.version != first.version
    assert "d" not in third.changed  # done by everyone who works here: left alone
    assert "Minsk" not in _memory(corpus, "d")
    assert "b" not in third.changed  # no Minsk in b: its run stays as it was
    assert current_suggestions(corpus, "b")[0].origin_version == version_b
    assert corpus.suggestion_run_versions(MEMORY_ORIGIN)["b"] == {version_b}


def test_memory_suggester_follows_the_suggester_protocol() -> None:
    memory = Memory()
    memory.add("Kellogg", "PER", SpanKind.ENTITY, SpanStatus.ACCEPTED)
    memory.add("Treffen", "MEETING", SpanKind.EVENT, SpanStatus.ACCEPTED, 3)
    suggester = MemorySuggester(memory)
    texts = ["Kellogg kam zum Treffen.", "Nichts hier.", "Ein Kellogs-Treffen? Kellogs kam."]
    out = list(suggester.suggest(texts))
    assert [[(s.start, s.end, s.label) for s in spans] for spans in out] == [
        [(0, 7, "PER"), (16, 23, "MEETING")],
        [],
        [(21, 28, "PER")],
    ]
    assert out[0][1].score == pytest.approx(0.8)
    assert all(s.origin == "memory" and s.origin_version == suggester.version for s in out[0])
    memory.add("Kellogg", "PER", SpanKind.ENTITY, SpanStatus.REJECTED)
    assert suggester.version != out[0][0].origin_version


def test_corpus_index_finds_capitalised_ngrams_for_fuzzy_matching() -> None:
    index = CorpusIndex([("x", "Präsident Alexander Lukashenko sprach. Kit Kellogs auch.")])
    assert index.variants("Alexander Lukaschenko", cutoff=85, min_length=5) == [
        ("Alexander Lukashenko", pytest.approx(97.56, abs=0.01))
    ]
    assert index.variants("Kellogg", cutoff=85, min_length=5)[0][0] == "Kellogs"
    assert index.variants("Kit", cutoff=50, min_length=5) == []  # too short to vary


# ---- the memory per annotator during double annotation ---------------------------------------


def _shown_memory(session: Session, doc_id: str) -> set[tuple[str, str]]:
    """(covered text, label) of the memory suggestions an annotator is shown on a document."""
    text = session.store.document(doc_id).text
    return {
        (s.covered(text), s.label)
        for s in session.spans(doc_id)
        if s.status == SpanStatus.SUGGESTED and s.origin == MEMORY_ORIGIN
    }


def _double_annotate(corpus: Store) -> tuple[Session, Session]:
    """anna finishes "a" with "Lukaschenko" as PER; ben starts on the same document."""
    anna, ben = Session(corpus, "anna"), Session(corpus, "ben")
    _accept(anna, "a", "Lukaschenko", "PER")
    anna.execute(anna.set_status("a", DocStatus.DONE))
    refresh_memory(corpus)
    return anna, ben


def test_double_annotation_keeps_each_annotators_memory_their_own(corpus: Store) -> None:
    anna, ben = _double_annotate(corpus)
    # ben opens the document anna finished: her spans must not come back to him as suggestions
    assert ("Lukaschenko", "PER") not in _shown_memory(ben, "a")
    _accept(ben, "a", "Minsk", "LOC")
    ben.execute(ben.set_status("a", DocStatus.DONE))
    refresh_memory(corpus)
    assert memory_per_annotator(corpus)  # on by default once a document is shared
    # each sees what they themselves accepted, nothing of the other's
    assert _shown_memory(ben, "d") == {("Minsk", "LOC")}
    assert _shown_memory(anna, "d") == {("Lukaschenko", "PER")}
    assert ("Lukaschenko", "PER") not in _shown_memory(ben, "b")
    # the team's pooled view (no annotator) holds neither annotator's own memory
    assert not [s for s in current_suggestions(corpus, "d") if s.origin == MEMORY_ORIGIN]


def test_the_team_memory_reaches_every_annotator_when_set_so(corpus: Store) -> None:
    set_memory_scope(corpus, "team")
    _anna, ben = _double_annotate(corpus)
    _accept(ben, "a", "Minsk", "LOC")
    ben.execute(ben.set_status("a", DocStatus.DONE))
    refresh_memory(corpus)
    assert not memory_per_annotator(corpus)
    assert _shown_memory(ben, "d") == {("Minsk", "LOC"), ("Lukaschenko", "PER")}
    assert ("Lukaschenko", "PER") in _shown_memory(ben, "a") | {
        (s.covered(TEXTS["a"]), s.label) for s in ben.spans("a")
    }


def test_annotators_on_separate_documents_share_one_memory_by_default(corpus: Store) -> None:
    anna, ben = Session(corpus, "anna"), Session(corpus, "ben")
    _accept(anna, "a", "Lukaschenko", "PER")
    anna.execute(anna.set_status("a", DocStatus.DONE))
    _accept(ben, "b", "EU", "ORG")
    refresh_memory(corpus)
    assert not memory_per_annotator(corpus)  # nobody shares a document: the team's memory
    assert ("Lukaschenko", "PER") in _shown_memory(ben, "d")


def test_the_memory_scope_is_a_project_setting(corpus: Store) -> None:
    assert memory_scope(corpus) == "auto"
    set_memory_scope(corpus, "annotator")
    assert memory_per_annotator(corpus)
    with pytest.raises(ValueError, match="one of auto, team, annotator"):
        set_memory_scope(corpus, "everyone")
    assert memory_scope(corpus) == "annotator"
