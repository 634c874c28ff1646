"""Pins what a QTextDocument does to a text, and that TextPositions agrees with it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.textpos import TextPositions

TEXTS = [
    "plain",
    "a\nb",
    "a\r\nb",
    "a\rb",
    "x\u2028y\u2029z",
    "😀 Grüße\r\n\tLukaschenko 𝔅 e\u0301\r\n\r\nEnde 👩‍👩‍👧",
    "\t\ttabs\tand\x0bvertical\x0cfeed",
]


def _qt_doc(text: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setPlainText(text)
    return doc


def test_what_qt_does_to_line_breaks(qapp: Any) -> None:
    # "\r\n" is ONE position (a paragraph separator); "\n", "\r" and U+2029 one each; U+2028
    # stays a line separator inside the paragraph; the document adds a final separator.
    assert _qt_doc("a\r\nb").characterCount() == 4
    assert _qt_doc("a\nb").characterAt(1) == "\u2029"
    assert _qt_doc("a\rb").characterAt(1) == "\u2029"
    assert _qt_doc("a\u2028b").characterAt(1) == "\u2028"
    # astral characters take two UTF-16 units
    assert _qt_doc("a😀b").characterCount() == 5


@pytest.mark.parametrize("text", TEXTS)
def test_every_character_lands_on_the_same_character(qapp: Any, text: str) -> None:
    doc = _qt_doc(text)
    pos = TextPositions(text)
    assert pos.qt_length == doc.characterCount() - 1
    breaks = {"\n", "\r", "\u2029"}
    i = 0
    while i < len(text):
        step = 2 if text.startswith("\r\n", i) else 1
        cursor = QTextCursor(doc)
        cursor.setPosition(pos.to_qt(i))
        cursor.setPosition(pos.to_qt(i + step), QTextCursor.MoveMode.KeepAnchor)
        expected = "\u2029" if text[i] in breaks else text[i]
        assert cursor.selectedText() == expected, (text, i)
        assert pos.span_from_qt(cursor.selectionStart(), cursor.selectionEnd()) == (i, i + step)
        i += step
