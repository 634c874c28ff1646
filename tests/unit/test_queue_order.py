"""Most uncertain first: the next open document is the one the models are least sure about."""

from __future__ import annotations

from annotator.model import DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.combine import MEMORY_ORIGIN

TEXTS = {
    "a": "Anna traf Ben in Bonn.",
    "b": "Cem rief Dora aus Essen an.",
    "c": "Emil und Fritz reisten nach Gera.",
    "d": "Gisela blieb in Halle.",
}
# model scores per document: b sure, c unsure, d half sure; a has no suggestions
SCORES = {"b": [0.97, 0.95, 0.99], "c": [0.55, 0.5, 0.6], "d": [0.7]}


def _spans(doc_id: str, scores: list[float], origin: str) -> list[Span]:
    words = TEXTS[doc_id].split()
    spans, at = [], 0
    for word, score in zip(words, scores, strict=False):
        start = TEXTS[doc_id].index(word, at)
        at = start + len(word)
        spans.append(
            Span(
                start=start,
                end=at,
                label="PER",
                kind=SpanKind.ENTITY,
                origin=origin,
                score=score,
                status=SpanStatus.SUGGESTED,
            )
        )
    return spans


def _project(store: Store) -> Session:
    store.add_documents(Document(id=k, text=v) for k, v in TEXTS.items())
    store.save_suggestions(
        [(d, _spans(d, s, "model")) for d, s in SCORES.items()], origin="model", version="1"
    )
    return Session(store, "anna")


def _expected_order() -> list[str]:
    """Open documents by the sum of 1 - |2s - 1| over their scores, computed from SCORES."""
    unsure = {d: sum(1 - abs(2 * s - 1) for s in scores) for d, scores in SCORES.items()}
    return sorted(TEXTS, key=lambda d: (-unsure.get(d, 0.0), sorted(TEXTS).index(d)))


def test_the_most_uncertain_open_document_comes_next(store: Store) -> None:
    session = _project(store)
    order = _expected_order()
    assert order[0] == "c" and order[-1] == "a"  # the fixture says what it means to
    assert session.next_open("a") == "b"  # import order by default
    session.queue_order = "uncertain"
    seen = [session.next_open(None)]
    while True:
        assert seen[-1] is not None
        session.execute(session.set_status(seen[-1], DocStatus.DONE))
        following = session.next_open(seen[-1])
        if following is None:
            break
        seen.append(following)
    assert seen == order


def test_the_memory_does_not_count_as_model_uncertainty(store: Store) -> None:
    session = _project(store)
    # a very unsure memory suggestion in "b" changes nothing: only models count
    store.save_suggestions(
        [("b", _spans("b", [0.5, 0.5, 0.5], MEMORY_ORIGIN))], origin=MEMORY_ORIGIN, version="m"
    )
    session.queue_order = "uncertain"
    assert session.next_open(None) == _expected_order()[0]
    assert set(store.uncertainty_by_document()) == set(SCORES)
