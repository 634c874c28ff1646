"""Every action of the annotate window: its menu, text, keys and where its keys work.

One table feeds the menus, the shortcuts and the help sheet, so they cannot disagree. Label keys
come from the label scheme (``p o l m d`` and the digits in the built-in one); none of the keys
below is a letter or digit a scheme may use, except J, K, X, A, F, C, which a scheme must leave
free (checked by :func:`key_conflicts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.model import LabelScheme


@dataclass(frozen=True)
class ActionSpec:
    name: str  # MainWindow.do_<name>
    menu: str
    text: str
    keys: tuple[str, ...]
    area: bool = True  # keys work in the article/span area only (not while typing a search)
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("next_span", "Span", "Next span", ("J", "Tab")),
    ActionSpec("prev_span", "Span", "Previous span", ("K", "Shift+Tab")),
    ActionSpec(
        "accept", "Span", "Accept span (then go to the next suggestion)", ("Return", "Space")
    ),
    ActionSpec(
        "reject", "Span", "Reject span (then go to the next suggestion)", ("X", "Backspace")
    ),
    ActionSpec("accept_all", "Span", "Accept all remaining suggestions", ("Shift+A",)),
    ActionSpec("delete", "Span", "Delete span", ("Delete",)),
    ActionSpec("grow_start", "Span", "Grow: start one token earlier", ("Alt+Left",)),
    ActionSpec("shrink_start", "Span", "Shrink: start one token later", ("Alt+Right",)),
    ActionSpec("grow_end", "Span", "Grow: end one token later", ("Alt+Shift+Right",)),
    ActionSpec("shrink_end", "Span", "Shrink: end one token earlier", ("Alt+Shift+Left",)),
    ActionSpec("deselect", "Span", "Clear the selection", ("Escape",)),
    ActionSpec("snapping", "Span", "Snap new spans to token boundaries", ("Ctrl+T",), False, True),
    ActionSpec("show_rejected", "Span", "Show rejected spans", ("Ctrl+R",), False, True),
    ActionSpec("done_next", "Document", "Mark done, go to next open document", ("Ctrl+Return",)),
    ActionSpec(
        "skip_next", "Document", "Skip, go to next open document", ("Ctrl+Shift+Return",), False
    ),
    ActionSpec("flag", "Document", "Flag / unflag document", ("F",)),
    ActionSpec("comment", "Document", "Comment on document…", ("C",)),
    ActionSpec("next_doc", "Document", "Next document", ("Ctrl+PgDown",), False),
    ActionSpec("prev_doc", "Document", "Previous document", ("Ctrl+PgUp",), False),
    ActionSpec("find", "Document", "Search documents", ("Ctrl+F",), False),
    ActionSpec("focus_text", "Document", "Back to the text", ("Ctrl+E",), False),
    ActionSpec("change_annotator", "Document", "Change annotator name…", ("Ctrl+Shift+N",), False),
    ActionSpec("quit", "Document", "Quit", ("Ctrl+Q",), False),
    ActionSpec("help", "Help", "Keys (this sheet)", ("F1", "?"), False),
    ActionSpec(
        "legend", "Help", "Show the legend (labels with keys, span styles)", ("F2",), False, True
    ),
)

MENUS = ("Document", "Edit", "Span", "Help")
UNDO_KEYS = ("Ctrl+Z",)
REDO_KEYS = ("Ctrl+Shift+Z", "Ctrl+Y")


def key_conflicts(scheme: LabelScheme) -> list[str]:
    """Label keys that an action already uses (the scheme's key would never reach its label)."""
    taken = {k.lower() for spec in ACTIONS for k in spec.keys if len(k) == 1}
    return [f"{label.name}: {label.key}" for label in scheme.labels if label.key.lower() in taken]
