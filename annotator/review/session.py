"""What a reviewer does, as commands with inverses, in the style of :mod:`annotator.session`.

A :class:`ReviewSession` is one reviewer adjudicating a project. Builder methods (``take``,
``accept_variant``, ``reject_variant``, ``accept_agreements``, ``add``, ``relabel``, ``resize``,
``delete``, ``mark_reviewed``) return a command or None when nothing would change. A command
writes through to the gold tables in one transaction; its inverse undoes it the same way. The
annotators' decisions are only ever read.

Gold rows are *accepted* (in the gold version) or *rejected* (a variant the reviewer turned
down); a disagreement is resolved when every span of every variant has a gold row.

Gold writes are checked like the annotators' writes: the session remembers the document's *gold
revision* when it opens it (the number of gold entries in the project's history, so no column is
needed) and a write finding another number raises :class:`annotator.store.StaleEditError`
(another review window changed that gold version), nothing written.

The session is the review window's only door to the project: the queue, navigation and the
document's texts and states are read through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import StaleEditError
from annotator.model import (
    Argument,
    ArgumentError,
    Document,
    LabelScheme,
    Span,
    SpanError,
    SpanStatus,
    check_span,
)
from annotator.review.adjudicate import (
    Adjudication,
    AnyDisagreement,
    AnyVariant,
    ArgumentAdjudication,
    ArgumentDisagreement,
    ArgumentVariant,
    Disagreement,
    Key,
    Variant,
    load,
    load_arguments,
)
from annotator.review.queue import QueueAgreement, QueueSnapshot
from annotator.store import Store
from annotator.undo import UndoStack

AGREED = "agreed"
EDIT = "edit"


@dataclass(frozen=True)
class ChangeGold:
    """Remove some gold rows and add others, as one step: gold arguments in
    ``remove_arguments`` go first, the spans change, ``add_arguments`` come last."""

    doc_id: str
    remove: tuple[Span, ...]
    add: tuple[Span, ...]
    text: str
    remove_arguments: tuple[Argument, ...] = ()
    add_arguments: tuple[Argument, ...] = ()

    def apply(self, session: ReviewSession) -> None:
        session._checked_write(self.doc_id, lambda: self._write(session))

    def _write(self, session: ReviewSession) -> None:
        store, reviewer = session.store, session.reviewer
        if self.remove_arguments:
            store.replace_gold_arguments(
                self.doc_id, reviewer, remove=self.remove_arguments, action=self.text
            )
        if self.remove or self.add:
            store.replace_gold(
                self.doc_id, reviewer, remove=self.remove, add=self.add, action=self.text
            )
        if self.add_arguments:
            store.replace_gold_arguments(
                self.doc_id, reviewer, add=self.add_arguments, action=self.text
            )

    def inverse(self) -> ChangeGold:
        return ChangeGold(
            self.doc_id,
            self.add,
            self.remove,
            f"undo {self.text}",
            remove_arguments=self.add_arguments,
            add_arguments=self.remove_arguments,
        )


@dataclass(frozen=True)
class ChangeReview:
    """Mark a document's review finished ('reviewed') or open again ('todo')."""

    doc_id: str
    before: str
    after: str
    text: str

    def apply(self, session: ReviewSession) -> None:
        session._checked_write(
            self.doc_id,
            lambda: session.store.set_review_state(self.doc_id, session.reviewer, self.after),
        )

    def inverse(self) -> ChangeReview:
        return ChangeReview(self.doc_id, self.after, self.before, f"undo {self.text}")


ReviewCommand = ChangeGold | ChangeReview


def _as(span: Span, status: SpanStatus, source: str) -> Span:
    return span.model_copy(
        update={"status": status, "origin": source, "id": None, "score": None, "origin_version": ""}
    )


