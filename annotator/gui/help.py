"""The help sheet (F1 or ?): every key of the window, built from the actions themselves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.actions import ANNOTATE, actions_of
from annotator.model import LabelScheme


def help_rows(
    scheme: LabelScheme, actions: dict[str, QAction], *, window: str = ANNOTATE
) -> list[tuple[str, str, str]]:
    """(section, keys, what it does) for every action of ``window`` and every label, from the
    action table (the keys as the window's actions have them)."""
    rows: list[tuple[str, str, str]] = []
    for name in ("undo", "redo"):
        action = actions[name]
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        rows.append(("Edit", keys, action.text().replace("&", "")))
    for spec in actions_of(window):
        action = actions[spec.name]
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        rows.append((spec.menu, keys, spec.text))
    for label in scheme.labels:
        rows.append(
            (
                "Labels",
                label.key.upper(),
                f"{label.name} ({label.kind.value}): add a span over the selected text, "
                "or relabel the selected span",
            )
        )
    for label in scheme.labels:
        for role in label.roles:
            fillers = "/".join(role.fillers) or "any entity"
            rows.append(
                (
                    "Roles",
                    role.key.upper(),
                    f"{label.name}: {role.name} ({fillers}), while adding arguments (A)"
                    + (f" — {role.guideline}" if role.guideline else ""),
                )
            )
    rows.append(("Mouse", "Click a span", "select it (adding arguments: choose it)"))
    rows.append(("Mouse", "Drag / Shift+arrows", "select text for a new span"))
    return rows


ANNOTATE_INTRO = (
    "Every change is saved at once. Accept and reject move on to the next suggestion. "
    "Keys of the Span menu and the labels work while the text or the span list has the "
    "focus (Ctrl+E goes back to the text). A span's label is the small tag above it; F2 "
    "shows or hides the legend of labels and span styles."
)


class HelpSheet(QDialog):
    def __init__(
        self,
        scheme: LabelScheme,
        actions: dict[str, QAction],
        parent: QWidget | None = None,
        *,
        window: str = ANNOTATE,
        intro: str = ANNOTATE_INTRO,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keys")
        self.resize(640, 720)
        rows = help_rows(scheme, actions, window=window)
        self.rows = rows
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels(["", "Keys", "Action"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        label = QLabel(intro)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(table)
        self.table = table
