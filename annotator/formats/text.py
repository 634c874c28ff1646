"""Plain text: one document per file, the file name without its suffix is the document id.

The text is kept exactly as decoded; a UTF-8 byte-order mark is removed and recorded in meta.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.formats.reading import (
    InputError,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
    read_text_file,
)


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    name = str(path)
    try:
        text, meta = read_text_file(path, ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    problem = check_text(text, name, None)
    if problem:
        yield problem
        return
    yield Record(make_document(path.stem, text, path.name, meta), [], name)
