"""The document list, plain-text display and background suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from annotator.gui.doc_list import PAGE, DocIdRole, DocListModel
from annotator.gui.suggestions import SuggestionWorker
from annotator.model import DocStatus, Document, Span, SpanStatus
from annotator.session import Session
from annotator.store import Store

from .conftest import DOC, Answers, open_window, pattern_spans


def test_document_list_fetches_a_page_at_a_time(qapp: Any, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "many.db")
    store.add_documents(Document(id=f"d{i:05d}", text=f"Nummer {i} aus Minsk") for i in range(1000))
    model = DocListModel(Session(store, "anna"))
    model.set_filter(None, "")
    assert model.rowCount() == PAGE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    assert model.index(PAGE, 0).data(DocIdRole) == f"d{PAGE:05d}"
    model.set_filter(None, "Nummer 99")  # 99, 990..999
    assert [r[0] for r in model.rows] == ["d00099", *(f"d{i:05d}" for i in range(990, 1000))]
    assert not model.canFetchMore()
    store.close()


def test_status_filter_and_progress(qtbot: Any, window: Any, suggested: Store) -> None:
    qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel = window.doc_list
    assert panel.progress.format() == "1 of 5 done"
    panel.filter.setCurrentIndex(4)  # Done
    assert [r[0] for r in panel.model.rows] == [DOC]
    panel.filter.setCurrentIndex(1)  # Open
    assert DOC not in [r[0] for r in panel.model.rows]
    assert len(panel.model.rows) == 4
    assert suggested.status_counts("tester")[DocStatus.DONE] == 1


def test_markup_in_text_and_labels_stays_plain(
    qtbot: Any, store_with_tricky_text: Any, answers: Answers, tmp_path: Path
) -> None:
    from annotator.gui.article_view import span_tooltip

    store, doc_id = store_with_tricky_text
    window = open_window(qtbot, store, doc_id, tmp_path)
    assert window.article.toPlainText().replace("\u2029", "\n") == store.document(
        doc_id
    ).text.replace("\r\n", "\n")
    i = window.doc.text.index("<b>Treffen</b>")
    window.article.select_offsets(i, i + len("<b>Treffen</b>"))
    window.actions_by_name["snapping"].setChecked(False)
    window.do_label("MISC")
    span = window.doc.selected_span
    assert window.spans.table.index(0, 0).data() == "<b>Treffen</b>"
    tip = span_tooltip(span, window.doc.text)
    assert "&lt;b&gt;Treffen&lt;/b&gt;" in tip and "<b>Treffen</b>" not in tip
    assert window.header.textFormat() == Qt.TextFormat.PlainText
    assert all(chip.textFormat() == Qt.TextFormat.PlainText for chip in window.label_bar.chips)


class PatternSuggester:
    """A stand-in for the model, in the test only: regex hits, marked as its own origin."""

    name = "pattern-test"
    version = "7"

    def __init__(self, store: Store) -> None:
        self.store = store

    def suggest(self, texts: list[str], *, batch_size: int = 64, n_process: int = 1) -> Any:
        for text in texts:
            yield [
                s.model_copy(update={"origin": self.name, "origin_version": self.version})
                for s in pattern_spans(text, self.store)
            ]


def test_suggestions_arrive_from_the_background(
    qtbot: Any, project: Store, answers: Answers, tmp_path: Path
) -> None:
    window = open_window(qtbot, project, DOC, tmp_path, suggester=lambda: PatternSuggester(project))
    assert window.worker is not None
    qtbot.waitUntil(lambda: len(window.doc.spans) > 0, timeout=10_000)
    assert all(s.origin == "pattern-test" for s in window.doc.spans)
    assert project.has_suggestion_run(DOC, "pattern-test", "7")
    assert window.doc.selected_span is not None
    assert window.doc.selected_span.status == SpanStatus.SUGGESTED
    # the documents ahead are computed too
    qtbot.waitUntil(
        lambda: project.has_suggestion_run("003_8aa0e316d7bbe749", "pattern-test", "7"),
        timeout=10_000,
    )
    window.close()


def test_a_missing_suggester_leaves_the_window_usable(
    qtbot: Any, suggested: Store, answers: Answers, tmp_path: Path
) -> None:
    def broken() -> Any:
        raise ImportError("no model here")

    window = open_window(qtbot, suggested, DOC, tmp_path, suggester=broken)
    qtbot.waitUntil(lambda: "unavailable" in window.busy_text.text(), timeout=10_000)
    assert not window.busy.isVisible()
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    assert suggested.decisions(DOC, "tester")


def test_worker_request_puts_newest_first(qapp: Any, tmp_path: Path) -> None:
    worker = SuggestionWorker(tmp_path / "none.db", lambda: None)
    worker.request(["a", "b"])
    worker.request(["c", "a"])
    assert worker._wanted == ["c", "a", "b"]


def test_span_table_row_selects_the_span(qtbot: Any, window: Any) -> None:
    target: Span = window.doc.spans[5]
    window.spans.setCurrentIndex(window.spans.table.index(5, 2))
    assert window.doc.selected == target.key
    cursor = window.article.textCursor()
    assert window.doc.positions.from_qt(cursor.position()) == target.start
