"""Speed of ``annotator suggest`` against plain ``nlp.pipe`` of the same pipeline, same texts.

The corpus is the seed articles replicated (distinct texts). The raw side runs ``nlp.pipe`` over
the texts and reads ``doc.ents`` and the event span group; the annotator side runs the whole batch
command path: stream documents from the store, suggest, convert to spans, commit every 64
documents with their run markers.

    python benchmarks/suggest_speed.py [--documents 500] [--n-process 1] [--other-model DIR]
        [--model DIR]

``--other-model DIR`` also times plain ``nlp.pipe`` of another pipeline (with the same event rules)
on the same texts, in the same run, and prints the docs/s of the built-in one against it: how a
new model compares with the one it replaces (extract the old one with ``git archive``).
``--model DIR`` times a candidate in place of the built-in model (the same suggester otherwise).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from annotator.model import Document
from annotator.store import Store
from annotator.suggest import builtin_suggester
from annotator.suggest.batch import suggest_corpus
from annotator.suggest.spacy_suggester import BUILTIN_NAME, BUILTIN_USES_RULER, SpacySuggester

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def candidate(path: Path) -> SpacySuggester:
    """A pipeline suggesting as the built-in one does (same name, event rules, ruler setting)."""
    return SpacySuggester(path, name=BUILTIN_NAME, events=True, ruler=BUILTIN_USES_RULER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--other-model", type=Path, default=None, help="time this one too")
    parser.add_argument("--model", type=Path, default=None, help="instead of the built-in one")
    args = parser.parse_args()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = [f"{seeds[i % 5]}\n\nKopie {i}" for i in range(args.documents)]
    suggester = builtin_suggester() if args.model is None else candidate(args.model)
    nlp = suggester.load()
    list(nlp.pipe(texts[:10]))  # warm up: lookups, vectors, caches

    other = None
    if args.other_model is not None:
        from annotator.suggest.pipelines import load_pipeline

        other = load_pipeline(args.other_model, events=True)
        list(other.pipe(texts[:10]))
    raw_times, ours_times, other_times = [], [], []
    for _ in range(args.repeat):
        if other is not None:
            start = time.perf_counter()
            for doc in other.pipe(texts, batch_size=args.batch_size, n_process=args.n_process):
                len(doc.ents)
            other_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        n_spans = 0
        for doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.n_process):
            n_spans += len(doc.ents) + sum(len(g) for g in doc.spans.values())
        raw_times.append(time.perf_counter() - start)

        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "p.db")
            store.add_documents(Document(id=f"d{i}", text=t) for i, t in enumerate(texts))
            start = time.perf_counter()
            report = suggest_corpus(
                store, suggester, batch_size=args.batch_size, n_process=args.n_process
            )
            ours_times.append(time.perf_counter() - start)
            assert report.documents == len(texts)
            store.close()
    raw, ours = min(raw_times), min(ours_times)
    n = len(texts)
    chars = sum(map(len, texts))
    print(f"documents: {n} ({chars / 1e6:.1f} M characters), pipeline: {nlp.pipe_names}")
    print(f"plain nlp.pipe      : {raw:6.2f} s  {n / raw:8.1f} docs/s  ({n_spans} spans)")
    print(f"annotator suggest   : {ours:6.2f} s  {n / ours:8.1f} docs/s  ({report.spans} spans)")
    print(f"ratio (annotator / plain docs per second): {raw / ours:.2f}  (aim >= 0.85)")
    if other is not None:
        slow = min(other_times)
        print(f"other model nlp.pipe: {slow:6.2f} s  {n / slow:8.1f} docs/s  {other.pipe_names}")
        print(f"built-in / other model docs per second (plain nlp.pipe): {slow / raw:.2f}")


if __name__ == "__main__":
    main()
