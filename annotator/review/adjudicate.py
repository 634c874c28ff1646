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

from annotator.model import Argument, DocStatus, Span, SpanKind, SpanStatus
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


# ---- arguments -------------------------------------------------------------------------------

ArgKey = tuple[Key, str, Key]


class ArgumentDisagreementType(StrEnum):
    MISSING = "missing"  # some annotators have the argument, others nothing in that slot
    ROLE = "role"  # the same trigger and filler, other roles
    ARGUMENT = "argument"  # the same trigger and role, another filler


@dataclass(frozen=True)
class ArgumentVariant:
    arguments: tuple[Argument, ...]
    annotators: tuple[str, ...]

    @property
    def keys(self) -> frozenset[ArgKey]:
        return frozenset(a.key for a in self.arguments)

    @property
    def source(self) -> str:
        return "variant:" + ",".join(self.annotators)

    def describe(self, text: str) -> str:
        if not self.arguments:
            return "(nothing)"
        return "  ".join(
            f"{a.role}: {a.filler[2]} «{text[a.filler[0] : a.filler[1]]}»" for a in self.arguments
        )


@dataclass(frozen=True)
class ArgumentDisagreement:
    """Annotators' arguments of one trigger that differ: in one role (``MISSING``: some have
    none there, ``ARGUMENT``: different fillers), or for one filler (``ROLE``)."""

    trigger: Key
    type: ArgumentDisagreementType
    variants: tuple[ArgumentVariant, ...]

    @property
    def keys(self) -> frozenset[ArgKey]:
        return frozenset(k for v in self.variants for k in v.keys)

    @property
    def arguments(self) -> list[Argument]:
        seen: dict[ArgKey, Argument] = {}
        for v in self.variants:
            for a in v.arguments:
                seen.setdefault(a.key, a)
        return sorted(seen.values(), key=lambda a: a.key)

    def variant_of(self, annotator: str) -> ArgumentVariant | None:
        for v in self.variants:
            if annotator in v.annotators:
                return v
        return None

    # what the review window reads of any disagreement: where it is and what kind

    @property
    def start(self) -> int:
        return self.trigger[0]

    @property
    def end(self) -> int:
        return self.trigger[1]

    @property
    def kind(self) -> SpanKind:
        return SpanKind.EVENT

    @property
    def span_keys(self) -> list[Key]:
        """The event and every filler some variant has (what the window marks)."""
        fillers = sorted({a.filler for a in self.arguments})
        return [self.trigger, *(f for f in fillers if f != self.trigger)]


AnyDisagreement = Disagreement | ArgumentDisagreement
AnyVariant = Variant | ArgumentVariant


@dataclass(frozen=True)
class ArgumentAdjudication:
    doc_id: str
    annotators: tuple[str, ...]
    agreed: tuple[Argument, ...]
    disagreements: tuple[ArgumentDisagreement, ...]


def adjudicate_arguments(
    doc_id: str, work: Mapping[str, Sequence[Argument]]
) -> ArgumentAdjudication:
    """Compare the annotators' arguments (``work``: annotator -> arguments) of one document.

    An argument all of them have is agreed. Of the rest, a (trigger, filler) pair that two
    annotators put in different roles is one ``ROLE`` disagreement; the remaining arguments are
    compared per slot (trigger, role): the annotators' sets of fillers there are the variants,
    ``MISSING`` when some annotator has none, else ``ARGUMENT``.
    """
    annotators = tuple(sorted(work))
    per: dict[str, dict[ArgKey, Argument]] = {
        a: {x.key: _clean_argument(x) for x in work[a]} for a in annotators
    }
    agreed_keys: set[ArgKey] = set.intersection(*(set(p) for p in per.values())) if per else set()
    agreed = tuple(sorted((per[annotators[0]][k] for k in agreed_keys), key=lambda a: a.key))
    rest = {k: x for a in annotators for k, x in per[a].items() if k not in agreed_keys}
    out: list[ArgumentDisagreement] = []
    taken: set[ArgKey] = set()
    pairs: dict[tuple[Key, Key], list[ArgKey]] = {}
    for k in sorted(rest):
        pairs.setdefault((k[0], k[2]), []).append(k)
    for (trigger, _filler), keys in pairs.items():
        roles_by = {a: frozenset(k for k in keys if k in per[a]) for a in annotators}
        filled = {r for r in roles_by.values() if r}
        if len(filled) > 1:
            out.append(_arg_disagreement(trigger, ArgumentDisagreementType.ROLE, roles_by, rest))
            taken.update(keys)
    slots: dict[tuple[Key, str], list[ArgKey]] = {}
    for k in sorted(rest):
        if k not in taken:
            slots.setdefault((k[0], k[1]), []).append(k)
    for (trigger, _role), keys in slots.items():
        chosen = {a: frozenset(k for k in keys if k in per[a]) for a in annotators}
        type_ = (
            ArgumentDisagreementType.MISSING
            if any(not c for c in chosen.values())
            else ArgumentDisagreementType.ARGUMENT
        )
        out.append(_arg_disagreement(trigger, type_, chosen, rest))
    out.sort(key=lambda d: (d.trigger, d.type.value, sorted(d.keys)))
    return ArgumentAdjudication(doc_id, annotators, agreed, tuple(out))


def _clean_argument(argument: Argument) -> Argument:
    return argument.model_copy(update={"status": SpanStatus.ACCEPTED, "origin": ""})


def _arg_disagreement(
    trigger: Key,
    type_: ArgumentDisagreementType,
    chosen: Mapping[str, frozenset[ArgKey]],
    by_key: Mapping[ArgKey, Argument],
) -> ArgumentDisagreement:
    groups: dict[frozenset[ArgKey], list[str]] = {}
    for annotator, keys in chosen.items():
        groups.setdefault(keys, []).append(annotator)
    variants = tuple(
        ArgumentVariant(tuple(by_key[k] for k in sorted(keys)), tuple(names))
        for keys, names in sorted(
            groups.items(), key=lambda kv: (not kv[0], -len(kv[1]), sorted(kv[0]))
        )
    )
    return ArgumentDisagreement(trigger, type_, variants)


def done_arguments(
    store: Store, doc_id: str, annotators: Sequence[str] | None = None
) -> dict[str, list[Argument]]:
    """Arguments of each annotator who marked the document done (or of ``annotators``)."""
    if annotators is None:
        annotators = [
            a for a in store.annotators() if store.doc_state(doc_id, a).status == DocStatus.DONE
        ]
    return {a: store.arguments(doc_id, a) for a in annotators}


def load_arguments(store: Store, doc_id: str) -> ArgumentAdjudication:
    return adjudicate_arguments(doc_id, done_arguments(store, doc_id))