@dataclass
class ReviewSession:
    store: Store
    reviewer: str
    _revisions: dict[str, int] = field(default_factory=dict)  # gold revision per document
    # The session's own undo stack (not the project's audit log, which is Store.history()).
    undo_stack: UndoStack[ReviewCommand] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.undo_stack = UndoStack(self)

    # ---- reading ---------------------------------------------------------------------------

    @property
    def scheme(self) -> LabelScheme:
        return self.store.scheme

    @property
    def project_path(self) -> Path | None:
        return self.store.path

    def document(self, doc_id: str) -> Document:
        return self.store.document(doc_id)

    def review_status(self, doc_id: str) -> str:
        """'todo' or 'reviewed'."""
        return self.store.review_state(doc_id)[0]

    def reviewed(self) -> set[str]:
        """The documents whose review is finished."""
        return set(self.store.reviewed_documents())

    def is_reviewable(self, doc_id: str) -> bool:
        """Have two or more annotators marked the document done?"""
        return doc_id in self.store.documents_done_by()

    def nothing_to_review(self) -> str | None:
        return nothing_to_review(self.store)

    def first_to_review(self, queue: Sequence[str]) -> str | None:
        """The first document of the queue not reviewed yet, else the queue's first."""
        reviewed = self.reviewed()
        return next((d for d in queue if d not in reviewed), queue[0] if queue else None)

    def next_to_review(self, doc_id: str, queue: Sequence[str]) -> str | None:
        """The next document of the queue after ``doc_id`` not reviewed yet (wrapping)."""
        reviewed = self.reviewed()
        ids = list(queue)
        later = ids[ids.index(doc_id) + 1 :] + ids if doc_id in ids else ids
        return next((d for d in later if d not in reviewed), None)

    def update_queue(self, queue: QueueAgreement) -> QueueSnapshot | None:
        """Bring a queue's agreement figures up to date on this session's connection (the
        window's worker does the same on its own)."""
        return queue.update(self.store)

    def adjudication(self, doc_id: str) -> Adjudication:
        return load(self.store, doc_id)

    def gold(self, doc_id: str) -> list[Span]:
        """Gold rows of the document, accepted and rejected."""
        return self.store.gold_spans(doc_id, include_rejected=True)

    def open(self, doc_id: str) -> tuple[Adjudication, list[Span]]:
        """Adjudicate a document; the first time, write its agreed spans into gold, and the
        arguments every annotator made (pre-accept).

        The pre-acceptance is not an undo step: it is where the review starts from; a project
        opened read-only gets none. Opening remembers the document's gold revision for the
        conflict check of the next write.
        """
        adj = self.adjudication(doc_id)
        self._revisions[doc_id] = self.gold_revision(doc_id)
        gold = self.gold(doc_id)
        # a project opened read-only (a screenshot) is shown as it is: nothing pre-accepted
        todo = self.review_status(doc_id) == "todo" and not self.store.read_only
        if not gold and adj.agreed and todo:
            ChangeGold(
                doc_id,
                (),
                tuple(_as(s, SpanStatus.ACCEPTED, AGREED) for s in adj.agreed),
                "pre-accept agreements",
            ).apply(self)
            gold = self.gold(doc_id)
        if todo and not self.gold_arguments(doc_id):
            agreed = self.accept_agreed_arguments(doc_id)
            if agreed is not None:
                agreed.apply(self)
                gold = self.gold(doc_id)
        return adj, gold

    def gold_revision(self, doc_id: str) -> int:
        """How many times the document's gold version or review state was written: every gold
        write appends one ``gold: …`` entry to the project's history."""
        entries = self.store.history(doc_id)
        return sum(1 for entry in entries if entry["action"].startswith("gold: "))

    def is_resolved(self, disagreement: Disagreement, gold: Iterable[Span]) -> bool:
        decided = {g.key for g in gold}
        return disagreement.keys <= decided

    def resolved(
        self, disagreement: AnyDisagreement, gold: Iterable[Span], arguments: Iterable[Argument]
    ) -> bool:
        """Is a span or argument disagreement resolved by these gold spans and arguments?"""
        if isinstance(disagreement, ArgumentDisagreement):
            return self.argument_resolved(disagreement, arguments)
        return self.is_resolved(disagreement, gold)

    def chosen_variant(
        self, disagreement: AnyDisagreement, gold: Iterable[Span], arguments: Iterable[Argument]
    ) -> AnyVariant | None:
        """The variant gold holds exactly, of a span or an argument disagreement."""
        if isinstance(disagreement, ArgumentDisagreement):
            accepted = {
                a.key for a in arguments if a.status == SpanStatus.ACCEPTED
            } & disagreement.keys
            return next((v for v in disagreement.variants if v.keys == accepted), None)
        return self.chosen(disagreement, gold)

    def unresolved(self, adj: Adjudication, gold: Sequence[Span]) -> list[Disagreement]:
        return [d for d in adj.disagreements if not self.is_resolved(d, gold)]

    def chosen(self, disagreement: Disagreement, gold: Iterable[Span]) -> Variant | None:
        """The variant whose spans are exactly the accepted gold spans among the region's."""
        accepted = {g.key for g in gold if g.status == SpanStatus.ACCEPTED} & disagreement.keys
        for v in disagreement.variants:
            if v.keys == accepted:
                return v
        return None

    # ---- building commands -----------------------------------------------------------------

    def take(
        self, doc_id: str, disagreement: AnyDisagreement, annotator: str
    ) -> ChangeGold | None:
        """Gold there becomes what ``annotator`` marked (their spans, or their arguments of that
        event, in; the others' out)."""
        if isinstance(disagreement, ArgumentDisagreement):
            return self.take_arguments(doc_id, disagreement, annotator)
        variant = disagreement.variant_of(annotator)
        if variant is None:
            return None
        return self._take(doc_id, disagreement, variant, f"take {annotator}'s variant")

    def accept_variant(
        self, doc_id: str, disagreement: AnyDisagreement, variant: AnyVariant
    ) -> ChangeGold | None:
        """Accept a variant's spans (or arguments) into gold; accepting "nothing" rejects
        every span (argument) there."""
        if isinstance(disagreement, ArgumentDisagreement):
            assert isinstance(variant, ArgumentVariant)
            return self.accept_argument_variant(doc_id, disagreement, variant)
        assert isinstance(variant, Variant)
        if not variant.spans:
            return self._take(doc_id, disagreement, variant, "accept: nothing there")
        return self._change(
            doc_id, [_as(s, SpanStatus.ACCEPTED, variant.source) for s in variant.spans], "accept"
        )

    def reject_variant(self, doc_id: str, variant: AnyVariant) -> ChangeGold | None:
        if isinstance(variant, ArgumentVariant):
            turned = [
                a.model_copy(update={"status": SpanStatus.REJECTED, "origin": variant.source})
                for a in variant.arguments
            ]
            return self._arguments(doc_id, (), turned, "reject argument variant")
        return self._change(
            doc_id, [_as(s, SpanStatus.REJECTED, variant.source) for s in variant.spans], "reject"
        )

    def accept_agreements(self, doc_id: str) -> ChangeGold | None:
        adj = self.adjudication(doc_id)
        return self._change(
            doc_id, [_as(s, SpanStatus.ACCEPTED, AGREED) for s in adj.agreed], "accept agreements"
        )

    def add(self, doc_id: str, start: int, end: int, label: str) -> ChangeGold | None:
        return self._change(doc_id, [self._new(doc_id, start, end, label)], f"add {label}")

    def relabel(self, doc_id: str, span: Span, label: str) -> ChangeGold | None:
        if label == span.label and span.status == SpanStatus.ACCEPTED:
            return None
        return self._replace(doc_id, span, span.start, span.end, label, f"relabel as {label}")

    def resize(self, doc_id: str, span: Span, start: int, end: int) -> ChangeGold | None:
        if (start, end) == (span.start, span.end):
            return None
        return self._replace(doc_id, span, start, end, span.label, "resize")

    def delete(self, doc_id: str, span: Span) -> ChangeGold | None:
        """Take a span out of gold: a span some annotator marked stays as rejected (so its
        disagreement stays resolved); a span only the reviewer drew goes away."""
        row = self._rows(doc_id).get(span.key)
        if row is None:
            return None
        if row.status == SpanStatus.REJECTED:
            return ChangeGold(doc_id, (row,), (), "undecide")
        touching = tuple(
            a for a in self.store.gold_arguments(doc_id) if span.key in (a.trigger, a.filler)
        )
        if span.key in self._annotated_keys(doc_id):
            return ChangeGold(
                doc_id,
                (row,),
                (_as(row, SpanStatus.REJECTED, row.origin),),
                "delete",
                remove_arguments=touching,
            )
        return ChangeGold(doc_id, (row,), (), "delete", remove_arguments=touching)

    # ---- arguments -------------------------------------------------------------------------

    def argument_adjudication(self, doc_id: str) -> ArgumentAdjudication:
        return load_arguments(self.store, doc_id)

    def suggested_arguments(self, doc_id: str) -> list[Argument]:
        """Nothing: a reviewer chooses among the annotators' arguments (shown pending) and
        adds any by keys; no argument is proposed to them."""
        return []

    def gold_arguments(self, doc_id: str) -> list[Argument]:
        """Gold arguments of the document, accepted and rejected."""
        return self.store.gold_arguments(doc_id, include_rejected=True)

    def argument_resolved(
        self, disagreement: ArgumentDisagreement, gold: Iterable[Argument]
    ) -> bool:
        return disagreement.keys <= {g.key for g in gold}

    def unresolved_arguments(self, doc_id: str) -> list[ArgumentDisagreement]:
        gold = self.gold_arguments(doc_id)
        return [
            d
            for d in self.argument_adjudication(doc_id).disagreements
            if not self.argument_resolved(d, gold)
        ]

    def accept_agreed_arguments(self, doc_id: str) -> ChangeGold | None:
        """Every argument all annotators agree on into gold (with its spans, if needed)."""
        adj = self.argument_adjudication(doc_id)
        return self._arguments(
            doc_id,
            [a.model_copy(update={"origin": AGREED}) for a in adj.agreed],
            (),
            "accept agreed arguments",
        )

    def take_arguments(
        self, doc_id: str, disagreement: ArgumentDisagreement, annotator: str
    ) -> ChangeGold | None:
        variant = disagreement.variant_of(annotator)
        if variant is None:
            return None
        return self.accept_argument_variant(doc_id, disagreement, variant)

    def accept_argument_variant(
        self, doc_id: str, disagreement: ArgumentDisagreement, variant: ArgumentVariant
    ) -> ChangeGold | None:
        """Gold there becomes the variant's arguments; the other variants' are turned down."""
        keep = variant.keys
        wanted = [a.model_copy(update={"origin": variant.source}) for a in variant.arguments]
        rejected = [
            a.model_copy(update={"status": SpanStatus.REJECTED, "origin": other.source})
            for other in disagreement.variants
            for a in other.arguments
            if a.key not in keep
        ]
        return self._arguments(
            doc_id, wanted, rejected, "take argument variant", source=variant.source
        )

    def add_argument(
        self, doc_id: str, trigger: Span, filler: Span, role: str
    ) -> ChangeGold | None:
        if trigger.key == filler.key:
            raise ArgumentError("a span cannot be an argument of itself")
        self.store.scheme.check_argument(trigger.label, role, filler.label)
        new = Argument(trigger=trigger.key, role=role, filler=filler.key, origin=EDIT)
        return self._arguments(doc_id, [new], (), f"add {role} argument", spans=(trigger, filler))

    def delete_argument(self, doc_id: str, argument: Argument) -> ChangeGold | None:
        """Take an argument out of gold: one an annotator made stays as turned down."""
        row = {a.key: a for a in self.gold_arguments(doc_id)}.get(argument.key)
        if row is None:
            return None
        if row.status == SpanStatus.REJECTED:
            return ChangeGold(doc_id, (), (), "undecide argument", remove_arguments=(row,))
        annotated = {a.key for args in _done_arguments(self, doc_id) for a in args}
        if row.key in annotated:
            turned = row.model_copy(update={"status": SpanStatus.REJECTED})
            return ChangeGold(
                doc_id, (), (), "delete argument", remove_arguments=(row,), add_arguments=(turned,)
            )
        return ChangeGold(doc_id, (), (), "delete argument", remove_arguments=(row,))

    def change_role(self, doc_id: str, argument: Argument, role: str) -> ChangeGold | None:
        if role == argument.role:
            return None
        self.store.scheme.check_argument(argument.trigger[2], role, argument.filler[2])
        retire = self.delete_argument(doc_id, argument)
        if retire is None:
            return None
        new = argument.model_copy(
            update={"role": role, "origin": EDIT, "status": SpanStatus.ACCEPTED}
        )
        rows = {a.key: a for a in self.gold_arguments(doc_id)}
        remove = list(retire.remove_arguments)
        if new.key in rows:
            remove.append(rows[new.key])
        return ChangeGold(
            doc_id,
            (),
            (),
            f"role {role}",
            remove_arguments=tuple(remove),
            add_arguments=(*retire.add_arguments, new),
        )

    def mark_reviewed(self, doc_id: str, *, reviewed: bool = True) -> ChangeReview | None:
        before = self.store.review_state(doc_id)[0]
        after = "reviewed" if reviewed else "todo"
        if before == after:
            return None
        return ChangeReview(doc_id, before, after, "mark reviewed" if reviewed else "reopen")

    # ---- running commands ------------------------------------------------------------------

    def apply(self, command: ReviewCommand) -> None:
        """Write one command through (no undo bookkeeping: the GUI's stack does that)."""
        command.apply(self)

    def execute(self, command: ReviewCommand | None) -> bool:
        """Apply a command and put it on this session's own undo stack."""
        return self.undo_stack.execute(command)

    def undo(self) -> ReviewCommand | None:
        return self.undo_stack.undo()

    def redo(self) -> ReviewCommand | None:
        return self.undo_stack.redo()

    # ---- write-through ---------------------------------------------------------------------

    def _checked_write(self, doc_id: str, write: Callable[[], None]) -> None:
        """Run one gold write in a transaction, if the gold revision is still the one this
        session read; remember the new revision."""
        with self.store.transaction():
            found = self.gold_revision(doc_id)
            expected = self._revisions.get(doc_id)
            if expected is not None and found != expected:
                raise StaleEditError(
                    f"{doc_id}: its gold version was changed elsewhere (revision {found}, this "
                    f"window had {expected}); reload it"
                )
            write()
            self._revisions[doc_id] = self.gold_revision(doc_id)

    # ---- helpers ---------------------------------------------------------------------------

    def _rows(self, doc_id: str) -> dict[Key, Span]:
        return {g.key: g for g in self.gold(doc_id)}

    def _annotated_keys(self, doc_id: str) -> set[Key]:
        adj = self.adjudication(doc_id)
        return {s.key for s in adj.agreed} | {k for d in adj.disagreements for k in d.keys}

    def _change(self, doc_id: str, wanted: Sequence[Span], text: str) -> ChangeGold | None:
        """Set gold rows to ``wanted`` (status and source); existing rows go into ``remove`` so
        that the inverse restores them exactly."""
        rows = self._rows(doc_id)
        remove: list[Span] = []
        add: list[Span] = []
        for span in wanted:
            old = rows.get(span.key)
            if old is not None and old.status == span.status:
                continue
            if old is not None:
                remove.append(old)
            add.append(span)
        if not add:
            return None
        return ChangeGold(doc_id, tuple(remove), tuple(add), text)

    def _arguments(
        self,
        doc_id: str,
        accept: Sequence[Argument],
        reject: Sequence[Argument],
        text: str,
        *,
        spans: Sequence[Span] = (),
        source: str = EDIT,
    ) -> ChangeGold | None:
        """Set gold arguments (accepted ones bring their spans into gold if they are not there:
        from ``spans``, or from the annotators' spans of that key)."""
        rows = {a.key: a for a in self.gold_arguments(doc_id)}
        remove: list[Argument] = []
        add: list[Argument] = []
        for argument in [*accept, *reject]:
            old = rows.get(argument.key)
            if old is not None and old.status == argument.status:
                continue
            if old is not None:
                remove.append(old)
            add.append(argument)
        if not add:
            return None
        gold_spans = self._rows(doc_id)
        known = {s.key: s for s in spans}
        for args in _done_spans(self, doc_id):
            for s in args:
                known.setdefault(s.key, s)
        span_remove: list[Span] = []
        span_add: list[Span] = []
        for argument in add:
            if argument.status != SpanStatus.ACCEPTED:
                continue
            for key in (argument.trigger, argument.filler):
                row = gold_spans.get(key)
                if row is not None and row.status == SpanStatus.ACCEPTED:
                    continue
                if key in {s.key for s in span_add}:
                    continue
                span = known.get(key)
                if span is None:
                    raise ArgumentError(f"argument {argument.role!r}: no span {key} to put in gold")
                if row is not None:
                    span_remove.append(row)
                span_add.append(_as(span, SpanStatus.ACCEPTED, source))
        return ChangeGold(
            doc_id,
            tuple(span_remove),
            tuple(span_add),
            text,
            remove_arguments=tuple(remove),
            add_arguments=tuple(add),
        )

    def _take(
        self, doc_id: str, disagreement: Disagreement, variant: Variant, text: str
    ) -> ChangeGold | None:
        keep = variant.keys
        wanted = [_as(s, SpanStatus.ACCEPTED, variant.source) for s in variant.spans]
        for other in disagreement.variants:
            wanted += [
                _as(s, SpanStatus.REJECTED, other.source) for s in other.spans if s.key not in keep
            ]
        return self._change(doc_id, wanted, text)

    def _new(self, doc_id: str, start: int, end: int, label: str) -> Span:
        scheme = self.store.scheme
        if not 0 <= start < end:
            # A SpanError like every other span that does not fit (the window shows it), as in
            # Session, not pydantic's ValidationError (which the window raises as a bug).
            raise SpanError(f"span {start}-{end}: the start must be before the end, from 0")
        span = Span(
            start=start,
            end=end,
            label=label,
            kind=scheme.kind_of(label),
            status=SpanStatus.ACCEPTED,
            origin=EDIT,
        )
        check_span(span, self.store.document(doc_id).text, scheme)
        return span

    def _replace(
        self, doc_id: str, span: Span, start: int, end: int, label: str, text: str
    ) -> ChangeGold | None:
        new = self._new(doc_id, start, end, label)
        retire = self.delete(doc_id, span)
        remove = list(retire.remove) if retire else []
        add = [a for a in retire.add] if retire else []
        old = self._rows(doc_id).get(new.key)
        if old is not None and old.key != span.key:
            remove.append(old)
        add.append(new)
        return ChangeGold(doc_id, tuple(remove), tuple(add), text)


