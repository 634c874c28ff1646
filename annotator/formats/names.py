"""Which label names a format can carry as they are.

A label name is any text without control characters (:class:`annotator.model.Label`), but some
formats give characters a meaning: brat's ``.ann`` and ``annotation.conf`` separate a type from
its offsets by a space and use ``:``, ``,``, ``|``, ``<``, ``>`` and ``#`` for roles,
alternatives and comments. Renaming a label silently would not survive a round trip, so an export
refuses such names, saying which ones. (CoNLL separates its columns by white space too, but its
writer escapes a space in a tag as ``%20`` and its reader turns it back: ADR 0014.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_BRAT_TYPE = re.compile(r"^[\w.\-]+$")

_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "brat": (_BRAT_TYPE, "a brat type is letters, digits, '_', '-' and '.' only"),
}


def label_name_problem(name: str, fmt: str) -> str | None:
    """Why ``name`` cannot be written as a label in format ``fmt``, or None if it can."""
    rule = _RULES.get(fmt)
    if rule is None or rule[0].match(name):
        return None
    return f"label {name!r}: {rule[1]}"


def unsafe_label_names(names: Iterable[str], fmt: str) -> list[str]:
    """One problem per name of ``names`` that format ``fmt`` cannot carry, in the given order."""
    return [p for p in (label_name_problem(n, fmt) for n in names) if p is not None]
