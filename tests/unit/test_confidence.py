"""Entity confidence: a score per predicted entity that the suggestions carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.suggest import builtin_suggester
from annotator.suggest.confidence import FEATURES, SPANS_KEY, EntityConfidence, features

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _doc_with_ents() -> object:
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("de")
    doc = nlp("Gestern traf Angela Merkel in der Stadt Paris ein paar Leute.")
    doc.ents = [Span(doc, 2, 4, label="PER"), Span(doc, 7, 8, label="LOC")]
    for token, tag in zip(
        doc[:8], ["W", "_", "first|U", "last|U", "_", "_", "N", "loc|U"], strict=True
    ):
        token.tag_ = tag
    return doc


def test_features_follow_the_hints_and_the_seen_table() -> None:
    doc = _doc_with_ents()
    per, loc = doc.ents  # type: ignore[attr-defined]
    seen = {"Paris": {"LOC": 3, "ORG": 1}}
    f_per, f_loc = features(per, seen), features(loc, seen)
    assert len(f_per) == len(FEATURES)
    named = dict(zip(FEATURES, f_loc, strict=True))
    assert named["label=LOC"] == 1.0 and named["one word"] == 1.0
    assert named["a list agrees with the label"] == 1.0
    assert named["share of this label when seen"] == pytest.approx(0.75)
    assert dict(zip(FEATURES, f_per, strict=True))["never seen"] == 1.0


def test_component_scores_every_entity_and_round_trips() -> None:
    import spacy

    nlp = spacy.blank("de")
    component = EntityConfidence(nlp, "entity_confidence")
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("share of this label when seen")] = 4.0
    component.set_model(weights, {"Paris": {"LOC": 3}})
    doc = component(_doc_with_ents())  # type: ignore[arg-type]
    scores = doc.spans[SPANS_KEY].attrs["scores"]
    assert [s.text for s in doc.spans[SPANS_KEY]] == ["Angela Merkel", "Paris"]
    assert scores[0] == pytest.approx(0.5) and scores[1] > 0.9
    again = EntityConfidence(nlp, "entity_confidence").from_bytes(component.to_bytes())
    assert again.weights == component.weights and again.seen == component.seen
    with pytest.raises(ValueError, match="weights"):
        component.set_model([1.0], {})


def test_builtin_entity_suggestions_carry_a_ranking_confidence() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    suggester = builtin_suggester()
    scores = [
        s.score
        for spans in suggester.suggest(texts)
        for s in spans
        if s.kind.value == "entity" and s.score is not None
    ]
    assert len(scores) > 20
    assert all(0.0 < score < 1.0 for score in scores)
    assert len({round(score, 2) for score in scores}) > 10
