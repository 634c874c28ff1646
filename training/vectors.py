"""Static subword vectors (floret) from the raw German text here: ``python -m training.vectors``.

The text is every sentence of the **training** parts only (``training/prepare.py``'s split): the
GermEval training sentences (not its dev or held-out tenths), Europarl train, Smart Data train and
the RSS/tweets of its test file (not the news documents, which hold the dev and held-out parts),
MobIE train and dev, HIPE, Europeana, the Sturm letters and the whole LER court text (the
sentences of ``legal/*.conll.gz``; ``raw/ler_dataset_courts_timex.zip`` is the same text). The
GermEval 2014 test split and the seed articles are never read. Tokens are spaCy's German tokens,
one sentence a line, case kept.

floret (Explosion's fastText fork) stores a word as the sum of hashed character n-grams in a small
table (``--bucket`` rows of ``--dim`` floats), so every word, also one never seen, gets a vector and
the table size is fixed: ``bucket x dim x 4`` bytes. ``spacy init vectors --mode floret`` turns it
into a spaCy vectors model (``training/output/vectors/``) that ``training/config.cfg`` can use via
``--paths.vectors``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from training.prepare import DEFAULT_DATA, ROOT, Sentence

OUT = ROOT / "training" / "output"
TEXT = OUT / "raw-de.txt"
VECTORS = OUT / "vectors"
BUCKET = 50_000
DIM = 200
MINN, MAXN, HASHES = 4, 5, 2
EPOCHS = 5


def training_sentences(data: Path) -> list[Sentence]:
    from training import corpora, prepare

    parts = prepare.split(data, mix={})  # GermEval train + Europarl train; held-out parts apart
    out = list(parts["train"])
    for name in ("smartdata", "mobie", "hipe", "europeana", "sturm"):
        out += prepare.extra_corpus(data, name, _tokenizer())
    for court in corpora.LER_COURTS:
        out += corpora.read_ler(data / "legal" / f"{court}.conll.gz")
    return out


_TOK = None


def _tokenizer() -> object:
    global _TOK
    if _TOK is None:
        import spacy

        _TOK = spacy.blank("de").tokenizer
    return _TOK


def write_text(data: Path, path: Path) -> tuple[int, int]:
    """One sentence a line, tokens separated by a space; returns (lines, tokens)."""
    seen: set[str] = set()
    lines = tokens = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for sentence in training_sentences(data):
            words = [w for w in sentence.tokens if w.strip()]
            line = " ".join(w.replace(" ", "_") for w in words)
            if not line or line in seen:
                continue
            seen.add(line)
            out.write(line + "\n")
            lines += 1
            tokens += len(words)
    return lines, tokens


def ensure_text(data: Path) -> Path:
    """The raw text of the training parts, written once (``TEXT``)."""
    if not TEXT.exists():
        lines, tokens = write_text(data, TEXT)
        print(f"{TEXT}: {lines} lines, {tokens} tokens", flush=True)
    return TEXT


def train_floret(text: Path, prefix: Path, *, bucket: int, dim: int, epochs: int) -> None:
    import floret

    model = floret.train_unsupervised(
        str(text), model="cbow", mode="floret", dim=dim, bucket=bucket,
        minn=MINN, maxn=MAXN, hashCount=HASHES, epoch=epochs, minCount=2, thread=1,
    )  # fmt: skip
    model.save_floret_vectors(str(prefix) + ".floret")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bucket", type=int, default=BUCKET)
    parser.add_argument("--dim", type=int, default=DIM)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", type=Path, default=VECTORS)
    args = parser.parse_args(argv)
    ensure_text(args.data)
    started = time.monotonic()
    prefix = args.out.parent / f"{args.out.name}-b{args.bucket}-d{args.dim}"
    train_floret(TEXT, prefix, bucket=args.bucket, dim=args.dim, epochs=args.epochs)
    print(f"floret trained in {time.monotonic() - started:.0f} s", flush=True)
    subprocess.run(
        [sys.executable, "-m", "spacy", "init", "vectors", "de", str(prefix) + ".floret",
         str(args.out), "--mode", "floret"],
        check=True,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
