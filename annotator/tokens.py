"""Token boundaries for snapping a selection and growing or shrinking a span (no Qt).

Uses spaCy's German tokenizer (``spacy.blank("de")``), imported lazily and built once, so that a
span a person draws starts and ends where the model's tokens do (a span off token boundaries
cannot be trained on: ``Doc.char_span`` returns None for it). Offsets are code points.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], object]:
    import spacy

    return spacy.blank("de").tokenizer


def warm_up() -> None:
    """Import spaCy and build the tokenizer (call it off the UI thread at start)."""
    with _lock:
        _tokenizer()


def token_offsets(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of the non-whitespace tokens of ``text``."""
    with _lock:
        doc = _tokenizer()(text)
    return [(t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]  # type: ignore[attr-defined]


class Tokens:
    """The tokens of one text, with the moves the annotate window needs."""

    def __init__(self, text: str, offsets: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.offsets = token_offsets(text) if offsets is None else offsets
        self.starts = [s for s, _ in self.offsets]
        self.ends = [e for _, e in self.offsets]

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Widen ``[start, end)`` outwards to whole tokens, ignoring whitespace at its edges.

        None when the selection holds no token.
        """
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last:
            return None
        return min(start, self.starts[first]), max(end, self.ends[last])

    def grow_start(self, start: int, end: int) -> tuple[int, int]:
        """Move the start one token to the left."""
        i = bisect_left(self.starts, start) - 1  # last token starting before start
        return (self.starts[i], end) if i >= 0 else (start, end)

    def shrink_start(self, start: int, end: int) -> tuple[int, int]:
        """Move the start to the next token, keeping at least one token."""
        i = bisect_right(self.starts, start)  # first token starting after start
        if i < len(self.starts) and self.starts[i] < end:
            return self.starts[i], end
        return start, end

    def grow_end(self, start: int, end: int) -> tuple[int, int]:
        """Move the end one token to the right."""
        i = bisect_right(self.ends, end)  # first token ending after end
        return (start, self.ends[i]) if i < len(self.ends) else (start, end)

    def shrink_end(self, start: int, end: int) -> tuple[int, int]:
        """Move the end back to the previous token, keeping at least one token."""
        i = bisect_left(self.ends, end) - 1  # last token ending before end
        if i >= 0 and self.ends[i] > start:
            return start, self.ends[i]
        return start, end
