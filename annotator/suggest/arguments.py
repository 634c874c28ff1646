"""Suggested event arguments: for each trigger, the entities of its sentence in the roles their
labels may fill (the baseline), and a small learned role classifier over (trigger, candidate)
pairs that can replace the baseline's guesses.

Proposals are computed from the spans and the scheme when asked for, not stored (ADR 0017):
they follow every change of the triggers and entities at once and never go stale.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.model import Argument, LabelScheme, Span, SpanKind, SpanStatus

ORIGIN = "argument-baseline"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"„»(]?[A-ZÄÖÜ0-9])|\n\s*\n|\n(?=\S)")


def sentences(text: str, given: Sequence[Sequence[int]] | None = None) -> list[tuple[int, int]]:
    """Sentence bounds: the input's own (meta ``sentences``) when given, else a rule: a full
    stop, question or exclamation mark before a capital or digit, or a line break."""
    if given:
        return [(int(s[0]), int(s[1])) for s in given]
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _sentence_of(bounds: list[tuple[int, int]], span: Span) -> int:
    for i, (s, e) in enumerate(bounds):
        if s <= span.start < e:
            return i
    return -1


@dataclass(frozen=True)
class Candidate:
    """A (trigger, filler) pair of one sentence that some role of the trigger's label allows."""

    trigger: Span
    filler: Span
    roles: tuple[str, ...]


def candidates(
    text: str,
    spans: Iterable[Span],
    scheme: LabelScheme,
    *,
    sentence_bounds: Sequence[Sequence[int]] | None = None,
) -> list[Candidate]:
    """Every trigger (suggested or accepted event span) with every entity of its sentence that
    does not overlap it, and the roles whose fillers allow the entity's label."""
    live = [s for s in spans if s.status != SpanStatus.REJECTED]
    bounds = sentences(text, sentence_bounds)
    triggers = [s for s in live if s.kind == SpanKind.EVENT]
    entities = [s for s in live if s.kind == SpanKind.ENTITY]
    by_sentence: dict[int, list[Span]] = {}
    for e in entities:
        by_sentence.setdefault(_sentence_of(bounds, e), []).append(e)
    out: list[Candidate] = []
    for t in triggers:
        label = scheme.get(t.label)
        if label is None or not label.roles:
            continue
        for e in by_sentence.get(_sentence_of(bounds, t), []):
            if e.start < t.end and t.start < e.end:
                continue
            roles = tuple(
                r.name for r in label.roles if (e.label in r.fillers if r.fillers else True)
            )
            if roles:
                out.append(Candidate(t, e, roles))
    return out


def baseline(
    text: str,
    spans: Iterable[Span],
    scheme: LabelScheme,
    *,
    sentence_bounds: Sequence[Sequence[int]] | None = None,
) -> list[Argument]:
    """The baseline's proposals: each candidate in every role its label allows."""
    return [
        Argument(trigger=c.trigger.key, role=role, filler=c.filler.key, origin=ORIGIN)
        for c in candidates(text, spans, scheme, sentence_bounds=sentence_bounds)
        for role in c.roles
    ]


# ---- a learned role classifier ---------------------------------------------------------------

NONE = "<none>"


def features(text: str, c: Candidate) -> list[str]:
    """What the classifier sees of a pair: the labels, the distance and direction, the words
    between (at most five, lower case), and the filler's words."""
    t, f = c.trigger, c.filler
    before = f.end <= t.start
    lo, hi = (f.end, t.start) if before else (t.end, f.start)
    between = re.findall(r"\w+", text[lo:hi].lower())
    distance = len(between)
    bucket = "0" if distance == 0 else "1-2" if distance <= 2 else "3-6" if distance <= 6 else "7+"
    pair = f"{t.label}|{f.label}"
    out = [
        f"pair={pair}",
        f"pair_dir={pair}|{'before' if before else 'after'}",
        f"pair_dist={pair}|{bucket}",
        f"trigger_word={t.label}|{text[t.start : t.end].lower()}",
    ]
    out += [f"between={pair}|{w}" for w in between[:5]]
    if between:
        out.append(f"next={pair}|{'before' if before else 'after'}|{between[-1 if before else 0]}")
    out += [f"filler_word={pair}|{w}" for w in re.findall(r"\w+", text[f.start : f.end].lower())]
    return out


