"""Retraining on a source where the built-in model is weak: HIPE-2022 historical newspapers.

HIPE's German documents (NewsEye and SoNAR, ``../shared/data/ner-de/hipe/``, NE-COARSE-LIT mapped
as ``training/corpora.py`` does: pers/loc/org/prod -> PER/LOC/ORG/MISC) are cut into passages of
``--sentences`` sentences, the unit an annotator finishes. The HIPE documents are split by a hash
of their id: passages of one fifth of them are the evaluation set (never in any project), the
others' passages, in a seeded order, are what the team annotates.

For each ``k`` a fresh project gets the first ``k`` of those passages marked done with their gold
entities, and ``annotator.learn.train`` runs as ``annotator train`` would (its own hold-back,
early stopping, rehearsal, gate). Printed per run: training time, steps and epochs, why it
stopped, the gate's two comparisons (held-back documents; the fixed general German sentences)
and its decision, and the entity F1 of the built-in and of the retrained model on the evaluation
passages (exact spans, model plus event patterns as the window uses them, entities only) with
the 95% interval of the difference over passages.

Usage (CPU-heavy: run it nice'd)::

    nice -n 15 python -m benchmarks.retrain --ks 10,25,50,100,200 --json docs/retrain_hipe.json
    nice -n 15 python -m benchmarks.retrain --ks 100 --rehearsal none
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import DocStatus, Document  # noqa: E402
from annotator.session import Session  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest.evaluate import PRF, paired_bootstrap, score_spans  # noqa: E402

HIPE = ROOT.parent / "shared" / "data" / "ner-de" / "hipe"
ENTITIES = ("PER", "LOC", "ORG", "MISC")
Key = tuple[int, int, str]
Passage = tuple[str, str, list[Key]]


def hipe_documents(
    path: Path,
) -> Iterator[tuple[str, list[tuple[list[str], list[bool], list[str]]]]]:
    """(document id, sentences as (tokens, space after, BIO tags)) of one HIPE TSV file."""
    from training.corpora import HIPE_LABELS, map_tag, repair_bio

    doc_id = ""
    sentences: list[tuple[list[str], list[bool], list[str]]] = []
    tokens: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []

    def end_sentence() -> None:
        nonlocal tokens, spaces, tags
        if tokens:
            sentences.append((tokens, spaces, repair_bio(tags)))
        tokens, spaces, tags = [], [], []

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("# hipe2022:document_id"):
                end_sentence()
                if sentences:
                    yield doc_id, sentences
                doc_id, sentences = line.split("=", 1)[1].strip(), []
                continue
            if not line.strip() or line.startswith("#") or line.startswith("TOKEN\t"):
                continue
            cols = line.split("\t")
            if len(cols) < 10:
                continue
            tokens.append(cols[0])
            tags.append(map_tag(cols[1], lambda label: HIPE_LABELS.get(label.lower())))
            spaces.append("NoSpaceAfter" not in cols[9])
            if "EndOfSentence" in cols[9] or ("EndOfLine" in cols[9] and len(tokens) > 80):
                end_sentence()
    end_sentence()
    if sentences:
        yield doc_id, sentences


def passages(doc_id: str, sentences: list, size: int) -> list[Passage]:
    """A HIPE document as passages of ``size`` sentences: (id, text, gold entity spans)."""
    out: list[Passage] = []
    for n, at in enumerate(range(0, len(sentences), size)):
        text, spans = "", []
        for tokens, spaces, tags in sentences[at : at + size]:
            if text and not text.endswith((" ", "\n")):
                text += " "
            starts = []
            for token, space in zip(tokens, spaces, strict=True):
                starts.append(len(text))
                text += token + (" " if space else "")
            start, label = -1, ""
            for i, tag in enumerate([*tags, "O"]):
                if start >= 0 and not tag.startswith("I-"):
                    spans.append((starts[start], starts[i - 1] + len(tokens[i - 1]), label))
                    start = -1
                if tag.startswith("B-"):
                    start, label = i, tag[2:]
        out.append((f"{doc_id}/{n:02d}", text.rstrip(), spans))
    return out


def corpus(size: int, seed: int) -> tuple[list[Passage], list[Passage]]:
    """(passages to annotate in a seeded order, evaluation passages of other HIPE documents)."""
    import random

    learn: list[Passage] = []
    test: list[Passage] = []
    for path in sorted(HIPE.glob("*.tsv.gz")):
        for doc_id, sentences in hipe_documents(path):
            held = int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 5 == 0
            (test if held else learn).extend(passages(doc_id, sentences, size))
    random.Random(seed).shuffle(learn)
    return learn, test


def entity_counts(model: Path, store: Store, docs: list[Passage]) -> list[PRF]:
    from annotator.learn import project_suggester

    suggester = project_suggester(store, model=model)
    predicted = suggester.suggest([t for _, t, _ in docs], n_process=1)
    return [
        score_spans([gold], [[s.key for s in spans]], labels=ENTITIES)["micro"]
        for (_, _, gold), spans in zip(docs, predicted, strict=True)
    ]


def project(path: Path, docs: list[Passage], k: int) -> Store:
    store = Store.open(path)
    store.add_documents(Document(id=d, text=t) for d, t, _ in docs)
    anna = Session(store, "anna")
    for doc_id, _, spans in docs[:k]:
        for start, end, label in spans:
            anna.execute(anna.add(doc_id, start, end, label))
        anna.execute(anna.set_status(doc_id, DocStatus.DONE))
    return store


def main(argv: list[str] | None = None) -> int:
    from annotator.learn import TrainOptions, TrainProgress, train
    from annotator.suggest.pipelines import BUILTIN_MODEL_PATH

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", default="100", help="finished documents per run")
    parser.add_argument("--sentences", type=int, default=20, help="sentences a passage")
    parser.add_argument("--minutes", type=float, default=None, help="budget (default: train's)")
    parser.add_argument("--rehearsal", default="sample", choices=("sample", "none"))
    parser.add_argument("--max-steps", type=int, default=None, help="at most this many steps")
    parser.add_argument(
        "--no-early-stopping",
        action="store_true",
        help="no early-stopping part (the fit runs its steps; shows what it forgets)",
    )
    parser.add_argument("--untouched", type=int, default=20, help="extra undone passages")
    parser.add_argument("--test", type=int, default=80, help="evaluation passages (at most)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="append the figures of each run here")
    parser.add_argument("--verbose", action="store_true", help="print the training's progress")
    args = parser.parse_args(argv)

    learn, test = corpus(args.sentences, args.seed)
    test = test[: args.test]
    print(
        f"HIPE: {len(learn)} passages to annotate, {len(test)} evaluation passages "
        f"({sum(len(g) for _, _, g in test)} entities), {args.sentences} sentences a passage",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="retrain-") as tmp:
        builtin_counts: list[PRF] | None = None
        for k in (int(x) for x in args.ks.split(",")):
            docs = learn[: k + args.untouched]
            store = project(Path(tmp) / f"k{k}.db", docs, k)
            if builtin_counts is None:
                builtin_counts = entity_counts(BUILTIN_MODEL_PATH, store, test)
            options = TrainOptions(
                rehearsal=args.rehearsal,
                resuggest=False,
                max_steps=args.max_steps,
                dev_share=0.0 if args.no_early_stopping else TrainOptions.dev_share,
                **({} if args.minutes is None else {"minutes": args.minutes}),
            )

            def progress(p: TrainProgress) -> None:
                if args.verbose:
                    print(f"    [{round(p.fraction * 100):3d}%] {p.text}", flush=True)

            t0 = time.perf_counter()
            report = train(store, options, progress=progress)
            seconds = time.perf_counter() - t0
            new_counts = entity_counts(report.path, store, test)
            versus = paired_bootstrap(builtin_counts, new_counts, seed=args.seed)
            print(f"k={k} rehearsal={args.rehearsal}: {seconds:.0f} s", flush=True)
            for line in report.summary().splitlines():
                print(f"    {line}")
            print(f"    {versus.describe('evaluation passages, built-in -> retrained')}")
            for e in report.curve:
                print(
                    f"    curve: step {e.step} at {e.seconds:.0f} s, loss {e.loss}, "
                    f"F1 {e.dev_f1:.3f}"
                )
            worse_in_use = report.activated and versus.gain < 0
            results.append(
                {
                    "k": k,
                    "rehearsal": args.rehearsal,
                    "early_stopping": not args.no_early_stopping,
                    "seconds": round(seconds, 1),
                    "report": report.to_json(),
                    "evaluation": {
                        "passages": versus.units,
                        "builtin": round(versus.current, 4),
                        "retrained": round(versus.new, 4),
                        "low": round(versus.low, 4),
                        "high": round(versus.high, 4),
                    },
                    "worse_model_in_use": worse_in_use,
                }
            )
            store.close()
    if args.json is not None:
        old = json.loads(args.json.read_text()) if args.json.is_file() else []
        args.json.write_text(json.dumps(old + results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
