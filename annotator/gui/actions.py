"""Every action of both windows: its menu, text, keys, where its keys work and which window has it.

One table feeds the menus, the shortcuts, the help sheets and the review window's key hint, so
they cannot disagree. An action calls ``do_<name>`` on its window (``do_<name>(arg)`` when it has
an ``arg``). Label keys come from the label scheme (``p o l m d`` and the digits in the built-in
one); none of the keys below is a letter or digit a scheme may use, except J, K, X, A, F, C, N,
V, Space and ?, which a scheme must leave free: :mod:`annotator.keys` lists them below the GUI,
where the label scheme refuses them; :func:`key_conflicts` finds them in schemes stored before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from annotator.keys import key_character
from annotator.model import LabelScheme

ANNOTATE = "annotate"
REVIEW = "review"
BOTH = (ANNOTATE, REVIEW)


CONFIDENT_SCORE = 0.8
"""What "accept confident" takes: the built-in model's entity suggestions scoring this much were
right about nine times in ten on held-out news (its model card); the event rules score 0.9
(nouns) and 0.7 (verbs)."""


@dataclass(frozen=True)
class ActionSpec:
    name: str  # <window>.do_<name>
    menu: str
    text: str
    keys: tuple[str, ...]
    area: bool = True  # annotate: keys work in the article/span area only (not in the search)
    checkable: bool = False
    windows: tuple[str, ...] = (ANNOTATE,)
    checked: bool = True  # the start state of a checkable action
    hint: str = ""  # a few words for the review window's key hint line
    arg: int | None = None  # passed to do_<name> (the review window's "take variant N")
    submenu: str = ""


def _takes() -> tuple[ActionSpec, ...]:
    return tuple(
        ActionSpec(
            f"take_{n}",
            "Review",
            f"Take annotator {n}'s variant",
            (f"Alt+{n}",),
            windows=(REVIEW,),
            hint="take annotator N's variant" if n == 1 else "",
            arg=n,
            submenu="Take a variant",
        )
        for n in range(1, 10)
    )


ACTIONS: tuple[ActionSpec, ...] = (
    *_takes(),
    ActionSpec(
        "next_variant",
        "Review",
        "Next variant of this disagreement",
        ("V",),
        windows=(REVIEW,),
        hint="next variant",
    ),
    ActionSpec("prev_variant", "Review", "Previous variant", ("Shift+V",), windows=(REVIEW,)),
    ActionSpec(
        "accept_variant",
        "Review",
        "Accept the chosen variant",
        ("Return", "Space"),
        windows=(REVIEW,),
        hint="accept",
    ),
    ActionSpec(
        "reject_variant",
        "Review",
        "Reject the chosen variant",
        ("X", "Backspace"),
        windows=(REVIEW,),
        hint="reject",
    ),
    ActionSpec(
        "next_disagreement",
        "Review",
        "Next disagreement",
        ("N", "Ctrl+Down"),
        windows=(REVIEW,),
        hint="next disagreement",
    ),
    ActionSpec(
        "prev_disagreement",
        "Review",
        "Previous disagreement",
        ("Shift+N", "Ctrl+Up"),
        windows=(REVIEW,),
        hint="previous disagreement",
    ),
    ActionSpec(
        "accept_agreements",
        "Review",
        "Accept all agreements",
        ("Shift+A",),
        windows=(REVIEW,),
        hint="accept agreements",
    ),
    ActionSpec("next_span", "Span", "Next span", ("J", "Tab"), windows=BOTH),
    ActionSpec("prev_span", "Span", "Previous span", ("K", "Shift+Tab"), windows=BOTH),
    ActionSpec(
        "accept", "Span", "Accept span (then go to the next suggestion)", ("Return", "Space")
    ),
    ActionSpec(
        "reject", "Span", "Reject span (then go to the next suggestion)", ("X", "Backspace")
    ),
    ActionSpec("accept_all", "Span", "Accept all remaining suggestions", ("Shift+A",)),
    ActionSpec(
        "accept_confident",
        "Span",
        f"Accept the remaining suggestions scoring at least {CONFIDENT_SCORE:.2f}",
        ("Ctrl+Shift+A",),
    ),
    ActionSpec(
        "delete",
        "Span",
        "Delete span (adding arguments: the chosen argument)",
        ("Delete",),
        windows=BOTH,
        hint="delete the span",
    ),
    ActionSpec(
        "add_argument",
        "Span",
        "Add arguments to the selected event: J/K choose a span, a role key sets its role, "
        "Return takes a proposed role, X the next proposal, Escape ends",
        ("A",),
        windows=BOTH,
        hint="arguments of the event (then J/K, role key, Escape)",
    ),
    ActionSpec(
        "grow_start",
        "Span",
        "Grow: start one token earlier",
        ("Alt+Left",),
        windows=BOTH,
        hint="grow / shrink (Alt+Shift+arrows: the end)",
    ),
    ActionSpec(
        "shrink_start", "Span", "Shrink: start one token later", ("Alt+Right",), windows=BOTH
    ),
    ActionSpec("grow_end", "Span", "Grow: end one token later", ("Alt+Shift+Right",), windows=BOTH),
    ActionSpec(
        "shrink_end", "Span", "Shrink: end one token earlier", ("Alt+Shift+Left",), windows=BOTH
    ),
    ActionSpec(
        "deselect",
        "Span",
        "Clear the selection (adding arguments: back to the event)",
        ("Escape",),
        windows=BOTH,
    ),
    ActionSpec(
        "snapping",
        "Span",
        "Snap new spans to token boundaries",
        ("Ctrl+T",),
        False,
        True,
        windows=BOTH,
    ),
    ActionSpec("show_rejected", "Span", "Show rejected spans", ("Ctrl+R",), False, True),
    ActionSpec(
        "sort_by_score",
        "Span",
        "Sort the span list by score",
        ("Ctrl+Shift+S",),
        False,
        True,
        checked=False,
    ),
    ActionSpec("done_next", "Document", "Mark done, go to next open document", ("Ctrl+Return",)),
    ActionSpec(
        "uncertain_first",
        "Document",
        "Next open document: most uncertain first",
        ("Ctrl+U",),
        False,
        True,
        checked=False,
    ),
    ActionSpec(
        "skip_next", "Document", "Skip, go to next open document", ("Ctrl+Shift+Return",), False
    ),
    ActionSpec(
        "reviewed_next",
        "Review",
        "Mark reviewed, go to next document",
        ("Ctrl+Return",),
        windows=(REVIEW,),
        hint="reviewed & next",
    ),
    ActionSpec("flag", "Document", "Flag / unflag document", ("F",)),
    ActionSpec("comment", "Document", "Comment on document…", ("C",)),
    ActionSpec("next_doc", "Document", "Next document", ("Ctrl+PgDown",), False, windows=BOTH),
    ActionSpec("prev_doc", "Document", "Previous document", ("Ctrl+PgUp",), False, windows=BOTH),
    ActionSpec("find", "Document", "Search documents", ("Ctrl+F",), False),
    ActionSpec("focus_text", "Document", "Back to the text", ("Ctrl+E",), False),
    ActionSpec("change_annotator", "Document", "Change annotator name…", ("Ctrl+Shift+N",), False),
    ActionSpec("quit", "Document", "Quit", ("Ctrl+Q",), False),
    ActionSpec("help", "Help", "Keys (this sheet)", ("F1", "?"), False, windows=BOTH),
    ActionSpec(
        "legend", "Help", "Show the legend (labels with keys, span styles)", ("F2",), False, True
    ),
    ActionSpec(
        "large_confusion",
        "Help",
        "Show the label confusion large",
        ("Ctrl+M",),
        False,
        windows=(REVIEW,),
    ),
)

MENUS = {
    ANNOTATE: ("Document", "Edit", "Span", "Help"),
    REVIEW: ("Document", "Edit", "Review", "Span", "Help"),
}
UNDO_KEYS = ("Ctrl+Z",)
REDO_KEYS = ("Ctrl+Shift+Z", "Ctrl+Y")


def actions_of(window: str) -> tuple[ActionSpec, ...]:
    return tuple(spec for spec in ACTIONS if window in spec.windows)


def key_conflicts(scheme: LabelScheme, window: str = ANNOTATE) -> list[str]:
    """Label keys that an action already uses (the scheme's key would never reach its label)."""
    taken = {c for spec in actions_of(window) for k in spec.keys if (c := key_character(k))}
    return [f"{label.name}: {label.key}" for label in scheme.labels if label.key.lower() in taken]


def key_hint(window: str) -> str:
    """One line of the window's main keys, from the table (``keys words · keys words …``)."""
    parts = []
    for spec in actions_of(window):
        if spec.hint:
            keys = "Alt+1…9" if spec.name == "take_1" else " / ".join(spec.keys[:1])
            parts.append(f"{keys} {spec.hint}")
    parts.append("label keys add / relabel")
    return " · ".join(parts)


def install_actions(
    window: QMainWindow,
    kind: str,
    undo_stack: QUndoStack,
    scheme: LabelScheme,
    on_label: Callable[[str], None],
    *,
    area: QWidget | None = None,
) -> dict[str, QAction]:
    """Build the window's menus and actions from the table; returns them by name (``undo``,
    ``redo``, the table's names, ``label:<name>``). Actions with ``area`` keys are attached to
    ``area`` when one is given (their keys then work only there), the others to the window."""
    actions: dict[str, QAction] = {}
    menus: dict[str, QMenu] = {name: window.menuBar().addMenu(f"&{name}") for name in MENUS[kind]}
    submenus: dict[str, QMenu] = {}

    def attach(action: QAction, keys: tuple[str, ...], in_area: bool) -> None:
        action.setShortcuts([QKeySequence(k) for k in keys])
        if in_area and area is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            area.addAction(action)
        else:
            window.addAction(action)

    undo = undo_stack.createUndoAction(window, "Undo")
    redo = undo_stack.createRedoAction(window, "Redo")
    for name, action, keys in (("undo", undo, UNDO_KEYS), ("redo", redo, REDO_KEYS)):
        attach(action, keys, False)
        menus["Edit"].addAction(action)
        actions[name] = action
    for spec in actions_of(kind):
        action = QAction(spec.text, window)
        attach(action, spec.keys, spec.area)
        slot = getattr(window, f"do_{spec.name.split('_')[0] if spec.arg else spec.name}")
        if spec.checkable:
            action.setCheckable(True)
            action.setChecked(spec.checked)
            action.toggled.connect(slot)
        elif spec.arg is not None:
            action.triggered.connect(lambda _=False, s=slot, n=spec.arg: s(n))
        else:
            action.triggered.connect(slot)
        menu = menus[spec.menu]
        if spec.submenu:
            if spec.submenu not in submenus:
                submenus[spec.submenu] = menu.addMenu(spec.submenu)
            menu = submenus[spec.submenu]
        menu.addAction(action)
        actions[spec.name] = action
    labels = menus["Span"].addMenu("Label")
    for label in scheme.labels:
        action = QAction(f"{label.name} ({label.kind.value})", window)
        attach(action, (label.key,), True)
        action.triggered.connect(lambda _=False, name=label.name: on_label(name))
        labels.addAction(action)
        actions[f"label:{label.name}"] = action
    return actions
