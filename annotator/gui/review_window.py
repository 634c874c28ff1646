"""The review window: one article with every annotator's spans merged, disagreements to resolve.

Slots stay thin: each key builds a command with :class:`annotator.review.session.ReviewSession`
and pushes it, wrapped in a QUndoCommand, on the window's QUndoStack (as the annotate window
does); the command writes through to the gold tables, then the open document rereads and the
widgets repaint. The annotators' own work is only read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.article_view import ArticleView
from annotator.gui.document import OpenDocument
from annotator.gui.label_bar import LabelBar
from annotator.gui.legend import REVIEW_SAMPLES, StyleLegend
from annotator.gui.review_document import ReviewDocument
from annotator.gui.review_heatmap import AgreementPanel, LargeConfusion
from annotator.model import LabelScheme, SpanError, document_title
from annotator.palette import STYLE_COLORS
from annotator.review.session import ReviewCommand, ReviewSession, nothing_to_review
from annotator.store import Store

WINDOW_SIZE = (1440, 880)
UNRESOLVED = QColor(STYLE_COLORS["unresolved"])
CURRENT = QColor(STYLE_COLORS["current"])

# name, text, keys. Label keys (p o l m d, digits) stay free: variants are taken with Alt+digit.
REVIEW_ACTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("next_disagreement", "Next disagreement", ("N", "Ctrl+Down")),
    ("prev_disagreement", "Previous disagreement", ("Shift+N", "Ctrl+Up")),
    ("next_variant", "Next variant of this disagreement", ("V",)),
    ("prev_variant", "Previous variant", ("Shift+V",)),
    ("accept_variant", "Accept the chosen variant", ("Return", "Space")),
    ("reject_variant", "Reject the chosen variant", ("X", "Backspace")),
    ("accept_agreements", "Accept all agreements", ("Shift+A",)),
    ("next_span", "Next span", ("J", "Tab")),
    ("prev_span", "Previous span", ("K", "Shift+Tab")),
    ("delete", "Delete span from gold", ("Delete",)),
    ("grow_start", "Grow: start one token earlier", ("Alt+Left",)),
    ("shrink_start", "Shrink: start one token later", ("Alt+Right",)),
    ("grow_end", "Grow: end one token later", ("Alt+Shift+Right",)),
    ("shrink_end", "Shrink: end one token earlier", ("Alt+Shift+Left",)),
    ("reviewed_next", "Mark reviewed, go to next document", ("Ctrl+Return",)),
    ("next_doc", "Next document", ("Ctrl+PgDown",)),
    ("prev_doc", "Previous document", ("Ctrl+PgUp",)),
    ("large_confusion", "Show the label confusion large", ("Ctrl+M",)),
    ("help", "Keys (this sheet)", ("F1", "?")),
)


REVIEW_INTRO = (
    "Each disagreement is a place where the annotators' spans differ. Take one annotator's "
    "variant (Alt+number), or choose a variant with V and accept (Enter) or reject (X) it. "
    "Everything is saved at once; the annotators' own work is never changed."
)


class ReviewUndoCommand(QUndoCommand):
    """redo writes the review command through, undo its inverse; then the view rereads."""

    def __init__(self, document: ReviewDocument, command: ReviewCommand) -> None:
        super().__init__(command.text)
        self.document = document
        self.command = command

    def _run(self, command: ReviewCommand) -> None:
        if self.document.doc_id != command.doc_id:
            self.document.open(command.doc_id)
        self.document.session.apply(command)
        self.document.refresh()

    def redo(self) -> None:
        self._run(self.command)

    def undo(self) -> None:
        self._run(self.command.inverse())


class ReviewArticleView(ArticleView):
    """The annotate view's article, plus a red underline under every unresolved disagreement
    and an orange frame around the current one."""

    def __init__(self, document: ReviewDocument, scheme: LabelScheme) -> None:
        # ReviewDocument offers everything ArticleView reads from an OpenDocument.
        super().__init__(cast(OpenDocument, document), scheme)
        self.review = document
        document.disagreement_changed.connect(self.viewport().update)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        doc = self.review
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i, d in enumerate(doc.disagreements):
            qs, qe = doc.positions.span_to_qt(d.start, d.end)
            rects = self._rects(qs, qe)
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
        self.hint = QLabel(
            "Alt+1…9 take annotator N's variant · V next variant · Enter accept · X reject · "
            "N / Shift+N next / previous disagreement · Shift+A accept agreements · "
            "label keys add / relabel · Alt(+Shift)+arrows grow / shrink · Del delete · "
            "Ctrl+Enter reviewed & next"
        )
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
        self.title.setText(
            f"Disagreement {doc.current + 1} of {total} ({open_} unresolved) · {d.type.value}, "
            f"{d.kind.value} · «{covered}» · {state}"
        )
        chosen = doc.session.chosen(d, doc.gold) if doc.is_resolved(d) else None
        names = list(doc.adjudication.annotators if doc.adjudication else ())
        for i, v in enumerate(d.variants):
            keys = ", ".join(f"Alt+{names.index(a) + 1} {a}" for a in v.annotators)
            mark = "✓ " if v == chosen else ("▶ " if i == doc.variant % len(d.variants) else "   ")
            item = QListWidgetItem(f"{mark}{v.describe(doc.text)}\n      chosen by {keys}")
            if i == doc.variant % len(d.variants):
                item.setBackground(QColor("#fff1dc"))
            if v == chosen:
                item.setForeground(QColor("#1b5e20"))
            self.list.addItem(item)


class ReviewWindow(QMainWindow):
    def __init__(self, store: Store, reviewer: str) -> None:
        super().__init__()
        self.setWindowTitle(f"annotator — review ({reviewer})")
        self.store = store
        self.scheme = store.scheme
        self.session = ReviewSession(store, reviewer)
        self.doc = ReviewDocument(self.session, self)
        self.undo_stack = QUndoStack(self)

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

        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self.doc.state_changed.connect(self._update_header)
        self.doc.loaded.connect(self.article.setFocus)
        self.article.span_clicked.connect(self.doc.select)
        self.order.currentIndexChanged.connect(lambda _i: self.refresh_queue())
        self.queue.itemActivated.connect(self._on_queue_item)
        self.queue.itemClicked.connect(self._on_queue_item)
        self.ids: list[str] = []
        self.large: LargeConfusion | None = None  # the large confusion matrix, once opened
        self.refresh_queue()

    # ---- building ----------------------------------------------------------------------------

    def _add(
        self,
        name: str,
        text: str,
        keys: tuple[str, ...],
        slot: Callable[[], None],
        menu: QMenu,
    ) -> None:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        menu.addAction(action)
        self.actions_by_name[name] = action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        menus = {name: bar.addMenu(f"&{name}") for name in ("Edit", "Review", "Label", "Help")}
        undo = self.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for name, action in (("undo", undo), ("redo", redo)):
            self.addAction(action)
            menus["Edit"].addAction(action)
            self.actions_by_name[name] = action
        for name, text, keys in REVIEW_ACTIONS:
            menu = menus["Help"] if name in ("help", "large_confusion") else menus["Review"]
            self._add(name, text, keys, getattr(self, f"do_{name}"), menu)
        takes = menus["Review"].addMenu("Take a variant")
        for n in range(1, 10):
            self._add(
                f"take_{n}",
                f"Take annotator {n}'s variant",
                (f"Alt+{n}",),
                lambda _checked=False, n=n: self.do_take(n),  # type: ignore[misc]
                takes,
            )
        for label in self.scheme.labels:
            self._add(
                f"label_{label.name}",
                f"Label {label.name} ({label.kind.value}): add or relabel",
                (label.key,),
                lambda _checked=False, name=label.name: self.do_label(name),  # type: ignore[misc]
                menus["Label"],
            )

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(section, keys, what it does) for every action of the window."""
        rows = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            assert isinstance(menu, QMenu)
            section = menu_action.text().replace("&", "")
            for action in menu.actions():
                sub = action.menu()
                for a in sub.actions() if isinstance(sub, QMenu) else [action]:
                    keys = ", ".join(
                        k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()
                    )
                    rows.append((section, keys, a.text().replace("&", "")))
        rows.append(("Mouse", "Click a span", "select it"))
        return rows

    # ---- the queue ---------------------------------------------------------------------------

    def refresh_queue(self) -> None:
        from annotator.review.agreement import agreement, document_agreement

        worst_first = self.order.currentIndex() == 0
        rows = document_agreement(self.store)
        if not worst_first:
            order = {doc_id: i for i, doc_id in enumerate(self.store.documents_done_by())}
            rows.sort(key=lambda r: order[r.doc_id])
        reviewed = set(self.store.reviewed_documents())
        self.queue.clear()
        self.ids = [r.doc_id for r in rows]
        for r in rows:
            mark = "✓" if r.doc_id in reviewed else "·"
            doc = self.store.document(r.doc_id)
            title = document_title(doc.text, doc.meta, limit=40)
            item = QListWidgetItem(
                f"{mark} {title}\n   {r.doc_id} · F1 {r.f1:.2f} · {', '.join(r.annotators)}"
            )
            if r.doc_id == self.doc.doc_id:
                item.setBackground(QColor("#dfe9ff"))
            self.queue.addItem(item)
        self.agreement.set_report(agreement(self.store).as_dict())

    def _on_queue_item(self, item: QListWidgetItem) -> None:
        self.go_to(self.ids[self.queue.row(item)])

    def go_to(self, doc_id: str) -> None:
        self.middle.setCurrentIndex(0)
        self.left.show()
        self.right.show()
        self.doc.open(doc_id)
        self.refresh_queue()

    def open_first(self, doc_id: str | None = None) -> None:
        if doc_id is None:
            reviewed = set(self.store.reviewed_documents())
            doc_id = next(
                (d for d in self.ids if d not in reviewed), self.ids[0] if self.ids else None
            )
        if doc_id is not None:
            self.go_to(doc_id)
        else:
            self.show_empty()

    def show_empty(self) -> None:
        """No queue yet: the middle says how to get something to review."""
        text = nothing_to_review(self.store)
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

    # ---- pushing -----------------------------------------------------------------------------

    def push(self, make: Callable[[], ReviewCommand | None]) -> bool:
        try:
            command = make()
        except (SpanError, ValueError) as exc:
            self.statusBar().showMessage(str(exc))
            return False
        if command is None:
            return False
        self.undo_stack.push(ReviewUndoCommand(self.doc, command))
        return True

    # ---- actions -----------------------------------------------------------------------------

    def do_next_disagreement(self) -> None:
        self.doc.step(+1)

    def do_prev_disagreement(self) -> None:
        self.doc.step(-1)

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
            self.doc.step(+1)

    def do_accept_agreements(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is not None:
            self.push(lambda: self.session.accept_agreements(doc_id))

    def do_next_span(self) -> None:
        self.doc.step_span(+1)

    def do_prev_span(self) -> None:
        self.doc.step_span(-1)

    def do_delete(self) -> None:
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is not None and doc_id is not None:
            self.push(lambda: self.session.delete(doc_id, span))

    def _resize(self, move: str) -> None:
        """As in annotate mode: move one edge of the selected gold span by a token."""
        span, doc_id = self.doc.selected_span, self.doc.doc_id
        if span is None or doc_id is None:
            return
        start, end = getattr(self.doc.tokens(), move)(span.start, span.end)
        self.push(lambda: self.session.resize(doc_id, span, start, end))

    def do_grow_start(self) -> None:
        self._resize("grow_start")

    def do_shrink_start(self) -> None:
        self._resize("shrink_start")

    def do_grow_end(self) -> None:
        self._resize("grow_end")

    def do_shrink_end(self) -> None:
        self._resize("shrink_end")

    def do_label(self, name: str) -> None:
        """As in annotate mode: a text selection becomes a gold span, a selected span is
        relabelled."""
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        selection = self.article.selection_offsets()
        if selection is not None:
            snapped = self.doc.tokens().snap(*selection)
            if snapped is None:
                return
            self.article.clear_text_selection()
            self.push(lambda: self.session.add(doc_id, snapped[0], snapped[1], name))
            return
        span = self.doc.selected_span
        if span is not None:
            self.push(lambda: self.session.relabel(doc_id, span, name))

    def do_reviewed_next(self) -> None:
        doc_id = self.doc.doc_id
        if doc_id is None:
            return
        self.push(lambda: self.session.mark_reviewed(doc_id))
        reviewed = set(self.store.reviewed_documents())
        later = (
            self.ids[self.ids.index(doc_id) + 1 :] + self.ids if doc_id in self.ids else self.ids
        )
        nxt = next((d for d in later if d not in reviewed), None)
        if nxt is not None:
            self.go_to(nxt)
        else:
            self.refresh_queue()
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

        HelpSheet.from_rows(self.help_rows(), self, intro=REVIEW_INTRO).show()

    def do_next_doc(self) -> None:
        self._neighbour(+1)

    def do_prev_doc(self) -> None:
        self._neighbour(-1)


def run_review(
    db: Path, *, reviewer: str | None, screenshot: Path | None = None, document: str | None = None
) -> int:
    """Start the review window (or render it to ``screenshot`` and exit)."""
    from annotator.identity import clean_name, os_user_name

    if screenshot is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["annotator"])
    assert isinstance(app, QApplication)
    store = Store.open(db, create=False)
    try:
        name = clean_name(reviewer) or os_user_name()  # no prompt, as in the annotate window
        if document is not None and document not in store.documents_done_by():
            print(
                f"annotator gui: error: {document!r} is not reviewable (two annotators done)",
                file=sys.stderr,
            )
            return 2
        window = ReviewWindow(store, name)
        window.resize(*WINDOW_SIZE)
        window.show()
        window.open_first(document)
        if screenshot is None:
            return int(app.exec())
        from annotator.gui.app import save_screenshot

        return save_screenshot(app, window, screenshot)
    finally:
        store.close()
