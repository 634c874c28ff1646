"""Score a trained pipeline on the held-out parts: exact entity spans, per label and micro.

Usage: ``python -m training.evaluate PIPELINE_DIR [--json OUT] [--ruler]``

The held-out parts are ``training/corpus/test-germeval.spacy`` (every tenth GermEval sentence,
index % 10 == 9), ``test-europarl.spacy`` (Europarl dev) and ``test-smartdata.spacy`` (the odd news
documents of the Smart Data test file), written by
``python -m training.prepare``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from annotator.suggest.evaluate import PRF, format_table, score_spans

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
TEST_PARTS = ("test-germeval", "test-europarl", "test-smartdata")
ENTITY_LABELS = ("PER", "LOC", "ORG", "MISC")


def held_out(
    part: str, *, corpus: Path = CORPUS
) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """``(text, gold spans)`` of one held-out part."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("de")
    docs = DocBin().from_disk(corpus / f"{part}.spacy").get_docs(nlp.vocab)
    return [(d.text, [(e.start_char, e.end_char, e.label_) for e in d.ents]) for d in docs]


def evaluate_pipeline(
    path: Path, *, ruler: bool = False, corpus: Path = CORPUS
) -> dict[str, dict[str, PRF]]:
    from annotator.suggest.pipelines import load_pipeline

    nlp = load_pipeline(path, ruler=ruler)
    results: dict[str, dict[str, PRF]] = {}
    for part in TEST_PARTS:
        examples = held_out(part, corpus=corpus)
        predicted = [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe([text for text, _ in examples], batch_size=64)
        ]
        results[part] = score_spans([g for _, g in examples], predicted, labels=ENTITY_LABELS)
    return results


def as_json(results: dict[str, dict[str, PRF]]) -> dict[str, Any]:
    return {
        part: {
            label: {
                "p": round(s.precision, 4),
                "r": round(s.recall, 4),
                "f": round(s.f1, 4),
                "support": s.support,
            }
            for label, s in scores.items()
        }
        for part, scores in results.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a pipeline on the held-out parts.")
    parser.add_argument("pipeline", type=Path)
    parser.add_argument("--json", type=Path, default=None, help="also write the scores here")
    parser.add_argument("--ruler", action="store_true", help="add the curated entity ruler")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the test parts")
    args = parser.parse_args(argv)
    results = evaluate_pipeline(args.pipeline, ruler=args.ruler, corpus=args.corpus)
    for part, scores in results.items():
        print(format_table(scores, title=f"== {part}"))
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
