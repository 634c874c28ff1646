"""Spans onto spaCy tokens: tokenizers, alignment, overlap conflicts (shared by the writers).

spaCy is imported inside the functions: the CLI imports this module without paying for spaCy.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from annotator import long_texts
from annotator.formats import Conflict, ExportReport
from annotator.model import Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LANG = "de"


@lru_cache(maxsize=4)
def blank(lang: str = LANG) -> Language:
    """A blank pipeline of ``lang`` (German by default): the tokenizer the written
    ``config.cfg`` trains with."""
    import spacy

    return spacy.blank(lang)


@lru_cache(maxsize=1)
def sentencizer() -> Language:
    """Blank German plus the rule-based sentencizer (CoNLL sentence breaks)."""
    import spacy

    nlp = spacy.blank(LANG)
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Aligned:
    """A span on tokens ``[start, end)`` of a spaCy ``Doc``; ``span`` is the original."""

    span: Span
    start: int
    end: int
    start_char: int
    end_char: int


def describe(doc_id: str, span: Span, text: str) -> str:
    return f"{doc_id}: {span.label} {span.start}-{span.end} {span.covered(text)!r}"


def align_spans(
    sdoc: Doc,
    spans: Sequence[Span],
    *,
    doc_id: str,
    strict: bool,
    report: ExportReport,
) -> list[Aligned]:
    """Put spans on token boundaries.

    White space at either end of a span is trimmed first (a span ending in a newline token would
    otherwise end on a token that CoNLL cannot write and ``spacy debug data`` warns about). Then
    ``strict`` records every span that does not fall on token boundaries as it is (the export
    fails); otherwise the span is widened to the tokens it touches
    (``Doc.char_span(alignment_mode="expand")``) and counted. A span of only white space cannot be
    placed on tokens and is left out, with a note.
    """
    text = sdoc.text
    out: list[Aligned] = []
    for span in spans:
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            note = f"{describe(doc_id, span, text)}: only white space, left out"
            (report.misaligned if strict else report.left_out).append(note)
            continue
        trimmed = (start, end) != (span.start, span.end)
        chars = sdoc.char_span(start, end)
        if chars is None or trimmed:
            if strict:
                why = "starts or ends with white space" if trimmed else "cuts through a token"
                report.misaligned.append(f"{describe(doc_id, span, text)}: {why}")
                continue
            if chars is None:
                chars = sdoc.char_span(start, end, alignment_mode="expand")
                if chars is None:  # pragma: no cover - expand always finds the touched tokens
                    report.left_out.append(f"{describe(doc_id, span, text)}: no tokens, left out")
                    continue
                report.expanded += 1
            if trimmed:
                report.trimmed += 1
        out.append(Aligned(span, chars.start, chars.end, chars.start_char, chars.end_char))
    return out


def resolve_overlaps(
    aligned: Sequence[Aligned], *, doc_id: str, text: str, report: ExportReport
) -> list[Aligned]:
    """Keep a set of spans without shared tokens; report every span given up and why.

    The longer span (in tokens, then in characters) wins, then the earlier one, then the label
    first in alphabetical order: the same choice as ``spacy.util.filter_spans``, made explicit.
    """
    order = sorted(
        aligned,
        key=lambda a: (
            -(a.end - a.start),
            -(a.span.end - a.span.start),
            a.start,
            a.span.label,
        ),
    )
    owner: dict[int, Aligned] = {}
    kept: list[Aligned] = []
    for a in order:
        clash = next((owner[i] for i in range(a.start, a.end) if i in owner), None)
        if clash is None:
            kept.append(a)
            for i in range(a.start, a.end):
                owner[i] = a
            continue
        if clash.end - clash.start > a.end - a.start:
            reason = "the longer span"
        elif clash.span.end - clash.span.start > a.span.end - a.span.start:
            reason = "the longer span before widening"
        elif clash.start < a.start:
            reason = "the earlier span"
        else:
            reason = "same tokens; the label first in alphabetical order"
        report.conflicts.append(Conflict(doc_id, clash.span, a.span, reason, text))
    return sorted(kept, key=lambda a: (a.start, a.end))


def token_range(
    starts: Sequence[int], ends: Sequence[int], start: int, end: int
) -> tuple[int, int]:
    """First and last (inclusive) token touched by characters ``[start, end)``, given the
    tokens' start and end offsets.

    Works for any offsets, also inside white space: the Prodigy ``token_start``/``token_end``.
    """
    if not starts:
        return 0, 0
    first = max(bisect_right(starts, start) - 1, 0)
    if start >= ends[first] and first + 1 < len(starts):
        first += 1
    last = max(bisect_left(starts, end) - 1, first)
    return first, last


def make_doc(nlp: Language, text: str, tokens: Sequence[Sequence[int]] | None = None) -> Doc:
    """A spaCy ``Doc`` of ``text``: on the input's own tokens when a format kept them (the
    document meta's ``tokens``, see :mod:`annotator.formats.reading`), else from ``nlp``'s
    tokenizer. The ``Doc``'s text is always exactly ``text``: white space between kept tokens
    other than one plain space becomes a white-space token, as spaCy's tokenizer makes them."""
    if not tokens:
        return long_texts.make_doc(nlp, text)
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    pos = 0

    def gap(until: int) -> None:
        piece = text[pos:until]
        if not piece:
            return
        if piece == " " and words:
            spaces[-1] = True
            return
        if words and piece.startswith(" ") and not spaces[-1]:
            spaces[-1] = True
            piece = piece[1:]
        if piece:
            words.append(piece)
            spaces.append(False)

    for start, end in tokens:
        if start < pos or end <= start or end > len(text):
            return long_texts.make_doc(nlp, text)  # kept tokens that do not fit the text: fall back
        gap(start)
        words.append(text[start:end])
        spaces.append(False)
        pos = end
    gap(len(text))
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:  # pragma: no cover - a guard; the construction above keeps the text
        return long_texts.make_doc(nlp, text)
    return doc
