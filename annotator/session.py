"""What a person does to a document, as commands with inverses (no Qt).

A :class:`Session` is one annotator working on one project. Its builder methods (``accept``,
``reject``, ``add``, ...) return a :class:`Command` describing the change, or None when there is
nothing to change. Running a command writes it through to the store in one transaction before it
returns; undo runs the command's inverse the same way. The GUI wraps each command in a
``QUndoCommand``; code without Qt can use the session's own undo stack (:meth:`Session.execute`,
:meth:`Session.undo`, :meth:`Session.redo`).

The session is the annotate window's only door to the project: besides the commands it answers
what the window asks (the annotator's view of a document, the document list's rows, which
document comes next). The widgets never hold a :class:`annotator.store.Store`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from annotator.model import (
    Argument,
    ArgumentError,
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Span,
    SpanError,
    SpanKind,
    SpanStatus,
    check_span,
)
from annotator.store import Store
from annotator.suggest.combine import current_suggestions
from annotator.undo import UndoStack

if TYPE_CHECKING:
    from annotator.suggest.arguments import RoleClassifier


class Command(Protocol):
    doc_id: str
    text: str

    def apply(self, session: Session) -> None: ...

    def inverse(self) -> Command: ...


@dataclass(frozen=True)
class ChangeSpans:
    """Remove some of the annotator's decisions and add others, as one step; ``unlink``
    arguments go before the spans change, ``link`` arguments come after."""

    doc_id: str
    remove: tuple[Span, ...]
    add: tuple[Span, ...]
    text: str
    unlink: tuple[Argument, ...] = ()
    link: tuple[Argument, ...] = ()

    def apply(self, session: Session) -> None:
        session._write_spans(self)

    def inverse(self) -> ChangeSpans:
        return ChangeSpans(
            self.doc_id,
            self.add,
            self.remove,
            f"undo {self.text}",
            unlink=self.link,
            link=self.unlink,
        )


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

    @property
    def newly_done(self) -> bool:
        """Does this change mark a document done that was not done before?"""
        return self.after.status == DocStatus.DONE and self.before.status != DocStatus.DONE


OPEN = (DocStatus.TODO, DocStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Finish:
    """What finishing a document means: the status change (None when the document already had
    that status), whether it counts toward the learning loop (only a document newly marked
    done does), and the open document to go to next (None when none is left)."""

    command: ChangeState | None
    report_done: bool
    next_doc: str | None


def _as(span: Span, status: SpanStatus, **changes: object) -> Span:
    return span.model_copy(update={"status": status, "id": None, **changes})


def span_order(span: Span) -> tuple[int, int, str]:
    """Spans in reading order; of two starting together, the longer first."""
    return (span.start, -span.end, span.label)


def annotator_view(decisions: Sequence[Span], suggestions: Sequence[Span]) -> list[Span]:
    """What an annotator sees: their decisions plus the suggestions they have not decided,
    in reading order (a decision hides the suggestion with the same key)."""
    merged = {s.key: s for s in suggestions}
    merged.update((s.key, s) for s in decisions)
    return sorted(merged.values(), key=span_order)


QUEUE_ORDERS = ("import", "uncertain")
"""How the next open document is chosen: import order, or the one the models are least sure
about first (``Store.uncertainty_by_document``)."""


@dataclass
class Session:
    store: Store
    annotator: str
    _revisions: dict[str, int] = field(default_factory=dict)
    queue_order: str = "import"
    """``import`` or ``uncertain`` (most uncertain first): what :meth:`next_open` follows."""
    # The session's own undo stack (not the project's audit log, which is Store.history()).
    undo_stack: UndoStack[Command] = field(init=False, repr=False)
    _roles: tuple[Path, RoleClassifier | None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.undo_stack = UndoStack(self)
        self.store.ensure_annotator(self.annotator)

    # ---- reading ---------------------------------------------------------------------------

    @property
    def scheme(self) -> LabelScheme:
        return self.store.scheme

    @property
    def project_path(self) -> Path | None:
        """The project file (None for a project in memory): workers open their own connection."""
        return self.store.path

    def as_annotator(self, name: str) -> Session:
        """A session of the same project for ``name``, remembered as the project's last
        annotator (the next start works as them)."""
        from annotator.identity import remember_annotator

        remember_annotator(self.store, name)
        return Session(self.store, name, queue_order=self.queue_order)

    def document(self, doc_id: str) -> Document:
        return self.store.document(doc_id)

    def decisions(self, doc_id: str) -> list[Span]:
        return self.store.decisions(doc_id, self.annotator)

    def suggestions(self, doc_id: str) -> list[Span]:
        """The document's suggestions, with the memory this annotator is to see (the team's, or
        their own during double annotation: :func:`annotator.suggest.memory.memory_owner`)."""
        from annotator.suggest.memory import memory_owner

        return current_suggestions(
            self.store, doc_id, memory_of=memory_owner(self.store, doc_id, self.annotator)
        )

    def spans(self, doc_id: str) -> list[Span]:
        """The annotator's view: their decisions plus the suggestions they have not decided."""
        return annotator_view(self.decisions(doc_id), self.suggestions(doc_id))

    def state(self, doc_id: str) -> DocState:
        """The document's state, its revision remembered for the conflict check of the next
        write (read it when (re)opening a document, not after writing)."""
        state = self.store.doc_state(doc_id, self.annotator)
        self._revisions[doc_id] = state.revision
        return state

    def stored_state(self, doc_id: str) -> DocState:
        """The document's state as stored, without pinning its revision (after a write)."""
        return self.store.doc_state(doc_id, self.annotator)

    def arguments(self, doc_id: str) -> list[Argument]:
        """The annotator's arguments of a document."""
        return self.store.arguments(doc_id, self.annotator)

    def suggested_arguments(self, doc_id: str) -> list[Argument]:
        """Arguments proposed for the document's suggested and accepted triggers, without
        those the annotator has made already: by the role classifier ``annotator train``
        learnt from the project's arguments (``roles.json`` beside the model in use), else by
        the baseline (entities of the trigger's sentence in the roles their labels may fill).
        Computed when asked (ADR 0017), never stored."""
        from annotator.suggest.arguments import baseline, classified

        doc = self.store.document(doc_id)
        given = doc.meta.get("sentences") if isinstance(doc.meta, dict) else None
        bounds = given if isinstance(given, list) else None
        made = {a.key for a in self.arguments(doc_id)}
        spans = self.spans(doc_id)
        model = self.role_classifier()
        if model is not None:
            found = classified(model, doc.text, spans, self.store.scheme, sentence_bounds=bounds)
        else:
            found = baseline(doc.text, spans, self.store.scheme, sentence_bounds=bounds)
        return [a for a in found if a.key not in made]

    def role_classifier(self) -> RoleClassifier | None:
        """The role classifier of the project's model in use, if training made one."""
        from annotator.learn import ActiveModelError, active_model
        from annotator.learn_roles import project_roles

        try:
            active = active_model(self.store)
        except ActiveModelError:  # said where the model is loaded; the baseline proposes here
            return None
        if active is None:
            return None
        folder = active[1]
        cached = self._roles
        if cached is None or cached[0] != folder:
            cached = self._roles = (folder, project_roles(folder))
        return cached[1]

    def arguments_of(self, doc_id: str, trigger: Span) -> list[Argument]:
        """The arguments of one trigger, in text order of their fillers."""
        return [a for a in self.arguments(doc_id) if a.trigger == trigger.key]

    def open(self, doc_id: str) -> tuple[DocState, list[Span]]:
        """Read a document's state and spans, and remember its revision for conflict checks."""
        return self.state(doc_id), self.spans(doc_id)

    # ---- the corpus: the document list and navigation ----------------------------------------

    def count_documents(self) -> int:
        return self.store.count_documents()

    def document_rows(
        self,
        *,
        statuses: Sequence[DocStatus] | None = None,
        contains: str = "",
        after: str | None = None,
        limit: int = -1,
    ) -> list[tuple[str, str, DocStatus]]:
        """(id, title, this annotator's status) in import order, keyset-paged by ``after``."""
        return self.store.document_rows(
            self.annotator,
            statuses=tuple(statuses) if statuses is not None else None,
            contains=contains,
            after=after,
            limit=limit,
        )

    def status_counts(self) -> dict[DocStatus, int]:
        return self.store.status_counts(self.annotator)

    def number(self, doc_id: str) -> int:
        """The document's place in import order, from 1."""
        return self.store.document_index(doc_id) + 1

    def first_document(self) -> str | None:
        """The first open document (to do, in progress), else the first document."""
        rows = self.document_rows(statuses=OPEN, limit=1) or self.document_rows(limit=1)
        return rows[0][0] if rows else None

    def next_open(self, doc_id: str | None) -> str | None:
        """The next open document after ``doc_id`` in import order, wrapping to the first (or,
        with :attr:`queue_order` ``uncertain``, the open document the models are least sure
        about); never ``doc_id`` itself."""
        if self.queue_order == "uncertain":
            return self.most_uncertain_open(exclude=doc_id)
        rows = self.document_rows(statuses=OPEN, after=doc_id, limit=1) if doc_id else []
        rows = rows or self.document_rows(statuses=OPEN, limit=2)
        ids = [r[0] for r in rows if r[0] != doc_id]
        return ids[0] if ids else None

    def most_uncertain_open(self, *, exclude: str | None = None) -> str | None:
        """The open document (to do, in progress) whose model suggestions are least certain
        (``Store.uncertainty_by_document``; ties and documents without suggestions in import
        order), never ``exclude``."""
        candidates = [r[0] for r in self.document_rows(statuses=OPEN) if r[0] != exclude]
        return most_uncertain(self.store.uncertainty_by_document(), candidates)

    def neighbour(self, doc_id: str, delta: int) -> str | None:
        """The document ``delta`` places from ``doc_id`` in import order (no wrapping)."""
        index = self.store.document_index(doc_id) + delta
        if index < 0:
            return None
        ids = self.store.document_ids(offset=index, limit=1)
        return ids[0] if ids else None

    def ahead(self, doc_id: str, n: int) -> list[str]:
        """The ``n`` documents after ``doc_id`` (whose suggestions are worth computing now)."""
        return self.store.document_ids(offset=self.store.document_index(doc_id) + 1, limit=n)

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
        return ChangeSpans(doc_id, remove, add, "reject", unlink=self._touching(doc_id, span))

    def accept_all(self, doc_id: str, *, min_score: float | None = None) -> ChangeSpans | None:
        """Accept every remaining suggestion, or only those scoring at least ``min_score`` (a
        suggestion without a score is then left alone)."""
        pending = [s for s in self.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
        if min_score is not None:
            pending = [s for s in pending if s.score is not None and s.score >= min_score]
        if not pending:
            return None
        text = "accept all" if min_score is None else f"accept all scoring {min_score:.2f}+"
        return ChangeSpans(doc_id, (), tuple(_as(s, SpanStatus.ACCEPTED) for s in pending), text)

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
        """Take a span away; its arguments (as trigger or as filler) go with it, and come back
        on undo."""
        if span.status == SpanStatus.SUGGESTED:
            return self.reject(doc_id, span)
        if span.status == SpanStatus.REJECTED:
            return ChangeSpans(doc_id, (span,), (), "undecide")
        remove, add = self._retire(doc_id, span)
        return ChangeSpans(doc_id, remove, add, "delete", unlink=self._touching(doc_id, span))

    # ---- arguments -------------------------------------------------------------------------

    def add_argument(
        self, doc_id: str, trigger: Span, filler: Span, role: str
    ) -> ChangeSpans | None:
        """``filler`` plays ``role`` in the event ``trigger``. A trigger or filler that is only
        suggested is accepted in the same step. Refused (:class:`ArgumentError`) when the
        scheme does not give the trigger's label that role or the role not that filler label."""
        self._check_argument(trigger, filler, role)
        argument = Argument(trigger=trigger.key, role=role, filler=filler.key)
        if argument in self.arguments(doc_id):
            return None
        accept = tuple(
            _as(s, SpanStatus.ACCEPTED)
            for s in (trigger, filler)
            if s.status != SpanStatus.ACCEPTED
        )
        remove = tuple(s for s in (trigger, filler) if s.status == SpanStatus.REJECTED)
        return ChangeSpans(doc_id, remove, accept, f"add {role} argument", link=(argument,))

    def delete_argument(self, doc_id: str, argument: Argument) -> ChangeSpans | None:
        if argument not in self.arguments(doc_id):
            return None
        return ChangeSpans(doc_id, (), (), f"delete {argument.role} argument", unlink=(argument,))

    def change_role(self, doc_id: str, argument: Argument, role: str) -> ChangeSpans | None:
        """Give an argument another role (checked against the scheme like a new one)."""
        if role == argument.role:
            return None
        current = self.arguments(doc_id)
        if argument not in current:
            return None
        scheme = self.store.scheme
        scheme.check_argument(argument.trigger[2], role, argument.filler[2])
        new = argument.model_copy(update={"role": role})
        if new in current:  # the filler has that role already: just drop the old one
            return ChangeSpans(doc_id, (), (), f"role {role}", unlink=(argument,))
        return ChangeSpans(doc_id, (), (), f"role {role}", unlink=(argument,), link=(new,))

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

    def finish(self, doc_id: str, status: DocStatus) -> Finish:
        """Mark a document done or skipped and say where to go next. Only a document newly
        marked done is reported to the learning loop: finishing it again changes nothing."""
        command = self.set_status(doc_id, status)
        return Finish(
            command,
            report_done=command is not None and command.newly_done,
            next_doc=self.next_open(doc_id),
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
        return self.undo_stack.execute(command)

    def undo(self) -> Command | None:
        return self.undo_stack.undo()

    def redo(self) -> Command | None:
        return self.undo_stack.redo()

    @property
    def can_undo(self) -> bool:
        return self.undo_stack.can_undo

    @property
    def can_redo(self) -> bool:
        return self.undo_stack.can_redo

    # ---- write-through ---------------------------------------------------------------------

    def _write_spans(self, command: ChangeSpans) -> None:
        self._revisions[command.doc_id] = self.store.replace_decisions(
            command.doc_id,
            self.annotator,
            remove=command.remove,
            add=command.add,
            action=command.text,
            expected_revision=self._revisions.get(command.doc_id),
            unlink=command.unlink,
            link=command.link,
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
        return {s.key for s in self.suggestions(doc_id)}

    def _retire(self, doc_id: str, span: Span) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        """Take an accepted span away; if a model suggests the same span, reject it instead,
        so the suggestion does not come back."""
        if span.key in self._suggested_keys(doc_id):
            return (span,), (_as(span, SpanStatus.REJECTED),)
        return (span,), ()

    def _check_argument(self, trigger: Span, filler: Span, role: str) -> None:
        if trigger.key == filler.key:
            raise ArgumentError("a span cannot be an argument of itself")
        self.store.scheme.check_argument(trigger.label, role, filler.label)

    def _touching(self, doc_id: str, span: Span) -> tuple[Argument, ...]:
        """The arguments ``span`` is part of, as trigger or as filler."""
        if span.status != SpanStatus.ACCEPTED:
            return ()
        return tuple(a for a in self.arguments(doc_id) if span.key in (a.trigger, a.filler))

    def _carried(self, arguments: Sequence[Argument], old: Span, new: Span) -> tuple[Argument, ...]:
        """The arguments of ``old`` moved to ``new`` (a resized or relabelled span), those the
        scheme still allows with the new label; the others are dropped (undo brings them back)."""
        scheme = self.store.scheme
        out = []
        for a in arguments:
            moved = a.model_copy(
                update={
                    "trigger": new.key if a.trigger == old.key else a.trigger,
                    "filler": new.key if a.filler == old.key else a.filler,
                }
            )
            try:
                scheme.check_argument(moved.trigger[2], moved.role, moved.filler[2])
            except ArgumentError:
                continue
            if moved.trigger != moved.filler:
                out.append(moved)
        return tuple(out)

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
        unlink = self._touching(doc_id, span)
        if existing is not None and existing.key != span.key:
            unlink = (*unlink, *(a for a in self._touching(doc_id, existing) if a not in unlink))
        link = self._carried(self._touching(doc_id, span), span, new)
        if existing is not None and existing.key != span.key:
            link = (*link, *(a for a in self._touching(doc_id, existing) if a not in link))
        return ChangeSpans(doc_id, tuple(remove), (*add, new), text, unlink=unlink, link=link)


def most_uncertain(uncertainty: Mapping[str, float], candidates: Sequence[str]) -> str | None:
    """The candidate with the highest uncertainty (absent: 0); ties go to the earlier one."""
    best: tuple[float, int] | None = None
    chosen = None
    for place, doc_id in enumerate(candidates):
        rank = (-uncertainty.get(doc_id, 0.0), place)
        if best is None or rank < best:
            best, chosen = rank, doc_id
    return chosen


def spans_of_kind(spans: Sequence[Span], kind: SpanKind) -> list[Span]:
    return [s for s in spans if s.kind == kind]
