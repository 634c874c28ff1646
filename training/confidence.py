"""Fit a trained pipeline's entity confidence and add it: ``python -m training.confidence DIR``.

The ``entity_confidence`` component (:mod:`annotator.suggest.confidence`) is a logistic regression
over hint, shape and training-data features of each predicted entity. It is fitted here on the
pipeline's own predictions on the **dev** part (``training/corpus/dev.spacy``: GermEval ``i % 10
== 4`` and the even Smart Data news documents); a prediction is "right" when its start, end and
label match a gold entity. The table of entity strings comes from the training part. The held-out
test parts are only scored: the precision of the most and the least confident third of the
predictions (``thirds``).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from training.evaluate import CORPUS, TEST_PARTS, held_out

COMPONENT = "entity_confidence"


def seen_entities(corpus: Path) -> dict[str, dict[str, int]]:
    import spacy
    from spacy.tokens import DocBin

    seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for doc in DocBin().from_disk(corpus / "train.spacy").get_docs(spacy.blank("de").vocab):
        for ent in doc.ents:
            seen[ent.text][ent.label_] += 1
    return {text: dict(counts) for text, counts in seen.items()}


def _predictions(nlp: Any, examples: list[tuple[str, list[tuple[int, int, str]]]]) -> Any:
    """``(doc, entity, right)`` for every entity the pipeline predicts."""
    texts = [text for text, _ in examples]
    for doc, (_text, gold) in zip(nlp.pipe(texts, batch_size=64), examples, strict=True):
        keys = set(gold)
        for ent in doc.ents:
            yield doc, ent, (ent.start_char, ent.end_char, ent.label_) in keys


def fit(pipeline: Path, *, corpus: Path = CORPUS) -> tuple[list[float], dict[str, dict[str, int]]]:
    """Weights fitted on the dev part, and the table of training entity strings."""
    from sklearn.linear_model import LogisticRegression

    from annotator.suggest.confidence import features
    from annotator.suggest.pipelines import load_pipeline

    nlp = load_pipeline(pipeline)
    seen = seen_entities(corpus)
    rows, right = [], []
    for _doc, ent, ok in _predictions(nlp, held_out("dev", corpus=corpus)):
        rows.append(features(ent, seen))
        right.append(ok)
    model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(rows, right)
    return [float(w) for w in model.coef_[0]], seen


def install(pipeline: Path, weights: list[float], seen: dict[str, dict[str, int]]) -> None:
    """Add (or replace) the component after ``ner`` and save the pipeline in place."""
    import spacy

    from annotator.suggest.pipelines import clear_cache, register_components

    register_components()
    nlp = spacy.load(pipeline)
    if COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(COMPONENT)
    component = nlp.add_pipe(COMPONENT, after="ner")
    component.set_model(weights, seen)  # type: ignore[attr-defined]
    nlp.to_disk(pipeline)
    meta = pipeline / "meta.json"  # spaCy writes it without spaces; keep it readable
    data = json.loads(meta.read_text(encoding="utf-8"))
    meta.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    clear_cache()


def thirds(pipeline: Path, *, corpus: Path = CORPUS) -> dict[str, dict[str, float]]:
    """Per held-out part: how many predictions, and the precision of each third by confidence."""
    from annotator.suggest.confidence import SPANS_KEY
    from annotator.suggest.pipelines import load_pipeline

    nlp = load_pipeline(pipeline)
    out: dict[str, dict[str, float]] = {}
    for part in TEST_PARTS:
        scored = []
        for doc, ent, ok in _predictions(nlp, held_out(part, corpus=corpus)):
            group = doc.spans[SPANS_KEY]
            index = [(s.start, s.end, s.label_) for s in group].index(
                (ent.start, ent.end, ent.label_)
            )
            scored.append((float(group.attrs["scores"][index]), ok))
        scored.sort(key=lambda pair: -pair[0])
        third = max(1, len(scored) // 3)

        def precision(pairs: list[tuple[float, bool]]) -> float:
            return sum(ok for _, ok in pairs) / len(pairs) if pairs else 0.0

        out[part] = {
            "predictions": len(scored),
            "precision_all": precision(scored),
            "precision_top_third": precision(scored[:third]),
            "precision_middle_third": precision(scored[third:-third]),
            "precision_bottom_third": precision(scored[-third:]),
        }
    return out


def format_thirds(results: dict[str, dict[str, float]]) -> str:
    head = ("part", "predictions", "P all", "P top 1/3", "P mid 1/3", "P low 1/3")
    lines = [f"{head[0]:16} {head[1]:>11} {head[2]:>7} {head[3]:>9} {head[4]:>9} {head[5]:>9}"]
    for part, r in results.items():
        lines.append(
            f"{part:16} {int(r['predictions']):11d} {r['precision_all']:7.3f} "
            f"{r['precision_top_third']:9.3f} {r['precision_middle_third']:9.3f} "
            f"{r['precision_bottom_third']:9.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the parts")
    parser.add_argument("--json", type=Path, default=None, help="also write the thirds here")
    args = parser.parse_args(argv)
    weights, seen = fit(args.pipeline, corpus=args.corpus)
    install(args.pipeline, weights, seen)
    results = thirds(args.pipeline, corpus=args.corpus)
    print(format_thirds(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
