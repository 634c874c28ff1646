"""What a person does to a document, as commands with inverses (no Qt).

A :class:`Session` is one annotator working on one project. Its builder methods (``accept``,
``reject``, ``add``, ...) return a :class:`Command` describing the change, or None when there is
nothing to change. Running a command writes it through to the store in one transaction before it
returns; undo runs the command's inverse the same way. The GUI wraps each command in a
``QUndoCommand``; code without Qt can use the session's own undo stack (:meth:`Session.execute`,
:meth:`Session.undo`, :meth:`Session.redo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from annotator.model import (
    DocState,
    DocStatus,
    Span,
    SpanError,
    SpanKind,
    SpanStatus,
    check_span,
)
from annotator.store import Store
from annotator.undo import UndoStack


class Command(Protocol):
    doc_id: str
    text: str

    def apply(self, session: Session) -> None: ...

    def inverse(self) -> Command: ...


@dataclass(frozen=True)
class ChangeSpans:
    """Remove some of the annotator's decisions and add others, as one step."""

    doc_id: str
    remove: tuple[Span, ...]
    add: tuple[Span, ...]
    text: str

    def apply(self, session: Session) -> None:
        session._write_spans(self)

    def inverse(self) -> ChangeSpans:
        return ChangeSpans(self.doc_id, self.add, self.remove, f"undo {self.text}")


@dataclass(frozen=True)
class ChangeState:
    """Change the annotator's status, flag or comment of a document."""

    doc_id: str
    before: DocState
    after: DocState
    text: str

    def apply(self, session: Session) -> None:
        session._write_state(self)

    def inverse(self) -> ChangeState:
        return ChangeState(self.doc_id, self.after, self.before, f"undo {self.text}")


def _as(span: Span, status: SpanStatus, **changes: object) -> Span:
    return span.model_copy(update={"status": status, "id": None, **changes})


