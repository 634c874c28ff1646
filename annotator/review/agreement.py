"""Agreement between annotators, each figure with its unit and method stated.

Only documents an annotator marked *done* count for that annotator, and only accepted spans.

- **Span F1** (unit: span), per pair of annotators over the documents both marked done.
  *Exact*: a span matches when start, end and label are equal; F1 = 2·matches / (spans of A +
  spans of B). *Lenient*: a span counts as matched when it overlaps a span of the other annotator
  with the same label; precision = matched spans of A / spans of A, recall = matched spans of B /
  spans of B, F1 their harmonic mean. Summed over documents (micro), overall and per label.
- **Cohen's kappa** (unit: token), per pair: every non-whitespace token of spaCy's German
  tokenizer gets a BIO tag per layer (entity layer, event layer; a span tags every token it
  overlaps, B on the first; a nested span of the same layer loses to the earlier, longer one);
  kappa = (p_o − p_e) / (1 − p_e) over the (document, layer, token) items of the documents both
  marked done. Checked against scikit-learn's ``cohen_kappa_score`` in the tests.
- **Krippendorff's alpha** (unit: token), nominal, over the same items for all annotators at once
  (an annotator who did not mark a document done is missing there), computed by the
  ``krippendorff`` package.
- **Per-document agreement** (unit: document): the mean exact span F1 over the pairs of
  annotators who marked it done; two empty annotations agree fully (1.0). It orders the review
  queue, worst first.
- **Argument F1** (unit: argument), per pair of annotators over the documents both marked
  done. *Exact*: trigger (start, end, label), role and filler (start, end, label) equal; F1 as
  for spans. *Lenient*: an argument is matched when the other annotator has one with the same
  role whose trigger overlaps it with the same label and whose filler overlaps it with the same
  label. Overall and per role.
- **Label confusion** (unit: span pair): for every ordered pair of annotators and every document
  both did, spans are paired one to one: equal boundaries first, then the largest overlap of the
  same kind; an unpaired span is paired with "none". Both orders of each pair are counted, so the
  matrix is symmetric.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from annotator.model import Argument, Span, SpanKind
from annotator.store import Store

NONE = "none"
LAYERS = (SpanKind.ENTITY, SpanKind.EVENT)

METHODS: dict[str, dict[str, str]] = {
    "span_f1": {
        "unit": "span",
        "method": "per annotator pair over the documents both marked done, accepted spans, "
        "summed over documents; exact: same start, end and label, F1 = 2*matches/(|A|+|B|); "
        "lenient: a span is matched if it overlaps a span of the other with the same label, "
        "F1 = harmonic mean of matched(A)/|A| and matched(B)/|B|",
    },
    "cohen_kappa": {
        "unit": "token",
        "method": "per annotator pair; BIO tag per non-whitespace spaCy German token per layer "
        "(entity, event); kappa = (p_o - p_e)/(1 - p_e) over (document, layer, token) items of the "
        "documents both marked done",
    },
    "krippendorff_alpha": {
        "unit": "token",
        "method": "nominal alpha over the same (document, layer, token) BIO items, all annotators, "
        "missing where an annotator did not mark the document done (krippendorff package)",
    },
    "documents": {
        "unit": "document",
        "method": "mean exact span F1 over the pairs of annotators who marked the document done "
        "(both empty = 1.0); sorted worst first",
    },
    "argument_f1": {
        "unit": "argument",
        "method": "per annotator pair over the documents both marked done; exact: same trigger "
        "(start, end, label), role and filler (start, end, label), F1 = 2*matches/(|A|+|B|); "
        "lenient: matched if the other has the same role with an overlapping trigger of the same "
        "label and an overlapping filler of the same label; overall and per role",
    },
    "confusion": {
        "unit": "span pair",
        "method": "spans of two annotators paired one to one (same boundaries first, then largest "
        "overlap of the same kind), unpaired spans against 'none'; both orders of every pair "
        "counted, so the matrix is symmetric",
    },
}


# ---- span F1 ---------------------------------------------------------------------------------


@dataclass
class F1Counts:
    """Counts behind a span F1 (summable over documents)."""

    a_spans: int = 0
    b_spans: int = 0
    a_matched: int = 0
    b_matched: int = 0

    def add(self, other: F1Counts) -> None:
        self.a_spans += other.a_spans
        self.b_spans += other.b_spans
        self.a_matched += other.a_matched
        self.b_matched += other.b_matched

    @property
    def precision(self) -> float | None:
        return self.a_matched / self.a_spans if self.a_spans else None

    @property
    def recall(self) -> float | None:
        return self.b_matched / self.b_spans if self.b_spans else None

    @property
    def f1(self) -> float | None:
        total = self.a_spans + self.b_spans
        if total == 0:
            return None
        p, r = self.precision or 0.0, self.recall or 0.0
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        return {
            "f1": _round(self.f1),
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "spans_a": self.a_spans,
            "spans_b": self.b_spans,
            "matched_a": self.a_matched,
            "matched_b": self.b_matched,
        }


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def span_counts(a: Sequence[Span], b: Sequence[Span], *, lenient: bool = False) -> F1Counts:
    if not lenient:
        ka, kb = {s.key for s in a}, {s.key for s in b}
        both = len(ka & kb)
        return F1Counts(len(ka), len(kb), both, both)
    ma = sum(1 for x in a if any(x.label == y.label and _overlap(x, y) for y in b))
    mb = sum(1 for y in b if any(x.label == y.label and _overlap(x, y) for x in a))
    return F1Counts(len(a), len(b), ma, mb)


def _overlaps(x: tuple[int, int, str], y: tuple[int, int, str]) -> bool:
    return x[2] == y[2] and min(x[1], y[1]) > max(x[0], y[0])


def _loosely(x: Argument, y: Argument) -> bool:
    return x.role == y.role and _overlaps(x.trigger, y.trigger) and _overlaps(x.filler, y.filler)


def argument_counts(
    a: Sequence[Argument], b: Sequence[Argument], *, lenient: bool = False
) -> F1Counts:
    """Counts behind an argument F1 of two annotators' arguments of one document."""
    ka, kb = {x.key for x in a}, {x.key for x in b}
    if not lenient:
        both = len(ka & kb)
        return F1Counts(len(ka), len(kb), both, both)
    ua = list({x.key: x for x in a}.values())
    ub = list({x.key: x for x in b}.values())
    ma = sum(1 for x in ua if any(_loosely(x, y) for y in ub))
    mb = sum(1 for y in ub if any(_loosely(x, y) for x in ua))
    return F1Counts(len(ua), len(ub), ma, mb)


