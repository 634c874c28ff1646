"""A plain undo/redo stack for sessions used without Qt (tests, scripts, the CLI).

The window keeps its own ``QUndoStack`` and calls ``apply`` on the session; both run the same
commands, each of which knows its inverse.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar


class Undoable(Protocol):
    def apply(self, owner: Any) -> None: ...

    def inverse(self) -> Any: ...


C = TypeVar("C", bound=Undoable)


class UndoStack(Generic[C]):
    def __init__(self, owner: object) -> None:
        self.owner = owner
        self._undo: list[C] = []
        self._redo: list[C] = []

    def execute(self, command: C | None) -> bool:
        """Apply a command and remember it; None (nothing to change) does nothing."""
        if command is None:
            return False
        command.apply(self.owner)
        self._undo.append(command)
        self._redo.clear()
        return True

    def undo(self) -> C | None:
        if not self._undo:
            return None
        command = self._undo.pop()
        command.inverse().apply(self.owner)
        self._redo.append(command)
        return command

    def redo(self) -> C | None:
        if not self._redo:
            return None
        command = self._redo.pop()
        command.apply(self.owner)
        self._undo.append(command)
        return command

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)