@dataclass
class Session:
    store: Store
    annotator: str
    _revisions: dict[str, int] = field(default_factory=dict)
    history: UndoStack[Command] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.history = UndoStack(self)
        self.store.ensure_annotator(self.annotator)

    # ---- reading ---------------------------------------------------------------------------

    def spans(self, doc_id: str) -> list[Span]:
        """The annotator's view: their decisions plus the suggestions they have not decided."""
        decisions = self.store.decisions(doc_id, self.annotator)
        decided = {s.key for s in decisions}
        pending = [s for s in self.store.suggestions(doc_id) if s.key not in decided]
        return sorted([*decisions, *pending], key=lambda s: (s.start, -s.end, s.label))

    def state(self, doc_id: str) -> DocState:
        state = self.store.doc_state(doc_id, self.annotator)
        self._revisions[doc_id] = state.revision
        return state

    def open(self, doc_id: str) -> tuple[DocState, list[Span]]:
        """Read a document's state and spans, and remember its revision for conflict checks."""
        return self.state(doc_id), self.spans(doc_id)

    # ---- building commands -----------------------------------------------------------------

    def accept(self, doc_id: str, span: Span) -> ChangeSpans | None:
        if span.status == SpanStatus.ACCEPTED:
            return None
        remove = (span,) if span.status == SpanStatus.REJECTED else ()
        return ChangeSpans(doc_id, remove, (_as(span, SpanStatus.ACCEPTED),), "accept")

    def reject(self, doc_id: str, span: Span) -> ChangeSpans | None:
        if span.status == SpanStatus.REJECTED:
            return None
        if span.status == SpanStatus.SUGGESTED:
            return ChangeSpans(doc_id, (), (_as(span, SpanStatus.REJECTED),), "reject")
        remove, add = self._retire(doc_id, span)
        return ChangeSpans(doc_id, remove, add, "reject")

    def accept_all(self, doc_id: str) -> ChangeSpans | None:
        pending = [s for s in self.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
        if not pending:
            return None
        return ChangeSpans(
            doc_id, (), tuple(_as(s, SpanStatus.ACCEPTED) for s in pending), "accept all"
        )

    def add(self, doc_id: str, start: int, end: int, label: str) -> ChangeSpans | None:
        new = self._new_span(doc_id, start, end, label)
        existing = self._decision(doc_id, new)
        if existing is not None and existing.status == SpanStatus.ACCEPTED:
            return None
        remove = (existing,) if existing is not None else ()
        return ChangeSpans(doc_id, remove, (new,), f"add {label}")

    def relabel(self, doc_id: str, span: Span, label: str) -> ChangeSpans | None:
        if label == span.label and span.status == SpanStatus.ACCEPTED:
            return None
        return self._replace(doc_id, span, span.start, span.end, label, f"relabel as {label}")

    def resize(self, doc_id: str, span: Span, start: int, end: int) -> ChangeSpans | None:
        if (start, end) == (span.start, span.end):
            return None
        return self._replace(doc_id, span, start, end, span.label, "resize")

    def delete(self, doc_id: str, span: Span) -> ChangeSpans | None:
        if span.status == SpanStatus.SUGGESTED:
            return self.reject(doc_id, span)
        if span.status == SpanStatus.REJECTED:
            return ChangeSpans(doc_id, (span,), (), "undecide")
        remove, add = self._retire(doc_id, span)
        return ChangeSpans(doc_id, remove, add, "delete")

    def set_status(self, doc_id: str, status: DocStatus) -> ChangeState | None:
        before = self.store.doc_state(doc_id, self.annotator)
        if before.status == status:
            return None
        return ChangeState(
            doc_id,
            before,
            before.model_copy(update={"status": status}),
            f"mark {status.value.replace('_', ' ')}",
        )

    def set_flag(self, doc_id: str, flagged: bool) -> ChangeState | None:
        before = self.store.doc_state(doc_id, self.annotator)
        if before.flagged == flagged:
            return None
        return ChangeState(
            doc_id,
            before,
            before.model_copy(update={"flagged": flagged}),
            "flag" if flagged else "unflag",
        )

    def set_comment(self, doc_id: str, comment: str) -> ChangeState | None:
        before = self.store.doc_state(doc_id, self.annotator)
        if before.comment == comment:
            return None
        return ChangeState(
            doc_id, before, before.model_copy(update={"comment": comment}), "comment"
        )

    # ---- running commands ------------------------------------------------------------------

    def apply(self, command: Command) -> None:
        """Write one command through to the store (no undo bookkeeping: the GUI's stack does)."""
        command.apply(self)

    def execute(self, command: Command | None) -> bool:
        """Apply a command and put it on this session's own undo stack."""
        return self.history.execute(command)

    def undo(self) -> Command | None:
        return self.history.undo()

    def redo(self) -> Command | None:
        return self.history.redo()

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    # ---- write-through ---------------------------------------------------------------------

    def _write_spans(self, command: ChangeSpans) -> None:
        self._revisions[command.doc_id] = self.store.replace_decisions(
            command.doc_id,
            self.annotator,
            remove=command.remove,
            add=command.add,
            action=command.text,
            expected_revision=self._revisions.get(command.doc_id),
        )

    def _write_state(self, command: ChangeState) -> None:
        new = self.store.set_doc_state(
            command.after.model_copy(update={"annotator": self.annotator}),
            expected_revision=self._revisions.get(command.doc_id),
            action=command.text,
        )
        self._revisions[command.doc_id] = new.revision

    # ---- helpers ---------------------------------------------------------------------------

    def _new_span(self, doc_id: str, start: int, end: int, label: str) -> Span:
        scheme = self.store.scheme
        kind = scheme.kind_of(label)
        if not 0 <= start < end:
            # A SpanError like every other span that does not fit, not pydantic's ValidationError.
            raise SpanError(f"span {start}-{end}: the start must be before the end, from 0")
        span = Span(start=start, end=end, label=label, kind=kind, status=SpanStatus.ACCEPTED)
        check_span(span, self.store.document(doc_id).text, scheme)
        return span

    def _decision(self, doc_id: str, span: Span) -> Span | None:
        for d in self.store.decisions(doc_id, self.annotator):
            if d.key == span.key:
                return d
        return None

    def _suggested_keys(self, doc_id: str) -> set[tuple[int, int, str]]:
        return {s.key for s in self.store.suggestions(doc_id)}

    def _retire(self, doc_id: str, span: Span) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        """Take an accepted span away; if a model suggests the same span, reject it instead,
        so the suggestion does not come back."""
        if span.key in self._suggested_keys(doc_id):
            return (span,), (_as(span, SpanStatus.REJECTED),)
        return (span,), ()

    def _replace(
        self, doc_id: str, span: Span, start: int, end: int, label: str, text: str
    ) -> ChangeSpans | None:
        new = self._new_span(doc_id, start, end, label)
        new = new.model_copy(update={"origin": span.origin, "origin_version": span.origin_version})
        remove: Sequence[Span]
        add: Sequence[Span]
        if span.status == SpanStatus.SUGGESTED:
            remove, add = (), (_as(span, SpanStatus.REJECTED),)
        else:
            remove, add = self._retire(doc_id, span)
        existing = self._decision(doc_id, new)
        if existing is not None and existing.key != span.key:
            remove = (*remove, existing)
        return ChangeSpans(doc_id, tuple(remove), (*add, new), text)


def spans_of_kind(spans: Sequence[Span], kind: SpanKind) -> list[Span]:
    return [s for s in spans if s.kind == kind]
