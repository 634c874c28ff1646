"""Model selection weighs the dev sets equally (``training/selection.py``), and the installed model
names spaCy's own scorer (``training/build.py``)."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import Config

from training import build
from training.selection import SCORER, macro_ner_score

NLP = spacy.blank("de")


def _doc(words: list[str], ents: list[tuple[int, int, str]], dev_set: str | None = None) -> Doc:
    doc = Doc(NLP.vocab, words=words)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    if dev_set is not None:
        doc.user_data["set"] = dev_set
    return doc


def test_macro_f1_is_the_mean_of_the_sets() -> None:
    words = ["Anna", "wohnt", "in", "Berlin", "."]
    gold = [(0, 1, "PER"), (3, 4, "LOC")]
    # set "small": one sentence, found exactly; set "big": four sentences, nothing found
    examples = [Example(_doc(words, gold), _doc(words, gold, "small"))]
    examples += [Example(_doc(words, []), _doc(words, gold, "big")) for _ in range(4)]
    scores = macro_ner_score(examples)
    found, gold_total = 2, 2 * len(examples)
    micro = 2 * 1.0 * (found / gold_total) / (1.0 + found / gold_total)
    assert abs(scores["ents_f"] - micro) < 1e-9
    assert scores["ents_f_small"] == 1.0
    assert scores["ents_f_big"] == 0.0
    assert abs(scores["ents_macro_f"] - (1.0 + 0.0) / 2) < 1e-9


def test_the_installed_config_names_spacys_scorer(tmp_path: Path) -> None:
    config = Config(
        {
            "paths": {"vectors": "training/output/vectors"},
            "components": {"ner": {"factory": "ner", "scorer": {"@scorers": SCORER}}},
        }
    )
    config.to_disk(tmp_path / "config.cfg")
    build.standard_scorer(tmp_path)
    written = Config().from_disk(tmp_path / "config.cfg", interpolate=False)
    assert written["components"]["ner"]["scorer"] == {"@scorers": "spacy.ner_scorer.v1"}
    assert written["paths"]["vectors"] is None
