"""Merge every annotator's accepted spans of a document into agreements and disagreements.

Only annotators who marked the document done take part. A span whose start, end and label every
one of them accepted is *agreed*. The remaining spans are grouped, per kind (entity, event), into
clusters of spans that overlap one another (transitively); each cluster is a *disagreement*, and
each annotator's spans inside it (possibly none) are that annotator's *variant*. Annotators with
identical spans there share one variant.

An entity and an event overlapping is not a disagreement: the two kinds are compared apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotator.model import DocStatus, Span, SpanKind, SpanStatus
from annotator.store import Store

Key = tuple[int, int, str]


class DisagreementType(StrEnum):
    MISSING = "missing"  # some annotators have the span(s), others have nothing there
    LABEL = "label"  # same boundaries, different labels
    BOUNDARY = "boundary"  # overlapping spans with different boundaries


@dataclass(frozen=True)
class Variant:
    """One way the annotators marked a region: its spans (empty: nothing) and who chose it."""

    spans: tuple[Span, ...]
    annotators: tuple[str, ...]

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset(s.key for s in self.spans)

    @property
    def source(self) -> str:
        """Provenance written into gold: ``variant:anna,ben``."""
        return "variant:" + ",".join(self.annotators)

    def describe(self, text: str) -> str:
        if not self.spans:
            return "(nothing)"
        return "  ".join(f"{s.label} «{s.covered(text)}»" for s in self.spans)


@dataclass(frozen=True)
class Disagreement:
    start: int
    end: int
    kind: SpanKind
    type: DisagreementType
    variants: tuple[Variant, ...]

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset(k for v in self.variants for k in v.keys)

    @property
    def spans(self) -> list[Span]:
        seen: dict[Key, Span] = {}
        for v in self.variants:
            for s in v.spans:
                seen.setdefault(s.key, s)
        return sorted(seen.values(), key=lambda s: (s.start, s.end, s.label))

    def variant_of(self, annotator: str) -> Variant | None:
        for v in self.variants:
            if annotator in v.annotators:
                return v
        return None


@dataclass(frozen=True)
class Adjudication:
    doc_id: str
    annotators: tuple[str, ...]
    agreed: tuple[Span, ...]
    disagreements: tuple[Disagreement, ...]

    def disagreement_at(self, key: Key) -> Disagreement | None:
        for d in self.disagreements:
            if key in d.keys:
                return d
        return None


def _clean(span: Span) -> Span:
    return span.model_copy(
        update={"id": None, "status": SpanStatus.ACCEPTED, "score": None, "origin_version": ""}
    )


def adjudicate(doc_id: str, work: Mapping[str, Sequence[Span]]) -> Adjudication:
    """Compare the annotators' accepted spans (``work``: annotator -> spans) of one document."""
    annotators = tuple(sorted(work))
    per: dict[str, dict[Key, Span]] = {
        a: {s.key: _clean(s) for s in work[a] if s.status == SpanStatus.ACCEPTED}
        for a in annotators
    }
    agreed_keys: set[Key] = set.intersection(*(set(p) for p in per.values())) if per else set()
    agreed = tuple(sorted((per[annotators[0]][k] for k in agreed_keys), key=_order))
    disagreements: list[Disagreement] = []
    for kind in SpanKind:
        rest = sorted(
            {
                k: s
                for a in annotators
                for k, s in per[a].items()
                if k not in agreed_keys and s.kind == kind
            }.values(),
            key=_order,
        )
        for cluster in _clusters(rest):
            disagreements.append(_disagreement(cluster, kind, annotators, per))
    disagreements.sort(key=lambda d: (d.start, d.end, d.kind.value))
    return Adjudication(doc_id, annotators, agreed, tuple(disagreements))


def _order(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def _clusters(spans: Sequence[Span]) -> list[list[Span]]:
    """Groups of spans connected by overlap (``spans`` sorted by start)."""
    out: list[list[Span]] = []
    end = -1
    for span in spans:
        if out and span.start < end:
            out[-1].append(span)
            end = max(end, span.end)
        else:
            out.append([span])
            end = span.end
    return out


def _disagreement(
    cluster: list[Span],
    kind: SpanKind,
    annotators: tuple[str, ...],
    per: dict[str, dict[Key, Span]],
) -> Disagreement:
    keys = {s.key for s in cluster}
    chosen: dict[tuple[Key, ...], list[str]] = {}
    for a in annotators:
        mine = tuple(sorted(k for k in per[a] if k in keys))
        chosen.setdefault(mine, []).append(a)
    by_key = {s.key: s for s in cluster}
    variants = tuple(
        Variant(tuple(by_key[k] for k in ks), tuple(names))
        for ks, names in sorted(chosen.items(), key=lambda kv: (not kv[0], -len(kv[1]), kv[0]))
    )
    boundaries = {(s.start, s.end) for s in cluster}
    filled = [v for v in variants if v.spans]
    if len(boundaries) > 1:
        type_ = DisagreementType.BOUNDARY
    elif len(filled) > 1:
        type_ = DisagreementType.LABEL
    else:
        type_ = DisagreementType.MISSING
    return Disagreement(
        start=min(s.start for s in cluster),
        end=max(s.end for s in cluster),
        kind=kind,
        type=type_,
        variants=variants,
    )


def done_work(
    store: Store, doc_id: str, annotators: Sequence[str] | None = None
) -> dict[str, list[Span]]:
    """Accepted spans of each annotator who marked the document done (or of ``annotators``)."""
    if annotators is None:
        annotators = [
            a for a in store.annotators() if store.doc_state(doc_id, a).status == DocStatus.DONE
        ]
    return {
        a: [s for s in store.decisions(doc_id, a) if s.status == SpanStatus.ACCEPTED]
        for a in annotators
    }


def load(store: Store, doc_id: str) -> Adjudication:
    """The adjudication of a stored document between the annotators who marked it done."""
    return adjudicate(doc_id, done_work(store, doc_id))