@dataclass
class RoleClassifier:
    """Naive Bayes over :func:`features`, choosing among the roles a candidate's labels allow
    or none (the pair is no argument). Trained on accepted arguments: every candidate pair of
    an annotated trigger that is not an argument is an example of none."""

    role_counts: Counter[str] = field(default_factory=Counter)
    feature_counts: dict[str, Counter[str]] = field(default_factory=dict)
    vocabulary: set[str] = field(default_factory=set)
    alpha: float = 0.5

    def learn(self, text: str, c: Candidate, role: str) -> None:
        self.role_counts[role] += 1
        counts = self.feature_counts.setdefault(role, Counter())
        for feat in features(text, c):
            counts[feat] += 1
            self.vocabulary.add(feat)

    def scores(self, text: str, c: Candidate) -> dict[str, float]:
        total = sum(self.role_counts.values())
        out: dict[str, float] = {}
        feats = features(text, c)
        v = len(self.vocabulary) + 1
        for role in (*c.roles, NONE):
            n = self.role_counts[role]
            counts = self.feature_counts.get(role, Counter())
            size = sum(counts.values())
            score = math.log((n + self.alpha) / (total + self.alpha * (len(c.roles) + 1)))
            for feat in feats:
                score += math.log((counts[feat] + self.alpha) / (size + self.alpha * v))
            out[role] = score
        return out

    def predict(self, text: str, c: Candidate) -> str:
        scores = self.scores(text, c)
        return max(scores, key=lambda r: (scores[r], r != NONE))

    def to_json(self) -> dict[str, object]:
        """The counts as plain JSON (what ``roles.json`` beside a trained model holds)."""
        return {
            "kind": ROLES_KIND,
            "alpha": self.alpha,
            "roles": dict(self.role_counts),
            "features": {role: dict(counts) for role, counts in self.feature_counts.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> RoleClassifier:
        if not isinstance(data, dict) or data.get("kind") != ROLES_KIND:
            raise ValueError(f"not a role classifier (kind {ROLES_KIND!r} expected)")
        features = {
            str(role): Counter({str(f): int(n) for f, n in counts.items()})
            for role, counts in dict(data["features"]).items()
        }
        return cls(
            role_counts=Counter({str(r): int(n) for r, n in dict(data["roles"]).items()}),
            feature_counts=features,
            vocabulary={f for counts in features.values() for f in counts},
            alpha=float(data.get("alpha", 0.5)),
        )


ROLES_KIND = "annotator-role-classifier-1"


def load_roles(path: Path) -> RoleClassifier:
    """A role classifier written by :meth:`RoleClassifier.to_json` (``roles.json``)."""
    return RoleClassifier.from_json(json.loads(path.read_text(encoding="utf-8")))


def train_roles(
    examples: Iterable[
        tuple[str, Sequence[Span], Sequence[Argument], Sequence[Sequence[int]] | None]
    ],
    scheme: LabelScheme,
) -> RoleClassifier:
    """Learn from documents (text, accepted spans, accepted arguments, sentence bounds)."""
    model = RoleClassifier()
    for text, spans, arguments, bounds in examples:
        gold: dict[tuple[tuple[int, int, str], tuple[int, int, str]], str] = {
            (a.trigger, a.filler): a.role for a in arguments
        }
        for c in candidates(text, spans, scheme, sentence_bounds=bounds):
            model.learn(text, c, gold.get((c.trigger.key, c.filler.key), NONE))
    return model


def classified(
    model: RoleClassifier,
    text: str,
    spans: Iterable[Span],
    scheme: LabelScheme,
    *,
    sentence_bounds: Sequence[Sequence[int]] | None = None,
) -> list[Argument]:
    """The classifier's proposals: per candidate its most likely role, none left out."""
    out = []
    for c in candidates(text, spans, scheme, sentence_bounds=sentence_bounds):
        role = model.predict(text, c)
        if role != NONE:
            out.append(
                Argument(
                    trigger=c.trigger.key, role=role, filler=c.filler.key, origin="argument-model"
                )
            )
    return out
