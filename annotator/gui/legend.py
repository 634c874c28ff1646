"""The legend: how the article draws a span (each style drawn as in the text, its name inside).

The labels themselves, with colour and key, are the chips of the label bar above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from annotator.model import LabelScheme, SpanKind
from annotator.palette import STYLE_COLORS


@dataclass(frozen=True)
class Sample:
    text: str
    kind: str  # "entity", "event", "rejected", "selected", "unresolved", "current"
    status: str = "accepted"  # or "suggested"
    tip: str = ""


ANNOTATE_SAMPLES: tuple[Sample, ...] = (
    Sample("entity", "entity", tip="an accepted entity: filled in its label's colour"),
    Sample("suggested", "entity", "suggested", "a suggestion not yet decided: faded, dashed"),
    Sample("event", "event", tip="an accepted event trigger: framed in its label's colour"),
    Sample("suggested event", "event", "suggested", "a suggested event: dashed frame"),
    Sample("rejected", "rejected", tip="rejected: struck through in grey (Ctrl+R hides them)"),
    Sample("selected", "selected", tip="the selected span: a thick dark outline"),
)
REVIEW_SAMPLES: tuple[Sample, ...] = (
    Sample("in gold", "entity", tip="in the gold annotation"),
    Sample("not decided", "entity", "suggested", "proposed by an annotator, not yet in gold"),
    Sample("rejected", "rejected", tip="rejected from gold"),
    Sample("unresolved", "unresolved", tip="an unresolved disagreement: red underline"),
    Sample("current", "current", tip="the current disagreement: orange dashed frame"),
)


class StyleLegend(QWidget):
    """One compact row of samples, drawn with the article's colours and pens."""

    def __init__(
        self,
        scheme: LabelScheme,
        samples: tuple[Sample, ...] = ANNOTATE_SAMPLES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.samples = samples
        entities, events = scheme.of_kind(SpanKind.ENTITY), scheme.of_kind(SpanKind.EVENT)
        first = scheme.labels[0]
        self.entity_color = QColor((entities[0] if entities else first).color)
        self.event_color = QColor((events[0] if events else first).color)
        self.sample_font = QFont(self.font())
        self.sample_font.setPointSizeF(max(8.0, self.font().pointSizeF() * 0.92))
        metrics = QFontMetricsF(self.sample_font)
        self._height = metrics.height() + 12
        self._widths = [metrics.horizontalAdvance(s.text) + 14 for s in samples]
        intro = "Spans:"
        self._intro = intro
        self._intro_width = metrics.horizontalAdvance(intro) + 8
        tag = "the tag above a span is its label"
        self._tag_note = tag
        self._tag_width = metrics.horizontalAdvance(tag) + 8
        self.setToolTip(
            "<qt>" + "<br>".join(f"<b>{s.text}</b>: {s.tip}" for s in samples if s.tip) + "</qt>"
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        # Asks for no width: the strip must not widen the article column (it clips instead).
        return QSize(0, int(self._height))

    def natural_width(self) -> int:
        """The width that shows every sample."""
        return int(self._intro_width + sum(w + 8 for w in self._widths) + self._tag_width + 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, int(self._height))

    def sample_rects(self) -> list[QRectF]:
        rects, x = [], 8 + self._intro_width
        for w in self._widths:
            rects.append(QRectF(x, 5, w, self._height - 10))
            x += w + 8
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.sample_font)
        painter.setPen(QColor("#555"))
        full = QRectF(self.rect())
        painter.drawText(
            QRectF(8, 0, self._intro_width, full.height()), Qt.AlignmentFlag.AlignVCenter, "Spans:"
        )
        rects = self.sample_rects()
        for sample, rect in zip(self.samples, rects, strict=True):
            self._draw(painter, sample, rect)
        if rects:
            painter.setPen(QColor("#555"))
            x = rects[-1].right() + 12
            painter.drawText(
                QRectF(x, 0, self._tag_width, full.height()),
                Qt.AlignmentFlag.AlignVCenter,
                self._tag_note,
            )
        painter.end()

    def _draw(self, painter: QPainter, sample: Sample, rect: QRectF) -> None:
        suggested = sample.status == "suggested"
        painter.setPen(Qt.PenStyle.NoPen)
        if sample.kind == "entity":
            fill = QColor(self.entity_color)
            fill.setAlpha(105 if suggested else 255)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 3, 3)
            if suggested:
                pen = QPen(self.entity_color.darker(170), 1.2, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        elif sample.kind == "event":
            if not suggested:
                tint = QColor(self.event_color)
                tint.setAlpha(40)
                painter.setBrush(tint)
                painter.drawRoundedRect(rect, 3, 3)
            pen = QPen(self.event_color, 2.0)
            if suggested:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1.5, 1.5, -1.5, -1.5), 3, 3)
        elif sample.kind == "selected":
            painter.setPen(QPen(QColor(STYLE_COLORS["selected"]), 2.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
        elif sample.kind == "current":
            painter.setPen(QPen(QColor(STYLE_COLORS["current"]), 2.0, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 5, 5)
        text_color = QColor("#8a8a8a") if sample.kind == "rejected" else QColor("#1b1b1b")
        painter.setPen(text_color)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, sample.text)
        if sample.kind == "rejected":
            painter.setPen(QPen(QColor(STYLE_COLORS["rejected"]), 1.2))
            y = rect.center().y() + 1
            painter.drawLine(QPointF(rect.left() + 4, y), QPointF(rect.right() - 4, y))
        elif sample.kind == "unresolved":
            painter.setPen(QPen(QColor(STYLE_COLORS["unresolved"]), 2.4))
            y = rect.bottom() - 1
            painter.drawLine(QPointF(rect.left() + 4, y), QPointF(rect.right() - 4, y))
