"""The article: the stored text, read-only but selectable by mouse and keyboard, with spans painted
over it.

Spans are painted, not applied as character formats: the text document stays exactly the stored
text, and only the spans inside the visible lines are drawn, so a 100,000-character article with
thousands of spans scrolls and repaints as fast as a short one. Entities are filled with their
label's colour; events get a frame in theirs, so a trigger inside or beside an entity stays
readable. Suggestions are faded and dashed until decided; rejected spans are struck through in
grey; the selected span has a thick dark outline. Every span carries its label as a small tag
above its first word, so no label is told by colour alone.

An event's arguments are arcs from the event to each filler with the role's name on them
(brat's way): on one line an arc over the words between, across lines two halves, the event's
running out to the margin its filler lies towards and the filler's coming in from there, so no
arc crosses the text. Only arcs with an end on the visible lines are computed and drawn; those of
the selected span are drawn strong, the others light.

Room for the tags: QPlainTextEdit's layout ignores a block's line height, so every character is
set one and a half times larger and raised as superscript, which Qt draws at two thirds of that
size: the glyphs keep their size and each line gains a free lane above them. It is one format for
the whole text (set before ``setPlainText``, no extra pass) and changes no character.

Offsets cross this boundary through :class:`annotator.textpos.TextPositions` (code points ↔ Qt).
"""

from __future__ import annotations

import html
import time
from bisect import bisect_left, insort
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QRegion,
    QTextCharFormat,
    QTextCursor,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.gui.document import DocumentModel, Key
from annotator.model import Argument, LabelScheme, Span, SpanKind, SpanStatus
from annotator.palette import STYLE_COLORS

SELECTED = QColor(STYLE_COLORS["selected"])
REJECTED = QColor(STYLE_COLORS["rejected"])
ARC = QColor(STYLE_COLORS["argument"])
TAG_SCALE = 0.6  # tag font size against the text's


def span_tooltip(span: Span, text: str, *, limit: int = 80) -> str:
    """Rich-text tooltip with every piece of user data escaped; the covered text up to
    ``limit`` characters."""
    covered = span.covered(text).replace("\r\n", " ").replace("\n", " ")
    if len(covered) > limit:
        covered = covered[: limit - 3] + "…"
    parts = [
        f"<b>{html.escape(span.label)}</b> · {span.kind.value} · {span.status.value}",
        f"“{html.escape(covered)}”",
    ]
    if span.origin != "manual":
        origin = f"{span.origin} {span.origin_version}".strip()
        parts.append(f"from {html.escape(origin)}")
    if span.score is not None:
        parts.append(f"score {span.score:.2f}")
    return "<qt>" + "<br>".join(parts) + "</qt>"


def _row(box: QRectF) -> int:
    """A bucket of boxes at about the same height (labels are looked for near their row)."""
    return int(box.center().y() // 12)


def pack_labels(wanted: list[QRectF], tags: list[QRectF]) -> list[QRectF]:
    """The arcs' label boxes laid out as the tags are: in each row in order of their wanted
    place, each moved right past the tags and the labels before it, never overlapping; one
    that would move more than three of its widths stays where it wanted to be (a label far
    from its arc misleads more than one that touches another). One pass per label over the
    boxes near its row, sorted by their left edge (a paint lays out dozens)."""
    Box = tuple[float, float, float, float]  # left, top, right, bottom
    rows: dict[int, list[Box]] = {}  # by row, sorted by left
    for tag in tags:
        insort(rows.setdefault(_row(tag), []), (tag.left(), tag.top(), tag.right(), tag.bottom()))
    out = list(wanted)
    for i in sorted(range(len(wanted)), key=lambda i: (_row(wanted[i]), wanted[i].left())):
        box = wanted[i]
        row = _row(box)
        top, bottom, width = box.top(), box.bottom(), box.width()
        near = sorted(b for r in (row - 1, row, row + 1) for b in rows.get(r, ()))
        left = box.left()
        for o_left, o_top, o_right, o_bottom in near:
            if o_top >= bottom or o_bottom <= top or o_right <= left:
                continue
            if o_left >= left + width:
                break
            left = o_right + 3
        placed = box if left - box.left() > 3 * width else box.translated(left - box.left(), 0)
        out[i] = placed
        insort(rows.setdefault(row, []), (placed.left(), top, placed.right(), bottom))
    return out


def _x(line: QTextLine, position: int) -> float:
    # PySide6 returns (x, position) for the C++ in/out argument.
    result: Any = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)


