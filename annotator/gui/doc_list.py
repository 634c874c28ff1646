"""The document list: a lazily fetched Qt model over the session, a status filter, a text search
and the corpus progress.

Rows come from :meth:`annotator.session.Session.document_rows` a page at a time (``canFetchMore`` /
``fetchMore``), so a project of 100,000 documents opens as fast as one of five.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from annotator.model import DocStatus
from annotator.session import Session

PAGE = 200
_Index = QModelIndex | QPersistentModelIndex

STATUS_COLORS = {
    DocStatus.TODO: QColor("#c8c8c8"),
    DocStatus.IN_PROGRESS: QColor("#f0b429"),
    DocStatus.DONE: QColor("#2f9e44"),
    DocStatus.SKIPPED: QColor("#868e96"),
}
STATUS_TEXT = {
    DocStatus.TODO: "to do",
    DocStatus.IN_PROGRESS: "in progress",
    DocStatus.DONE: "done",
    DocStatus.SKIPPED: "skipped",
}
FILTERS: tuple[tuple[str, tuple[DocStatus, ...] | None], ...] = (
    ("All documents", None),
    ("Open (to do, in progress)", (DocStatus.TODO, DocStatus.IN_PROGRESS)),
    ("To do", (DocStatus.TODO,)),
    ("In progress", (DocStatus.IN_PROGRESS,)),
    ("Done", (DocStatus.DONE,)),
    ("Skipped", (DocStatus.SKIPPED,)),
)
DocIdRole = Qt.ItemDataRole.UserRole + 1


class DocListModel(QAbstractListModel):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.statuses: tuple[DocStatus, ...] | None = None
        self.contains = ""
        self.rows: list[tuple[str, str, DocStatus]] = []
        self._exhausted = False

    def set_filter(self, statuses: tuple[DocStatus, ...] | None, contains: str) -> None:
        self.beginResetModel()
        self.statuses, self.contains = statuses, contains
        self.rows = []
        self._exhausted = False
        self.endResetModel()
        if self.canFetchMore():
            self.fetchMore()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self.session.document_rows(
            statuses=self.statuses,
            contains=self.contains,
            # Keyset paging: the next page starts after the last row held, so scrolling to the
            # end of 100,000 documents costs the same per page as the first page.
            after=self.rows[-1][0] if self.rows else None,
            limit=PAGE,
        )
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            n = len(self.rows)
            self.beginInsertRows(QModelIndex(), n, n + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        doc_id, title, status = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{title or '(empty)'}\n{doc_id} · {STATUS_TEXT[status]}"
        if role == Qt.ItemDataRole.ToolTipRole:
            import html

            return (
                f"<qt><b>{html.escape(title)}</b><br>{html.escape(doc_id)} · "
                f"{STATUS_TEXT[status]}</qt>"
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return STATUS_COLORS[status]
        if role == DocIdRole:
            return doc_id
        return None

    def row_of(self, doc_id: str) -> int | None:
        for i, row in enumerate(self.rows):
            if row[0] == doc_id:
                return i
        return None

    def update_status(self, doc_id: str, status: DocStatus) -> None:
        i = self.row_of(doc_id)
        if i is not None and self.rows[i][2] != status:
            self.rows[i] = (self.rows[i][0], self.rows[i][1], status)
            index = self.index(i, 0)
            self.dataChanged.emit(index, index)


class DocListPanel(QWidget):
    document_chosen = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = DocListModel(session)
        self.search = QLineEdit(placeholderText="Search in text…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.filter = QComboBox()
        for caption, _ in FILTERS:
            self.filter.addItem(caption)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        # Batched layout: without it QListView re-lays out every row (asking the Python model
        # for rowCount each time) whenever a page arrives, quadratic in the rows held; with it,
        # scrolling through 100,000 documents takes about 2 s instead of 2 minutes.
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(PAGE)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
        self.model.set_filter(None, "")
        self.refresh_progress()

    def set_session(self, session: Session) -> None:
        """Show this session's annotator's statuses and progress."""
        self.session = self.model.session = session
        self.apply_filter()
        self.refresh_progress()

    def apply_filter(self) -> None:
        statuses = FILTERS[self.filter.currentIndex()][1]
        self.model.set_filter(statuses, self.search.text())

    def _on_clicked(self, index: QModelIndex) -> None:
        doc_id = index.data(DocIdRole)
        if doc_id:
            self.document_chosen.emit(doc_id)

    def show_current(self, doc_id: str) -> None:
        row = self.model.row_of(doc_id)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, 0))
        else:
            self.view.clearSelection()

    def refresh_progress(self) -> None:
        counts = self.session.status_counts()
        total = sum(counts.values())
        done = counts[DocStatus.DONE]
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total} done")

    def status_changed(self, doc_id: str, status: DocStatus) -> None:
        self.model.update_status(doc_id, status)
        self.refresh_progress()
