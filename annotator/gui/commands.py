"""The undo step: one QUndoCommand over one session edit (orange-canvas-core
``document/commands.py``), the same class in both windows.

``redo`` writes the session edit through to SQLite, ``undo`` writes its inverse the same way;
only then is the open document told, so the view never shows an unsaved change. An edit whose
document is not the open one opens it first: undo always shows what it undoes. An edit that
finds its document changed elsewhere (:class:`annotator.store.StaleEditError`) writes nothing:
the step is dropped from the stack and ``on_conflict`` shows the truth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from annotator.errors import StaleEditError
from annotator.gui.document import DocumentModel, Key


class Edit(Protocol):
    """A session edit: :class:`annotator.session.Command` or a review command."""

    @property
    def doc_id(self) -> str: ...
    @property
    def text(self) -> str: ...

    def apply(self, session: Any) -> None: ...

    def inverse(self) -> Edit: ...


class UndoStep(QUndoCommand):
    def __init__(
        self,
        document: DocumentModel,
        command: Edit,
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

    def _run(self, command: Edit, select: Key | None) -> None:
        if self.document.doc_id != command.doc_id:
            self.document.open(command.doc_id)
        try:
            command.apply(self.document.session)  # what Session.apply does: write through
        except StaleEditError as exc:
            # Nothing was written; drop this step from the stack and show the truth.
            self.setObsolete(True)
            self.on_conflict(exc)
            return
        self.document.changed_by(command, select=select)

    def redo(self) -> None:
        self._run(self.command, self.select_after)

    def undo(self) -> None:
        self._run(self.command.inverse(), self.select_before)
