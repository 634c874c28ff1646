"""The table of the open document's spans; choosing a row selects the span in the text.

Under each event its arguments are rows of their own (``↳ role: «filler»``); choosing one starts
adding arguments to that event with that filler chosen (Delete takes it away, a role key gives it
another role).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from annotator.gui.article_view import span_tooltip
from annotator.gui.document import Key, OpenDocument
from annotator.model import Argument, LabelScheme, SpanKind, SpanStatus

COLUMNS = ("Text", "Label", "Origin", "Score", "Status")  # the kind shows in the icon
TOOLTIP_LIMIT = 1000  # characters of the span's text in its tooltip
MIN_TEXT_WIDTH = 90  # the Text column keeps at least this; the others shrink (elided) first
_Index = QModelIndex | QPersistentModelIndex


def _one_line(text: str, limit: int = 60) -> str:
    text = text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SpanTableModel(QAbstractTableModel):
    def __init__(self, document: OpenDocument, scheme: LabelScheme) -> None:
        super().__init__()
        self.document = document
        self.icons = {
            (label.name, label.kind): label_icon(label.color, label.kind) for label in scheme.labels
        }
        self.by_score = False
        # shown row -> (row of document.spans, the argument of that event shown there or None)
        self._rows: list[tuple[int, Argument | None]] = []
        self._shown: dict[int, int] = {}  # row of document.spans -> shown row
        document.loaded.connect(self._reset)
        document.spans_changed.connect(self._on_spans_changed)
        document.arguments_changed.connect(self._reset)

    def sort_by_score(self, on: bool) -> None:
        """Rows by score, highest first (spans without a score last; ties by position), or by
        position (the document's order) again."""
        self.by_score = on
        self._reset()

    def span_row(self, row: int) -> int:
        """The row of ``document.spans`` shown in table row ``row`` (an argument row: its
        event's)."""
        return self._rows[row][0] if 0 <= row < len(self._rows) else row

    def argument_at(self, row: int) -> Argument | None:
        """The argument shown in table row ``row``, if that row is one."""
        return self._rows[row][1] if 0 <= row < len(self._rows) else None

    def shown_row(self, span_row: int) -> int:
        return self._shown.get(span_row, span_row)

    def argument_row(self, trigger: Key, filler: Key) -> int | None:
        """The table row of the argument of ``trigger`` with ``filler``, if shown."""
        i = self.document.index_of(trigger)
        if i is None:
            return None
        row = self.shown_row(i) + 1
        while row < len(self._rows) and self._rows[row][0] == i:
            argument = self._rows[row][1]
            if argument is not None and argument.filler == filler:
                return row
            row += 1
        return None

    def _reset(self) -> None:
        self.beginResetModel()
        spans = self.document.spans
        order: list[int] | range = range(len(spans))
        if self.by_score:
            scores = [-1.0 if s.score is None else s.score for s in spans]
            order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        by_trigger: dict[Key, list[Argument]] = {}
        for argument in self.document.arguments:
            if argument.status != SpanStatus.REJECTED:
                by_trigger.setdefault(argument.trigger, []).append(argument)
        rows: list[tuple[int, Argument | None]] = []
        shown: dict[int, int] = {}
        for i in order:
            shown[i] = len(rows)
            rows.append((i, None))
            for argument in sorted(
                by_trigger.get(spans[i].key, ()), key=lambda a: (a.filler, a.role)
            ):
                rows.append((i, argument))
        self._rows, self._shown = rows, shown
        self.endResetModel()

    def _on_spans_changed(self, rows: list[int] | None) -> None:
        if rows is None:  # spans came or went
            self._reset()
            return
        for span_row in rows:  # only statuses changed: scores and the order stay
            row = self.shown_row(span_row)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        span = self.document.spans[self.span_row(index.row())]
        column = COLUMNS[index.column()]
        argument = self.argument_at(index.row())
        if argument is not None:
            return self._argument_data(argument, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "Text":
                return _one_line(span.covered(self.document.text))
            if column == "Label":
                return span.label
            if column == "Origin":
                return span.origin
            if column == "Score":
                return "" if span.score is None else f"{span.score:.2f}"
            return span.status.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return span_tooltip(span, self.document.text, limit=TOOLTIP_LIMIT)
        if role == Qt.ItemDataRole.DecorationRole and column == "Label":
            return self.icons.get((span.label, span.kind))
        if role == Qt.ItemDataRole.ForegroundRole:
            if span.status == SpanStatus.REJECTED:
                return QBrush(QColor("#9a9a9a"))
            if span.status == SpanStatus.SUGGESTED:
                return QBrush(QColor("#505a6b"))
        if role == Qt.ItemDataRole.FontRole and span.status == SpanStatus.SUGGESTED:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "Score":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _argument_data(self, argument: Argument, column: str, role: int) -> Any:
        start, end, label = argument.filler
        text = self.document.text
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "Text":
                return f"    ↳ {argument.role}: {_one_line(text[start:end], 48)}"
            if column == "Label":
                return label
            if column == "Origin":
                return argument.origin  # gold's provenance; an annotator's has none
            if column == "Status":
                return "argument" if argument.status == SpanStatus.ACCEPTED else "suggested"
            return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{html.escape(argument.describe(text))}"
        if role == Qt.ItemDataRole.DecorationRole and column == "Label":
            return self.icons.get((label, SpanKind.ENTITY))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#3b4a63"))
        return None


def label_icon(color: str, kind: SpanKind, size: int = 12) -> QPixmap:
    """As the article draws it: an entity filled, an event framed."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind == SpanKind.ENTITY:
        painter.setPen(QPen(QColor(color).darker(140), 1))
        painter.setBrush(QColor(color))
    else:
        painter.setPen(QPen(QColor(color), 2.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 2, 2)
    painter.end()
    return pixmap


class SpanPanel(QTableView):
    argument_chosen = Signal(object)  # an Argument row was chosen

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
        # Every column fits the panel: no sideways scrolling, long values elided, the whole
        # value in the tooltip. Text takes what the others leave.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._scheme = scheme
        self._values: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        self._syncing = False
        self._argument: tuple[Key, Key] | None = None  # the argument mode's (event, filler)
        self.selectionModel().currentRowChanged.connect(self._on_row)
        document.arguments_changed.connect(self._show_selected)
        document.selection_changed.connect(self._show_selected)
        document.spans_changed.connect(lambda _rows: self._show_selected())
        document.loaded.connect(self._show_selected)
        document.loaded.connect(self.fit_columns)
        document.spans_changed.connect(self._on_spans_changed)
        self.fit_columns()

    def sort_by_score(self, on: bool) -> None:
        self.table.sort_by_score(on)
        self._show_selected()

    def _on_spans_changed(self, rows: list[int] | None) -> None:
        # spans came or went: perhaps with a new label or origin
        if rows is None and self._shown_values() != self._values:
            self.fit_columns()

    def _shown_values(self) -> tuple[frozenset[str], frozenset[str]]:
        spans = self.document.spans
        return frozenset(s.label for s in spans), frozenset(s.origin for s in spans)

    def wanted_widths(self) -> list[float]:
        """What columns 1… need to show the document's longest value (or header) in full."""
        metrics = self.fontMetrics()
        italic = QFont(self.font())
        italic.setItalic(True)  # suggestions are italic
        wide = QFontMetrics(italic)
        self._values = labels, origins = self._shown_values()
        values: list[list[str]] = [
            sorted(labels) or [label.name for label in self._scheme.labels],
            sorted(origins) or ["manual"],
            ["0.00"],
            [*(status.value for status in SpanStatus), "argument"],
        ]
        pad = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin) + 8
        widths: list[float] = []
        for column, texts in enumerate(values, start=1):
            head = metrics.horizontalAdvance(COLUMNS[column]) + 16
            longest = max(
                max(wide.horizontalAdvance(t), metrics.horizontalAdvance(t)) for t in texts
            )
            icon = 20 if column == 1 else 0  # the kind icon and its gap
            widths.append(max(head, longest + pad + icon))
        return widths

    def fit_columns(self) -> None:
        """Columns 1… as wide as they need, shrunk together if the Text column would fall
        below :data:`MIN_TEXT_WIDTH`; the Text column stretches over the rest."""
        wanted = self.wanted_widths()
        room = self.viewport().width() - MIN_TEXT_WIDTH
        total = sum(wanted)
        scale = 1.0 if total <= room or total <= 0 else max(room, 0) / total
        for column, width in enumerate(wanted, start=1):
            self.setColumnWidth(column, max(24, int(width * scale)))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # the panel, or its vertical scroll bar came
            self.fit_columns()
        return super().viewportEvent(event)

    def scrollTo(
        self,
        index: _Index,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """Scroll to a row, never sideways."""
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(0)

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        argument = self.table.argument_at(current.row())
        if argument is not None:
            self.argument_chosen.emit(argument)
            return
        self.document.select(self.document.spans[self.table.span_row(current.row())].key)

    def show_argument(self, pair: tuple[Key, Key] | None) -> None:
        """The argument mode's event and chosen filler: its argument row is the current one."""
        self._argument = pair
        self._show_selected()

    def _show_selected(self) -> None:
        row = self.document.index_of(self.document.selected)
        shown = None if row is None else self.table.shown_row(row)
        if self._argument is not None and self.document.selected == self._argument[1]:
            found = self.table.argument_row(*self._argument)
            shown = shown if found is None else found  # no argument yet: the filler's row
        self._syncing = True
        try:
            if shown is None:
                self.selectionModel().clearSelection()
                return
            index = self.table.index(shown, 0)
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
