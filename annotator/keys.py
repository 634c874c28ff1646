"""Which one-character keys the windows' actions take, so that a label key never shadows them.

The label scheme (:mod:`annotator.model`) refuses a label key listed here, since a label whose key
an action of the annotate or review window already uses could never be chosen with it (and
reject, next or accept would stop working). The windows' one action table,
:data:`annotator.gui.actions.ACTIONS`, is the source: its character keys (plain, shifted or
Space) are exactly these, checked by ``tests/reliability/test_schemes.py``, and the GUI finds
clashes of older stored schemes with :func:`key_character` from here. The set lives below the GUI
so that the domain can use it without importing Qt. Key names are Qt's portable text
(``"Shift+A"``, ``"Space"``).
"""

from __future__ import annotations

RESERVED_LABEL_KEYS: dict[str, str] = {
    " ": "accept (Space)",
    "?": "help",
    "a": "accept all (Shift+A), add arguments (A)",
    "c": "comment",
    "f": "flag",
    "j": "next span",
    "k": "previous span",
    "n": "next disagreement (review)",
    "v": "next variant (review)",
    "x": "reject",
}
"""Label key (lower case) to the action that already uses it."""

_NAMED_CHARACTERS = {"Space": " "}


def key_character(key: str) -> str | None:
    """The one character a label key would have to be to clash with ``key``, if any.

    A plain or shifted character key (``"X"``, ``"Shift+A"``, ``"?"``, ``"Space"``) clashes,
    case-insensitively (label keys are matched without regard to case); keys with Ctrl or Alt
    and named keys such as Tab or F1 cannot be a one-character label key.
    """
    name = key.removeprefix("Shift+") if len(key) > 1 else key
    name = _NAMED_CHARACTERS.get(name, name)
    return name.lower() if len(name) == 1 else None
