"""German lookup lemmas, shipped in ``annotator/resources/lemmas-de.json.gz``.

One table serves two readers: the lookup lemmatizer in front of the event patterns and the
``name_hints`` component (a capitalised word whose lower-case form is in the table is a known German
word). The file is a copy of spaCy's German ``lemma_lookup`` table from spacy-lookups-data (MIT),
written by ``python -m training.tables``; at run time only this file is read, so the installed
application does not need spacy-lookups-data (ADR 0020).
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import TYPE_CHECKING

from annotator.resources import resource_path

if TYPE_CHECKING:
    from spacy.lookups import Lookups

LEMMAS_PATH = resource_path("lemmas-de.json.gz")
TABLE = "lemma_lookup"


@functools.cache
def german_lemmas() -> dict[str, str]:
    """Word form -> lemma (read once per process)."""
    data: dict[str, str] = json.loads(gzip.decompress(LEMMAS_PATH.read_bytes()).decode("utf-8"))
    return data


def lemma_lookups(lang: str) -> Lookups:
    """The ``lemma_lookup`` table for spaCy's lookup lemmatizer in language ``lang``.

    German comes from the shipped file; another language needs spacy-lookups-data installed.
    """
    from spacy.lookups import Lookups, load_lookups

    if lang == "de":
        lookups = Lookups()
        lookups.add_table(TABLE, german_lemmas())
        return lookups
    try:
        return load_lookups(lang, [TABLE])
    except (ValueError, ImportError) as exc:
        raise ValueError(
            f"no lookup lemmas for language {lang!r}: annotator ships German ones only; "
            f"pip install spacy-lookups-data for others ({exc})"
        ) from exc
