"""Every label of the scheme with its colour and key; the guideline on hover; a click applies it."""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget

from annotator.model import Label, LabelScheme, SpanKind


def guideline_tooltip(label: Label) -> str:
    kind = "entity" if label.kind == SpanKind.ENTITY else "event (framed in the text)"
    return (
        f"<qt><b>{html.escape(label.name)}</b> — {kind}, key <b>{html.escape(label.key)}</b>"
        f"<br>{html.escape(label.guideline)}</qt>"
    )


class LabelChip(QLabel):
    clicked = Signal(str)

    def __init__(self, label: Label, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(f"{label.key.upper()}  {label.name}")
        self.setToolTip(guideline_tooltip(label))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        color = QColor(label.color)
        if label.kind == SpanKind.ENTITY:
            style = f"background: {color.name()}; border: 1px solid {color.darker(130).name()};"
        else:
            tint = QColor(color)
            tint.setAlpha(40)
            style = (
                f"background: rgba({tint.red()},{tint.green()},{tint.blue()},40); "
                f"border: 2px solid {color.name()};"
            )
        self.setStyleSheet(
            f"QLabel {{ {style} border-radius: 4px; padding: 2px 6px; color: #1b1b1b; }}"
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.label.name)


class FlowLayout(QLayout):
    """Lays chips out left to right and wraps them onto the next line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 5) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


class LabelBar(QWidget):
    label_chosen = Signal(str)

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.chips: list[LabelChip] = []
        for label in [*scheme.of_kind(SpanKind.ENTITY), *scheme.of_kind(SpanKind.EVENT)]:
            chip = LabelChip(label, self)
            chip.clicked.connect(self.label_chosen)
            layout.addWidget(chip)
            self.chips.append(chip)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
