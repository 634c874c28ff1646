"""Who is annotating: the name every decision is stored under, chosen without asking.

The rule: the name given on the command line (``--annotator``), else the project's last
annotator (kept in the project's own settings table, so a name chosen in one project never leaks
into another), else the operating system's user name. Nothing here asks a person anything: the
window starts straight away, and the name can be changed there.
"""

from __future__ import annotations

import getpass
import re

from annotator.store import Store

LAST_ANNOTATOR = "last_annotator"  # key in the project table
FALLBACK = "annotator"
MAX_LENGTH = 100  # as annotator.model.Annotator allows


def clean_name(raw: str | None) -> str | None:
    """``raw`` as an annotator name: control characters out, blanks squeezed; None if empty."""
    if raw is None:
        return None
    name = " ".join("".join(ch for ch in raw if ch.isprintable()).split())[:MAX_LENGTH].strip()
    return name or None


def os_user_name() -> str:
    """The operating system's user name, as a safe annotator name (``annotator`` without one)."""
    try:
        raw = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name and no passwd entry (containers)
        raw = ""
    name = re.sub(r"[^\w.@-]+", "-", raw).strip("-.")[:MAX_LENGTH]
    return name or FALLBACK


def last_annotator(store: Store) -> str | None:
    return clean_name(store.project_value(LAST_ANNOTATOR))


def remember_annotator(store: Store, name: str) -> None:
    """Make ``name`` the project's last annotator (the default of the next start)."""
    cleaned = clean_name(name)
    if cleaned is None:
        raise ValueError("an annotator name cannot be blank")
    store.set_project_value(LAST_ANNOTATOR, cleaned)


def resolve_annotator(store: Store, given: str | None = None) -> tuple[str, str]:
    """The annotator's name and where it came from (``option``, ``project`` or ``system``)."""
    name = clean_name(given)
    if name is not None:
        return name, "option"
    name = last_annotator(store)
    if name is not None:
        return name, "project"
    return os_user_name(), "system"
