"""Write the shipped lookup tables from the build-time word lists: ``python -m training.tables``.

``annotator/resources/lemmas-de.json.gz`` is spaCy's German ``lemma_lookup`` table from
spacy-lookups-data (a ``[train]`` dependency); the installed application reads only the file
(ADR 0020). The name hint tables need no step here: ``name_hints`` builds them when the model is
initialised and saves them inside the pipeline.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from annotator.suggest.gazetteer import lookups_data_lemmas
from annotator.suggest.lemmas import LEMMAS_PATH


def lemma_payload(lemmas: dict[str, str]) -> bytes:
    """The file's bytes: sorted JSON, gzip without a timestamp (same input, same bytes)."""
    text = json.dumps(lemmas, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), mtime=0)


def write_lemmas(path: Path = LEMMAS_PATH) -> int:
    lemmas = lookups_data_lemmas("de")
    path.write_bytes(lemma_payload(lemmas))
    return len(lemmas)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the shipped German lemma table.")
    parser.add_argument("--out", type=Path, default=LEMMAS_PATH, help="where to write it")
    args = parser.parse_args(argv)
    count = write_lemmas(args.out)
    print(f"wrote {args.out} ({count} word forms, {args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
