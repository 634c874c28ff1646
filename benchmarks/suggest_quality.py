"""Quality of the built-in suggester: exact-span P/R/F1 per label, and micro-F1.

Two test sets:

* the held-out part of the training data (``training/corpus/test-*.spacy``, made by
  ``python -m training.prepare`` from ``../shared/data/ner-de/``; see training/prepare.py for the
  split): entity labels PER, LOC, ORG, MISC;
* ``tests/fixtures/gold_events_heldout.jsonl``: event triggers in Smart Data news and GermEval
  news sentences the patterns were not written from (``GOLD_EVENTS_NOTES.md``), its ``dev`` part
  (patterns tuned on it) and its ``test`` part apart;
* ``tests/fixtures/gold_seed.jsonl``: the five seed articles we annotated by hand (entities and
  events; DATE is not annotated there and not scored). The entity model and the patterns were
  built with the seeds in view: read it as a check, not as a measurement.

Usage: ``python benchmarks/suggest_quality.py [--no-heldout] [--model DIR]`` (``--model``: score a
candidate pipeline in place of the built-in model, suggesting the same way).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import LabelScheme, SpanKind  # noqa: E402
from annotator.suggest import builtin_suggester  # noqa: E402
from annotator.suggest.evaluate import format_table, score_spans  # noqa: E402
from annotator.suggest.spacy_suggester import (  # noqa: E402
    BUILTIN_NAME,
    BUILTIN_USES_RULER,
    RuleSuggester,
    SpacySuggester,
)

GOLD = ROOT / "tests" / "fixtures" / "gold_seed.jsonl"
EVENTS_HELDOUT = ROOT / "tests" / "fixtures" / "gold_events_heldout.jsonl"
ENTITIES = ("PER", "LOC", "ORG", "MISC")


def gold_fixture() -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
        out.append((record["text"], spans))
    return out


def events_heldout(part: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    for line in EVENTS_HELDOUT.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["part"] == part:
            spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
            out.append((record["text"], spans))
    return out


def held_out_sets() -> dict[str, list[tuple[str, list[tuple[int, int, str]]]]]:
    from training import evaluate, prepare

    if not all((evaluate.CORPUS / f"{part}.spacy").exists() for part in evaluate.TEST_PARTS):
        prepare.main([])
    return {part: evaluate.held_out(part) for part in evaluate.TEST_PARTS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-heldout", action="store_true", help="only the seed gold fixture")
    parser.add_argument("--model", type=Path, default=None, help="instead of the built-in one")
    args = parser.parse_args(argv)
    suggester = (
        builtin_suggester()
        if args.model is None
        else SpacySuggester(args.model, name=BUILTIN_NAME, events=True, ruler=BUILTIN_USES_RULER)
    )
    print(f"suggester {suggester.name} {suggester.version}")
    if not args.no_heldout:
        for part, examples in held_out_sets().items():
            texts = [text for text, _ in examples]
            predicted = [[s.key for s in spans] for spans in suggester.suggest(texts)]
            scores = score_spans([g for _, g in examples], predicted, labels=ENTITIES)
            print(format_table(scores, title=f"\n== held-out {part} ({len(texts)} sentences)"))
            print(f"micro-F1 {part}: {scores['micro'].f1:.3f}")
    events = [label.name for label in LabelScheme.load().of_kind(SpanKind.EVENT)]
    rules = RuleSuggester()
    for part in ("dev", "test"):
        examples = events_heldout(part)
        predicted = [[s.key for s in spans] for spans in rules.suggest([t for t, _ in examples])]
        scores = score_spans([g for _, g in examples], predicted, labels=events)
        title = f"\n== held-out event triggers, {part} part ({len(examples)} texts)"
        print(format_table(scores, title=title))
        print(f"micro-F1 event triggers {part}: {scores['micro'].f1:.3f}")
    examples = gold_fixture()
    predicted = [[s.key for s in spans] for spans in suggester.suggest([t for t, _ in examples])]
    gold = [g for _, g in examples]
    for title, labels in (("entities", ENTITIES), ("events", events)):
        scores = score_spans(gold, predicted, labels=labels)
        print(format_table(scores, title=f"\n== seed gold fixture (not held out), {title}"))
        print(f"micro-F1 seed gold {title}: {scores['micro'].f1:.3f}")
    overall = score_spans(gold, predicted, labels=[*ENTITIES, *events])
    print(f"\nmicro-F1 seed gold, entities and events: {overall['micro'].f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
