"""``event_triggers``: a spaCy component that marks event trigger words from lemma patterns.

Patterns are JSON lines (``annotator/resources/event_patterns.jsonl``), one trigger each:

``{"label": "MEETING", "noun": "Gipfel"}``
    the noun by lemma ("Gipfels" -> Gipfel) and every compound ending in it: a capitalised token
    whose lower-case form is ``<prefix><noun><ending>`` with a prefix of at least three letters or
    one ending in a hyphen ("Alaska-Gipfel", "Gipfeltreffen" for ``Treffen``,
    "Ukraine-Russland-Konflikts"), and ``ending`` one of the German noun endings; the noun with
    those endings also matches when the lemmatizer does not know the form ("Telefonate").
    ``exclude`` lists words (and their inflections) that end the same way but mean something else
    ("Auswahl" for ``Wahl``, "Pressegespräch" for ``Gespräch``).
``{"label": "VISIT", "verb": "besuchen", "forms": ["besucht"]}``
    the verb by lemma (spaCy's lookup lemmatizer), its regular forms (:func:`verb_forms`:
    "gestreikt", "bestreikt", "demonstriert"), plus literal lower-case ``forms`` for the irregular
    inflections. ``unless_near`` (nouns and verbs) lists lemmas or forms which, within four words,
    mean the word is used in another sense ("eine Entscheidung treffen", "die Entlassung von 60
    Mitarbeitern").

A word in capitals ("GESTREIKT" in a headline) may be a noun or a verb.

Optional ``score`` (default 0.9 for nouns, 0.7 for verbs) is the fixed confidence given to the
suggestion. A token matched by several patterns gets the one with the longest noun or verb (so
"Telefongespräch" is a PHONE_CALL, not the NEGOTIATION that ``Gespräch`` would say). Matches go to
``doc.spans["events"]``, their scores to ``doc.spans["events"].attrs["scores"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from annotator.resources import resource_path

EVENT_PATTERNS_PATH = resource_path("event_patterns.jsonl")
SPANS_KEY = "events"
NOUN_ENDINGS = ("", "s", "es", "e", "en", "n", "ns", "nen")
# no "-er": with it "Besucher" (a person) would be a form of "Besuch" (an event)
SEPARABLE_PREFIXES = ("zusammen", "zurück", "frei", "auf", "aus", "ein", "an", "ab", "mit", "vor")
INSEPARABLE_PREFIXES = ("be", "ver", "er", "ent", "zer", "emp", "miss", "ge")
NEAR_WINDOW = 4
COMPOUND_CACHE = 200_000
"""Word forms whose compound matches are remembered (then the memory starts afresh)."""
PATTERNS_FILE = "patterns.jsonl"


class PatternError(ValueError):
    """An event pattern that cannot be used."""


@dataclass(frozen=True)
class TriggerPattern:
    label: str
    word: str
    is_noun: bool
    forms: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    unless_near: frozenset[str] = frozenset()
    score: float = 0.9

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriggerPattern:
        label = data.get("label")
        word = data.get("noun") or data.get("verb")
        if not isinstance(label, str) or not label or not isinstance(word, str) or not word:
            raise PatternError(f"an event pattern needs a label and a noun or verb: {data!r}")
        is_noun = "noun" in data
        return cls(
            label=label,
            word=word,
            is_noun=is_noun,
            forms=frozenset(f.lower() for f in data.get("forms", ())),
            exclude=frozenset(f.lower() for f in data.get("exclude", ())),
            unless_near=frozenset(f.lower() for f in data.get("unless_near", ())),
            score=float(data.get("score", 0.9 if is_noun else 0.7)),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "noun" if self.is_noun else "verb": self.word}
        for key in ("forms", "exclude", "unless_near"):
            values = getattr(self, key)
            if values:
                out[key] = sorted(values)
        out["score"] = self.score
        return out


def noun_forms(noun: str) -> set[str]:
    """The lower-case forms of a noun with the German noun endings ("Telefonat" -> "telefonate")."""
    return {noun.lower() + ending for ending in NOUN_ENDINGS}


def verb_forms(verb: str) -> set[str]:
    """Regular (weak) German forms of a verb, lower-case: present, past, participle.

    ``streiken`` -> streikt, streikte, streikten, gestreikt...; ``bestreiken`` -> bestreikt (an
    inseparable prefix takes no ``ge-``); ``demonstrieren`` -> demonstriert. A separable verb
    (``freilassen``) gets only its participle and its ``zu`` form, because its finite forms stand
    apart from the prefix ("lässt ... frei") and alone would match the base verb. Strong verbs
    need their irregular forms listed in ``forms``; the regular ones generated for them are not
    German words and match nothing.
    """
    lower = verb.lower()
    stem = lower[:-2] if lower.endswith("en") else lower[:-1] if lower.endswith("n") else lower
    joint = "e" if stem.endswith(("t", "d")) else ""
    separable = next(
        (p for p in SEPARABLE_PREFIXES if lower.startswith(p) and len(lower) > len(p) + 3), ""
    )
    if separable:
        rest = stem[len(separable) :]
        return {lower, f"{separable}ge{rest}{joint}t", f"{separable}zu{rest}en"}
    forms = {lower}
    forms.update(stem + joint + ending for ending in ("e", "st", "t", "te", "ten", "tet"))
    forms.add(stem + "en")
    no_ge = lower.endswith("ieren") or lower.startswith(INSEPARABLE_PREFIXES)
    forms.add(f"{'' if no_ge else 'ge'}{stem}{joint}t")
    return forms


def read_patterns(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The pattern dicts of a JSONL file (the built-in one when ``path`` is None)."""
    path = Path(path) if path is not None else EVENT_PATTERNS_PATH
    out: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise PatternError(f"{path}:{number}: not JSON: {exc}") from exc
    return out


