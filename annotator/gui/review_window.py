"""The review window: one article with every annotator's spans merged, disagreements to resolve.

Slots stay thin: each key builds a command with :class:`annotator.review.session.ReviewSession`
and pushes it through the span-editing controller the annotate window uses
(:class:`annotator.gui.span_editing.SpanEditor`: the same undo step, the same stale-edit
handling); the command writes through to the gold tables, then the open document rereads and the
widgets repaint. The annotators' own work is only read. The queue's agreement figures are
computed in a worker thread (:mod:`annotator.gui.review_queue`), only for what changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QPainter,
    QPaintEvent,
    QPen,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.actions import REVIEW, install_actions, key_hint
from annotator.gui.article_view import ArticleView
from annotator.gui.label_bar import LabelBar
from annotator.gui.legend import REVIEW_SAMPLES, StyleLegend
from annotator.gui.review_document import ReviewDocument
from annotator.gui.review_heatmap import AgreementPanel, LargeConfusion
from annotator.gui.review_queue import AgreementWorker
from annotator.gui.span_editing import SpanActions, SpanEditor
from annotator.model import LabelScheme
from annotator.palette import STYLE_COLORS
from annotator.review.adjudicate import AnyVariant, ArgumentDisagreement
from annotator.review.queue import QueueAgreement, QueueSnapshot
from annotator.review.session import ReviewCommand, ReviewSession
from annotator.store import Store

WINDOW_SIZE = (1440, 880)
UNRESOLVED = QColor(STYLE_COLORS["unresolved"])
CURRENT = QColor(STYLE_COLORS["current"])

REVIEW_INTRO = (
    "Each disagreement is a place where the annotators' spans differ. Take one annotator's "
    "variant (Alt+number), or choose a variant with V and accept (Enter) or reject (X) it. "
    "Everything is saved at once; the annotators' own work is never changed."
)


class ReviewArticleView(ArticleView):
    """The annotate view's article, plus a red underline under every unresolved disagreement
    and an orange frame around the current one."""

    def __init__(self, document: ReviewDocument, scheme: LabelScheme) -> None:
        super().__init__(document, scheme)
        self.review = document
        document.disagreement_changed.connect(self.viewport().update)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        doc = self.review
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i, d in enumerate(doc.disagreements):
            if isinstance(d, ArgumentDisagreement):  # the event and every filler in question
                ranges = [doc.positions.span_to_qt(k[0], k[1]) for k in d.span_keys]
            else:
                ranges = [doc.positions.span_to_qt(d.start, d.end)]
            rects = [r for qs, qe in ranges for r in self._rects(qs, qe)]
            if i == doc.current:
                painter.setPen(QPen(CURRENT, 2.0, Qt.PenStyle.DashLine))
                for r in rects:
                    painter.drawRoundedRect(r.adjusted(-4, -2, 4, 2), 5, 5)
            if not doc.is_resolved(d):
                painter.setPen(QPen(UNRESOLVED, 2.4))
                for r in rects:
                    y = r.bottom() + 1
                    painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        painter.end()


class VariantPanel(QWidget):
    """The current disagreement and its variants, with who chose each."""

    def __init__(self, document: ReviewDocument) -> None:
        super().__init__()
        self.doc = document
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; padding: 4px;")
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setStyleSheet("QListWidget::item { padding: 5px; }")
        self.hint = QLabel(key_hint(REVIEW))
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666; font-size: 11px; padding: 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        document.disagreement_changed.connect(self.redraw)

    def redraw(self) -> None:
        doc = self.doc
        self.list.clear()
        d = doc.current_disagreement
        total, open_ = len(doc.disagreements), len(doc.unresolved())
        if d is None:
            self.title.setText(
                f"No disagreement selected · {open_} of {total} unresolved"
                if total
                else "The annotators agree on every span of this document."
            )
            return
        assert doc.current is not None
        state = "resolved" if doc.is_resolved(d) else "unresolved"
        covered = doc.text[d.start : d.end].replace("\n", " ")
        if isinstance(d, ArgumentDisagreement):
            what = f"arguments of {d.trigger[2]} «{covered}»: {d.type.value}"
        else:
            what = f"{d.type.value}, {d.kind.value} · «{covered}»"
        self.title.setText(
            f"Disagreement {doc.current + 1} of {total} ({open_} unresolved) · {what} · {state}"
        )
        chosen = doc.chosen(d) if doc.is_resolved(d) else None
        names = list(doc.adjudication.annotators if doc.adjudication else ())
        variants: tuple[AnyVariant, ...] = d.variants
        for i, v in enumerate(variants):
            keys = ", ".join(f"Alt+{names.index(a) + 1} {a}" for a in v.annotators)
            mark = "✓ " if v == chosen else ("▶ " if i == doc.variant % len(d.variants) else "   ")
            item = QListWidgetItem(f"{mark}{v.describe(doc.text)}\n      chosen by {keys}")
            if i == doc.variant % len(d.variants):
                item.setBackground(QColor("#fff1dc"))
            if v == chosen:
                item.setForeground(QColor("#1b5e20"))
            self.list.addItem(item)


class ReviewWindow(SpanActions, QMainWindow):
    def __init__(self, store: Store, reviewer: str, *, background: bool = True) -> None:
        """``background``: compute the queue's agreement in a worker thread (a project file
        only); else at once on this thread (screenshots)."""
        super().__init__()
        self.setWindowTitle(f"annotator — review ({reviewer})")
        self.session = ReviewSession(store, reviewer)
        self.scheme = self.session.scheme
        self.doc = ReviewDocument(self.session, self)
        self.undo_stack = QUndoStack(self)

        self._build_layout()
        self.editor = SpanEditor(
            self.doc,
            self.article,
            self.undo_stack,
            message=self.statusBar().showMessage,
            snapping=lambda: self.actions_by_name["snapping"].isChecked(),
        )
        self.actions_by_name: dict[str, QAction] = install_actions(
            self, REVIEW, self.undo_stack, self.scheme, self.do_label
        )
        self.doc.state_changed.connect(self._update_header)
        self.doc.loaded.connect(self.article.setFocus)
        self.article.span_clicked.connect(self.editor.click)
        self.editor.catch_keys(self.article)
        self.order.currentIndexChanged.connect(lambda _i: self.show_queue())
        self.queue.itemActivated.connect(self._on_queue_item)
        self.queue.itemClicked.connect(self._on_queue_item)
        self.ids: list[str] = []
        self.large: LargeConfusion | None = None  # the large confusion matrix, once opened
        self.snapshot: QueueSnapshot | None = None  # the queue with its agreement, once known
        self._open_first_when_ready = False
        self.worker: AgreementWorker | None = None
        self._agreement: QueueAgreement | None = None
        self._start_queue(background)

    def _build_layout(self) -> None:
        """The queue | the article (or what to do on an empty project) | variants, agreement."""
        self.order = QComboBox()
        self.order.addItems(["Worst agreement first", "Import order"])
        self.order.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.queue = QListWidget()
        self.queue.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        queue_title = QLabel("Review queue (two or more annotators done)")
        queue_title.setStyleSheet("font-weight: bold; padding: 4px;")
        left_layout.addWidget(queue_title)
        left_layout.addWidget(self.order)
        left_layout.addWidget(self.queue, 1)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setStyleSheet("color: #444; padding: 4px 8px;")
        self.header.setWordWrap(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label_bar = LabelBar(self.scheme)
        self.legend = StyleLegend(self.scheme, REVIEW_SAMPLES)
        self.article = ReviewArticleView(self.doc, self.scheme)
        reviewing = QWidget()
        mid_layout = QVBoxLayout(reviewing)
        mid_layout.setContentsMargins(0, 0, 0, 0)
        mid_layout.setSpacing(0)
        mid_layout.addWidget(self.label_bar)
        mid_layout.addWidget(self.legend)
        mid_layout.addWidget(self.header)
        mid_layout.addWidget(self.article, 1)
        self.empty = QLabel()  # what to do on a project with nothing to review yet
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        self.empty.setFixedWidth(720)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setStyleSheet("QLabel { color: #222; font-size: 15px; line-height: 140%; }")
        empty_page = QWidget()
        empty_page.setStyleSheet("background: #fdfcf8;")
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addWidget(self.empty, 0, Qt.AlignmentFlag.AlignCenter)
        middle = QStackedWidget()
        middle.addWidget(reviewing)
        middle.addWidget(empty_page)
        self.middle = middle

        self.variants = VariantPanel(self.doc)
        self.agreement = AgreementPanel()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.variants)
        right.addWidget(self.agreement)
        right.setSizes([380, 420])

        self.right = right
        self.left = left
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(left)
        outer.addWidget(middle)
        outer.addWidget(right)
        outer.setSizes([270, 720, 450])
        self.setCentralWidget(outer)

    # ---- the queue ---------------------------------------------------------------------------

    def _start_queue(self, background: bool) -> None:
        path = self.session.project_path
        if background and path is not None:
            self.worker = AgreementWorker(path, self)
            self.worker.ready.connect(self._on_queue_ready)
            self.worker.failed.connect(self.statusBar().showMessage)
            self.worker.start()
        else:
            self._agreement = QueueAgreement()
        self.queue.addItem("Computing agreement…")
        self.update_queue()

    def update_queue(self) -> None:
        """Bring the queue's agreement up to date (in the worker: only documents whose
        annotators' work changed are computed again)."""
        if self.worker is not None:
            self.worker.request()
        elif self._agreement is not None:
            snapshot = self.session.update_queue(self._agreement)
            if snapshot is not None:
                self._on_queue_ready(snapshot)

    def _on_queue_ready(self, snapshot: QueueSnapshot) -> None:
        self.snapshot = snapshot
        self.agreement.set_report(snapshot.report)
        self.show_queue()
        if self._open_first_when_ready:
            self._open_first_when_ready = False
            self.open_first()

    def show_queue(self) -> None:
        """Fill the list from the last snapshot, with the reviewed marks as they are now."""
        if self.snapshot is None:
            return
        rows = self.snapshot.rows(worst_first=self.order.currentIndex() == 0)
        reviewed = self.session.reviewed()
        self.queue.clear()
        self.ids = [r.doc_id for r in rows]
        for r in rows:
            mark = "✓" if r.doc_id in reviewed else "·"
            item = QListWidgetItem(
                f"{mark} {r.title}\n   {r.doc_id} · F1 {r.f1:.2f} · {', '.join(r.annotators)}"
            )
            if r.doc_id == self.doc.doc_id:
                item.setBackground(QColor("#dfe9ff"))
            self.queue.addItem(item)

    def _on_queue_item(self, item: QListWidgetItem) -> None:
        row = self.queue.row(item)
        if 0 <= row < len(self.ids):
            self.go_to(self.ids[row])

    def go_to(self, doc_id: str) -> None:
        self.middle.setCurrentIndex(0)
        self.left.show()
        self.right.show()
        self.doc.open(doc_id)
        self.show_queue()
        self.update_queue()

    def open_first(self, doc_id: str | None = None) -> None:
        """Open ``doc_id``, else the queue's first document not reviewed yet (once the queue is
        known); on a project with nothing to review, say how to get something."""
        if doc_id is None and self.snapshot is None and self.session.nothing_to_review() is None:
            self._open_first_when_ready = True  # the queue's order is not known yet
            return
        doc_id = doc_id or self.session.first_to_review(self.ids)
        if doc_id is not None:
            self.go_to(doc_id)
        else:
            self.show_empty()

    def show_empty(self) -> None:
        """No queue yet: the middle says how to get something to review."""
        text = self.session.nothing_to_review()
        if text is None:
            self.middle.setCurrentIndex(0)
            return
        self.empty.setText(text)
        self.middle.setCurrentIndex(1)
        self.right.hide()  # no queue, no variants, no agreement: nothing to show there yet
        self.left.hide()
        self.statusBar().showMessage("Nothing to review yet")

    def _update_header(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        n = self.ids.index(doc_id) + 1 if doc_id in self.ids else 0
        adj = self.doc.adjudication
        who = ", ".join(adj.annotators) if adj else ""
        agreed = len(adj.agreed) if adj else 0
        self.header.setText(
            f"{self.doc.title}  [{doc_id}] · {n} of {len(self.ids)} in the queue · "
            f"annotators: {who} · "
            f"{agreed} agreed, {len(self.doc.unresolved())} of {len(self.doc.disagreements)} "
            f"disagreements unresolved · {self.doc.review_status}"
        )
        self.statusBar().showMessage(self.header.text())

    # ---- actions (the span actions come from SpanActions) ------------------------------------

    def push(self, make: Callable[[], ReviewCommand | None]) -> bool:
        return self.editor.build(make)

    def do_next_disagreement(self) -> None:
        self.doc.step_disagreement(+1)

    def do_prev_disagreement(self) -> None:
        self.doc.step_disagreement(-1)

    def do_next_variant(self) -> None:
        self.doc.cycle_variant(+1)

    def do_prev_variant(self) -> None:
        self.doc.cycle_variant(-1)

    def do_take(self, n: int) -> None:
        d, doc_id, adj = self.doc.current_disagreement, self.doc.doc_id, self.doc.adjudication
        if d is None or doc_id is None or adj is None or not 1 <= n <= len(adj.annotators):
            return
        if self.push(lambda: self.session.take(doc_id, d, adj.annotators[n - 1])):
            self._after_resolving()

    def do_accept_variant(self) -> None:
        d, v, doc_id = self.doc.current_disagreement, self.doc.current_variant, self.doc.doc_id
        if d is None or v is None or doc_id is None:
            return
        if self.push(lambda: self.session.accept_variant(doc_id, d, v)) and self.doc.is_resolved(d):
            self._after_resolving()

    def do_reject_variant(self) -> None:
        v, doc_id = self.doc.current_variant, self.doc.doc_id
        if v is None or doc_id is None:
            return
        if self.push(lambda: self.session.reject_variant(doc_id, v)):
            d = self.doc.current_disagreement
            if d is not None and self.doc.is_resolved(d):
                self._after_resolving()
            else:
                self.doc.cycle_variant(+1)

    def _after_resolving(self) -> None:
        if self.doc.unresolved():
            self.doc.step_disagreement(+1)

    def do_accept_agreements(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is not None:
            self.push(lambda: self.session.accept_agreements(doc_id))

    def do_reviewed_next(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        self.push(lambda: self.session.mark_reviewed(doc_id))
        nxt = self.session.next_to_review(doc_id, self.ids)
        if nxt is not None:
            self.go_to(nxt)
        else:
            self.show_queue()
            self.statusBar().showMessage("Every document in the queue is reviewed.")

    def _neighbour(self, delta: int) -> None:
        doc_id = self.doc.doc_id
        if doc_id in self.ids and self.ids:
            self.go_to(self.ids[(self.ids.index(doc_id) + delta) % len(self.ids)])

    def do_large_confusion(self) -> None:
        heatmap = self.agreement.heatmap
        dialog = LargeConfusion(heatmap.labels, heatmap.matrix, self)
        dialog.show()
        self.large = dialog

    def do_help(self) -> None:
        from annotator.gui.help import HelpSheet

        HelpSheet(self.scheme, self.actions_by_name, self, window=REVIEW, intro=REVIEW_INTRO).show()

    def do_next_doc(self) -> None:
        self._neighbour(+1)

    def do_prev_doc(self) -> None:
        self._neighbour(-1)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
        super().closeEvent(event)
