"""Build the two small sentence files that retraining ships (``annotator/resources``):

* ``rehearsal-de.jsonl.gz``: a seeded sample of the built-in model's own training sentences
  (GermEval 2014 dev, the training part ``i % 10`` not 4 or 9; Europarl train; Smart Data train
  file), mixed into every retraining step so the retrained model keeps what it knew;
* ``general-de.jsonl.gz``: the fixed general German set the gate compares models on: the
  built-in model's held-out parts Europarl dev and GermEval dev ``i % 10 == 9`` (the model card's
  ``test-europarl`` and ``test-germeval``; never the GermEval 2014 test split).

One JSON object a line: ``{"id", "text", "spans": [[start, end, label], ...]}`` with code-point
offsets into ``text`` (rebuilt from the tokens as ``training/prepare.py`` does). Licences and
citations: ``annotator/resources/SENTENCES.md``.

Usage: ``python -m training.sentences [--data ../shared/data/ner-de]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Iterable
from pathlib import Path

from training.prepare import DEFAULT_DATA, ROOT, Sentence, read_europarl, read_germeval, spaces_for

OUT = ROOT / "annotator" / "resources"
REHEARSAL_PER_SOURCE = {"germeval": 400, "europarl": 400, "smartdata": 400}


def to_record(sentence: Sentence, sentence_id: str) -> dict[str, object]:
    spaces = sentence.spaces if sentence.spaces is not None else spaces_for(sentence.tokens)
    starts, text = [], ""
    for token, space in zip(sentence.tokens, spaces, strict=True):
        starts.append(len(text))
        text += token + (" " if space else "")
    spans = [
        [starts[a], starts[b - 1] + len(sentence.tokens[b - 1]), label]
        for a, b, label in sentence.spans()
    ]
    return {"id": sentence_id, "text": text.rstrip(), "spans": spans}


def _write(path: Path, records: Iterable[dict[str, object]]) -> int:
    n = 0
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        for record in records:
            raw.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            n += 1
    return n


def build(data: Path, out: Path = OUT, *, seed: int = 0) -> tuple[int, int]:
    import spacy

    from training.corpora import read_smartdata

    germeval = list(read_germeval(data / "germeval2014-dev.tsv"))
    general = [
        to_record(s, f"europarl-dev/{i}")
        for i, s in enumerate(read_europarl(data / "europarl-dev.tsv"))
    ] + [to_record(s, f"germeval-dev/{i}") for i, s in enumerate(germeval) if i % 10 == 9]

    rng = random.Random(seed)
    pools: dict[str, list[tuple[str, Sentence]]] = {
        "germeval": [
            (f"germeval-dev/{i}", s) for i, s in enumerate(germeval) if i % 10 not in (4, 9)
        ],
        "europarl": [
            (f"europarl-train/{i}", s)
            for i, s in enumerate(read_europarl(data / "europarl-train.tsv"))
        ],
        "smartdata": [
            (f"smartdata-train/{k}/{j}", s)
            for k, (_d, sentences) in enumerate(
                read_smartdata(
                    data / "smartdata" / "v1_20180119_train.json.gz",
                    tokenizer=spacy.blank("de").tokenizer,
                )
            )
            for j, s in enumerate(sentences)
            if 5 <= len(s.tokens) <= 60
        ],
    }
    rehearsal = []
    for name, n in REHEARSAL_PER_SOURCE.items():
        pool = pools[name]
        for sentence_id, s in rng.sample(pool, min(n, len(pool))):
            rehearsal.append(to_record(s, sentence_id))
    rng.shuffle(rehearsal)
    return _write(out / "rehearsal-de.jsonl.gz", rehearsal), _write(
        out / "general-de.jsonl.gz", general
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n_rehearsal, n_general = build(args.data, args.out)
    print(f"{n_rehearsal} rehearsal sentences, {n_general} general sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