class ArticleView(QPlainTextEdit):
    span_clicked = Signal(object)  # Key

    def __init__(
        self, document: DocumentModel, scheme: LabelScheme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document_model = document
        self.scheme = scheme
        self.colors = {label.name: QColor(label.color) for label in scheme.labels}
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        font = QFont(self.font())
        font.setPointSizeF(max(12.5, font.pointSizeF() * 1.25))
        self.setFont(font)
        self.tag_font = QFont(font)
        self.tag_font.setPointSizeF(font.pointSizeF() * TAG_SCALE)
        self.tag_font.setBold(True)
        tag_metrics = QFontMetricsF(self.tag_font)
        self._tag_ascent = tag_metrics.ascent()
        self._tag_widths = {
            label.name: tag_metrics.horizontalAdvance(label.name) for label in scheme.labels
        }
        self._tag_room = max(self._tag_widths.values(), default=0.0) + 8
        lane = QTextCharFormat()  # see the module docstring: a lane for tags above each line
        lane.setFontPointSize(font.pointSizeF() * 1.5)
        lane.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignSuperScript)
        lane.setSuperScriptBaseline(10)
        self.setCurrentCharFormat(lane)
        self._glyphs = QFontMetricsF(font).height()  # the text's own height inside a line
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.setCursorWidth(2)
        self.setStyleSheet(
            "QPlainTextEdit { background: #fdfcf8; color: #1b1b1b; "
            "selection-background-color: #a9c7ff; selection-color: #000; }"
        )
        self.show_rejected = True
        self._qt: dict[tuple[int, int], tuple[int, int]] = {}
        self._starts: list[int] = []
        self._placed: list[tuple[int, int, Span]] = []
        self._slots: dict[Key, int] = {}
        self._shown_selected: Key | None = None
        self.arguing: tuple[Key | None, Key | None] = (None, None)  # argument mode: trigger, filler
        self.proposed: tuple[Argument, ...] = ()  # the argument mode's proposals (dashed arcs)
        self._longest = 0
        # arguments by the Qt start of their event and of their filler: (start, arc index)
        self._arcs: list[tuple[int, int, int, int, Argument]] = []
        self._arc_by_trigger: list[tuple[int, int]] = []
        self._arc_by_filler: list[tuple[int, int]] = []
        self._arc_ends: set[Key] = set()
        self.draw_arcs = True
        self.last_paint = 0.0  # perf_counter() at the end of the last paint (benchmarks)
        document.loaded.connect(self._on_loaded)
        document.spans_changed.connect(self._on_spans_changed)
        document.selection_changed.connect(self._on_selection_changed)
        document.arguments_changed.connect(self._on_arguments_changed)

    # ---- reacting to the model ---------------------------------------------------------------

    def _on_loaded(self) -> None:
        self._qt.clear()
        self.setPlainText(self.document_model.text)
        self.document().setDocumentMargin(18)
        self._place()
        self._place_arcs()
        self.viewport().update()

    def _on_arguments_changed(self) -> None:
        self._place_arcs()
        self.viewport().update()

    def _on_spans_changed(self, rows: list[int] | None) -> None:
        # rows: the rows whose status changed; None means "spans came or went".
        if rows is None:
            self._place()
        else:  # same spans, new statuses: swap them in place
            spans = self.document_model.spans
            for row in rows:
                span = spans[row]
                slot = self._slots[span.key]
                qs, qe, _old = self._placed[slot]
                self._placed[slot] = (qs, qe, span)
            self._repaint_spans([spans[row] for row in rows])
            return
        self.viewport().update()

    def _on_selection_changed(self) -> None:
        old = self.document_model.span(self._shown_selected)
        span = self.document_model.selected_span
        self._shown_selected = self.document_model.selected
        if self._arcs and any(
            k in self._arc_ends for k in (old.key if old else None, self._shown_selected)
        ):
            self.viewport().update()  # its arcs are drawn strong (or no longer)
        if span is not None:
            qs, qe = self.qt_range(span)
            cursor = QTextCursor(self.document())
            cursor.setPosition(qe)
            end = self.cursorRect(cursor)
            cursor.setPosition(qs)
            self.setTextCursor(cursor)
            inside = self.viewport().rect().adjusted(0, 8, 0, -8)
            if not (inside.contains(self.cursorRect(cursor)) and inside.contains(end)):
                # Centre rather than creep: the text around the span shows, and the next
                # spans are on screen already (no full repaint per keypress).
                self.centerCursor()
        self._repaint_spans([s for s in (old, span) if s is not None])

    def _repaint_spans(self, spans: list[Span]) -> None:
        """Repaint just where these spans are (a keypress touches one or two of thousands)."""
        region = QRegion()
        for span in spans:
            rects = self._rects(*self.qt_range(span))
            for rect in rects:
                region += rect.toAlignedRect().adjusted(-5, -4, 5, 4)
            if rects:  # its tag, and the tags it may have pushed along
                tag = QRectF(rects[0].left() - 5, rects[0].top() - self._lane(), 0, 0)
                region += tag.adjusted(0, 0, self._tag_room * 2, self._lane()).toAlignedRect()
        if not region.isEmpty():
            self.viewport().update(region)

    def show_arguing(
        self, trigger: Key | None, filler: Key | None, proposed: tuple[Argument, ...] = ()
    ) -> None:
        """The argument mode's event, chosen filler and proposals (None, None: the mode is
        off)."""
        before = [k for k in self.arguing if k is not None]
        self.arguing = (trigger, filler)
        self.proposed = proposed if trigger is not None else ()
        spans = [self.document_model.span(k) for k in (*before, trigger, filler) if k is not None]
        self._repaint_spans([s for s in spans if s is not None])
        self.viewport().update()

    def qt_range(self, span: Span) -> tuple[int, int]:
        key = (span.start, span.end)
        found = self._qt.get(key)
        if found is None:
            found = self._qt[key] = self.document_model.positions.span_to_qt(*key)
        return found

    def _place_arcs(self) -> None:
        positions = self.document_model.positions

        def qt(key: Key) -> tuple[int, int]:
            found = self._qt.get(key[:2])
            if found is None:
                found = self._qt[key[:2]] = positions.span_to_qt(key[0], key[1])
            return found

        arcs = []
        for a in self.document_model.arguments:
            if a.status == SpanStatus.REJECTED:
                continue
            arcs.append((*qt(a.trigger), *qt(a.filler), a))
        self._arcs = arcs
        self._arc_by_trigger = sorted((arc[0], i) for i, arc in enumerate(arcs))
        self._arc_by_filler = sorted((arc[2], i) for i, arc in enumerate(arcs))
        self._arc_ends = {k for a in self.document_model.arguments for k in (a.trigger, a.filler)}

    def _place(self) -> None:
        spans = self.document_model.spans
        if self.document_model.positions.identity:  # most texts: no conversion, no cache
            placed = [(s.start, s.end, s) for s in spans]
        else:
            placed = [(*self.qt_range(s), s) for s in spans]
        placed.sort(key=lambda p: p[0])
        self._placed = placed
        self._slots = {p[2].key: i for i, p in enumerate(placed)}
        self._starts = [p[0] for p in placed]
        self._longest = max((p[1] - p[0] for p in placed), default=0)

    # ---- offsets at the boundary ---------------------------------------------------------------

    def selection_offsets(self) -> tuple[int, int] | None:
        """The selected text as code-point offsets, or None without a selection."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.document_model.positions.span_from_qt(
            cursor.selectionStart(), cursor.selectionEnd()
        )

    def select_offsets(self, start: int, end: int) -> None:
        """Select ``text[start:end]`` (code points) as the text selection (tests, keyboard)."""
        qs, qe = self.document_model.positions.span_to_qt(start, end)
        cursor = QTextCursor(self.document())
        cursor.setPosition(qs)
        cursor.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_text_selection(self) -> None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.setTextCursor(cursor)

    def spans_at(self, position: int) -> list[Span]:
        """Spans covering a Qt position, shortest first."""
        hi = bisect_left(self._starts, position + 1)
        lo = bisect_left(self._starts, position - self._longest)
        hits = [p for p in self._placed[lo:hi] if p[0] <= position < p[1]]
        hits.sort(key=lambda p: p[1] - p[0])
        return [p[2] for p in hits]

    def _span_at_point(self, point: QPointF) -> Span | None:
        cursor = self.cursorForPosition(point.toPoint())
        # cursorForPosition gives the nearest gap; the character under the point is the one after
        # it when the point is right of the gap, else the one before.
        position = cursor.position()
        if point.x() < self.cursorRect(cursor).x():
            position -= 1
        hits = self.spans_at(position)
        return hits[0] if hits else None

    # ---- mouse and tooltips ------------------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            span = self._span_at_point(event.position())
            if span is not None:
                self.span_clicked.emit(span.key)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = self.viewport().mapFromGlobal(event.globalPos())
            span = self._span_at_point(QPointF(point))
            if span is not None:
                QToolTip.showText(event.globalPos(), span_tooltip(span, self.document_model.text))
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # ---- painting ----------------------------------------------------------------------------

    def _band(self, top: float, bottom: float) -> tuple[int, int]:
        """The Qt positions of the lines that meet the band ``top``..``bottom``."""
        first = self.cursorForPosition(QPoint(0, max(0, int(top)))).position()
        right = self.viewport().width()
        end = self.cursorForPosition(QPoint(right, int(bottom) + 1)).position() + 1
        return first, end

    def _visible(self, top: float, bottom: float) -> list[tuple[int, int, Span]]:
        """Spans on the lines that meet the band ``top``..``bottom`` of the viewport."""
        if not self._placed:
            return []
        first, end = self._band(top, bottom)
        hi = bisect_left(self._starts, end)
        lo = bisect_left(self._starts, first - self._longest)
        return [p for p in self._placed[lo:hi] if p[1] >= first]

    def _rects(self, qs: int, qe: int) -> list[QRectF]:
        rects: list[QRectF] = []
        block = self.document().findBlock(qs)
        offset = self.contentOffset()
        while block.isValid() and block.position() < qe:
            layout = block.layout()
            base = block.position()
            origin = self.blockBoundingGeometry(block).translated(offset).topLeft()
            origin += layout.position()
            line = layout.lineForTextPosition(max(qs - base, 0))
            while line.isValid():
                ls = base + line.textStart()
                if ls >= qe:
                    break
                le = ls + line.textLength()
                a, b = max(qs, ls), min(qe, le)
                if a < b:
                    x1 = _x(line, a - base)
                    x2 = _x(line, b - base)
                    top = origin.y() + line.y() + max(0.0, line.height() - self._glyphs)
                    rects.append(QRectF(origin.x() + x1, top, x2 - x1, self._glyphs))
                line = layout.lineAt(line.lineNumber() + 1)
            block = block.next()
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        area = QRectF(event.rect()).adjusted(-6, -6, 6, 6)
        visible = self._visible(area.top(), area.bottom())
        selected = self.document_model.selected
        drawn = [(span, self._rects(qs, qe)) for qs, qe, span in visible]
        drawn = [(span, rects) for span, rects in drawn if any(r.intersects(area) for r in rects)]
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Under the text: entity fills (longest first, so nested ones stay visible), event tints.
        for span, rects in sorted(drawn, key=lambda d: d[0].start - d[0].end):
            if span.status == SpanStatus.REJECTED:
                continue
            color = QColor(self.colors.get(span.label, QColor("#dddddd")))
            if span.kind == SpanKind.ENTITY:
                color.setAlpha(255 if span.status == SpanStatus.ACCEPTED else 105)
            else:
                color.setAlpha(40 if span.status == SpanStatus.ACCEPTED else 0)
            if color.alpha() == 0:
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(0, 1, 0, -1), 3, 3)
        painter.end()

        super().paintEvent(event)

        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # A rejected span under a live one with the same boundaries is a relabel's leftover:
        # striking it would look as if the live span were rejected.
        live = {(s.start, s.end) for s, _ in drawn if s.status != SpanStatus.REJECTED}
        for span, rects in drawn:
            color = QColor(self.colors.get(span.label, QColor("#999999")))
            if span.status == SpanStatus.REJECTED:
                if not self.show_rejected or (span.start, span.end) in live:
                    continue
                painter.setPen(QPen(REJECTED, 1.2))
                for rect in rects:
                    y = rect.center().y() + 1
                    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
                continue
            suggested = span.status == SpanStatus.SUGGESTED
            if span.kind == SpanKind.EVENT:
                pen = QPen(color, 2.0)
                inset = 1.5
            elif suggested:
                pen = QPen(color.darker(170), 1.2)
                inset = 1.0
            else:
                continue
            if suggested:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), 3, 3)
        for span, rects in drawn:
            if span.key == selected:
                painter.setPen(QPen(SELECTED, 2.6))
                for rect in rects:
                    painter.drawRoundedRect(rect.adjusted(-2, -0.5, 2, 0.5), 4, 4)
        tags = self._paint_tags(painter, drawn, live)
        if self.draw_arcs:
            known = {span.key: rects[0] for span, rects in drawn if rects}
            self._paint_arcs(painter, area, tags, known)
        painter.end()
        self.last_paint = time.perf_counter()

    # ---- arcs ----------------------------------------------------------------------------------

    def visible_arcs(
        self, area: QRectF, known: dict[Key, QRectF] | None = None
    ) -> list[tuple[Argument, QRectF | None, QRectF | None]]:
        """The arguments with an end on the lines of ``area``: each with the first rectangle of
        its event and of its filler (None for an end off those lines); ``known``: first
        rectangles of spans already computed."""
        known = known or {}
        if not self._arcs:
            return []
        first, end = self._band(area.top(), area.bottom())
        lo_pos = first - self._longest
        found: set[int] = set()
        for starts in (self._arc_by_trigger, self._arc_by_filler):
            lo = bisect_left(starts, (lo_pos, -1))
            hi = bisect_left(starts, (end, -1))
            found.update(i for _pos, i in starts[lo:hi])
        out = []
        for i in sorted(found):
            tqs, tqe, fqs, fqe, argument = self._arcs[i]
            ends: list[QRectF | None] = []
            for key, qs, qe in ((argument.trigger, tqs, tqe), (argument.filler, fqs, fqe)):
                rect = known.get(key)
                if rect is None and qe >= first and qs < end:
                    rects = self._rects(qs, qe)
                    rect = rects[0] if rects else None
                ends.append(rect)
            if ends[0] is not None or ends[1] is not None:
                out.append((argument, ends[0], ends[1]))
        return out

    def _paint_arcs(
        self, painter: QPainter, area: QRectF, tags: list[QRectF], known: dict[Key, QRectF]
    ) -> None:
        arcs = self.visible_arcs(area, known)
        trigger, filler = self.arguing
        if trigger is not None and filler is not None:  # the argument mode's preview
            t = self._first_rect(trigger)
            if t is not None:
                painter.setPen(QPen(SELECTED, 2.2, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(t.adjusted(-3, -1.5, 3, 1.5), 4, 4)
        if not arcs and trigger is None:
            return
        lane = self._lane()
        selected = self.document_model.selected
        strong = {selected, trigger}
        painter.setFont(self.tag_font)
        metrics = QFontMetricsF(self.tag_font)
        right = float(self.viewport().width()) - 4
        page = QColor("#fdfcf8")
        page.setAlpha(235)
        jobs: list[tuple[bool, Argument | None, QRectF | None, QRectF | None]] = [
            (a.trigger in strong or a.filler in strong, a, t, f) for a, t, f in arcs
        ]
        if trigger is not None and filler is not None:
            made = any(a.trigger == trigger and a.filler == filler for a, _t, _f in arcs)
            offered = {a.filler for a in self.proposed}
            if not made and filler not in offered:
                jobs.append((True, None, self._first_rect(trigger), self._first_rect(filler)))
            t_rect = self._first_rect(trigger)
            for p in self.proposed:
                jobs.append((p.filler == filler, p, t_rect, self._first_rect(p.filler)))
        # One arc per event and filler: the roles of both (a role disagreement, proposals of
        # several roles) share it, "participant / place".
        grouped: dict[
            tuple[Key, Key] | int, list[tuple[bool, Argument | None, QRectF | None, QRectF | None]]
        ] = {}
        for n, job in enumerate(jobs):
            a = job[1]
            grouped.setdefault(n if a is None else (a.trigger, a.filler), []).append(job)
        merged = []
        for group in grouped.values():
            bold = any(j[0] for j in group)
            names = []
            dashed = True
            for _b, a, _t, _f in group:
                proposal = a is not None and a in self.proposed
                name = "?" if a is None else a.role + ("?" if proposal else "")
                if name not in names:
                    names.append(name)
                if a is not None and a.status == SpanStatus.ACCEPTED and not proposal:
                    dashed = False
            first = group[0]
            merged.append((bold, dashed, " / ".join(names), first[1], first[2], first[3]))
        merged.sort(key=lambda j: j[0])  # strong arcs last, on top
        labels: list[tuple[QRectF, str, QColor]] = []
        ascent = metrics.ascent()
        styles: dict[tuple[bool, bool], tuple[QColor, QPen]] = {}
        for bold, dashed in {(j[0], j[1]) for j in merged}:
            color = QColor(ARC)
            color.setAlpha(255 if bold else 120)
            pen = QPen(color, 1.8 if bold else 1.0)
            pen.setCosmetic(True)  # the fast stroker: a paint with many arcs stays quick
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            styles[(bold, dashed)] = (color, pen)
        for bold, dashed, label, argument, t, f in merged:
            color, pen = styles[(bold, dashed)]
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            after = argument is None or argument.filler[0] >= argument.trigger[0]
            width = metrics.horizontalAdvance(label)
            for path, head, (x, y) in self._arc_pieces(t, f, lane, right, after, width):
                painter.drawPath(path)
                if head is not None:
                    painter.setBrush(QBrush(color))
                    painter.drawPolygon(head)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                box = QRectF(x - width / 2 - 2, y - ascent / 2 - 1.5, width + 4, ascent + 2)
                labels.append((box, label, color))
        painter.setPen(Qt.PenStyle.NoPen)
        for box, (_old, label, color) in zip(
            pack_labels([b for b, _l, _c in labels], tags), labels, strict=True
        ):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(page)
            painter.drawRect(box)
            painter.setPen(color)
            painter.drawText(QPointF(box.left() + 2, box.bottom() - 1.5), label)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _first_rect(self, key: Key) -> QRectF | None:
        rects = self._rects(*self.document_model.positions.span_to_qt(key[0], key[1]))
        return rects[0] if rects else None

    @staticmethod
    def _arc_pieces(
        t: QRectF | None,
        f: QRectF | None,
        lane: float,
        right: float,
        after: bool,
        label_width: float,
    ) -> list[tuple[QPainterPath, QPolygonF | None, tuple[float, float]]]:
        """The paths of one arc, in the free lanes between lines (never over the text nor the
        ends' own tags, which are above them): a dip under the line when both ends are on one
        line; an elbow through the lane between two neighbouring lines; else the event's half
        out to the margin the filler lies towards and the filler's half in from there. Each
        with its arrow head (at the filler) and where its label is centred."""
        depth = max(lane - 3.0, 5.0)
        gap = label_width / 2 + 12

        def head(p: QPointF, up: bool) -> QPolygonF:
            dy = 6.0 if up else -6.0
            return QPolygonF(
                [p, QPointF(p.x() - 3.5, p.y() + dy), QPointF(p.x() + 3.5, p.y() + dy)]
            )

        def elbow(a: QPointF, y: float, b: QPointF) -> QPainterPath:
            path = QPainterPath(a)
            bend = 5.0 if b.x() >= a.x() else -5.0
            if abs(b.x() - a.x()) < 12:
                bend = 0.0
            path.quadTo(QPointF(a.x(), y), QPointF(a.x() + bend, y))
            path.lineTo(QPointF(b.x() - bend, y))
            path.quadTo(QPointF(b.x(), y), b)
            return path

        def near_filler(a: QPointF, b: QPointF) -> float:
            """On an elbow the label goes beside the filler's end (the arcs of one event start
            together; their ends are apart)."""
            if abs(b.x() - a.x()) < label_width + 16:
                return (a.x() + b.x()) / 2
            return b.x() + (gap if a.x() > b.x() else -gap)

        pieces: list[tuple[QPainterPath, QPolygonF | None, tuple[float, float]]] = []
        if t is not None and f is not None:
            if abs(t.top() - f.top()) < 1:  # one line: a dip under it
                a = QPointF(t.center().x(), t.bottom())
                b = QPointF(f.center().x(), f.bottom())
                y = a.y() + depth
                path = QPainterPath(a)
                path.cubicTo(QPointF(a.x(), y), QPointF(b.x(), y), b)
                mid = ((a.x() + b.x()) / 2, a.y() + depth * 0.75)
                return [(path, head(b, True), mid)]
            if abs(f.top() - t.bottom() - lane) < 2:  # the filler on the next line
                a = QPointF(t.center().x(), t.bottom())
                b = QPointF(f.center().x(), f.top())
                y = t.bottom() + lane / 2
                return [(elbow(a, y, b), head(b, False), (near_filler(a, b), y))]
            if abs(t.top() - f.bottom() - lane) < 2:  # the filler on the line before
                a = QPointF(t.center().x(), t.top())
                b = QPointF(f.center().x(), f.bottom())
                y = t.top() - lane / 2
                return [(elbow(a, y, b), head(b, True), (near_filler(a, b), y))]
        if t is not None:  # out to the margin the filler lies towards
            a = QPointF(t.center().x(), t.bottom())
            y = a.y() + depth
            edge = right if after else 4.0
            path = elbow(a, y, QPointF(edge, y))
            x = a.x() + (gap if after else -gap)
            pieces.append((path, None, (x, y)))
        if f is not None:  # in from the margin the event lies towards
            b = QPointF(f.center().x(), f.bottom())
            y = b.y() + depth
            edge = 4.0 if after else right
            path = QPainterPath(QPointF(edge, y))
            bend = -5.0 if after else 5.0
            path.lineTo(QPointF(b.x() + bend, y))
            path.quadTo(QPointF(b.x(), y), b)
            x = b.x() + (-gap if after else gap)
            pieces.append((path, head(b, True), (x, y)))
        return pieces

    def _lane(self) -> float:
        """The free height above the glyphs of a line, where the tags go."""
        block = self.document().firstBlock()
        line = block.layout().lineAt(0) if block.isValid() else QTextLine()
        return max(0.0, line.height() - self._glyphs) if line.isValid() else 0.0

    def tag_color(self, span: Span) -> QColor:
        """The tag's text colour: the label's, dark enough to read on the page."""
        if span.status == SpanStatus.REJECTED:
            return QColor(REJECTED)
        color = QColor(self.colors.get(span.label, QColor("#777777")))
        if span.kind == SpanKind.ENTITY:  # fills are light: their tag needs a darker shade
            color = color.darker(260)
        elif color.lightnessF() > 0.45:
            color = color.darker(140)
        if span.status == SpanStatus.SUGGESTED:
            color.setAlpha(190)
        return color

    def tag_places(
        self, drawn: list[tuple[Span, list[QRectF]]], live: set[tuple[int, int]]
    ) -> list[tuple[QRectF, Span]]:
        """Where each drawn span's tag goes: in the lane above its first line, left-aligned with
        it; on one line the tags keep reading order and never overlap (a later one moves
        right). Hidden rejected spans and relabel leftovers get none."""
        lane = self._lane()
        if lane < self._tag_ascent:
            return []
        tagged = [
            (rects[0], span)
            for span, rects in drawn
            if rects
            and (
                span.status != SpanStatus.REJECTED
                or (self.show_rejected and (span.start, span.end) not in live)
            )
        ]
        tagged.sort(key=lambda t: (round(t[0].top()), t[0].left(), t[1].start - t[1].end))
        ends: dict[int, float] = {}  # line top -> right end of its last tag
        places = []
        for rect, span in tagged:
            line = round(rect.top())
            x = max(rect.left(), ends.get(line, -1e9) + 4)
            width = self._tag_widths.get(span.label, 0.0)
            ends[line] = x + width
            places.append((QRectF(x, rect.top() - lane, width, lane), span))
        return places

    def _paint_tags(
        self, painter: QPainter, drawn: list[tuple[Span, list[QRectF]]], live: set[tuple[int, int]]
    ) -> list[QRectF]:
        """Draw the tags; their boxes (the arcs' labels keep off them)."""
        painter.setFont(self.tag_font)
        boxes = []
        for place, span in self.tag_places(drawn, live):
            painter.setPen(self.tag_color(span))
            painter.drawText(QPointF(place.left(), place.bottom() - 1.5), span.label)
            boxes.append(place)
        return boxes

    def drawn_spans(self) -> list[tuple[Span, list[QRectF]]]:
        """The spans on screen with their rectangles (what a paint of the viewport draws)."""
        area = QRectF(self.viewport().rect())
        visible = self._visible(area.top(), area.bottom())
        drawn = [(span, self._rects(qs, qe)) for qs, qe, span in visible]
        return [(span, rects) for span, rects in drawn if any(r.intersects(area) for r in rects)]

    def selected_key(self) -> Key | None:
        return self.document_model.selected