def _done_arguments(session: ReviewSession, doc_id: str) -> list[list[Argument]]:
    from annotator.review.adjudicate import done_arguments

    return list(done_arguments(session.store, doc_id).values())


def _done_spans(session: ReviewSession, doc_id: str) -> list[list[Span]]:
    from annotator.review.adjudicate import done_work

    return list(done_work(session.store, doc_id).values())


def nothing_to_review(store: Store) -> str | None:
    """What to do to get something to review, or None when the review queue has documents."""
    if store.documents_done_by():
        return None
    from annotator.model import DocStatus

    done = {name: store.status_counts(name)[DocStatus.DONE] for name in store.annotators()}
    done_text = ", ".join(f"{name} {n}" for name, n in done.items() if n) or "nobody yet"
    return (
        "Nothing to review yet: documents appear here once two annotators have marked them "
        "done.\n\n"
        f"This project has {store.count_documents()} document(s); marked done by: {done_text}.\n\n"
        "To get something to review:\n"
        "  • import a colleague's project file:\n"
        "        annotator merge THEIR_PROJECT.db\n"
        "  • or a colleague's annotations as a file (JSONL, CoNLL…):\n"
        "        annotator import FILE --annotator NAME --done\n"
        "  • or annotate the same documents under a second name (in the annotate window: "
        "Ctrl+Shift+N) and mark them done (Ctrl+Return)."
    )
