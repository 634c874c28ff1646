"""``entity_confidence``: a spaCy component that gives every predicted entity a confidence.

spaCy's transition-based NER decides greedily and reports no probability (its beam scores, tried,
rank badly and cost more than the whole pipeline). This component scores each entity of
``doc.ents`` afterwards by how far the word lists and the training data agree with the model:

* the label, the length of the span, whether it starts a sentence (capitals tell nothing there);
* the ``name_hints`` of its tokens (``Token.tag_``): capitalised-unknown (``U``), common noun
  (``N``), lower-case word (``W``), and whether a list knows the words as the predicted kind
  (``loc`` for LOC, ``first``/``last`` for PER, ``org`` for ORG) or as another kind;
* lower-case words, capitals, digits and other characters inside the span;
* how often the training data has the same string as an entity, and with the same label.

A logistic regression over these features is fitted on the dev parts of the training data (never
on the held-out test parts; ``training/confidence.py``) and saved with the pipeline, with the
table of training entity strings. The scores go to ``doc.spans["ent_scores"]`` (the same spans as
``doc.ents``) and their ``attrs["scores"]``, which survive ``n_process > 1``.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

SPANS_KEY = "ent_scores"
TABLE_FILE = "confidence.json.gz"
LABELS = ("PER", "LOC", "ORG", "MISC")
AGREES = {"PER": ("first", "last"), "LOC": ("loc",), "ORG": ("org",), "MISC": ("prop",)}
SENTENCE_START = {".", "!", "?", ":", ";", '"', "„", "“", "»", "«", "(", "-", "–"}
FEATURES = (
    "bias",
    *(f"label={label}" for label in LABELS),
    "one word",
    "two words",
    "three or more words",
    "sentence start",
    "share capitalised unknown (U)",
    "share common noun (N)",
    "share lower-case word (W)",
    "a lower-case word",
    "a list agrees with the label",
    "a list knows another kind",
    "a word in capitals",
    "a digit",
    "other characters",
    "one word ending in s",
    "log(1 + seen with this label)",
    "share of this label when seen",
    "never seen",
)


def features(ent: Span, seen: Mapping[str, Mapping[str, int]]) -> list[float]:
    """The feature vector of one entity, in the order of :data:`FEATURES`."""
    tokens = list(ent)
    hints = [token.tag_.split("|") for token in tokens]
    n = len(tokens)
    label = ent.label_
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    others = [kind for other, kinds in AGREES.items() if other != label for kind in kinds]
    counts = seen.get(ent.text, {})
    total = sum(counts.values())
    same = counts.get(label, 0)
    return [
        1.0,
        *(float(label == known) for known in LABELS),
        float(n == 1),
        float(n == 2),
        float(n >= 3),
        float(before is None or before.is_space or before.text in SENTENCE_START),
        sum("U" in h for h in hints) / n,
        sum("N" in h for h in hints) / n,
        sum("W" in h for h in hints) / n,
        float(any(token.is_lower for token in tokens)),
        float(any(kind in h for h in hints for kind in AGREES.get(label, ()))),
        float(any(kind in h for h in hints for kind in others)),
        float(any(token.is_upper and len(token) > 1 for token in tokens)),
        float(any(c.isdigit() for c in ent.text)),
        float(any(not token.is_alpha and token.text not in "-." for token in tokens)),
        float(n == 1 and ent.text.endswith("s")),
        math.log1p(same),
        same / total if total else 0.0,
        float(total == 0),
    ]


class EntityConfidence:
    """Scores ``doc.ents`` into ``doc.spans["ent_scores"]``; weights travel with the pipeline."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.weights: list[float] = []
        self.seen: dict[str, dict[str, int]] = {}

    def set_model(self, weights: Iterable[float], seen: Mapping[str, Mapping[str, int]]) -> None:
        self.weights = [float(w) for w in weights]
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"{len(self.weights)} weights for {len(FEATURES)} features")
        self.seen = {text: dict(counts) for text, counts in seen.items()}

    def score(self, ent: Span) -> float:
        if not self.weights:
            return 1.0
        z = sum(w * x for w, x in zip(self.weights, features(ent, self.seen), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        doc.spans[SPANS_KEY] = ents
        doc.spans[SPANS_KEY].attrs["scores"] = [round(self.score(ent), 4) for ent in ents]
        return doc

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, **_: Any) -> None:
        """Weights are fitted outside spaCy's training (``training/confidence.py``)."""

    # -- serialisation ---------------------------------------------------------------------
    def _payload(self) -> bytes:
        data = {"features": list(FEATURES), "weights": self.weights, "seen": self.seen}
        return gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0)

    def _load_payload(self, raw: bytes) -> None:
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        if data["features"] != list(FEATURES):
            raise ValueError("entity_confidence: the saved weights are for other features")
        self.set_model(data["weights"], data["seen"])

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / TABLE_FILE).write_bytes(self._payload())

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> EntityConfidence:
        self._load_payload((Path(path) / TABLE_FILE).read_bytes())
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self._payload()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> EntityConfidence:
        self._load_payload(data)
        return self


@Language.factory("entity_confidence")
def make_entity_confidence(nlp: Language, name: str) -> EntityConfidence:
    return EntityConfidence(nlp, name)
