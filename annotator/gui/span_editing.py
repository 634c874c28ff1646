"""The span-editing controller both windows use: select, step, add, relabel, grow/shrink, delete,
the arguments of an event, each edit pushed as one undo step with the stale-edit handling.

It is parametrised by the window's document model (:class:`annotator.gui.document.DocumentModel`),
whose ``session`` builds the edits: a :class:`annotator.session.Session` in the annotate window,
a :class:`annotator.review.session.ReviewSession` in the review window. Both sessions answer the
same builder calls (``add``, ``relabel``, ``resize``, ``delete``), so the rules of a keypress are
written once. Errors a person causes (a span off the text, an unknown label) are shown in the
status bar; anything else is a bug and is raised.

Arguments are edited in one mode (:class:`ArgumentMode`): with an event selected, A starts it;
J/K (or a click) choose the filler among the entities the event's roles allow, a role key (from
the scheme) gives the chosen filler that role (a new argument, or another role for one it has),
Delete takes the chosen filler's argument away, Escape ends the mode and selects the event
again. The session's suggested arguments of the event are shown as proposals (dashed arcs):
Return or Space gives the chosen filler its proposed role and moves on to the next proposal,
X skips to the next proposal. While the mode is on, role keys (and those four) reach the
controller before any shortcut (:meth:`SpanEditor.catch_keys`), so a role key may be a letter a
label or an action uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack

from annotator.errors import StaleEditError, UserError
from annotator.gui import interaction
from annotator.gui.commands import Edit, UndoStep
from annotator.gui.document import DocumentModel, Key
from annotator.model import Argument, Role, Span, SpanKind, SpanStatus

# What a person can cause with a keypress (a span or argument that cannot be, a project that
# cannot take the edit): told in the status bar, never raised. A stale edit reloads instead.
USER_ERRORS: tuple[type[Exception], ...] = (UserError,)

MOVES = ("grow_start", "shrink_start", "grow_end", "shrink_end")


class EditingSession(Protocol):
    """The builder calls the controller makes; both sessions have them."""

    def add(self, doc_id: str, start: int, end: int, label: str) -> Any: ...
    def relabel(self, doc_id: str, span: Span, label: str) -> Any: ...
    def resize(self, doc_id: str, span: Span, start: int, end: int) -> Any: ...
    def delete(self, doc_id: str, span: Span) -> Any: ...
    def add_argument(self, doc_id: str, trigger: Span, filler: Span, role: str) -> Any: ...
    def delete_argument(self, doc_id: str, argument: Argument) -> Any: ...
    def change_role(self, doc_id: str, argument: Argument, role: str) -> Any: ...
    def suggested_arguments(self, doc_id: str) -> list[Argument]: ...


class TextSelection(Protocol):
    """The article view's side: the selected text, in code points, and the argument mode."""

    def selection_offsets(self) -> tuple[int, int] | None: ...
    def clear_text_selection(self) -> None: ...
    def show_arguing(
        self, trigger: Key | None, filler: Key | None, proposed: tuple[Argument, ...] = ()
    ) -> None: ...


@dataclass(frozen=True)
class ArgumentMode:
    """Adding arguments to the event ``trigger``: ``candidates`` are the spans its roles allow
    (in reading order), ``chosen`` the index of the filler J/K and clicks have chosen."""

    trigger: Key
    roles: tuple[Role, ...]
    candidates: tuple[Key, ...]
    chosen: int
    proposed: tuple[Argument, ...] = ()  # suggested arguments of the event not made yet

    @property
    def filler(self) -> Key:
        return self.candidates[self.chosen]

    def proposals(self, filler: Key) -> list[str]:
        """The roles proposed for ``filler``."""
        return [a.role for a in self.proposed if a.filler == filler]

    def next_proposed(self, after: int) -> int | None:
        """The next candidate after index ``after`` with a proposal (wrapping), if any."""
        n = len(self.candidates)
        for step in range(1, n + 1):
            i = (after + step) % n
            if self.proposals(self.candidates[i]):
                return i
        return None

    def role_for(self, char: str) -> Role | None:
        return next((r for r in self.roles if r.key.lower() == char.lower()), None)

    def role_for_name(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)

    def keys_text(self) -> str:
        return " · ".join(f"{r.key} {r.name}" for r in self.roles)


