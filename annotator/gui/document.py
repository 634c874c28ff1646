"""The open document as the widgets see it: text, spans, state and the selected span.

:class:`DocumentModel` is the contract every document model keeps (this annotate document and
the review document of :mod:`annotator.gui.review_document`): the article view, the span-editing
controller and the undo commands are written against it, never against one of the two.

:class:`OpenDocument` mirrors what :meth:`annotator.session.Session.spans` returns (the
annotator's decisions plus the suggestions they have not decided, merged by the same
:func:`annotator.session.annotator_view`) and keeps that mirror current after each command by
applying the command's own removals and additions, so a keypress does not reread thousands of
spans. Every
command has been written to the store before :meth:`OpenDocument.changed_by` is called; opening a
document, a conflict and new suggestions reread everything from the store.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from annotator.model import Argument, DocState, Document, Span, SpanStatus, document_title
from annotator.session import ChangeSpans, ChangeState, Session, annotator_view, span_order
from annotator.textpos import TextPositions
from annotator.tokens import Tokens

Key = tuple[int, int, str]

__all__ = ["DocumentModel", "Key", "OpenDocument", "ShownText", "span_order"]


class DocumentModel(Protocol):
    """What the widgets and the span-editing controller read from a document model.

    Signals: ``loaded`` (a new document: everything changed), ``spans_changed`` (a list of the
    rows whose status changed, same spans in the same order; or None when spans came or went),
    ``arguments_changed`` (arguments came, went or changed role), ``selection_changed``,
    ``state_changed``.
    """

    @property
    def loaded(self) -> SignalInstance: ...
    @property
    def spans_changed(self) -> SignalInstance: ...
    @property
    def arguments_changed(self) -> SignalInstance: ...
    @property
    def selection_changed(self) -> SignalInstance: ...
    @property
    def state_changed(self) -> SignalInstance: ...

    session: Any  # the Session or ReviewSession whose commands the document shows
    spans: list[Span]
    arguments: list[Argument]  # the arguments shown (the arcs), in trigger order
    selected: Key | None
    positions: TextPositions

    @property
    def doc_id(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def selected_span(self) -> Span | None: ...

    def span(self, key: Key | None) -> Span | None: ...
    def arguments_of(self, trigger: Key) -> list[Argument]: ...
    def tokens(self) -> Tokens: ...
    def open(self, doc_id: str) -> None: ...
    def reload(self) -> None: ...
    def select(self, key: Key | None) -> None: ...
    def step(self, delta: int) -> None: ...
    def changed_by(self, command: Any, *, select: Key | None = None) -> None: ...


class ShownText(QObject):
    """What the annotate and review documents share: the text with its Qt positions and tokens,
    the spans the article view draws (indexed by key), the selected span, and the signals of
    :class:`DocumentModel`."""

    loaded = Signal()  # a (new) document: text and everything else changed
    # a list of rows when only those spans' statuses changed (same spans, same order); None when
    # spans came or went (everything may have moved)
    spans_changed = Signal(object)
    arguments_changed = Signal()
    selection_changed = Signal()
    state_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc: Document | None = None
        self.positions = TextPositions("")
        self.spans: list[Span] = []
        self.arguments: list[Argument] = []
        self.selected: Key | None = None
        self._index: dict[Key, int] = {}
        self._tokens: Tokens | None = None

    @property
    def doc_id(self) -> str | None:
        return None if self.doc is None else self.doc.id

    @property
    def title(self) -> str:
        """The document's meta title, else its first non-empty line (shortened)."""
        return "" if self.doc is None else document_title(self.doc.text, self.doc.meta)

    @property
    def text(self) -> str:
        return "" if self.doc is None else self.doc.text

    def _show(self, doc: Document) -> None:
        self.doc = doc
        self.positions = TextPositions(doc.text)
        self._tokens = None
        self.selected = None

    def span(self, key: Key | None) -> Span | None:
        i = self._index.get(key) if key is not None else None
        return None if i is None else self.spans[i]

    @property
    def selected_span(self) -> Span | None:
        return self.span(self.selected)

    def arguments_of(self, trigger: Key) -> list[Argument]:
        """The arguments shown for one trigger, in text order of their fillers."""
        return sorted(
            (a for a in self.arguments if a.trigger == trigger), key=lambda a: (a.filler, a.role)
        )

    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = Tokens(self.text)
        return self._tokens

    def index_of(self, key: Key | None) -> int | None:
        return None if key is None else self._index.get(key)

    # ---- selection ---------------------------------------------------------------------------

    def select(self, key: Key | None) -> None:
        if key is not None and key not in self._index:
            key = None
        if key != self.selected:
            self.selected = key
            self.selection_changed.emit()
        self._selected(key)

    def _selected(self, key: Key | None) -> None:
        """Called after every :meth:`select` (the review document follows its disagreement)."""

    def step(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) span in reading order (wrapping)."""
        if not self.spans:
            return
        i = self.index_of(self.selected)
        if i is None:
            i = -1 if delta > 0 else len(self.spans)
        self.select(self.spans[(i + delta) % len(self.spans)].key)


def _visible_state(state: DocState) -> tuple[object, ...]:
    return (state.status, state.flagged, state.comment)


def _order_key(key: Key) -> tuple[int, int, str]:
    return (key[0], -key[1], key[2])


class OpenDocument(ShownText):
    """One document of one annotator; widgets listen to its signals."""

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.state: DocState | None = None
        self._decisions: dict[Key, Span] = {}
        self._suggestions: dict[Key, Span] = {}
        self._counts: dict[SpanStatus, int] = dict.fromkeys(SpanStatus, 0)

    # ---- reading -----------------------------------------------------------------------------

    def open(self, doc_id: str) -> None:
        self._show(self.session.document(doc_id))
        self._read()
        self.loaded.emit()

    def reload(self) -> None:
        """Reread spans and state from the store (conflict, new suggestions), keeping the text."""
        if self.doc is None:
            return
        selected = self.selected
        self._read()
        self.selected = selected if selected in self._index else None
        self.spans_changed.emit(None)
        self.arguments_changed.emit()
        self.state_changed.emit()
        self.selection_changed.emit()

    def _read(self) -> None:
        assert self.doc is not None
        self.state = self.session.state(self.doc.id)  # also pins the revision for conflicts
        self._decisions = {s.key: s for s in self.session.decisions(self.doc.id)}
        self._suggestions = {s.key: s for s in self.session.suggestions(self.doc.id)}
        self.arguments = self.session.arguments(self.doc.id)
        self._rebuild()

    def _rebuild(self) -> None:
        self.spans = annotator_view(
            list(self._decisions.values()), list(self._suggestions.values())
        )
        self._index = {s.key: i for i, s in enumerate(self.spans)}
        self._counts = dict.fromkeys(SpanStatus, 0)
        for span in self.spans:
            self._counts[span.status] += 1

    def counts(self) -> dict[SpanStatus, int]:
        return dict(self._counts)

    def next_pending(self, after: Key | None) -> Key | None:
        """The first undecided suggestion after ``after`` in reading order (wrapping)."""
        if not self._counts[SpanStatus.SUGGESTED]:
            return None
        n = len(self.spans)
        i = self._index.get(after, -1) if after is not None else -1
        if after is not None and i < 0:  # not in view: start where it would be
            i = bisect_left([span_order(s) for s in self.spans], _order_key(after)) - 1
        for step in range(1, n + 1):
            span = self.spans[(i + step) % n]
            if span.status == SpanStatus.SUGGESTED:
                return span.key
        return None

    # ---- after a command has been written ------------------------------------------------------

    def changed_by(self, command: ChangeSpans | ChangeState, *, select: Key | None = None) -> None:
        if isinstance(command, ChangeState):
            self.state = self.session.stored_state(command.doc_id)
            self.state_changed.emit()
            return
        removed = {s.key for s in command.remove}
        added = {s.key: s for s in command.add}
        for key in removed:
            self._decisions.pop(key, None)
        self._decisions.update(added)
        touched = removed | added.keys()
        if all(
            k in self._index and (k in self._decisions or k in self._suggestions) for k in touched
        ):
            # Only statuses changed: swap the spans in place (a keypress on a long article
            # must not re-sort thousands of spans).
            rows = []
            for key in touched:
                i = self._index[key]
                new = self._decisions.get(key) or self._suggestions[key]
                self._counts[self.spans[i].status] -= 1
                self._counts[new.status] += 1
                self.spans[i] = new
                rows.append(i)
            self.spans_changed.emit(sorted(rows))
        else:
            self._rebuild()
            self.spans_changed.emit(None)
        if command.unlink or command.link:
            gone = {a.key for a in command.unlink}
            kept = [a for a in self.arguments if a.key not in gone]
            self.arguments = sorted(
                {a.key: a for a in (*kept, *command.link)}.values(), key=lambda a: a.key
            )
            self.arguments_changed.emit()
        before = self.state
        self.state = self.session.stored_state(command.doc_id)
        if before is None or _visible_state(before) != _visible_state(self.state):
            self.state_changed.emit()  # the first edit turns "todo" into "in progress"
        self.select(select if select is not None else self.selected)
