"""Exact-span precision, recall and F1, per label and micro-averaged (no spaCy needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SpanKey = tuple[int, int, str]


@dataclass(frozen=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def score_spans(
    gold: Iterable[Iterable[SpanKey]],
    predicted: Iterable[Iterable[SpanKey]],
    *,
    labels: Iterable[str] | None = None,
) -> dict[str, PRF]:
    """Per-label and ``"micro"`` counts over documents; a span counts only with exact boundaries.

    ``gold`` and ``predicted`` run over the same documents in the same order, each a collection of
    ``(start, end, label)``. With ``labels``, spans of other labels are ignored on both sides.
    """
    keep = set(labels) if labels is not None else None
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold_doc, pred_doc in zip(gold, predicted, strict=True):
        g = {s for s in gold_doc if keep is None or s[2] in keep}
        p = {s for s in pred_doc if keep is None or s[2] in keep}
        for span in g & p:
            tp[span[2]] += 1
        for span in p - g:
            fp[span[2]] += 1
        for span in g - p:
            fn[span[2]] += 1
    names = sorted(set(tp) | set(fp) | set(fn))  # labels seen on either side
    out = {name: PRF(tp[name], fp[name], fn[name]) for name in names}
    out["micro"] = PRF(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return out


def format_table(scores: dict[str, PRF], *, title: str = "") -> str:
    """A small fixed-width table of P/R/F1 per label, micro last."""
    lines = [title] if title else []
    lines.append(f"{'label':<18} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    for name, prf in scores.items():
        lines.append(
            f"{name:<18} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f} {prf.support:6d}"
        )
    return "\n".join(lines)
