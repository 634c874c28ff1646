"""A guard against PySide6 builds that drop a reference to None on every void call.

PySide6 6.12.0 on CPython 3.11 does: after a few thousand calls (a minute of painting) the
interpreter aborts with "none_dealloc: deallocating None". pyproject pins below it; this test
fails if such a build is installed again. (From CPython 3.12 None is immortal.)
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QFont

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal")


class _Model(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: Any, role: int = 0) -> Any:
        return None


def test_void_calls_and_none_returns_keep_none_alive(qapp: Any) -> None:
    font = QFont()
    model = _Model()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(500):
        font.setItalic(True)
        index.data(0)
    assert sys.getrefcount(None) - before > -50
