"""The event trigger categoriser learns event types no pattern knows, from a few documents."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from spacy.training import Example  # noqa: E402
from spacy.util import minibatch  # noqa: E402

from annotator.suggest.triggers import FACTORY, add_trigger_categoriser  # noqa: E402

KEY = "events"
SMARTDATA = (
    Path(__file__).parents[2] / ".." / "shared" / "data" / "ner-de" / "smartdata"
).resolve() / "v1_20180119_train.json.gz"


def _documents(n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The first ``n`` Smart Data documents with events: text and triggers (event names)."""
    from annotator.formats import smartdata
    from annotator.formats.reading import ReadContext, Record
    from annotator.model import SpanKind

    scheme = smartdata.scheme([SMARTDATA])
    assert scheme is not None
    out = []
    for record in smartdata.read(SMARTDATA, ReadContext(scheme)):
        assert isinstance(record, Record)
        events = [(s.start, s.end, s.label) for s in record.spans if s.kind == SpanKind.EVENT]
        if events:
            out.append((record.doc.text, events))
        if len(out) == n:
            break
    return out


def _train(factory: str, *, epochs: int = 4) -> tuple[int, int, int]:
    """Train a categoriser on 40 Smart Data documents for 4 epochs; (true, predicted, gold)
    triggers on those documents (can it learn them at all? held-out figures: the learning
    curve benchmark)."""
    spacy.util.fix_random_seed(0)
    docs = _documents(40)
    labels = sorted({label for _, spans in docs for _, _, label in spans})
    nlp = spacy.blank("de")

    def example(text: str, spans: list[tuple[int, int, str]]) -> Example:
        reference = nlp.make_doc(text)
        made = [
            reference.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in spans
        ]
        reference.spans[KEY] = [m for m in made if m is not None]
        return Example(nlp.make_doc(text), reference)

    examples = [example(*d) for d in docs]
    if factory == FACTORY:
        add_trigger_categoriser(
            nlp, name="ev", spans_key=KEY, labels=labels, get_examples=lambda: examples
        )
    else:  # spaCy's own span categoriser with the same suggester and threshold
        pipe = nlp.add_pipe(
            factory,
            name="ev",
            config={
                "spans_key": KEY,
                "threshold": 0.3,
                "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1, 2]},
            },
        )
        pipe.initialize(lambda: examples, nlp=nlp, labels=labels)
    optimizer = nlp.resume_training()
    rng = random.Random(0)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=2):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    gold = {
        (i, s.start_char, s.end_char, s.label_)
        for i, eg in enumerate(examples)
        for s in eg.reference.spans[KEY]
    }
    predicted = {
        (i, span.start_char, span.end_char, span.label_)
        for i, doc in enumerate(nlp.pipe(eg.reference.text for eg in examples))
        for span in doc.spans[KEY]
    }
    return len(gold & predicted), len(predicted), len(gold)


def test_the_trigger_categoriser_learns_new_event_types_from_few_documents() -> None:
    # spaCy's own spancat predicts nothing here: its squared loss through the sigmoid gives a
    # rare true trigger almost no gradient once every score is near zero
    true, predicted, gold = _train(FACTORY)
    assert gold > 20
    precision, recall = true / max(predicted, 1), true / gold
    assert recall >= 0.6 and precision >= 0.35, (true, predicted, gold)


def test_the_categoriser_is_saved_and_loaded_with_its_pipeline(tmp_path: object) -> None:
    from annotator.suggest.pipelines import register_components

    register_components()
    nlp = spacy.blank("de")
    doc = nlp.make_doc("Der Streik endet .")
    reference = nlp.make_doc(doc.text)
    reference.spans[KEY] = [reference[1:2]]
    reference.spans[KEY][0].label_ = "Strike"
    examples = [Example(doc, reference)]
    add_trigger_categoriser(
        nlp, name="ev", spans_key=KEY, labels=["Strike"], get_examples=lambda: examples
    )
    path = Path(str(tmp_path)) / "model"
    nlp.to_disk(path)
    loaded = spacy.load(path)
    assert loaded.get_pipe_meta("ev").factory == FACTORY
    assert loaded.get_pipe("ev").cfg["positive_weight"] == nlp.get_pipe("ev").cfg["positive_weight"]
