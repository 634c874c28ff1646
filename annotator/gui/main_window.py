"""The annotate window: document list | label bar over the article | span table, a status bar.

Slots here are thin: each builds a session command (:mod:`annotator.session` decides what an
action means) and pushes it onto the undo stack; the widgets redraw because the open document
(:class:`annotator.gui.document.OpenDocument`) says it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPainter, QPaintEvent, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.gui import interaction
from annotator.gui.actions import ACTIONS, MENUS, REDO_KEYS, UNDO_KEYS, key_conflicts
from annotator.gui.article_view import ArticleView
from annotator.gui.commands import AnyCommand, SessionCommand
from annotator.gui.doc_list import STATUS_TEXT, DocListPanel
from annotator.gui.document import Key, OpenDocument
from annotator.gui.label_bar import LabelBar
from annotator.gui.learning import Learning, project_factory
from annotator.gui.legend import StyleLegend
from annotator.gui.span_panel import SpanPanel
from annotator.gui.suggestions import SuggesterFactory, SuggestionWorker
from annotator.identity import clean_name, remember_annotator
from annotator.model import DocStatus, SpanError, SpanStatus
from annotator.palette import scheme_palette_problems
from annotator.session import Session
from annotator.store import StaleEditError, Store

PREFETCH = 3  # documents after the open one whose suggestions are computed ahead


class ElidedLabel(QLabel):
    """A one-line label that ends in … where its text does not fit."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )
        painter.end()


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        suggester: SuggesterFactory | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.session = Session(store, annotator)
        self.scheme = store.scheme
        self.doc = OpenDocument(self.session, self)
        self.undo_stack = QUndoStack(self)
        self.total = store.count_documents()
        self._doc_number = 0

        self.doc_list = DocListPanel(store, annotator)
        self.label_bar = LabelBar(self.scheme)
        self.article = ArticleView(self.doc, self.scheme)
        self.spans = SpanPanel(self.doc, self.scheme)
        self.area = QWidget()  # the article, its labels and spans: where span keys work
        inner = QSplitter(Qt.Orientation.Horizontal)
        column = QWidget()
        col_layout = QVBoxLayout(column)
        col_layout.setContentsMargins(0, 0, 0, 0)
        col_layout.setSpacing(2)
        self.header = ElidedLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setStyleSheet("color: #222; font-weight: 600;")
        self.header.setContentsMargins(8, 2, 8, 2)
        # A long title is clipped rather than widening the article column.
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend = StyleLegend(self.scheme)
        col_layout.addWidget(self.label_bar)
        col_layout.addWidget(self.legend)
        self.header_state = QLabel()  # id, status, flag, comment: beside the title, unclipped
        self.header_state.setTextFormat(Qt.TextFormat.PlainText)
        self.header_state.setStyleSheet("color: #444; padding: 2px 8px;")
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(self.header, 1)
        heading.addWidget(self.header_state)
        col_layout.addLayout(heading)
        col_layout.addWidget(self.article, 1)
        inner.addWidget(column)
        inner.addWidget(self.spans)
        inner.setStretchFactor(0, 3)
        inner.setStretchFactor(1, 2)
        area_layout = QVBoxLayout(self.area)
        area_layout.setContentsMargins(0, 0, 0, 0)
        area_layout.addWidget(inner)
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.doc_list)
        outer.addWidget(self.area)
        outer.setStretchFactor(0, 0)
        outer.setStretchFactor(1, 1)
        outer.setSizes([270, 1130])
        inner.setSizes([690, 480])
        self.setCentralWidget(outer)

        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._build_status_bar()

        self.doc.loaded.connect(self._on_loaded)
        self.doc.spans_changed.connect(lambda _rows: self._update_status())
        self.doc.state_changed.connect(self._on_state_changed)
        self.doc_list.document_chosen.connect(self.go_to)
        self.article.span_clicked.connect(self.doc.select)
        self.label_bar.label_chosen.connect(self.do_label)

        self.worker: SuggestionWorker | None = None
        self._suggester = suggester
        self._start_suggestions()
        self.learning: Learning | None = None
        if store.path is not None:  # learning from the annotators (ADR 0009)
            self.learning = Learning(store.path, settings, self)
            self.learning.memory_refreshed.connect(self._on_memory)
            self.learning.progress.connect(self._on_training_progress)
            self.learning.trained.connect(self._on_trained)
        conflicts = key_conflicts(self.scheme)
        if conflicts:
            self.message(f"Label keys used by actions: {', '.join(conflicts)}")
        self.palette_warnings = scheme_palette_problems(self.scheme)
        if self.palette_warnings and not conflicts:  # a custom scheme's colours, checked
            more = len(self.palette_warnings) - 1
            self.message(
                "Label colours: " + self.palette_warnings[0] + (f" (+{more} more)" if more else "")
            )

    # ---- building ----------------------------------------------------------------------------

    def _build_actions(self) -> None:
        menus: dict[str, QMenu] = {name: self.menuBar().addMenu(f"&{name}") for name in MENUS}
        undo = self.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcuts([QKeySequence(k) for k in UNDO_KEYS])
        redo = self.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence(k) for k in REDO_KEYS])
        for action in (undo, redo):
            menus["Edit"].addAction(action)
            self.addAction(action)
        self.actions_by_name.update(undo=undo, redo=redo)
        for spec in ACTIONS:
            action = QAction(spec.text, self)
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
            action.setCheckable(spec.checkable)
            if spec.checkable:
                action.setChecked(True)
                action.toggled.connect(getattr(self, f"do_{spec.name}"))
            else:
                action.triggered.connect(getattr(self, f"do_{spec.name}"))
            if spec.area:
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.area.addAction(action)
            else:
                self.addAction(action)
            menus[spec.menu].addAction(action)
            self.actions_by_name[spec.name] = action
        labels = menus["Span"].addMenu("Label")
        for label in self.scheme.labels:
            action = QAction(f"{label.name} ({label.kind.value})", self)
            action.setShortcut(QKeySequence(label.key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, name=label.name: self.do_label(name))
            self.area.addAction(action)
            labels.addAction(action)
            self.actions_by_name[f"label:{label.name}"] = action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.who = QLabel()
        self.where = QLabel()
        self.counts = QLabel()
        self.busy_text = QLabel()
        for label in (self.who, self.where, self.counts, self.busy_text):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # an endless bar: "working"
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.hide()
        self.who.setText(f"Annotator: {self.session.annotator}")
        bar.addWidget(self.who)
        bar.addWidget(self.where)
        bar.addWidget(self.counts, 1)
        bar.addPermanentWidget(self.busy_text)
        bar.addPermanentWidget(self.busy)

    # ---- navigation --------------------------------------------------------------------------

    def go_to(self, doc_id: str) -> None:
        if doc_id != self.doc.doc_id:
            self.doc.open(doc_id)
        self.article.setFocus()

    def open_first(self, doc_id: str | None = None) -> None:
        """Open ``doc_id``, else the first open document, else the first document."""
        if doc_id is None:
            rows = self.store.document_rows(
                self.session.annotator,
                statuses=(DocStatus.IN_PROGRESS, DocStatus.TODO),
                limit=1,
            )
            if not rows:
                rows = self.store.document_rows(self.session.annotator, limit=1)
            if not rows:
                self.message("The project has no documents yet: run 'annotator import' first.")
                return
            doc_id = rows[0][0]
        self.go_to(doc_id)

    def _next_open(self) -> str | None:
        doc_id = self.doc.doc_id
        open_ = (DocStatus.TODO, DocStatus.IN_PROGRESS)
        rows = self.store.document_rows(
            self.session.annotator, statuses=open_, after=doc_id, limit=1
        ) or self.store.document_rows(self.session.annotator, statuses=open_, limit=2)
        rows = [r for r in rows if r[0] != doc_id]
        return rows[0][0] if rows else None

    def _neighbour(self, delta: int) -> str | None:
        if self.doc.doc_id is None:
            return None
        index = self.store.document_index(self.doc.doc_id) + delta
        if index < 0:
            return None
        ids = self.store.document_ids(offset=index, limit=1)
        return ids[0] if ids else None

    # ---- reactions ---------------------------------------------------------------------------

    def _on_loaded(self) -> None:
        doc_id = self.doc.doc_id
        assert doc_id is not None
        self.doc_list.show_current(doc_id)
        self.doc.select(self.doc.next_pending(None))
        if self.worker is not None:
            ahead = self.store.document_ids(
                offset=self.store.document_index(doc_id) + 1, limit=PREFETCH
            )
            self.worker.request([doc_id, *ahead])
        self._doc_number = self.store.document_index(doc_id) + 1
        if self.settings is not None and self.store.path is not None:
            self.settings.setValue(f"last_document/{self.store.path.resolve()}", doc_id)
        self._on_state_changed()

    def _on_state_changed(self) -> None:
        state = self.doc.state
        if state is None or self.doc.doc_id is None:
            return
        self.doc_list.status_changed(self.doc.doc_id, state.status)
        flag = "  ⚑ flagged" if state.flagged else ""
        title = self.doc.title
        self.setWindowTitle(f"{title}{flag} — annotator")
        self.header.setText(title)
        self.header.setToolTip(f"{title}\n{self.doc.doc_id}")
        parts = [f"[{self.doc.doc_id}]", STATUS_TEXT[state.status]]
        if state.flagged:
            parts.append("⚑ flagged")
        if state.comment:
            parts.append("comment: " + " ".join(state.comment.split())[:40])
        self.header_state.setText("  ·  ".join(parts))
        self._update_status()

    def _update_status(self) -> None:
        state = self.doc.state
        if self.doc.doc_id is None or state is None:
            return
        n = self._doc_number
        status = state.status.value.replace("_", " ")
        extra = " · flagged" if state.flagged else ""
        extra += " · commented" if state.comment else ""
        self.where.setText(f"Document {n} of {self.total} ({status}{extra})")
        c = self.doc.counts()
        self.counts.setText(
            f"{c[SpanStatus.SUGGESTED]} suggestions left · {c[SpanStatus.ACCEPTED]} accepted · "
            f"{c[SpanStatus.REJECTED]} rejected"
        )

    def _on_suggestions(self, doc_id: str) -> None:
        if doc_id == self.doc.doc_id:
            self.doc.reload()
            if self.doc.selected is None:
                self.doc.select(self.doc.next_pending(None))

    def _start_suggestions(self) -> None:
        if self._suggester is None or self.store.path is None:
            return
        factory = project_factory(self.store.path, self._suggester)
        self.worker = SuggestionWorker(self.store.path, factory, self)
        self.worker.ready.connect(self._on_suggestions)
        self.worker.busy.connect(self._on_busy)
        self.worker.failed.connect(self._on_suggest_failed)
        self.worker.start()

    def _on_memory(self, changed: list[str]) -> None:
        if self.doc.doc_id in changed:
            self._on_suggestions(self.doc.doc_id)

    def _on_training_progress(self, percent: int, text: str) -> None:
        self._on_busy(f"Training {percent}%: {text}" if percent < 100 else "")

    def _on_trained(self, in_use: bool, text: str) -> None:
        self._on_busy("")
        self.message(text)
        if in_use:  # a fresh worker loads the new model; the open document shows its spans
            if self.worker is not None:
                self.worker.stop(timeout=2.0)
            self._start_suggestions()
            if self.doc.doc_id is not None:
                self._on_suggestions(self.doc.doc_id)

    def _on_busy(self, text: str) -> None:
        self.busy.setVisible(bool(text))
        self.busy_text.setText(text)

    def _on_suggest_failed(self, text: str) -> None:
        self.busy.hide()
        self.busy_text.setText(text if len(text) < 120 else text[:117] + "…")
        self.busy_text.setToolTip(text.replace("<", "&lt;"))

    def _on_conflict(self, exc: StaleEditError) -> None:
        interaction.current().show_error("Changed elsewhere", f"{exc}\n\nThe document is reloaded.")
        self.doc.reload()

    def message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    # ---- pushing commands --------------------------------------------------------------------

    def push(self, command: AnyCommand | None, *, select: Key | None = None) -> bool:
        if command is None:
            return False
        self.undo_stack.push(
            SessionCommand(
                self.doc,
                command,
                select_after=select,
                select_before=self.doc.selected,
                on_conflict=self._on_conflict,
            )
        )
        return True

    def _build(self, make: Callable[[], AnyCommand | None], *, select: Key | None = None) -> bool:
        try:
            return self.push(make(), select=select)
        except (SpanError, ValueError) as exc:
            self.message(str(exc))
            return False

    def _after_decision(self) -> Key | None:
        key = self.doc.selected
        nxt = self.doc.next_pending(key)
        return key if nxt is None or nxt == key else nxt

    # ---- span actions ------------------------------------------------------------------------

    def do_next_span(self) -> None:
        self.doc.step(+1)

    def do_prev_span(self) -> None:
        self.doc.step(-1)

    def do_deselect(self) -> None:
        self.article.clear_text_selection()
        self.doc.select(None)

    def do_accept(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            self.doc.select(self.doc.next_pending(None))
            return
        if not self._build(
            lambda: self.session.accept(doc_id, span), select=self._after_decision()
        ):
            self.doc.select(self._after_decision())

    def do_reject(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            return
        if not self._build(
            lambda: self.session.reject(doc_id, span), select=self._after_decision()
        ):
            self.doc.select(self._after_decision())

    def do_accept_all(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is not None and not self._build(lambda: self.session.accept_all(doc_id)):
            self.message("No suggestions left to accept.")

    def do_delete(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is not None and doc_id is not None:
            self._build(lambda: self.session.delete(doc_id, span))

    def do_label(self, name: str) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        selection = self.article.selection_offsets()
        if selection is not None:
            start, end = selection
            if self.actions_by_name["snapping"].isChecked():
                snapped = self.doc.tokens().snap(start, end)
                if snapped is None:
                    self.message("The selection holds no word.")
                    return
                start, end = snapped
            elif not self.doc.text[start:end].strip():
                self.message("The selection holds no text.")
                return
            self.article.clear_text_selection()
            self._build(
                lambda: self.session.add(doc_id, start, end, name), select=(start, end, name)
            )
            return
        span = self.doc.selected_span
        if span is None:
            self.message(
                "Select text (mouse or Shift+arrows) or a span first, then press a label key."
            )
            return
        self._build(
            lambda: self.session.relabel(doc_id, span, name), select=(span.start, span.end, name)
        )

    def _resize(self, move: str) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            return
        start, end = getattr(self.doc.tokens(), move)(span.start, span.end)
        self._build(
            lambda: self.session.resize(doc_id, span, start, end), select=(start, end, span.label)
        )

    def do_grow_start(self) -> None:
        self._resize("grow_start")

    def do_shrink_start(self) -> None:
        self._resize("shrink_start")

    def do_grow_end(self) -> None:
        self._resize("grow_end")

    def do_shrink_end(self) -> None:
        self._resize("shrink_end")

    def do_snapping(self, on: bool) -> None:
        self.message("Token snapping " + ("on" if on else "off"))

    def do_show_rejected(self, on: bool) -> None:
        self.article.show_rejected = on
        self.article.viewport().update()

    # ---- document actions --------------------------------------------------------------------

    def _finish(self, status: DocStatus) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        self.push(self.session.set_status(doc_id, status))
        if status == DocStatus.DONE and self.learning is not None:
            self.learning.document_done()
        nxt = self._next_open()
        if nxt is None:
            self.message("No open documents left.")
            return
        self.go_to(nxt)

    def do_done_next(self) -> None:
        self._finish(DocStatus.DONE)

    def do_skip_next(self) -> None:
        self._finish(DocStatus.SKIPPED)

    def do_flag(self) -> None:
        if self.doc.doc_id is not None and self.doc.state is not None:
            self.push(self.session.set_flag(self.doc.doc_id, not self.doc.state.flagged))

    def do_comment(self) -> None:
        if self.doc.doc_id is None or self.doc.state is None:
            return
        text = interaction.current().ask_comment(self.doc.state.comment)
        if text is not None:
            self.push(self.session.set_comment(self.doc.doc_id, text))

    def do_next_doc(self) -> None:
        nxt = self._neighbour(+1)
        if nxt is not None:
            self.go_to(nxt)

    def do_prev_doc(self) -> None:
        prev = self._neighbour(-1)
        if prev is not None:
            self.go_to(prev)

    def do_find(self) -> None:
        self.doc_list.search.setFocus()
        self.doc_list.search.selectAll()

    def do_focus_text(self) -> None:
        self.article.setFocus()

    def do_change_annotator(self) -> None:
        name = clean_name(interaction.current().ask_name(self.session.annotator))
        if name is not None and name != self.session.annotator:
            self.set_annotator(name)

    def set_annotator(self, name: str) -> None:
        """Work as ``name`` from now on, in this project and at its next start."""
        remember_annotator(self.store, name)
        self.session = Session(self.store, name)
        self.doc.session = self.session
        self.undo_stack.clear()  # its commands were the previous annotator's
        self.doc_list.set_annotator(name)
        self.who.setText(f"Annotator: {name}")
        if self.doc.doc_id is not None:
            self.doc.open(self.doc.doc_id)
        self.message(f"Annotating as {name} (remembered for this project)")

    def do_quit(self) -> None:
        self.close()

    def do_legend(self, on: bool) -> None:
        self.legend.setVisible(on)
        self.label_bar.setVisible(on)

    def do_help(self) -> None:
        from annotator.gui.help import HelpSheet

        HelpSheet(self.scheme, self.actions_by_name, self).show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
        if self.learning is not None:
            self.learning.stop()
        super().closeEvent(event)


def settings_for(path: Path | None = None) -> QSettings:
    """The application's settings (a file under ``path`` in tests)."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings("annotator", "annotator")
