"""``name_hints``: a spaCy component telling the entity model what word lists know about a word.

With a few thousand training sentences the model cannot learn every city, first name and common
noun of German. This component looks every token up in word lists and writes a short hint class
into ``Token.tag_`` (the built-in pipeline has no tagger), which the tok2vec layer embeds as one
more hashed attribute beside NORM, PREFIX, SUFFIX and SHAPE. The model learns how far to trust
each hint; nothing here decides an entity on its own.

Hint parts, joined with ``|`` in a fixed order:

``loc`` a place name (German country names, cities with their alternate names, toponyms);
``first`` / ``last`` a first name / surname; ``org`` a known organisation; ``prop`` another proper
name; then one of ``N`` (capitalised and a known common noun form), ``W`` (capitalised, but its
lower-case form is a known German word: sentence-initial function words, verbs, adjectives) or
``U`` (capitalised and none of these: the strong "this is a name" hint); ``_`` for no hint.

The word lists are built once, at ``initialize`` time during training, from installed packages
(see :mod:`annotator.suggest.gazetteer`), and saved with the pipeline, so a shipped model does not
need those packages and its hints do not drift when they change. Whether a lower-case form is a
known German word comes from the shipped lemma table (:mod:`annotator.suggest.lemmas`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.lang.de.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

HINT_ORDER = ("loc", "first", "last", "org", "prop")
TABLE_FILE = "hints.json.gz"


class NameHints:
    """Writes dictionary hints into ``Token.tag_``; the tables travel with the pipeline."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.names: dict[str, str] = {}  # word form -> "loc|last" etc.
        self.nouns: set[str] = set()  # capitalised common-noun forms
        self.phrases: dict[
            str, list[tuple[tuple[str, ...], str]]
        ] = {}  # first word -> (words, hint)
        self._lemma_table: dict[str, str] | None = None

    # -- the lists -------------------------------------------------------------------------
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        curated: str | None = None,
    ) -> None:
        from annotator.suggest.gazetteer import build_tables

        names, nouns = build_tables(curated=Path(curated) if curated else None)
        self.set_tables(names, nouns)

    def set_tables(self, names: dict[str, set[str]], nouns: set[str]) -> None:
        self.names = {}
        self.phrases = {}
        for form, hints in names.items():
            hint = "|".join(h for h in HINT_ORDER if h in hints)
            words = tuple(form.split())
            if len(words) == 1:
                self.names[form] = hint
            elif words:
                self.phrases.setdefault(words[0], []).append((words, hint))
        for entries in self.phrases.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self.nouns = set(nouns)

    # -- the component ---------------------------------------------------------------------
    def _lower_word(self, lower: str) -> bool:
        if self._lemma_table is None:
            from annotator.suggest.lemmas import german_lemmas

            self._lemma_table = german_lemmas()
        return lower in self._lemma_table

    def hint(self, word: str, *, in_phrase: str = "") -> str:
        parts = set(filter(None, [*self.names.get(word, "").split("|"), *in_phrase.split("|")]))
        if not parts and word.endswith("s") and len(word) > 3:
            parts = set(filter(None, self.names.get(word[:-1], "").split("|")))  # genitive
        out = [h for h in HINT_ORDER if h in parts]
        if word[:1].isupper():
            if word.lower() in STOP_WORDS:
                out.append("W")
            elif word in self.nouns:
                out.append("N")
            elif self._lower_word(word.lower()):
                out.append("W")
            else:
                out.append("U")
        return "|".join(out) or "_"

    def __call__(self, doc: Doc) -> Doc:
        words = [token.text for token in doc]
        in_phrase = [""] * len(words)
        for i, word in enumerate(words):
            for phrase, hint in self.phrases.get(word, ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    for j in range(i, i + len(phrase)):
                        in_phrase[j] = hint
                    break
        for token, phrase_hint in zip(doc, in_phrase, strict=True):
            token.tag_ = self.hint(token.text, in_phrase=phrase_hint)
        return doc

    # -- serialisation ---------------------------------------------------------------------
    def _payload(self) -> bytes:
        phrases = [
            [" ".join(words), hint] for entries in self.phrases.values() for words, hint in entries
        ]
        data = {"names": self.names, "phrases": phrases, "nouns": sorted(self.nouns)}
        return gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0)

    def _load_payload(self, raw: bytes) -> None:
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        self.names = dict(data["names"])
        self.nouns = set(data["nouns"])
        self.phrases = {}
        for form, hint in data["phrases"]:
            words = tuple(form.split())
            self.phrases.setdefault(words[0], []).append((words, hint))
        for entries in self.phrases.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / TABLE_FILE).write_bytes(self._payload())

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> NameHints:
        self._load_payload((Path(path) / TABLE_FILE).read_bytes())
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self._payload()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> NameHints:
        self._load_payload(data)
        return self


@Language.factory("name_hints")
def make_name_hints(nlp: Language, name: str) -> NameHints:
    return NameHints(nlp, name)