@dataclass
class _Index:
    by_lemma: dict[str, list[TriggerPattern]] = field(default_factory=dict)
    by_form: dict[str, list[TriggerPattern]] = field(default_factory=dict)
    nouns: list[TriggerPattern] = field(default_factory=list)


def _sentence_initial(token: Token) -> bool:
    if token.i == 0:
        return True
    before = token.doc[token.i - 1]
    return before.is_space or before.text in {".", "!", "?", ":", ";", '"', "„", "“", "»", "«", "("}


class EventTriggers:
    """Finds trigger tokens; see the module docstring for the pattern language."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key
        self.patterns: list[TriggerPattern] = []
        self._index = _Index()
        self._compound_cache: dict[str, tuple[TriggerPattern, ...]] = {}

    @property
    def labels(self) -> list[str]:
        return sorted({p.label for p in self.patterns})

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        self.patterns.extend(TriggerPattern.from_dict(p) for p in patterns)
        self._build()

    def _build(self) -> None:
        index = _Index()
        for pattern in self.patterns:
            index.by_lemma.setdefault(pattern.word.lower(), []).append(pattern)
            generated = noun_forms(pattern.word) if pattern.is_noun else verb_forms(pattern.word)
            for form in sorted(pattern.forms | generated):
                if pattern not in index.by_form.get(form, ()):
                    index.by_form.setdefault(form, []).append(pattern)
            if pattern.is_noun:
                index.nouns.append(pattern)
        # longest head noun first, so the most specific compound wins
        index.nouns.sort(key=lambda p: -len(p.word))
        self._index = index
        self._compound_cache = {}

    def _compounds(self, lower: str) -> tuple[TriggerPattern, ...]:
        """The noun patterns ``lower`` is a compound of, the longest heads only; remembered per
        word form (a corpus repeats its words: without it a long text spends minutes here)."""
        found = self._compound_cache.get(lower)
        if found is None:
            matches = [p for p in self._index.nouns if self._compound(lower, p)]
            best = len(matches[0].word) if matches else 0
            found = tuple(p for p in matches if len(p.word) == best)
            if len(self._compound_cache) >= COMPOUND_CACHE:
                self._compound_cache.clear()
            self._compound_cache[lower] = found
        return found

    def _compound(self, lower: str, pattern: TriggerPattern) -> bool:
        head = pattern.word.lower()
        for ending in NOUN_ENDINGS:
            stem = lower[: len(lower) - len(ending)] if ending else lower
            if lower.endswith(ending) and stem.endswith(head):
                prefix = stem[: len(stem) - len(head)]
                if len(prefix) >= 3 or prefix.endswith("-"):
                    return True
        return False

    def _near(self, token: Token, words: frozenset[str]) -> bool:
        """Whether one of ``words`` is within four words of ``token`` (line breaks do not count)."""
        doc = token.doc
        before = [t for t in doc[max(0, token.i - 3 * NEAR_WINDOW) : token.i] if not t.is_space]
        after = [t for t in doc[token.i + 1 : token.i + 1 + 3 * NEAR_WINDOW] if not t.is_space]
        return any(
            t.lemma_.lower() in words or t.lower_ in words
            for t in [*before[-NEAR_WINDOW:], *after[:NEAR_WINDOW]]
        )

    def match(self, token: Token) -> TriggerPattern | None:
        """The pattern that makes ``token`` a trigger, if any."""
        lower = token.lower_
        lemma = token.lemma_.lower() if token.lemma_ else lower
        candidates: list[TriggerPattern] = [
            *self._index.by_lemma.get(lemma, ()),
            *self._index.by_form.get(lower, ()),
        ]
        if not candidates and token.text[:1].isupper():
            candidates = list(self._compounds(lower))
        is_capital = token.text[:1].isupper()
        shouting = len(token.text) > 1 and token.text.isupper()  # a headline in capitals
        seen: set[int] = set()
        for pattern in sorted(candidates, key=lambda p: -len(p.word)):
            if id(pattern) in seen:
                continue
            seen.add(id(pattern))
            if pattern.is_noun != is_capital and not (shouting or _sentence_initial(token)):
                # nouns are capitalised, verbs are not (except at the start of a sentence)
                continue
            if lemma in pattern.exclude or any(lower.startswith(x) for x in pattern.exclude):
                # "Pressegespräch" excludes "Pressegesprächen" too
                continue
            if pattern.unless_near and self._near(token, pattern.unless_near):
                continue
            return pattern
        return None

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        scores: list[float] = []
        for token in doc:
            if not token.is_alpha and "-" not in token.text:
                continue
            pattern = self.match(token)
            if pattern is not None:
                spans.append(Span(doc, token.i, token.i + 1, label=pattern.label))
                scores.append(pattern.score)
        doc.spans[self.spans_key] = spans
        doc.spans[self.spans_key].attrs["scores"] = scores
        return doc

    # -- serialisation ---------------------------------------------------------------------
    def _jsonl(self) -> str:
        return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in self.patterns)

    def to_disk(self, path: Path | str, *, exclude: Sequence[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / PATTERNS_FILE).write_text(self._jsonl(), encoding="utf-8")

    def from_disk(self, path: Path | str, *, exclude: Sequence[str] = ()) -> EventTriggers:
        self.patterns = []
        self.add_patterns(read_patterns(Path(path) / PATTERNS_FILE))
        return self

    def to_bytes(self, *, exclude: Sequence[str] = ()) -> bytes:
        return self._jsonl().encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Sequence[str] = ()) -> EventTriggers:
        self.patterns = []
        self.add_patterns(json.loads(line) for line in data.decode("utf-8").splitlines() if line)
        return self


@Language.factory("event_triggers", default_config={"spans_key": SPANS_KEY})
def make_event_triggers(nlp: Language, name: str, spans_key: str) -> EventTriggers:
    return EventTriggers(nlp, name, spans_key=spans_key)