def span_f1(a: Sequence[Span], b: Sequence[Span], *, lenient: bool = False) -> float | None:
    return span_counts(a, b, lenient=lenient).f1


# ---- token labels and kappa ------------------------------------------------------------------


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[tuple[int, int], ...]:
    from annotator.tokens import token_offsets

    return tuple(token_offsets(text))


def bio_tags(text: str, spans: Iterable[Span], kind: SpanKind) -> list[str]:
    """One BIO tag per non-whitespace token for the spans of one layer."""
    tokens = _tokens(text)
    tags = ["O"] * len(tokens)
    layer = sorted((s for s in spans if s.kind == kind), key=lambda s: (s.start, -s.end, s.label))
    for span in layer:
        hit = [i for i, (ts, te) in enumerate(tokens) if ts < span.end and span.start < te]
        if not hit or any(tags[i] != "O" for i in hit):
            continue
        tags[hit[0]] = f"B-{span.label}"
        for i in hit[1:]:
            tags[i] = f"I-{span.label}"
    return tags


def token_labels(text: str, spans: Iterable[Span], kinds: Sequence[SpanKind] = LAYERS) -> list[str]:
    spans = list(spans)
    out: list[str] = []
    for kind in kinds:
        out += bio_tags(text, spans, kind)
    return out


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None when chance agreement is 1."""
    if len(a) != len(b):
        raise ValueError("kappa needs two label sequences of the same length")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(data: Sequence[Sequence[str | None]]) -> float | None:
    """Nominal alpha of annotators' (rows) labels for units (columns); None = missing."""
    import krippendorff
    import numpy as np

    values = sorted({v for row in data for v in row if v is not None})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    matrix = np.array(
        [[np.nan if v is None else index[v] for v in row] for row in data], dtype=float
    )
    alpha = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    return None if math.isnan(alpha) else alpha


# ---- confusion -------------------------------------------------------------------------------


