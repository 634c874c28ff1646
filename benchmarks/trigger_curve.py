"""Event triggers of types no pattern knows: the trigger categoriser alone, by documents seen.

The event categoriser ``annotator train`` adds (:mod:`annotator.suggest.triggers`) has a tok2vec
of its own, so it learns the same inside the retrained pipeline as alone in a blank German one:
this measures it alone, for a fixed number of epochs (a shared machine's wall clock would decide
a time budget), on the first k documents of the Smart Data train file under the corpus' own
scheme (15 event types: Accident, TrafficJam, Strike, Acquisition, ...), scored on held-out
documents of the test file (every other one): exact-span micro F1 of the triggers. With
``--factory spancat`` spaCy's own span categoriser is measured the same way.

Usage::

    python -m benchmarks.trigger_curve --ks 10,25,50,100,200 --epochs 8
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import SpanKind  # noqa: E402
from annotator.suggest.evaluate import score_spans  # noqa: E402
from benchmarks.learning_sizes import smartdata  # noqa: E402

KEY = "events"


def run(k: int, factory: str, epochs: int, test: int, seed: int = 0) -> dict[str, float]:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    from annotator.suggest.triggers import FACTORY, add_trigger_categoriser

    fix_random_seed(seed)
    pool, held, scheme = smartdata()
    assert scheme is not None
    events = {label.name for label in scheme.of_kind(SpanKind.EVENT)}
    learn = pool[:k]
    held = held[:test]
    nlp = spacy.blank("de")

    def example(text: str, keys: list[tuple[int, int, str]]) -> Example:
        reference = nlp.make_doc(text)
        made = [
            reference.char_span(s, e, label=label, alignment_mode="expand")
            for s, e, label in keys
            if label in events
        ]
        reference.spans[KEY] = [m for m in made if m is not None]
        return Example(nlp.make_doc(text), reference)

    examples = [example(t, g) for _, t, g in learn]
    if factory == FACTORY:
        add_trigger_categoriser(
            nlp, name="ev", spans_key=KEY, labels=sorted(events), get_examples=lambda: examples
        )
    else:
        pipe = nlp.add_pipe(
            factory,
            name="ev",
            config={
                "spans_key": KEY,
                "threshold": 0.3,
                "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1, 2]},
            },
        )
        pipe.initialize(lambda: examples, nlp=nlp, labels=sorted(events))
    optimizer = nlp.resume_training()
    rng = random.Random(seed)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=4):  # annotator train's batch size
            nlp.update(batch, sgd=optimizer, drop=0.2)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    gold = [[key for key in g if key[2] in events] for _, _, g in held]
    found = [
        [(s.start_char, s.end_char, s.label_) for s in doc.spans[KEY]]
        for doc in nlp.pipe(t for _, t, _ in held)
    ]
    prf = score_spans(gold, found)["micro"]
    return {
        "k": k,
        "triggers": sum(len(e.reference.spans[KEY]) for e in examples),
        "precision": prf.precision,
        "recall": prf.recall,
        "f1": prf.f1,
        "cpu": cpu,
        "wall": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", default="10,25,50,100,200")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--test", type=int, default=150, help="held-out documents")
    parser.add_argument("--factory", default="trigger_spancat")
    args = parser.parse_args(argv)
    print(f"{args.factory}, {args.epochs} epochs, held out: {args.test} Smart Data test documents")
    print("| k | triggers learnt from | P | R | trigger F1 | training CPU s | wall s |")
    print("|---|---|---|---|---|---|---|")
    for k in (int(x) for x in args.ks.split(",")):
        r = run(k, args.factory, args.epochs, args.test)
        print(
            f"| {k} | {r['triggers']:.0f} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['cpu']:.0f} | {r['wall']:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
