"""Pretrain the tok2vec on the raw German text here: ``python -m training.pretrain``.

``spacy pretrain`` with its character objective (predict the first and last four characters of
each word from its context) teaches the CNN of ``training/config.cfg`` (same width, depth and
hashed attributes) on unlabelled text before the entity training starts. The text is the one
``training.vectors`` writes (every sentence of the training parts only: no dev, held-out,
GermEval 2014 test or seed text; 89,504 lines, 2.66 M tokens, mostly LER court text), one JSON
object a line.

The weights only initialise the tok2vec: the trained model has the same size and speed as one
trained from random weights. Train with them through the pretraining config this writes (spaCy
reads ``[initialize] init_tok2vec`` only when the config has a ``[pretraining]`` section, so
``training/config.cfg`` with ``--paths.init_tok2vec`` alone silently ignores them)::

    python -m training.pretrain --epochs 2
    python -m spacy train training/output/pretrain.cfg --output training/output/pt \\
        --code training/selection.py --paths.init_tok2vec training/output/pretrain/model1.bin

What it measured is in the model card and ADR 0003.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from training.prepare import DEFAULT_DATA, ROOT
from training.vectors import OUT, ensure_text

CONFIG = ROOT / "training" / "config.cfg"
PRETRAIN_CONFIG = OUT / "pretrain.cfg"
RAW_JSONL = OUT / "raw-de.jsonl"
WEIGHTS = OUT / "pretrain"
EPOCHS = 2


def write_jsonl(text: Path, out: Path) -> int:
    """The raw text as ``{"text": ...}`` lines; returns the number of lines."""
    n = 0
    with text.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            line = line.strip()
            if line:
                dst.write(json.dumps({"text": line}, ensure_ascii=False) + "\n")
                n += 1
    return n


def write_config(epochs: int) -> None:
    """``training/config.cfg`` with spaCy's default ``[pretraining]`` section filled in."""
    from spacy.util import load_config

    subprocess.run(
        [
            sys.executable, "-m", "spacy", "init", "fill-config", str(CONFIG),
            str(PRETRAIN_CONFIG), "--pretraining",
            "--code", str(ROOT / "training" / "selection.py"),
        ],
        check=True, cwd=ROOT,
    )  # fmt: skip
    config = load_config(PRETRAIN_CONFIG, interpolate=False)
    config["pretraining"]["max_epochs"] = epochs
    config.to_disk(PRETRAIN_CONFIG)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    text = ensure_text(args.data)
    print(f"{RAW_JSONL}: {write_jsonl(text, RAW_JSONL)} lines", flush=True)
    write_config(args.epochs)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run(
        [
            "nice", "-n", "15", sys.executable, "-m", "spacy", "pretrain", str(PRETRAIN_CONFIG),
            str(args.out), "--code", str(ROOT / "training" / "selection.py"),
            "--paths.raw_text", str(RAW_JSONL),
        ],
        check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    print(f"weights: {args.out}/model{args.epochs - 1}.bin", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
