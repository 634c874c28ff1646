"""The agreement panel: headline figures and the label confusion matrix drawn as a heatmap."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QDialog, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

MIN_NUMBER_CELL = 16.0  # cells at least this large show their count; smaller ones on hover


def _mix(t: float) -> QColor:
    """White (0) to deep blue (1)."""
    lo, hi = (255, 255, 255), (31, 78, 160)
    return QColor(*(round(a + (b - a) * t) for a, b in zip(lo, hi, strict=True)))


class ConfusionHeatmap(QWidget):
    """Rows: one annotator's label, columns: the other's; cell shade = share of the row.
    Every cell's count is written in it when there is room, and in its tooltip always."""

    def __init__(self, parent: QWidget | None = None, *, scale: float = 0.85) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.matrix: list[list[int]] = []
        self.scale = scale  # font size against the widget's
        self._margin = 0.0
        self._cell = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)
        self.setMouseTracking(True)

    def set_matrix(self, labels: list[str], matrix: list[list[int]]) -> None:
        self.labels, self.matrix = labels, matrix
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """(row, column) of the cell under ``point``, as last painted."""
        if not self.labels or self._cell <= 0:
            return None
        col = int((point.x() - self._margin) // self._cell)
        row = int((point.y() - self._margin) // self._cell)
        n = len(self.labels)
        if point.x() < self._margin or point.y() < self._margin or row >= n or col >= n:
            return None
        return row, col

    def cell_text(self, row: int, col: int) -> str:
        count = self.matrix[row][col]
        total = sum(self.matrix[row])
        share = f" ({count / total:.0%} of the row)" if total else ""
        return f"{self.labels[row]} → {self.labels[col]}: {count} span pair(s){share}"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cell = self.cell_at(QPointF(event.pos()))
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), html.escape(self.cell_text(*cell)), self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fdfcf8"))
        if not any(any(row) for row in self.matrix):
            painter.setPen(QColor("#777"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "no documents two annotators did"
            )
            return
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * self.scale))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        margin = max(metrics.horizontalAdvance(lab) for lab in self.labels) + 8
        n = len(self.labels)
        top = margin
        cell = max(8.0, min((self.width() - margin - 4) / n, (self.height() - top - 4) / n))
        self._margin, self._cell = margin, cell
        for j, lab in enumerate(self.labels):  # column heads, rotated
            painter.save()
            painter.translate(margin + (j + 0.5) * cell + metrics.ascent() / 2, top - 4)
            painter.rotate(-90)
            painter.setPen(QColor("#333"))
            painter.drawText(0, 0, lab)
            painter.restore()
        for i, row in enumerate(self.matrix):
            total = sum(row) or 1
            painter.setPen(QColor("#333"))
            painter.drawText(
                QRectF(0, top + i * cell, margin - 6, cell),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.labels[i],
            )
            for j, count in enumerate(row):
                share = count / total
                rect = QRectF(margin + j * cell, top + i * cell, cell - 1, cell - 1)
                painter.fillRect(rect, _mix(share))
                if i == j and self.labels[i] != "none":
                    painter.setPen(QColor("#2e7d32"))
                    painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
                if count and cell >= MIN_NUMBER_CELL:
                    painter.setPen(QColor("#fff") if share > 0.55 else QColor("#222"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.end()


class LargeConfusion(QDialog):
    """The confusion matrix on its own, large enough to read every count."""

    def __init__(self, labels: list[str], matrix: list[list[int]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Label confusion")
        self.heatmap = ConfusionHeatmap(self, scale=1.1)
        self.heatmap.set_matrix(labels, matrix)
        note = QLabel(
            "Rows: one annotator's label, columns: the other's (unit: span pair; none = the "
            "other annotator has no span there). Shade: share of the row; green frame: the same "
            "label. Hover a cell for its count. Esc closes."
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heatmap, 1)
        layout.addWidget(note)
        self.resize(860, 900)


class AgreementPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #333; padding: 4px;")
        self.heatmap = ConfusionHeatmap()
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666; font-size: 10px; padding: 2px 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.heatmap, 1)
        layout.addWidget(self.note)

    def set_report(self, report: dict[str, Any]) -> None:
        lines = [f"Agreement on {report['documents']} document(s)"]
        kappas = {(p["a"], p["b"]): p["kappa"] for p in report["cohen_kappa"]["pairs"]}
        for p in report["span_f1"]["pairs"]:
            k = kappas[(p["a"], p["b"])]
            lines.append(
                f"{p['a']} – {p['b']}: span F1 {_f(p['exact']['f1'])} exact, "
                f"{_f(p['lenient']['f1'])} lenient; token κ {_f(k)}"
            )
        alpha = report["krippendorff_alpha"]
        lines.append(f"Krippendorff's α (tokens, nominal): {_f(alpha['alpha'])}")
        self.summary.setText("\n".join(lines))
        conf = report["confusion"]
        self.heatmap.set_matrix(conf["labels"], conf["matrix"])
        self.note.setText(
            "Label confusion (unit: span pair): rows one annotator's label, columns the other's; "
            "shade = share of the row, green frame = same label. Hover a cell for its count; "
            "Ctrl+M shows it large."
        )


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"
