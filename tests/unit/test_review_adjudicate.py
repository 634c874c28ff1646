"""Adjudication between annotators and the reviewer's commands (no Qt)."""

from __future__ import annotations

import pytest

from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.review.adjudicate import DisagreementType, adjudicate, load
from annotator.review.session import ReviewSession
from annotator.store import Store

TEXT = "Anna Berg traf Ben in Berlin und Paris zum Gipfel."


def at(text: str, label: str, *, kind: SpanKind = SpanKind.ENTITY, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Span(
        start=start, end=start + len(text), label=label, kind=kind, status=SpanStatus.ACCEPTED
    )


ANNA = [
    at("Anna Berg", "PER"),
    at("Berlin", "LOC"),
    at("Paris", "LOC"),
    at("Gipfel", "MEETING", kind=SpanKind.EVENT),
]
BEN = [
    at("Anna Berg", "PER"),
    at("Paris", "ORG"),
    at("zum Gipfel", "MEETING", kind=SpanKind.EVENT),
]


def build_review_project(store: Store) -> Store:
    """One document, two annotators done: one agreement and three kinds of disagreement."""
    store.add_documents([Document(id="d1", text=TEXT)])
    for name, spans in (("anna", ANNA), ("ben", BEN)):
        store.replace_decisions("d1", name, add=spans, action="add")
        store.set_doc_state(DocState(doc_id="d1", annotator=name, status=DocStatus.DONE))
    return store


def rows_of(gold: list[Span]) -> list[tuple[object, ...]]:
    return [(g.key, g.kind, g.status, g.origin) for g in gold]


def work_snapshot(store: Store) -> dict[str, object]:
    return {
        a: ([s.key for s in store.decisions("d1", a)], store.doc_state("d1", a).status)
        for a in ("anna", "ben")
    }


def test_agreement_and_three_kinds_of_disagreement() -> None:
    adj = adjudicate("d1", {"anna": ANNA, "ben": BEN})
    assert adj.annotators == ("anna", "ben")
    assert [s.key for s in adj.agreed] == [at("Anna Berg", "PER").key]
    kinds = [(TEXT[d.start : d.end], d.type) for d in adj.disagreements]
    assert kinds == [
        ("Berlin", DisagreementType.MISSING),
        ("Paris", DisagreementType.LABEL),
        ("zum Gipfel", DisagreementType.BOUNDARY),
    ]
    berlin, paris, gipfel = adj.disagreements
    assert [(v.annotators, [s.label for s in v.spans]) for v in berlin.variants] == [
        (("anna",), ["LOC"]),
        (("ben",), []),
    ]
    assert {v.annotators[0]: v.spans[0].label for v in paris.variants} == {
        "anna": "LOC",
        "ben": "ORG",
    }
    assert gipfel.kind == SpanKind.EVENT
    assert gipfel.variant_of("ben").spans[0].key == at("zum Gipfel", "MEETING").key  # type: ignore[union-attr]


def test_entity_and_event_overlap_is_not_a_disagreement() -> None:
    ent = at("Gipfel", "MISC")
    ev = at("Gipfel", "MEETING", kind=SpanKind.EVENT)
    adj = adjudicate("d1", {"a": [ent, ev], "b": [ent, ev]})
    assert len(adj.agreed) == 2 and adj.disagreements == ()


def test_shared_variants_group_annotators() -> None:
    adj = adjudicate("d1", {"a": [at("Paris", "LOC")], "b": [at("Paris", "LOC")], "c": []})
    (d,) = adj.disagreements
    assert d.type == DisagreementType.MISSING
    assert [v.annotators for v in d.variants] == [("a", "b"), ("c",)]


def test_only_done_annotators_count(store: Store) -> None:
    build_review_project(store)
    store.replace_decisions("d1", "cem", add=[at("Ben", "PER")], action="add")  # not done
    adj = load(store, "d1")
    assert adj.annotators == ("anna", "ben")


@pytest.fixture
def review(store: Store) -> ReviewSession:
    return ReviewSession(build_review_project(store), "rita")


def test_open_pre_accepts_agreements_once(review: ReviewSession) -> None:
    adj, gold = review.open("d1")
    assert [(g.key, g.origin) for g in gold] == [(at("Anna Berg", "PER").key, "agreed")]
    assert len(review.unresolved(adj, gold)) == 3
    review.execute(review.delete("d1", gold[0]))
    _, gold = review.open("d1")  # not pre-accepted again: the reviewer's choice stands
    assert [g.status for g in gold] == [SpanStatus.REJECTED]
    review.execute(review.accept_agreements("d1"))
    assert [g.status for g in review.gold("d1")] == [SpanStatus.ACCEPTED]


def test_resolving_every_disagreement(review: ReviewSession) -> None:
    store = review.store
    before = work_snapshot(store)
    adj, _ = review.open("d1")
    berlin, paris, gipfel = adj.disagreements
    assert review.execute(review.take("d1", berlin, "anna"))
    assert review.execute(review.take("d1", paris, "ben"))
    # boundary: reject ben's variant, then accept anna's
    assert review.execute(review.reject_variant("d1", gipfel.variant_of("ben")))  # type: ignore[arg-type]
    assert review.execute(review.accept_variant("d1", gipfel, gipfel.variant_of("anna")))  # type: ignore[arg-type]
    gold = review.gold("d1")
    assert review.unresolved(adj, gold) == []
    accepted = {(TEXT[g.start : g.end], g.label, g.origin) for g in store.gold_spans("d1")}
    assert accepted == {
        ("Anna Berg", "PER", "agreed"),
        ("Berlin", "LOC", "variant:anna"),
        ("Paris", "ORG", "variant:ben"),
        ("Gipfel", "MEETING", "variant:anna"),
    }
    assert review.chosen(paris, gold) == paris.variant_of("ben")
    assert review.execute(review.mark_reviewed("d1"))
    assert store.reviewed_documents() == ["d1"]
    assert review.mark_reviewed("d1") is None
    assert work_snapshot(store) == before  # annotators' work untouched


def test_take_nothing_rejects_and_undo_redo_restore(review: ReviewSession) -> None:
    adj, gold0 = review.open("d1")
    berlin = adj.disagreements[0]
    review.execute(review.take("d1", berlin, "ben"))  # ben has nothing there
    assert [g.label for g in review.store.gold_spans("d1")] == ["PER"]
    assert review.is_resolved(berlin, review.gold("d1"))
    review.execute(review.take("d1", berlin, "anna"))
    assert {g.label for g in review.store.gold_spans("d1")} == {"PER", "LOC"}
    review.undo()
    assert [g.label for g in review.store.gold_spans("d1")] == ["PER"]
    review.undo()
    assert rows_of(review.gold("d1")) == rows_of(gold0)
    review.redo()
    review.redo()
    assert {g.label for g in review.store.gold_spans("d1")} == {"PER", "LOC"}
    assert review.take("d1", berlin, "anna") is None  # nothing left to change


def test_edit_gold_as_in_annotate_mode(review: ReviewSession) -> None:
    _, gold = review.open("d1")
    review.execute(review.add("d1", TEXT.index("Ben"), TEXT.index("Ben") + 3, "PER"))
    ben = next(g for g in review.store.gold_spans("d1") if g.origin == "edit")
    review.execute(review.relabel("d1", ben, "ORG"))
    assert {(g.start, g.label) for g in review.store.gold_spans("d1")} == {
        (0, "PER"),
        (TEXT.index("Ben"), "ORG"),
    }
    # resizing an agreed span keeps the agreed one as rejected (still decided)
    anna = next(g for g in review.store.gold_spans("d1") if g.origin == "agreed")
    review.execute(review.resize("d1", anna, 0, 4))
    rows = {(g.start, g.end, g.label, g.status) for g in review.gold("d1")}
    assert (0, 9, "PER", SpanStatus.REJECTED) in rows
    assert (0, 4, "PER", SpanStatus.ACCEPTED) in rows
    for _ in range(3):
        review.undo()
    assert rows_of(review.gold("d1")) == rows_of(gold)
    with pytest.raises(ValueError):
        review.add("d1", 0, 4, "NOPE")


# ---- gold writes carry a revision; the queue's agreement is computed for what changed -----------


def test_a_gold_write_after_another_reviewer_wrote_is_refused(store: Store) -> None:
    from annotator.store import StaleEditError

    build_review_project(store)
    mine, theirs = ReviewSession(store, "rita"), ReviewSession(store, "tom")
    mine.open("d1")
    theirs.open("d1")
    start = TEXT.index("Ben")
    theirs.execute(theirs.add("d1", start, start + 3, "PER"))
    before = rows_of(store.gold_spans("d1", include_rejected=True))
    with pytest.raises(StaleEditError):
        mine.execute(mine.add("d1", start, start + 3, "ORG"))
    assert rows_of(store.gold_spans("d1", include_rejected=True)) == before  # nothing written
    with pytest.raises(StaleEditError):
        mine.execute(mine.mark_reviewed("d1"))
    assert store.review_state("d1")[0] == "todo"
    mine.open("d1")  # reread: writing works again
    mine.execute(mine.add("d1", start, start + 3, "ORG"))
    assert (start, start + 3, "ORG") in {g.key for g in store.gold_spans("d1")}


def test_the_queue_computes_only_documents_whose_work_changed(store: Store) -> None:
    from annotator.review.agreement import document_agreement
    from annotator.review.queue import QueueAgreement

    build_review_project(store)
    store.add_documents([Document(id="d2", text=TEXT + " Ende.")])  # another hash
    for name in ("anna", "ben"):
        store.replace_decisions("d2", name, add=ANNA, action="add")
        store.set_doc_state(DocState(doc_id="d2", annotator=name, status=DocStatus.DONE))
    queue = QueueAgreement()
    snapshot = queue.update(store)
    assert snapshot is not None and sorted(queue.recomputed) == ["d1", "d2"]
    expected = [(r.doc_id, r.f1) for r in document_agreement(store)]
    assert [(r.doc_id, r.f1) for r in snapshot.rows(worst_first=True)] == expected
    assert [r.doc_id for r in snapshot.rows(worst_first=False)] == list(store.documents_done_by())
    # gold writes do not change agreement: nothing is computed again
    review = ReviewSession(store, "rita")
    review.open("d1")
    review.execute(review.accept_agreements("d1"))
    assert queue.update(store) is None and queue.recomputed == []
    # ben changes d2: only d2 is computed again
    store.replace_decisions("d2", "ben", remove=[ANNA[1]], action="delete")
    snapshot = queue.update(store)
    assert snapshot is not None and queue.recomputed == ["d2"]
    expected = [(r.doc_id, r.f1) for r in document_agreement(store)]
    assert [(r.doc_id, r.f1) for r in snapshot.rows(worst_first=True)] == expected


def test_a_gold_span_that_does_not_fit_is_a_span_error(review: ReviewSession) -> None:
    from annotator.model import SpanError

    review.open("d1")
    for start, end, label in ((5, 5, "PER"), (9, 4, "PER"), (0, 4, "NOPE"), (0, 400, "PER")):
        with pytest.raises(SpanError):
            review.add("d1", start, end, label)
