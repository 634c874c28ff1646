"""A window that explains itself: legend, label tags, a span table that fits, document titles."""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt

from annotator.gui.legend import ANNOTATE_SAMPLES
from annotator.model import Document, SpanStatus, document_title
from annotator.store import Store

from .conftest import DOC, open_window

Key = Qt.Key
Mod = Qt.KeyboardModifier


def press(qtbot: Any, window: Any, key: Any, modifier: Any = Mod.NoModifier) -> None:
    qtbot.keyClick(window.article, key, modifier)


# ---- legend -----------------------------------------------------------------------------------


def test_the_legend_shows_every_span_style_and_f2_toggles_it(qtbot: Any, window: Any) -> None:
    legend = window.legend
    assert legend.isVisible() and window.label_bar.isVisible()
    shown = {s.status if s.kind in ("entity", "event") else s.kind for s in legend.samples}
    # every status the article draws, and the selection
    assert {status.value for status in SpanStatus} | {"selected"} <= shown
    assert {s.kind for s in ANNOTATE_SAMPLES} >= {"entity", "event"}
    assert legend.natural_width() < 800  # one compact row
    assert legend.height() < 40
    chips = {chip.label.name: chip.text() for chip in window.label_bar.chips}
    for label in window.scheme.labels:  # the labels' legend: name and key, in its colour
        assert label.name in chips[label.name] and label.key.upper() in chips[label.name]
    press(qtbot, window, Key.Key_F2)
    assert not legend.isVisible() and not window.label_bar.isVisible()
    press(qtbot, window, Key.Key_F2)
    assert legend.isVisible()


# ---- tags -------------------------------------------------------------------------------------


def test_every_span_on_screen_has_its_label_as_a_tag_above_it(window: Any) -> None:
    article = window.article
    drawn = article.drawn_spans()
    assert len(drawn) > 5
    live = {(s.start, s.end) for s, _ in drawn if s.status != SpanStatus.REJECTED}
    places = article.tag_places(drawn, live)
    assert {id(span) for _, span in places} == {id(span) for span, _ in drawn}
    firsts = {id(span): rects[0] for span, rects in drawn}
    for place, span in places:
        rect = firsts[id(span)]
        assert place.bottom() <= rect.top() + 0.5  # above the text, not over it
        assert place.left() >= rect.left() - 0.5
        assert place.width() > 0
    by_line: dict[int, list[Any]] = {}
    for place, _ in places:
        by_line.setdefault(round(place.top()), []).append(place)
    for line in by_line.values():
        line.sort(key=lambda r: r.left())
        assert all(a.right() <= b.left() for a, b in itertools.pairwise(line))


def test_the_tag_lane_leaves_the_text_as_it_is(window: Any, suggested: Store) -> None:
    article = window.article
    assert article.toPlainText() == suggested.document(DOC).text.replace("\r\n", "\n")
    assert article._lane() >= article._tag_ascent
    metrics_height = article.fontMetrics().height()
    block = article.document().firstBlock()
    assert block.layout().lineAt(0).height() >= metrics_height + article._tag_ascent


# ---- span table -------------------------------------------------------------------------------


def _check_table(window: Any) -> None:
    table = window.spans
    assert table.horizontalScrollBar().value() == 0
    assert table.horizontalHeader().length() <= table.viewport().width()


def test_the_span_table_never_scrolls_sideways(qtbot: Any, window: Any) -> None:
    table = window.spans
    assert table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    for width in (window.spans.width(), 260):
        table.resize(width, table.height())
        qtbot.wait(1)
        _check_table(window)
        for key in [Key.Key_J] * 12 + [Key.Key_K] * 5:
            press(qtbot, window, key)
            _check_table(window)
    assert window.doc.selected is not None


def test_span_table_columns_show_their_values_whole(qtbot: Any, window: Any) -> None:
    from annotator.gui.app import WINDOW_SIZE

    window.resize(*WINDOW_SIZE)  # as the window opens
    qtbot.wait(1)
    table = window.spans
    model = table.model()
    metrics = table.fontMetrics()
    wanted = table.wanted_widths()
    for column in range(1, model.columnCount()):
        longest = max(
            metrics.horizontalAdvance(str(model.index(r, column).data() or ""))
            for r in range(model.rowCount())
        )
        assert table.columnWidth(column) >= longest, model.headerData(column, Qt.Horizontal)
        assert table.columnWidth(column) >= int(wanted[column - 1])
    assert table.columnWidth(0) >= 90


def test_the_full_span_text_is_in_the_tooltip(window: Any, suggested: Store) -> None:
    text = suggested.document(DOC).text
    start = text.index("Dabei")
    end = text.index("beeinflussen") + len("beeinflussen")
    window.article.select_offsets(start, end)
    window.do_label("MISC")
    row = window.doc.index_of((start, end, "MISC"))
    tip = window.spans.model().index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    shown = window.spans.model().index(row, 0).data()
    assert shown.endswith("…") and len(shown) < end - start
    assert " ".join(text[start:end].split()) in " ".join(tip.split())


# ---- titles -----------------------------------------------------------------------------------


def test_document_title_rule() -> None:
    assert document_title("\n\n  Erste Zeile  \nzweite", {}) == "Erste Zeile"
    assert document_title("Text", {"title": " Der Titel "}) == "Der Titel"
    assert document_title("Text", {"title": "  ", "headline": "Schlagzeile"}) == "Schlagzeile"
    assert document_title("Text", {"title": 12}) == "Text"
    long = "Wort " * 40
    short = document_title(long, {}, limit=30)
    assert len(short) <= 30 and short.endswith("…") and short.startswith("Wort Wort")
    assert document_title("", {}) == ""


def test_header_and_list_show_the_title_with_the_id(
    qtbot: Any, suggested: Store, answers: Any, tmp_path: Any
) -> None:
    suggested.add_documents(
        [Document(id="meta-doc", text="\n\nerste Zeile\n", meta={"title": "Ein Titel"})]
    )
    window = open_window(qtbot, suggested, DOC, tmp_path)
    seed = suggested.document(DOC)
    first_line = next(line for line in seed.text.splitlines() if line.strip())
    title = document_title(seed.text, seed.meta)
    assert " ".join(first_line.split()).startswith(title.rstrip("…"))
    assert window.header.text() == title
    assert DOC in window.header_state.text()
    assert title in window.windowTitle()
    model = window.doc_list.model
    shown = {
        model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1): model.index(r, 0).data()
        for r in range(model.rowCount())
    }
    assert shown[DOC].splitlines()[0] == title and DOC in shown[DOC].splitlines()[1]
    assert shown["meta-doc"].splitlines()[0] == "Ein Titel"
    window.go_to("meta-doc")
    assert window.header.text() == "Ein Titel"
