"""Questions the window asks a person, behind a seam (git-cola's ``interaction.py``).

Code asks :func:`current`; the application installs :class:`DialogInteraction` at start, tests
install an answering stub with :func:`install`. Nothing else in the GUI opens a modal dialog.
"""

from __future__ import annotations

from typing import Protocol


class Interaction(Protocol):
    def ask_name(self, current: str) -> str | None:
        """A new annotator name (``current`` filled in); None if the person cancels."""
        ...

    def ask_comment(self, current: str) -> str | None:
        """A document comment; None if the person cancels."""
        ...

    def show_error(self, title: str, message: str) -> None: ...


class DialogInteraction:
    """The real dialogs."""

    def ask_name(self, current: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        name, ok = QInputDialog.getText(
            None,
            "Annotator",
            "Your name in this project (it is stored with every decision you make):",
            QLineEdit.EchoMode.Normal,
            current,
        )
        return name.strip() if ok and name.strip() else None

    def ask_comment(self, current: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getMultiLineText(
            None, "Comment", "Comment on this document:", current
        )
        return text if ok else None

    def show_error(self, title: str, message: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, title, message)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()


_current: Interaction = DialogInteraction()


def current() -> Interaction:
    return _current


def install(interaction: Interaction) -> Interaction:
    """Use ``interaction`` from now on; returns the one it replaces."""
    global _current
    old, _current = _current, interaction
    return old
