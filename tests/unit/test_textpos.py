"""Code-point ↔ Qt-position conversion, without Qt (the Qt side is pinned in tests/gui)."""

from __future__ import annotations

import pytest

from annotator.textpos import TextPositions


def _qt_units(text: str) -> list[str]:
    """What a QTextDocument holds for ``text``: UTF-16 units, one separator per line break."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("\r\n", i):
            out.append("\u2029")
            i += 2
            continue
        out.extend([ch, "~"] if ord(ch) > 0xFFFF else [ch])
        i += 1
    return out


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "emoji 😀 then 👩‍👩‍👧 family",
        "𝔘nicode 𝔅old",
        "a\r\nb\r\n\r\nc",
        "tab\there\r\n😀\tx",
        "combining e\u0301 and a\u0308",
        "lone\rcr and \u2028 and \u2029",
        "",
    ],
)
def test_round_trip_on_every_offset(text: str) -> None:
    pos = TextPositions(text)
    units = _qt_units(text)
    assert pos.qt_length == len(units)
    for offset in range(len(text) + 1):
        q = pos.to_qt(offset)
        assert 0 <= q <= len(units)
        if not (offset > 0 and text[offset - 1] == "\r" and text[offset : offset + 1] == "\n"):
            assert pos.from_qt(q) == offset


def test_span_after_emoji_crlf_and_tab() -> None:
    text = "😀 x\r\n\tLukaschenko traf"
    start = text.index("Lukaschenko")
    end = start + len("Lukaschenko")
    pos = TextPositions(text)
    qs, qe = pos.span_to_qt(start, end)
    # one extra unit for the emoji, one fewer for CRLF: the same positions here
    assert (qs, qe) == (start + 1 - 1, end + 1 - 1)
    assert pos.span_from_qt(qs, qe) == (start, end)
    assert "".join(_qt_units(text)[qs:qe]) == "Lukaschenko"


def test_position_inside_surrogate_pair_maps_to_character_start() -> None:
    pos = TextPositions("a😀b")
    assert pos.from_qt(2) == 1
    assert pos.to_qt(2) == 3


def test_offsets_are_clamped() -> None:
    pos = TextPositions("ab😀")
    assert pos.to_qt(99) == 4
    assert pos.from_qt(-3) == 0
    assert pos.from_qt(99) == 3
