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
    AnyDisagreement,
    AnyVariant,
    ArgumentAdjudication,
    ArgumentDisagreement,
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
        self._disagreements: tuple[AnyDisagreement, ...] = ()
        self.current: int | None = None  # index into disagreements
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
        adj = self.adjudication
        pending = [*adj.agreed, *(s for d in adj.disagreements for s in d.spans)]
        for span in pending:
            merged[span.key] = span.model_copy(update={"status": SpanStatus.SUGGESTED})
        for row in self.gold:
            merged[row.key] = row
        self.spans = sorted(merged.values(), key=span_order)
        self._index = {s.key: i for i, s in enumerate(self.spans)}
        self.review_status = self.session.review_status(self.doc.id)
        shown: dict[tuple[object, ...], Argument] = {}
        args = self.argument_adjudication
        if args is not None:
            undecided = [*args.agreed, *(a for d in args.disagreements for a in d.arguments)]
            for argument in undecided:
                shown[argument.key] = argument.model_copy(update={"status": SpanStatus.SUGGESTED})
        for gold in self.gold_arguments:
            shown[gold.key] = gold
        self.arguments = sorted(shown.values(), key=lambda a: a.key)

    def _read_arguments(self) -> None:
        assert self.doc is not None
        self.argument_adjudication = self.session.argument_adjudication(self.doc.id)
        self.gold_arguments = self.session.gold_arguments(self.doc.id)
        self._order()

    # ---- disagreements ---------------------------------------------------------------------

    @property
    def disagreements(self) -> tuple[AnyDisagreement, ...]:
        """The span disagreements and the argument disagreements, in text order (an
        argument disagreement where its event is, after the span disagreements there)."""
        return self._disagreements

    def _order(self) -> None:
        merged: list[AnyDisagreement] = []
        if self.adjudication is not None:
            merged += self.adjudication.disagreements
        if self.argument_adjudication is not None:
            merged += self.argument_adjudication.disagreements
        merged.sort(key=lambda d: (d.start, isinstance(d, ArgumentDisagreement), d.end))
        self._disagreements = tuple(merged)

    def unresolved(self) -> list[AnyDisagreement]:
        return [d for d in self.disagreements if not self.is_resolved(d)]

    def is_resolved(self, d: AnyDisagreement) -> bool:
        return self.session.resolved(d, self.gold, self.gold_arguments)

    def chosen(self, d: AnyDisagreement) -> AnyVariant | None:
        """The variant gold holds there, if it holds one exactly."""
        return self.session.chosen_variant(d, self.gold, self.gold_arguments)

    @property
    def current_disagreement(self) -> AnyDisagreement | None:
        if self.current is None or not 0 <= self.current < len(self.disagreements):
            return None
        return self.disagreements[self.current]

    @property
    def current_variant(self) -> AnyVariant | None:
        d = self.current_disagreement
        if d is None:
            return None
        return d.variants[self.variant % len(d.variants)]

    def go(self, index: int | None) -> None:
        self.current = index
        self.variant = 0
        d = self.current_disagreement
        self.disagreement_changed.emit()
        if isinstance(d, ArgumentDisagreement):
            self.select(d.trigger)
        elif d is not None and d.spans:
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
            d: AnyDisagreement | None = self.adjudication.disagreement_at(key)
            current = self.current_disagreement
            on_it = isinstance(current, ArgumentDisagreement) and current.trigger == key
            if d is None and not on_it:  # an event with an argument disagreement
                d = next(
                    (
                        x
                        for x in self.disagreements
                        if isinstance(x, ArgumentDisagreement) and x.trigger == key
                    ),
                    None,
                )
            if d is not None and self.disagreements.index(d) != self.current:
                self.current = self.disagreements.index(d)
                self.variant = 0
                self.disagreement_changed.emit()
