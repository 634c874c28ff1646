"""The table of the open document's spans; choosing a row selects the span in the text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from annotator.gui.article_view import span_tooltip
from annotator.gui.document import OpenDocument
from annotator.model import LabelScheme, SpanStatus

COLUMNS = ("Text", "Label", "Kind", "Origin", "Score", "Status")
_Index = QModelIndex | QPersistentModelIndex


def _one_line(text: str, limit: int = 60) -> str:
    text = text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SpanTableModel(QAbstractTableModel):
    def __init__(self, document: OpenDocument, scheme: LabelScheme) -> None:
        super().__init__()
        self.document = document
        self.colors = {label.name: QColor(label.color) for label in scheme.labels}
        document.loaded.connect(self._reset)
        document.spans_changed.connect(self._on_spans_changed)

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _on_spans_changed(self, rows: list[int] | bool | None) -> None:
        if not isinstance(rows, list):  # spans came or went
            self._reset()
            return
        for row in rows:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.document.spans)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.document.spans):
            return None
        span = self.document.spans[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return _one_line(span.covered(self.document.text))
            if column == 1:
                return span.label
            if column == 2:
                return span.kind.value
            if column == 3:
                return span.origin
            if column == 4:
                return "" if span.score is None else f"{span.score:.2f}"
            return span.status.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return span_tooltip(span, self.document.text)
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return self.colors.get(span.label)
        if role == Qt.ItemDataRole.ForegroundRole:
            if span.status == SpanStatus.REJECTED:
                return QBrush(QColor("#9a9a9a"))
            if span.status == SpanStatus.SUGGESTED:
                return QBrush(QColor("#505a6b"))
        if role == Qt.ItemDataRole.FontRole and span.status == SpanStatus.SUGGESTED:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SpanPanel(QTableView):
    def __init__(
        self, document: OpenDocument, scheme: LabelScheme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.table = SpanTableModel(document, scheme)
        self.setModel(self.table)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 118), (2, 48), (3, 60), (4, 40), (5, 72)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, width)
        self._syncing = False
        self.selectionModel().currentRowChanged.connect(self._on_row)
        document.selection_changed.connect(self._show_selected)
        document.spans_changed.connect(lambda _rows: self._show_selected())
        document.loaded.connect(self._show_selected)

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self.document.select(self.document.spans[current.row()].key)

    def _show_selected(self) -> None:
        row = self.document.index_of(self.document.selected)
        self._syncing = True
        try:
            if row is None:
                self.selectionModel().clearSelection()
                return
            index = self.table.index(row, 0)
            self.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            if not self.viewport().rect().contains(self.visualRect(index)):
                # centre, as the article does: no scroll (full repaint) on every keypress
                self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        finally:
            self._syncing = False
