"""Code-point offsets ↔ positions in a Qt text document (no Qt here).

Spans are stored as Python code-point offsets into the document text exactly as imported. A
``QTextDocument`` built with ``setPlainText`` counts differently, and the widget boundary converts:

* it counts UTF-16 code units, so every character outside the BMP (emoji, 𝔘, CJK extension B)
  takes two positions;
* it turns every line break into a paragraph separator of one position, and ``"\\r\\n"`` is *one*
  line break: two code points, one position. A lone ``"\\r"``, ``"\\n"``, U+2028 or U+2029 is one
  code point and one position. Tabs, combining marks and control characters count one each.

``tests/gui/test_offsets.py`` pins these rules against a real ``QTextDocument``.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# Astral characters (two UTF-16 units) and CRLF pairs (one document position) are the only
# places where the two ways of counting drift apart.
_DRIFT = re.compile("[\U00010000-\U0010ffff]|\r\n")


class TextPositions:
    """Converts between code-point offsets of ``text`` and positions in its Qt document.

    Costs one regex pass over the text and a bisect per conversion; a text without astral
    characters or CRLF converts by identity.
    """

    __slots__ = ("_cps", "_length", "_qt_length", "_shifts")

    def __init__(self, text: str) -> None:
        cps: list[int] = []  # code-point offsets from which the shift changes
        shifts: list[int] = [0]  # qt - cp for offsets >= cps[i - 1]
        shift = 0
        for match in _DRIFT.finditer(text):
            if match.group() == "\r\n":
                # Offsets after the pair lose one; the offset between \r and \n maps to the
                # position after the separator (monotone, and a span ending there keeps its \r).
                shift -= 1
                cps.append(match.end())
            else:
                shift += 1
                cps.append(match.end())
            shifts.append(shift)
        self._cps = cps
        self._shifts = shifts
        self._length = len(text)
        self._qt_length = len(text) + shift

    @property
    def identity(self) -> bool:
        """Whether every offset is its own Qt position (no astral characters, no ``\r\n``)."""
        return not self._cps

    @property
    def qt_length(self) -> int:
        """Positions the text takes in a Qt document (without the final paragraph separator)."""
        return self._qt_length

    def to_qt(self, offset: int) -> int:
        """Code-point offset → Qt document position."""
        offset = max(0, min(offset, self._length))
        return offset + self._shifts[bisect_right(self._cps, offset)]

    def from_qt(self, position: int) -> int:
        """Qt document position → code-point offset.

        A position inside a surrogate pair (Qt never puts its cursor there, but arithmetic can)
        maps to the start of that character.
        """
        position = max(0, min(position, self._qt_length))
        if not self._cps:
            return position
        lo, hi = 0, self._length
        # The largest offset whose position is <= ``position``: to_qt is monotone.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.to_qt(mid) <= position:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def span_to_qt(self, start: int, end: int) -> tuple[int, int]:
        return self.to_qt(start), self.to_qt(end)

    def span_from_qt(self, start: int, end: int) -> tuple[int, int]:
        return self.from_qt(start), self.from_qt(end)