def _overlap(a: Key, b: Key) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def argument_candidates(spans: list[Span], trigger: Span, roles: tuple[Role, ...]) -> list[Key]:
    """The spans that may fill some role of ``trigger`` (an entity, not rejected, not
    overlapping the trigger, with a label some role allows), in reading order."""
    allowed: set[str] | None = set()
    for role in roles:
        if not role.fillers:
            allowed = None  # a role any entity may fill
            break
        assert allowed is not None
        allowed.update(role.fillers)
    return [
        s.key
        for s in spans
        if s.kind == SpanKind.ENTITY
        and s.status != SpanStatus.REJECTED
        and not _overlap(s.key, trigger.key)
        and (allowed is None or s.label in allowed)
    ]


class _KeyCatcher(QObject):
    """Gives role keys to the controller while the argument mode is on, before any shortcut."""

    def __init__(self, editor: SpanEditor) -> None:
        super().__init__()
        self.editor = editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
            event, QKeyEvent
        ):
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            key = PROPOSAL_KEYS.get(Qt.Key(event.key()))
            if plain and (key is not None and self.editor.mode is not None):
                if kind == QEvent.Type.ShortcutOverride:
                    event.accept()
                elif key == "accept":
                    self.editor.accept_proposal()
                else:
                    self.editor.skip_proposal()
                return True
            if plain and self.editor.wants_key(event.text()):
                if kind == QEvent.Type.ShortcutOverride:
                    event.accept()  # no shortcut: the key comes as a key press
                else:
                    self.editor.role_key(event.text())
                return True
        return False


# The keys that answer a proposal while adding arguments (before accept and reject see them).
PROPOSAL_KEYS = {
    Qt.Key.Key_Return: "accept",
    Qt.Key.Key_Enter: "accept",
    Qt.Key.Key_Space: "accept",
    Qt.Key.Key_X: "skip",
}


