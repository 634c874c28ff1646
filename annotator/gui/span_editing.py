"""The span-editing controller both windows use: select, step, add, relabel, grow/shrink, delete,
each edit pushed as one undo step with the stale-edit handling.

It is parametrised by the window's document model (:class:`annotator.gui.document.DocumentModel`),
whose ``session`` builds the edits: a :class:`annotator.session.Session` in the annotate window,
a :class:`annotator.review.session.ReviewSession` in the review window. Both sessions answer the
same builder calls (``add``, ``relabel``, ``resize``, ``delete``), so the rules of a keypress are
written once. Errors a person causes (a span off the text, an unknown label) are shown in the
status bar; anything else is a bug and is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QUndoStack

from annotator.gui import interaction
from annotator.gui.commands import Edit, UndoStep
from annotator.gui.document import DocumentModel, Key
from annotator.model import Span, SpanError
from annotator.store import StaleEditError

# What a person can cause with a keypress: told in the status bar, never raised.
USER_ERRORS: tuple[type[Exception], ...] = (SpanError,)

MOVES = ("grow_start", "shrink_start", "grow_end", "shrink_end")


class EditingSession(Protocol):
    """The builder calls the controller makes; both sessions have them."""

    def add(self, doc_id: str, start: int, end: int, label: str) -> Any: ...
    def relabel(self, doc_id: str, span: Span, label: str) -> Any: ...
    def resize(self, doc_id: str, span: Span, start: int, end: int) -> Any: ...
    def delete(self, doc_id: str, span: Span) -> Any: ...


class TextSelection(Protocol):
    """The article view's side: the selected text, in code points."""

    def selection_offsets(self) -> tuple[int, int] | None: ...
    def clear_text_selection(self) -> None: ...


class SpanEditor:
    def __init__(
        self,
        document: DocumentModel,
        article: TextSelection,
        undo_stack: QUndoStack,
        *,
        message: Callable[[str], None],
        snapping: Callable[[], bool],
    ) -> None:
        self.document = document
        self.article = article
        self.undo_stack = undo_stack
        self.message = message
        self.snapping = snapping

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
        except USER_ERRORS as exc:
            self.message(str(exc))
            return False
        return self.push(command, select=select)

    def on_conflict(self, exc: StaleEditError) -> None:
        interaction.current().show_error("Changed elsewhere", f"{exc}\n\nThe document is reloaded.")
        self.document.reload()

    # ---- selecting -----------------------------------------------------------------------------

    def step(self, delta: int) -> None:
        self.document.step(delta)

    def deselect(self) -> None:
        self.article.clear_text_selection()
        self.document.select(None)

    # ---- editing the selected span or text ------------------------------------------------------

    def label(self, name: str) -> bool:
        """A text selection becomes a span of ``name`` (snapped to tokens when snapping is on);
        else the selected span is relabelled."""
        doc_id = self.document.doc_id
        if doc_id is None:
            return False
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
        span, doc_id = self.document.selected_span, self.document.doc_id
        if span is None or doc_id is None:
            return False
        return self.build(lambda: self.session.delete(doc_id, span))


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
