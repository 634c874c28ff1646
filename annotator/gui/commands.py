"""QUndoCommands over session commands (orange-canvas-core ``document/commands.py``).

``redo`` writes the session command through to SQLite, ``undo`` writes its inverse the same way;
only then is the open document told, so the view never shows an unsaved change. A command whose
document is not the open one opens it first: undo always shows what it undoes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.gui.document import Key, OpenDocument
from annotator.session import ChangeSpans, ChangeState
from annotator.store import StaleEditError

AnyCommand = ChangeSpans | ChangeState


class SessionCommand(QUndoCommand):
    def __init__(
        self,
        document: OpenDocument,
        command: AnyCommand,
        *,
        select_after: Key | None = None,
        select_before: Key | None = None,
        on_conflict: Callable[[StaleEditError], None],
    ) -> None:
        super().__init__(command.text)
        self.document = document
        self.command = command
        self.select_after = select_after
        self.select_before = select_before
        self.on_conflict = on_conflict

    def _run(self, command: AnyCommand, select: Key | None) -> None:
        if self.document.doc_id != command.doc_id:
            self.document.open(command.doc_id)
        try:
            command.apply(self.document.session)  # what Session.apply does: write through
        except StaleEditError as exc:
            # Nothing was written; drop this command from the stack and show the truth.
            self.setObsolete(True)
            self.on_conflict(exc)
            return
        self.document.changed_by(command, select=select)

    def redo(self) -> None:
        self._run(self.command, self.select_after)

    def undo(self) -> None:
        self._run(self.command.inverse(), self.select_before)