class SpanEditor(QObject):
    mode_changed = Signal()  # the argument mode started, ended, or chose another filler

    def __init__(
        self,
        document: DocumentModel,
        article: TextSelection,
        undo_stack: QUndoStack,
        *,
        message: Callable[[str], None],
        snapping: Callable[[], bool],
    ) -> None:
        super().__init__()
        self.document = document
        self.article = article
        self.undo_stack = undo_stack
        self.message = message
        self.snapping = snapping
        self.mode: ArgumentMode | None = None
        self._choosing = False  # the controller itself moves the selection
        self._catcher = _KeyCatcher(self)
        document.selection_changed.connect(self._on_selection_changed)
        document.loaded.connect(self.end_arguments)
        document.spans_changed.connect(self._on_spans_changed)
        document.arguments_changed.connect(self._on_arguments_changed)

    @property
    def session(self) -> EditingSession:
        session: EditingSession = self.document.session
        return session

    # ---- pushing edits -------------------------------------------------------------------------

    def push(self, command: Edit | None, *, select: Key | None = None) -> bool:
        """Push one edit as an undo step (written through at once); None changes nothing."""
        if command is None:
            return False
        self.undo_stack.push(
            UndoStep(
                self.document,
                command,
                select_after=select,
                select_before=self.document.selected,
                on_conflict=self.on_conflict,
            )
        )
        return True

    def build(self, make: Callable[[], Edit | None], *, select: Key | None = None) -> bool:
        """Build an edit and push it; a user error goes to the status bar."""
        try:
            command = make()
        except StaleEditError as exc:
            self.on_conflict(exc)
            return False
        except USER_ERRORS as exc:
            self.message(str(exc))
            return False
        return self.push(command, select=select)

    def on_conflict(self, exc: StaleEditError) -> None:
        interaction.current().show_error("Changed elsewhere", f"{exc}\n\nThe document is reloaded.")
        self.document.reload()

    # ---- selecting -----------------------------------------------------------------------------

    def step(self, delta: int) -> None:
        if self.mode is not None:
            mode = self.mode
            self._choose(replace(mode, chosen=(mode.chosen + delta) % len(mode.candidates)))
            return
        self.document.step(delta)

    def click(self, key: Key) -> None:
        """A span clicked: in the argument mode a candidate becomes the chosen filler."""
        if self.mode is not None and key in self.mode.candidates:
            self._choose(replace(self.mode, chosen=self.mode.candidates.index(key)))
            return
        self.document.select(key)

    def deselect(self) -> None:
        if self.mode is not None:
            trigger = self.mode.trigger
            self.end_arguments()
            self.document.select(trigger)
            return
        self.article.clear_text_selection()
        self.document.select(None)

    # ---- editing the selected span or text ------------------------------------------------------

    def label(self, name: str) -> bool:
        """A text selection becomes a span of ``name`` (snapped to tokens when snapping is on);
        else the selected span is relabelled."""
        doc_id = self.document.doc_id
        if doc_id is None:
            return False
        if self.mode is not None:
            role = self.mode.role_for(self._label_key(name))
            if role is not None:  # a label key that is also one of the event's role keys
                return self.role_key(role.key)
            self.end_arguments()
        selection = self.article.selection_offsets()
        if selection is not None:
            start, end = selection
            if self.snapping():
                snapped = self.document.tokens().snap(start, end)
                if snapped is None:
                    self.message("The selection holds no word.")
                    return False
                start, end = snapped
            elif not self.document.text[start:end].strip():
                self.message("The selection holds no text.")
                return False
            self.article.clear_text_selection()
            return self.build(
                lambda: self.session.add(doc_id, start, end, name), select=(start, end, name)
            )
        span = self.document.selected_span
        if span is None:
            self.message(
                "Select text (mouse or Shift+arrows) or a span first, then press a label key."
            )
            return False
        return self.build(
            lambda: self.session.relabel(doc_id, span, name), select=(span.start, span.end, name)
        )

    def resize(self, move: str) -> bool:
        """Move one edge of the selected span by a token (one of :data:`MOVES`)."""
        span, doc_id = self.document.selected_span, self.document.doc_id
        if span is None or doc_id is None:
            return False
        start, end = getattr(self.document.tokens(), move)(span.start, span.end)
        return self.build(
            lambda: self.session.resize(doc_id, span, start, end), select=(start, end, span.label)
        )

    def delete(self) -> bool:
        if self.mode is not None:
            return self.delete_argument()
        span, doc_id = self.document.selected_span, self.document.doc_id
        if span is None or doc_id is None:
            return False
        return self.build(lambda: self.session.delete(doc_id, span))

    # ---- arguments -------------------------------------------------------------------------------

    def start_arguments(self, *, filler: Key | None = None) -> bool:
        """Start the argument mode on the selected event (choosing ``filler`` if given, else
        the nearest candidate that is no argument of it yet)."""
        if self.mode is not None and filler is None:
            return True
        trigger = self.document.selected_span
        if self.mode is not None:
            trigger = self.document.span(self.mode.trigger)
        if trigger is None or trigger.kind != SpanKind.EVENT:
            self.message("Select an event first (J/K), then press A to add an argument.")
            return False
        roles = self.document.session.scheme.roles_of(trigger.label)
        if not roles:
            self.message(f"{trigger.label} has no roles in the label scheme: no arguments.")
            return False
        candidates = argument_candidates(self.document.spans, trigger, roles)
        if not candidates:
            self.message(f"No span here may fill a role of {trigger.label}.")
            return False
        proposed = self._proposed(trigger.key, candidates)
        if filler is not None and filler in candidates:
            chosen = candidates.index(filler)
        else:
            taken = {a.filler for a in self.document.arguments_of(trigger.key)}
            offered = {a.filler for a in proposed}
            free = (
                [i for i, k in enumerate(candidates) if k in offered]
                or [i for i, k in enumerate(candidates) if k not in taken]
                or list(range(len(candidates)))
            )
            chosen = min(free, key=lambda i: abs(candidates[i][0] - trigger.start))
        self.article.clear_text_selection()
        self._choose(ArgumentMode(trigger.key, roles, tuple(candidates), chosen, proposed))
        return True

    def _proposed(self, trigger: Key, candidates: list[Key]) -> tuple[Argument, ...]:
        """The session's suggested arguments of ``trigger`` whose filler is a candidate and no
        argument of it yet."""
        doc_id = self.document.doc_id
        if doc_id is None:
            return ()
        made = {a.filler for a in self.document.arguments_of(trigger)}
        allowed = set(candidates)
        return tuple(
            a
            for a in self.session.suggested_arguments(doc_id)
            if a.trigger == trigger and a.filler in allowed and a.filler not in made
        )

    def accept_proposal(self) -> bool:
        """Give the chosen filler its proposed role, then choose the next proposal."""
        mode = self.mode
        if mode is None:
            return False
        roles = mode.proposals(mode.filler)
        if len(roles) != 1:
            self.message(
                "Nothing proposed for this span: press a role key (" + mode.keys_text() + ")"
                if not roles
                else f"Proposed: {' or '.join(roles)}; press its role key."
            )
            return False
        role = mode.role_for_name(roles[0])
        if role is None or not self.role_key(role.key):
            return False
        if self.mode is not None:
            nxt = self.mode.next_proposed(self.mode.chosen)
            if nxt is not None:
                self._choose(replace(self.mode, chosen=nxt))
        return True

    def skip_proposal(self) -> bool:
        """Leave the chosen filler's proposal and choose the next one."""
        mode = self.mode
        if mode is None:
            return False
        nxt = mode.next_proposed(mode.chosen)
        if nxt is None or nxt == mode.chosen:
            self.message("No other proposal for this event.")
            return False
        self._choose(replace(mode, chosen=nxt))
        return True

    def choose_argument(self, argument: Argument) -> bool:
        """An argument chosen in the span list: the mode on its trigger with its filler."""
        if self.document.span(argument.trigger) is None:
            return False
        if self.mode is None or self.mode.trigger != argument.trigger:
            self.end_arguments()
            self._choosing = True
            try:
                self.document.select(argument.trigger)
            finally:
                self._choosing = False
        return self.start_arguments(filler=argument.filler)

    def end_arguments(self) -> None:
        if self.mode is not None:
            self.mode = None
            self.article.show_arguing(None, None)
            self.mode_changed.emit()

    def wants_key(self, char: str) -> bool:
        """Is ``char`` a role key of the event whose arguments are being edited?"""
        return self.mode is not None and len(char) == 1 and self.mode.role_for(char) is not None

    def role_key(self, char: str) -> bool:
        """Give the chosen filler the role of key ``char``: a new argument, or another role for
        the argument it has."""
        mode, doc_id = self.mode, self.document.doc_id
        if mode is None or doc_id is None:
            return False
        role = mode.role_for(char)
        trigger, filler = self.document.span(mode.trigger), self.document.span(mode.filler)
        if role is None or trigger is None or filler is None:
            return False
        mine = [a for a in self.document.arguments_of(mode.trigger) if a.filler == filler.key]
        if any(a.role == role.name and a.status != SpanStatus.REJECTED for a in mine):
            self.message(f"{filler.label} «{self._covered(filler)}» is the {role.name} already.")
            return False
        live = [a for a in mine if a.status == SpanStatus.ACCEPTED]
        if live:
            old = live[0]
            made = self.build(
                lambda: self.session.change_role(doc_id, old, role.name), select=filler.key
            )
        else:
            made = self.build(
                lambda: self.session.add_argument(doc_id, trigger, filler, role.name),
                select=filler.key,
            )
        if made:
            self.message(
                f"{role.name}: {filler.label} «{self._covered(filler)}» · J/K another filler, "
                "Escape ends"
            )
        return made

    def delete_argument(self) -> bool:
        """Take the chosen filler's argument of the event away (its spans stay)."""
        mode, doc_id = self.mode, self.document.doc_id
        if mode is None or doc_id is None:
            return False
        mine = [
            a
            for a in self.document.arguments_of(mode.trigger)
            if a.filler == mode.filler and a.status == SpanStatus.ACCEPTED
        ]
        if not mine:
            self.message("The chosen span is no argument of this event (J/K choose another).")
            return False
        argument = mine[0]
        return self.build(
            lambda: self.session.delete_argument(doc_id, argument), select=argument.filler
        )

    def catch_keys(self, widget: QObject) -> None:
        """Let ``widget`` (the article, the span list) give role keys to this controller while
        the argument mode is on."""
        widget.installEventFilter(self._catcher)

    def _choose(self, mode: ArgumentMode) -> None:
        self.mode = mode
        self._choosing = True
        try:
            self.document.select(mode.filler)
        finally:
            self._choosing = False
        self.article.show_arguing(mode.trigger, mode.filler, mode.proposed)
        trigger = self.document.span(mode.trigger)
        filler = self.document.span(mode.filler)
        if trigger is not None and filler is not None:
            roles = [
                a.role
                for a in self.document.arguments_of(mode.trigger)
                if a.filler == filler.key and a.status != SpanStatus.REJECTED
            ]
            now = f" (now: {', '.join(roles)})" if roles else ""
            offer = mode.proposals(filler.key)
            if offer and not roles:
                now = f" (proposed: {' or '.join(offer)}; Return takes it, X the next)"
            self.message(
                f"Argument of {trigger.label} «{self._covered(trigger)}»: "
                f"{filler.label} «{self._covered(filler)}»{now} · {mode.keys_text()} · "
                "J/K another span · Delete removes · Escape ends"
            )
        self.mode_changed.emit()

    def _covered(self, span: Span) -> str:
        text = span.covered(self.document.text).replace("\n", " ")
        return text if len(text) <= 40 else text[:39] + "…"

    def _label_key(self, name: str) -> str:
        label = self.document.session.scheme.get(name)
        return label.key if label is not None else ""

    def _on_selection_changed(self) -> None:
        mode = self.mode
        if mode is not None and not self._choosing and self.document.selected != mode.filler:
            self.end_arguments()  # the selection went elsewhere (a click, accept, undo…)

    def _on_arguments_changed(self) -> None:
        mode = self.mode
        if mode is None:
            return
        self.mode = replace(mode, proposed=self._proposed(mode.trigger, list(mode.candidates)))
        self.article.show_arguing(mode.trigger, mode.filler, self.mode.proposed)

    def _on_spans_changed(self, rows: list[int] | None) -> None:
        mode = self.mode
        if mode is None or rows is not None:
            return  # only statuses changed: the same spans, the same candidates
        trigger = self.document.span(mode.trigger)
        if trigger is None:
            self.end_arguments()
            return
        candidates = argument_candidates(self.document.spans, trigger, mode.roles)
        if mode.filler not in candidates:
            self.end_arguments()
            return
        self.mode = replace(
            mode,
            candidates=tuple(candidates),
            chosen=candidates.index(mode.filler),
            proposed=self._proposed(mode.trigger, candidates),
        )


class SpanActions:
    """The slots of the span actions both windows have (the action table calls ``do_<name>``),
    all handed to the window's :class:`SpanEditor`."""

    editor: SpanEditor

    def do_next_span(self) -> None:
        self.editor.step(+1)

    def do_prev_span(self) -> None:
        self.editor.step(-1)

    def do_deselect(self) -> None:
        self.editor.deselect()

    def do_label(self, name: str) -> None:
        self.editor.label(name)

    def do_delete(self) -> None:
        self.editor.delete()

    def do_add_argument(self) -> None:
        self.editor.start_arguments()

    def do_grow_start(self) -> None:
        self.editor.resize("grow_start")

    def do_shrink_start(self) -> None:
        self.editor.resize("shrink_start")

    def do_grow_end(self) -> None:
        self.editor.resize("grow_end")

    def do_shrink_end(self) -> None:
        self.editor.resize("shrink_end")

    def do_snapping(self, on: bool) -> None:
        self.editor.message("Token snapping " + ("on" if on else "off"))
