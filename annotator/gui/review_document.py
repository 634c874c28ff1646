"""The document under review as the widgets see it (the review counterpart of OpenDocument).

It keeps the :class:`annotator.gui.document.DocumentModel` contract, so the review window reuses
the article view, the span-editing controller and the undo command of the annotate window. Its
spans are the merged view: gold rows (accepted, or rejected and struck through) plus every
annotator's span still undecided, shown as a suggestion. After every command it rereads the
adjudication and the gold rows from the store: the command has been written before it is told.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from annotator.gui.document import Key, ShownText, span_order
from annotator.model import Argument, Span, SpanStatus
from annotator.review.adjudicate import (
    Adjudication,
    ArgumentAdjudication,
    Disagreement,
    Variant,
)
from annotator.review.session import ReviewSession


class ReviewDocument(ShownText):
    disagreement_changed = Signal()

    def __init__(self, session: ReviewSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.adjudication: Adjudication | None = None
        self.gold: list[Span] = []
        self.argument_adjudication: ArgumentAdjudication | None = None
        self.gold_arguments: list[Argument] = []
        self.current: int | None = None  # index into adjudication.disagreements
        self.variant: int = 0  # the variant of the current disagreement that Return/X act on
        self.review_status = "todo"

    def open(self, doc_id: str) -> None:
        self._show(self.session.document(doc_id))
        self.adjudication, self.gold = self.session.open(doc_id)
        self._read_arguments()
        self._rebuild()
        self.current = None
        unresolved = self.unresolved()
        if unresolved:
            self.current = self.disagreements.index(unresolved[0])
        self.variant = 0
        self.loaded.emit()
        self.state_changed.emit()
        self.disagreement_changed.emit()

    def changed_by(self, command: Any, *, select: Key | None = None) -> None:
        """Reread adjudication, gold and review state after ``command`` was written."""
        self._reread()
        if select is not None:
            self.select(select)

    def reload(self) -> None:
        """Reread everything of the open document from the store (after a conflict)."""
        if self.doc is not None:
            self.session.open(self.doc.id)  # pins the gold revision again
        self._reread()

    def _reread(self) -> None:
        if self.doc is None:
            return
        self.adjudication = self.session.adjudication(self.doc.id)
        self.gold = self.session.gold(self.doc.id)
        self._read_arguments()
        self._rebuild()
        if self.selected not in self._index:
            self.selected = None
        self.spans_changed.emit(None)
        self.arguments_changed.emit()
        self.state_changed.emit()
        self.disagreement_changed.emit()
        self.selection_changed.emit()

    def _rebuild(self) -> None:
        assert self.doc is not None and self.adjudication is not None
        merged: dict[Key, Span] = {}
        pending = [*self.adjudication.agreed, *(s for d in self.disagreements for s in d.spans)]
        for span in pending:
            merged[span.key] = span.model_copy(update={"status": SpanStatus.SUGGESTED})
        for row in self.gold:
            merged[row.key] = row
        self.spans = sorted(merged.values(), key=span_order)
        self._index = {s.key: i for i, s in enumerate(self.spans)}
        self.review_status = self.session.review_status(self.doc.id)
        shown: dict[tuple[object, ...], Argument] = {}
        adj = self.argument_adjudication
        if adj is not None:
            undecided = [*adj.agreed, *(a for d in adj.disagreements for a in d.arguments)]
            for argument in undecided:
                shown[argument.key] = argument.model_copy(update={"status": SpanStatus.SUGGESTED})
        for gold in self.gold_arguments:
            shown[gold.key] = gold
        self.arguments = sorted(shown.values(), key=lambda a: a.key)

    def _read_arguments(self) -> None:
        assert self.doc is not None
        self.argument_adjudication = self.session.argument_adjudication(self.doc.id)
        self.gold_arguments = self.session.gold_arguments(self.doc.id)

    # ---- disagreements ---------------------------------------------------------------------

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        return () if self.adjudication is None else self.adjudication.disagreements

    def unresolved(self) -> list[Disagreement]:
        if self.adjudication is None:
            return []
        return self.session.unresolved(self.adjudication, self.gold)

    def is_resolved(self, d: Disagreement) -> bool:
        return self.session.is_resolved(d, self.gold)

    @property
    def current_disagreement(self) -> Disagreement | None:
        if self.current is None or not 0 <= self.current < len(self.disagreements):
            return None
        return self.disagreements[self.current]

    @property
    def current_variant(self) -> Variant | None:
        d = self.current_disagreement
        if d is None:
            return None
        return d.variants[self.variant % len(d.variants)]

    def go(self, index: int | None) -> None:
        self.current = index
        self.variant = 0
        d = self.current_disagreement
        self.disagreement_changed.emit()
        if d is not None and d.spans:
            self.select(d.spans[0].key)

    def step_disagreement(self, delta: int) -> None:
        """Next (+1) or previous (-1) disagreement, preferring unresolved ones (wrapping)."""
        n = len(self.disagreements)
        if n == 0:
            return
        start = self.current if self.current is not None else (-1 if delta > 0 else n)
        order = [(start + delta * i) % n for i in range(1, n + 1)]
        open_ = [i for i in order if not self.is_resolved(self.disagreements[i])]
        self.go((open_ or order)[0])

    def cycle_variant(self, delta: int) -> None:
        d = self.current_disagreement
        if d is not None:
            self.variant = (self.variant + delta) % len(d.variants)
            self.disagreement_changed.emit()

    # ---- spans (what the article view reads) ------------------------------------------------

    def _selected(self, key: Key | None) -> None:
        """A selected span inside a disagreement makes that disagreement the current one."""
        if key is not None and self.adjudication is not None:
            d = self.adjudication.disagreement_at(key)
            if d is not None and self.disagreements.index(d) != self.current:
                self.current = self.disagreements.index(d)
                self.variant = 0
                self.disagreement_changed.emit()
