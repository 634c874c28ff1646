"""Printing data through rich without rich interpreting it.

rich reads ``[...]`` in a string as markup (a name ``[/]`` raises MarkupError, ``[link=...]``
prints a hyperlink), ``:name:`` as an emoji code, and passes the escape character through, so a
name or id could also drive the terminal itself. Data text (annotator names, document ids,
labels, model names) therefore never becomes part of a markup string: it goes into rich as a
``Text`` built by :func:`text` (table cells, headers, lines), which rich prints as it is, with
control characters shown as ``\\xNN``. Consoles come from :func:`console` (no emoji codes, no
automatic highlighting).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

_KEEP = {"\n", "\t"}

Part = object | tuple[str, str]


def visible_controls(value: object) -> str:
    """Control characters (ESC, BEL, C1 controls ...) written as ``\\xNN`` instead of sent."""
    return "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" and c not in _KEEP else c
        for c in str(value)
    )


def text(*parts: Part) -> Text:
    """One rich ``Text`` from data printed as it is; a ``(words, style)`` pair styles our own
    words, e.g. ``text(("12", "bold"), " documents by ", name)``."""
    from rich.text import Text

    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            words, style = part
            out.append(visible_controls(words), style=style)
        else:
            out.append(visible_controls(part))
    return out


def console(**options: Any) -> Any:
    """A rich Console for data output: no emoji codes, no automatic highlighting."""
    from rich.console import Console

    options.setdefault("emoji", False)
    options.setdefault("highlight", False)
    return Console(**options)
