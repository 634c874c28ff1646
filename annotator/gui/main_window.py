"""The annotate window: document list | label bar over the article | span table, a status bar.

Slots here are thin: each builds a session command (:mod:`annotator.session` decides what an
action means) and pushes it onto the undo stack through the span-editing controller
(:class:`annotator.gui.span_editing.SpanEditor`, shared with the review window); the widgets
redraw because the open document (:class:`annotator.gui.document.OpenDocument`) says it changed.
The window reads the project only through its :class:`annotator.session.Session`; the workers
(suggestions, learning) open their own connections on the session's project file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QPainter, QPaintEvent, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.gui import interaction
from annotator.gui.actions import ANNOTATE, CONFIDENT_SCORE, install_actions, key_conflicts
from annotator.gui.article_view import ArticleView
from annotator.gui.commands import Edit
from annotator.gui.doc_list import STATUS_TEXT, DocListPanel
from annotator.gui.document import Key, OpenDocument
from annotator.gui.label_bar import LabelBar
from annotator.gui.learning import Learning, project_factory
from annotator.gui.legend import StyleLegend
from annotator.gui.span_editing import SpanActions, SpanEditor
from annotator.gui.span_panel import SpanPanel
from annotator.gui.suggestions import SuggesterFactory, SuggestionWorker
from annotator.identity import clean_name
from annotator.model import DocStatus, SpanStatus
from annotator.palette import scheme_palette_problems
from annotator.session import Session
from annotator.store import Store

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


class MainWindow(SpanActions, QMainWindow):
    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        suggester: SuggesterFactory | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.session = Session(store, annotator)
        self.scheme = self.session.scheme
        self.path = self.session.project_path
        self.doc = OpenDocument(self.session, self)
        self.undo_stack = QUndoStack(self)
        self.total = self.session.count_documents()
        self._doc_number = 0

        self.doc_list = DocListPanel(self.session)
        self._build_layout()

        self.editor = SpanEditor(
            self.doc,
            self.article,
            self.undo_stack,
            message=self.message,
            snapping=lambda: self.actions_by_name["snapping"].isChecked(),
        )
        self.actions_by_name: dict[str, QAction] = install_actions(
            self, ANNOTATE, self.undo_stack, self.scheme, self.do_label, area=self.area
        )
        self._build_status_bar()

        self.doc.loaded.connect(self._on_loaded)
        self.doc.spans_changed.connect(lambda _rows: self._update_status())
        self.doc.state_changed.connect(self._on_state_changed)
        self.doc_list.document_chosen.connect(self.go_to)
        self.article.span_clicked.connect(self.editor.click)
        self.editor.catch_keys(self.article)
        self.editor.catch_keys(self.spans)
        self.spans.argument_chosen.connect(self._on_argument_chosen)
        self.editor.mode_changed.connect(self._on_mode_changed)
        self.label_bar.label_chosen.connect(self.do_label)

        self.worker: SuggestionWorker | None = None
        self._suggester = suggester
        self._start_suggestions()
        self.learning: Learning | None = None
        if self.path is not None and not store.read_only:  # learning (ADR 0009)
            self.learning = Learning(
                self.path, settings, self, annotator=lambda: self.session.annotator
            )
            self.learning.memory_refreshed.connect(self._on_memory)
            self.learning.progress.connect(self._on_training_progress)
            self.learning.trained.connect(self._on_trained)
        self._check_scheme()

    # ---- building ----------------------------------------------------------------------------

    def _check_scheme(self) -> None:
        """Say when a custom scheme's keys collide with actions or its colours are hard to tell."""
        conflicts = key_conflicts(self.scheme)
        if conflicts:
            self.message(f"Label keys used by actions: {', '.join(conflicts)}")
        self.palette_warnings = scheme_palette_problems(self.scheme)
        if self.palette_warnings and not conflicts:  # a custom scheme's colours, checked
            more = len(self.palette_warnings) - 1
            self.message(
                "Label colours: " + self.palette_warnings[0] + (f" (+{more} more)" if more else "")
            )

    def _build_layout(self) -> None:
        """Document list | label bar, legend, title over the article | span table."""
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
        doc_id = doc_id or self.session.first_document()
        if doc_id is None:
            self.message("The project has no documents yet: run 'annotator import' first.")
            return
        self.go_to(doc_id)

    # ---- reactions ---------------------------------------------------------------------------

    def _on_loaded(self) -> None:
        doc_id = self.doc.doc_id
        assert doc_id is not None
        self.doc_list.show_current(doc_id)
        self.doc.select(self.doc.next_pending(None))
        if self.worker is not None:
            self.worker.request([doc_id, *self.session.ahead(doc_id, PREFETCH)])
        self._doc_number = self.session.number(doc_id)
        if self.settings is not None and self.path is not None:
            self.settings.setValue(f"last_document/{self.path.resolve()}", doc_id)
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
        if self._suggester is None or self.path is None:
            return
        factory = project_factory(self.path, self._suggester)
        self.worker = SuggestionWorker(self.path, factory, self)
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

    def message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    # ---- span actions (the shared ones come from SpanActions) -------------------------------

    def push(self, command: Edit | None, *, select: Key | None = None) -> bool:
        return self.editor.push(command, select=select)

    def _after_decision(self) -> Key | None:
        key = self.doc.selected
        nxt = self.doc.next_pending(key)
        return key if nxt is None or nxt == key else nxt

    def do_accept(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            self.doc.select(self.doc.next_pending(None))
            return
        if not self.editor.build(
            lambda: self.session.accept(doc_id, span), select=self._after_decision()
        ):
            self.doc.select(self._after_decision())

    def do_reject(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            return
        if not self.editor.build(
            lambda: self.session.reject(doc_id, span), select=self._after_decision()
        ):
            self.doc.select(self._after_decision())

    def do_accept_all(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is not None and not self.editor.build(lambda: self.session.accept_all(doc_id)):
            self.message("No suggestions left to accept.")

    def do_accept_confident(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is not None and not self.editor.build(
            lambda: self.session.accept_all(doc_id, min_score=CONFIDENT_SCORE)
        ):
            self.message(f"No suggestion left scoring at least {CONFIDENT_SCORE:.2f}.")

    def _on_argument_chosen(self, argument: object) -> None:
        from annotator.model import Argument

        if isinstance(argument, Argument):
            self.editor.choose_argument(argument)
            self.article.setFocus()

    def _on_mode_changed(self) -> None:
        mode = self.editor.mode
        self.spans.show_argument(None if mode is None else (mode.trigger, mode.filler))

    def do_sort_by_score(self, on: bool) -> None:
        self.spans.sort_by_score(on)

    def do_show_rejected(self, on: bool) -> None:
        self.article.show_rejected = on
        self.article.viewport().update()

    # ---- document actions --------------------------------------------------------------------

    def _finish(self, status: DocStatus) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        finish = self.session.finish(doc_id, status)
        self.push(finish.command)
        if finish.report_done and self.learning is not None:
            self.learning.document_done()
        if finish.next_doc is None:
            self.message("No open documents left.")
            return
        self.go_to(finish.next_doc)

    def do_uncertain_first(self, on: bool) -> None:
        """The next open document: the one the model is least sure about, or import order."""
        self.session.queue_order = "uncertain" if on else "import"
        self.message(
            "Next open document: most uncertain first (Ctrl+U for import order)."
            if on
            else "Next open document: in import order."
        )

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

    def _neighbour(self, delta: int) -> None:
        doc_id = self.doc.doc_id
        other = None if doc_id is None else self.session.neighbour(doc_id, delta)
        if other is not None:
            self.go_to(other)

    def do_next_doc(self) -> None:
        self._neighbour(+1)

    def do_prev_doc(self) -> None:
        self._neighbour(-1)

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
        self.session = self.session.as_annotator(name)
        self.doc.session = self.session
        self.undo_stack.clear()  # its commands were the previous annotator's
        self.doc_list.set_session(self.session)
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

        HelpSheet(self.scheme, self.actions_by_name, self, window=ANNOTATE).show()

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
