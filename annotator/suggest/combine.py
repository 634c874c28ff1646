"""One set of suggestions from several origins: the team's memory has the last word over a model.

A document's suggestions come from models (the built-in one, a retrained one, any spaCy pipeline)
and from the memory of what the team decided (:mod:`annotator.suggest.memory`). Where they
disagree about one place, showing both costs the annotator a reject for every recurring mistake
of the model, which is what makes the memory worth having. So, for spans of one kind:

* **Vetoes.** A string the team rejected with a label more often than it accepted it (and at
  least twice) is not suggested with that label by any model: the memory stores a *veto* span
  (origin :data:`VETO_ORIGIN`) at each place the string occurs, and a model's suggestion with the
  same key is dropped. Veto spans are never shown.
* **Corrections.** A model's span that a confident memory span (score at least
  :data:`OVERRIDE_SCORE`, i.e. an exact string the team accepted) covers, or that confident memory
  spans tile (its words are all inside them, "Minsk Lukashenko" = "Minsk" + "Lukashenko"), is
  dropped: the memory's label and boundaries are what the team chose for that string.
* **Longer names.** A memory span inside a model's span of the same label that survived the rule
  above is dropped: the model found a longer name ("Donald Trump" around a remembered "Trump").

Everything else (crossing spans, different kinds) is shown as it is. Pure functions; no store:
the store keeps every origin's spans as they came (``Store.suggested_spans``), and every reader
(the sessions, exports, ``suggest --jsonl``) goes through :func:`current_suggestions`, so all of
them show the same thing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Protocol

from annotator.model import Span, SpanKind

MEMORY_ORIGIN = "memory"
VETO_ORIGIN = "memory:veto"
OWN_SEPARATOR = "@"
"""An annotator's own memory runs (memory per annotator, ADR 0024) are stored under
``memory@<name>`` and ``memory:veto@<name>``."""
OVERRIDE_SCORE = 0.6
"""A memory span overrides a model's from this score on: an exact string accepted clearly more
often than rejected or accepted with another label, (a + 1) / (a + against + 2) >= 0.6; spelling
variants are capped below it (``memory.VARIANT_MAX_SCORE``)."""
MAX_GAP = 2
"""Characters between two memory spans that still tile a model's span (a space, a hyphen)."""


def _tiled(span: Span, inside: Sequence[Span]) -> bool:
    """Whether spans inside ``span`` cover it from its start to its end with small gaps only."""
    parts = sorted((m.start, m.end) for m in inside if span.start <= m.start and m.end <= span.end)
    if not parts or parts[0][0] != span.start:
        return False
    reach = parts[0][1]
    for start, end in parts[1:]:
        if start - reach > MAX_GAP:
            return False
        reach = max(reach, end)
    return reach == span.end


class _Overlaps:
    """Spans by kind, sorted by start, to find those overlapping a span without a full scan (a
    long document has thousands of suggestions, and this runs each time one is opened)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self._by_kind: dict[SpanKind, tuple[list[int], list[Span], int]] = {}
        grouped: dict[SpanKind, list[Span]] = {}
        for span in spans:
            grouped.setdefault(span.kind, []).append(span)
        for kind, group in grouped.items():
            group.sort(key=lambda s: s.start)
            longest = max(s.end - s.start for s in group)
            self._by_kind[kind] = ([s.start for s in group], group, longest)

    def overlapping(self, span: Span) -> list[Span]:
        """The spans of ``span``'s kind that share at least one character with it."""
        found = self._by_kind.get(span.kind)
        if found is None:
            return []
        starts, group, longest = found
        lo = bisect.bisect_left(starts, span.start - longest + 1)
        hi = bisect.bisect_left(starts, span.end)
        return [o for o in group[lo:hi] if o.end > span.start]


def own_origin(origin: str, annotator: str) -> str:
    """The origin under which ``annotator``'s own memory (or vetoes) is stored."""
    return f"{origin}{OWN_SEPARATOR}{annotator}"


def owner_of(origin: str) -> tuple[str, str] | None:
    """(memory origin, annotator) of an annotator's own memory origin, else None."""
    for base in (VETO_ORIGIN, MEMORY_ORIGIN):
        prefix = base + OWN_SEPARATOR
        if origin.startswith(prefix):
            return base, origin[len(prefix) :]
    return None


def memory_for(spans: Sequence[Span], annotator: str | None) -> list[Span]:
    """The spans one annotator is to see: with ``annotator`` None the team's memory and no
    annotator's own; with a name, that annotator's own memory (under the plain memory origins,
    so the rules below apply to it) and neither the team's nor anyone else's."""
    out: list[Span] = []
    for span in spans:
        owned = owner_of(span.origin)
        if owned is None:
            if annotator is None or span.origin not in (MEMORY_ORIGIN, VETO_ORIGIN):
                out.append(span)
        elif annotator is not None and owned[1] == annotator:
            out.append(span.model_copy(update={"origin": owned[0]}))
    return out


class SuggestionSource(Protocol):
    """Where the stored suggestions come from (a :class:`annotator.store.Store`)."""

    def suggested_spans(self, doc_id: str) -> list[Span]: ...


def current_suggestions(
    source: SuggestionSource, doc_id: str, *, memory_of: str | None = None
) -> list[Span]:
    """The suggestions a person is shown for a document: each origin's newest run, duplicates
    merged (the best score kept), the memory's vetoes and corrections applied. The memory is the
    team's, or with ``memory_of`` that annotator's own (:func:`memory_for`)."""
    return combine_suggestions(memory_for(source.suggested_spans(doc_id), memory_of))


def combine_suggestions(
    spans: Sequence[Span], *, override_score: float = OVERRIDE_SCORE
) -> list[Span]:
    """The suggestions to show, from every origin's current spans of one document (any order).

    Spans with the same key are merged first (the best score is kept)."""
    if not any(s.origin == VETO_ORIGIN or s.origin == MEMORY_ORIGIN for s in spans):
        return _best_by_key(spans)  # no memory: nothing overrides, only duplicates go
    best: dict[tuple[int, int, str], Span] = {}
    vetoes: set[tuple[int, int, str]] = set()
    for span in spans:
        if span.origin == VETO_ORIGIN:
            vetoes.add(span.key)
            continue
        old = best.get(span.key)
        if old is None or (span.score or 0.0) > (old.score or 0.0):
            best[span.key] = span
    memory_keys = {s.key for s in spans if s.origin == MEMORY_ORIGIN}
    memory = [s for s in best.values() if s.key in memory_keys]
    strong = _Overlaps([m for m in memory if (m.score or 0.0) >= override_score])
    models: list[Span] = []
    for span in best.values():
        if span.key in memory_keys or span.key in vetoes:
            continue
        near = strong.overlapping(span)
        if any(m.start <= span.start and span.end <= m.end for m in near) or _tiled(span, near):
            continue
        models.append(span)
    around = _Overlaps(models)
    kept_memory = [
        m
        for m in memory
        if not any(
            o.label == m.label and o.start <= m.start and m.end <= o.end and o.key != m.key
            for o in around.overlapping(m)
        )
    ]
    return sorted([*models, *kept_memory], key=lambda s: (s.start, s.end, s.label))


def _best_by_key(spans: Sequence[Span]) -> list[Span]:
    best: dict[tuple[int, int, str], Span] = {}
    for span in spans:
        key = (span.start, span.end, span.label)
        old = best.get(key)
        if old is None or (span.score or 0.0) > (old.score or 0.0):
            best[key] = span
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label))