def pair_spans(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[Span | None, Span | None]]:
    """Pair two annotators' spans one to one: equal boundaries, then largest overlap of a kind."""
    left, right = list(a), list(b)
    pairs: list[tuple[Span | None, Span | None]] = []
    for x in list(left):
        for y in right:
            if (x.start, x.end, x.kind) == (y.start, y.end, y.kind):
                pairs.append((x, y))
                left.remove(x)
                right.remove(y)
                break
    candidates = sorted(
        ((_overlap(x, y), i, j) for i, x in enumerate(left) for j, y in enumerate(right)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_l: set[int] = set()
    used_r: set[int] = set()
    for ov, i, j in candidates:
        if ov <= 0 or i in used_l or j in used_r or left[i].kind != right[j].kind:
            continue
        used_l.add(i)
        used_r.add(j)
        pairs.append((left[i], right[j]))
    pairs += [(x, None) for i, x in enumerate(left) if i not in used_l]
    pairs += [(None, y) for j, y in enumerate(right) if j not in used_r]
    return pairs


# ---- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocWork:
    doc_id: str
    text: str
    work: dict[str, list[Span]]
    arguments: dict[str, list[Argument]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocAgreement:
    doc_id: str
    annotators: tuple[str, ...]
    f1: float


def collect(store: Store, *, label: str | None = None, min_annotators: int = 2) -> list[DocWork]:
    """Accepted spans of the annotators who marked each document done (optionally one label)."""
    from annotator.review.adjudicate import done_arguments, done_work

    out: list[DocWork] = []
    for doc_id, names in store.documents_done_by(min_annotators=min_annotators).items():
        work = done_work(store, doc_id, names)
        arguments = done_arguments(store, doc_id, names)
        if label is not None:
            work = {a: [s for s in spans if s.label == label] for a, spans in work.items()}
            arguments = {a: [x for x in xs if x.trigger[2] == label] for a, xs in arguments.items()}
        out.append(DocWork(doc_id, store.document(doc_id).text, work, arguments))
    return out


def _doc_f1(work: dict[str, list[Span]]) -> float:
    scores = [span_f1(work[a], work[b]) for a, b in combinations(sorted(work), 2)]
    return sum(1.0 if s is None else s for s in scores) / len(scores) if scores else 1.0


def document_agreement(
    store: Store, *, docs: Sequence[DocWork] | None = None
) -> list[DocAgreement]:
    """Per-document agreement of every reviewable document, worst first (then import order)."""
    docs = collect(store) if docs is None else docs
    rows = [DocAgreement(d.doc_id, tuple(sorted(d.work)), _doc_f1(d.work)) for d in docs]
    order = {d.doc_id: i for i, d in enumerate(docs)}
    return sorted(rows, key=lambda r: (r.f1, order[r.doc_id]))


@dataclass
class Report:
    annotators: list[str]
    documents: int
    label: str | None
    pairs: list[dict[str, Any]] = field(default_factory=list)
    alpha: float | None = None
    alpha_units: int = 0
    per_document: list[DocAgreement] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    matrix: list[list[int]] = field(default_factory=list)
    argument_pairs: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": self.annotators,
            "documents": self.documents,
            "label": self.label,
            "span_f1": {**METHODS["span_f1"], "pairs": [_f1_part(p) for p in self.pairs]},
            "cohen_kappa": {
                **METHODS["cohen_kappa"],
                "pairs": [
                    {"a": p["a"], "b": p["b"], "kappa": _round(p["kappa"]), "tokens": p["tokens"]}
                    for p in self.pairs
                ],
            },
            "krippendorff_alpha": {
                **METHODS["krippendorff_alpha"],
                "alpha": _round(self.alpha),
                "units": self.alpha_units,
            },
            "documents_agreement": {
                **METHODS["documents"],
                "documents": [
                    {"doc_id": d.doc_id, "annotators": list(d.annotators), "f1": _round(d.f1)}
                    for d in self.per_document
                ],
            },
            "argument_f1": {
                **METHODS["argument_f1"],
                "pairs": [_argument_part(p) for p in self.argument_pairs],
            },
            "confusion": {**METHODS["confusion"], "labels": self.labels, "matrix": self.matrix},
        }


def _argument_part(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "a": p["a"],
        "b": p["b"],
        "documents": p["documents"],
        "exact": p["exact"].as_dict(),
        "lenient": p["lenient"].as_dict(),
        "by_role": {
            role: {
                "exact": _round(c[0].f1),
                "lenient": _round(c[1].f1),
                "arguments": c[0].a_spans + c[0].b_spans,
            }
            for role, c in sorted(p["by_role"].items())
        },
    }


def argument_pair(docs: Sequence[DocWork], a: str, b: str) -> dict[str, Any]:
    """Argument F1 counts of two annotators over the documents both did, overall and per role."""
    shared = [d for d in docs if a in d.work and b in d.work]
    exact, lenient = F1Counts(), F1Counts()
    by_role: dict[str, tuple[F1Counts, F1Counts]] = {}
    for d in shared:
        xa, xb = d.arguments.get(a, []), d.arguments.get(b, [])
        exact.add(argument_counts(xa, xb))
        lenient.add(argument_counts(xa, xb, lenient=True))
        for role in {x.role for x in xa} | {x.role for x in xb}:
            ra = [x for x in xa if x.role == role]
            rb = [x for x in xb if x.role == role]
            e, n = by_role.setdefault(role, (F1Counts(), F1Counts()))
            e.add(argument_counts(ra, rb))
            n.add(argument_counts(ra, rb, lenient=True))
    return {
        "a": a,
        "b": b,
        "documents": len(shared),
        "exact": exact,
        "lenient": lenient,
        "by_role": by_role,
    }


def _f1_part(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "a": p["a"],
        "b": p["b"],
        "documents": p["documents"],
        "exact": p["exact"].as_dict(),
        "lenient": p["lenient"].as_dict(),
        "by_label": {
            lab: {"exact": _round(c[0].f1), "lenient": _round(c[1].f1)}
            for lab, c in sorted(p["by_label"].items())
        },
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def agreement(store: Store, *, label: str | None = None) -> Report:
    """Every agreement figure of the project (optionally restricted to one label)."""
    docs = collect(store, label=label)
    names = sorted({a for d in docs for a in d.work})
    kinds: Sequence[SpanKind] = LAYERS if label is None else (store.scheme.kind_of(label),)
    report = Report(names, len(docs), label)
    tags: dict[tuple[str, str], list[str]] = {}
    for d in docs:
        for a, spans in d.work.items():
            tags[(d.doc_id, a)] = token_labels(d.text, spans, kinds)
    for a, b in combinations(names, 2):
        shared = [d for d in docs if a in d.work and b in d.work]
        exact, lenient = F1Counts(), F1Counts()
        by_label: dict[str, tuple[F1Counts, F1Counts]] = {}
        ta: list[str] = []
        tb: list[str] = []
        for d in shared:
            exact.add(span_counts(d.work[a], d.work[b]))
            lenient.add(span_counts(d.work[a], d.work[b], lenient=True))
            for lab in {s.label for s in d.work[a]} | {s.label for s in d.work[b]}:
                xa = [s for s in d.work[a] if s.label == lab]
                xb = [s for s in d.work[b] if s.label == lab]
                e, n = by_label.setdefault(lab, (F1Counts(), F1Counts()))
                e.add(span_counts(xa, xb))
                n.add(span_counts(xa, xb, lenient=True))
            ta += tags[(d.doc_id, a)]
            tb += tags[(d.doc_id, b)]
        report.pairs.append(
            {
                "a": a,
                "b": b,
                "documents": len(shared),
                "exact": exact,
                "lenient": lenient,
                "by_label": by_label,
                "kappa": cohen_kappa(ta, tb),
                "tokens": len(ta),
            }
        )
    report.argument_pairs = [argument_pair(docs, a, b) for a, b in combinations(names, 2)]
    rows: list[list[str | None]] = [[] for _ in names]
    for d in docs:
        width = len(next(iter(tags[(d.doc_id, a)] for a in d.work)))
        for i, a in enumerate(names):
            rows[i] += tags[(d.doc_id, a)] if a in d.work else [None] * width
    report.alpha_units = len(rows[0]) if rows else 0
    report.alpha = krippendorff_alpha(rows) if len(names) >= 2 else None
    report.per_document = document_agreement(store, docs=docs)
    report.labels, report.matrix = confusion(docs, store.scheme.names if label is None else [label])
    return report


def confusion(docs: Sequence[DocWork], labels: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    counts: Counter[tuple[str, str]] = Counter()
    for d in docs:
        for a, b in combinations(sorted(d.work), 2):
            for x, y in pair_spans(d.work[a], d.work[b]):
                la = x.label if x else NONE
                lb = y.label if y else NONE
                counts[(la, lb)] += 1
                counts[(lb, la)] += 1
    used = {lab for pair in counts for lab in pair}
    names = [lab for lab in labels if lab in used]
    names += [*sorted(used - set(names) - {NONE}), NONE]
    return names, [[counts[(r, c)] for c in names] for r in names]
