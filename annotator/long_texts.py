"""Texts of any length through spaCy: the one place that cuts them or lifts spaCy's length limit.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters; error E088), because a
trained parser or NER needs about 1 GB of temporary memory per 100,000 characters. Our import takes
documents up to 10 million characters, so every caller of spaCy goes through here:

* :func:`pipe_pieces` for trained pipelines (suggestions): a long text is cut into pieces of at
  most :data:`PIECE_CHARS` characters at a paragraph break (else a line break, a sentence end, any
  white space, and only failing all of them anywhere), each piece is run, and the caller shifts
  the offsets back by the piece's start. Short texts stay one piece, so they give exactly what
  they gave before.
* :func:`make_doc` / :func:`run` for tokenising (exports, training references, the window's
  token boundaries): the tokenizer alone needs little memory per character, so it is called
  directly without the length check, and cheap rule components (the sentencizer) run on the Doc.

Offsets are code points into the original text throughout: a piece is ``text[start:end]``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIECE_CHARS = 100_000
"""Longest piece a trained pipeline gets (spaCy: ~1 GB of temporary memory per 100,000 chars)."""

_CUTS = (
    re.compile(r"\n[^\S\n]*\n\s*"),  # a paragraph break (blank line)
    re.compile(r"\n\s*"),  # a line break
    re.compile(r"[.!?…][\"'»«“”)\]]*\s+"),  # a sentence end
    re.compile(r"\s+"),  # any white space
)


class _Ranges:
    """Ranges a cut must not fall strictly inside, sorted, with the longest length for bisect."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.ranges = sorted(ranges)
        self.longest = max((end - start for start, end in self.ranges), default=0)

    def inside(self, cut: int) -> bool:
        lo = bisect_right(self.ranges, (cut - self.longest, cut))
        hi = bisect_right(self.ranges, (cut, cut))
        return any(start < cut < end for start, end in self.ranges[lo:hi])


def _last_cut(text: str, lo: int, hi: int, avoid: _Ranges) -> int:
    """The best place in ``(lo, hi]`` to end a piece, preferring the later half of the window."""
    floor = lo + (hi - lo) // 2
    for pattern in _CUTS:
        best = -1
        for m in pattern.finditer(text, floor, hi):
            cut = m.end()
            if text[cut - 1 : cut] == "\r" and text[cut : cut + 1] == "\n":
                cut -= 1  # never between \r and \n
            if floor < cut <= hi and not avoid.inside(cut):
                best = cut
        if best > 0:
            return best
    return hi


def pieces(
    text: str, limit: int = PIECE_CHARS, *, avoid: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """``text`` as consecutive ranges ``[start, end)`` of at most ``limit`` characters each.

    One range for a text that fits. Cuts fall at a paragraph break where the window has one, else
    a line break, a sentence end, white space; never strictly inside a range of ``avoid`` (spans
    that must stay whole) while another place is left; never between ``\\r`` and ``\\n``.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    n = len(text)
    if n <= limit:
        return [(0, n)]
    ranges = _Ranges(avoid)
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > limit:
        end = _last_cut(text, start, start + limit, ranges)
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


def pipe_pieces(
    nlp: Language,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    n_process: int = 1,
    limit: int | None = None,
) -> Iterator[list[tuple[int, Doc]]]:
    """Run ``nlp`` over every text, a long one in pieces: per text, ``(piece start, Doc)`` pairs.

    A span at ``doc`` offsets ``a``..``b`` is at ``start + a``..``start + b`` in the text. In one
    process, a batch holds at most ``batch_size`` pieces and :data:`PIECE_CHARS` characters (64
    pieces of 100,000 characters at once would need the memory the cutting saves); with worker
    processes all pieces stream through one ``nlp.pipe``, batched as asked.
    """
    size = min(limit or PIECE_CHARS, nlp.max_length)
    bounds = [pieces(text, size) for text in texts]
    flat = [(text, a, b) for text, ranges in zip(texts, bounds, strict=True) for a, b in ranges]
    docs: Iterator[Doc]
    if n_process > 1:
        docs = iter(
            nlp.pipe((t[a:b] for t, a, b in flat), batch_size=batch_size, n_process=n_process)
        )
    else:
        docs = _budgeted(nlp, flat, batch_size=batch_size, budget=max(size, PIECE_CHARS))
    for ranges in bounds:
        yield [(a, next(docs)) for a, _ in ranges]


def _budgeted(
    nlp: Language, flat: Sequence[tuple[str, int, int]], *, batch_size: int, budget: int
) -> Iterator[Doc]:
    batch: list[str] = []
    chars = 0
    for text, a, b in flat:
        if batch and (len(batch) >= batch_size or chars + (b - a) > budget):
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, chars = [], 0
        batch.append(text[a:b])
        chars += b - a
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


def make_doc(nlp: Language, text: str) -> Doc:
    """The tokens of ``text``, of any length (spaCy's ``make_doc`` without its length check)."""
    return nlp.tokenizer(text)


def run(nlp: Language, text: str) -> Doc:
    """``nlp(text)`` for a pipeline of cheap rule components (e.g. blank + sentencizer), of any
    length. Not for trained components: those go through :func:`pipe_pieces`."""
    doc = make_doc(nlp, text)
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc
