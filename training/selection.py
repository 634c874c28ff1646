"""Model selection that weighs the dev sets equally: the ``--code`` file of ``spacy train``.

The dev part (``training/corpus/dev.spacy``) holds GermEval ``i % 10 == 4`` (about 200 entities)
and the even Smart Data news documents (about 2,200): micro-F1 over it is mostly Smart Data. Each
dev Doc carries its set in ``doc.user_data["set"]`` (``training/prepare.py``); the scorer here
adds ``ents_macro_f``, the mean of the exact-span micro-F1 of each set, and ``ents_f_<set>``.
``training/config.cfg`` logs it and still selects ``model-best`` on the pooled ``ents_f``:
selecting on the mean scored lower on every held-out set (model card); override
``training.score_weights`` to select on it. ``training/build.py`` puts
spaCy's own NER scorer back into the installed pipeline's config, so loading the model never needs
this file.

Importing it also registers the ``name_hints`` component the training config names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import spacy
from spacy.scorer import get_ner_prf

import annotator.suggest.hints  # noqa: F401  (registers name_hints)

SCORER = "annotator.ner_macro_scorer.v1"
SET_KEY = "set"


def macro_ner_score(examples: Iterable[Any], **kwargs: Any) -> dict[str, Any]:
    examples = list(examples)
    scores: dict[str, Any] = get_ner_prf(examples, **kwargs)
    by_set: defaultdict[str, list[Any]] = defaultdict(list)
    for example in examples:
        by_set[str(example.reference.user_data.get(SET_KEY, "all"))].append(example)
    per_set = {name: get_ner_prf(group, **kwargs)["ents_f"] for name, group in by_set.items()}
    for name, f1 in sorted(per_set.items()):
        scores[f"ents_f_{name}"] = f1
    scores["ents_macro_f"] = sum(per_set.values()) / len(per_set) if per_set else 0.0
    return scores


@spacy.registry.scorers(SCORER)
def make_macro_ner_scorer() -> Callable[..., dict[str, Any]]:
    return macro_ner_score
