"""Plain text: one document per file, the file name without its suffix is the document id.

The text is kept exactly as decoded; a UTF-8 byte-order mark is removed and recorded in meta.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.formats.reading import (
    MAX_FILE_BYTES,
    InputError,
    Problem,
    ReadContext,
    Record,
    check_text,
    decode,
    make_document,
)


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Problem(
                name, f"file of {size:,} bytes is larger than the limit of {MAX_FILE_BYTES:,}"
            )
            return
        text, meta = decode(path.read_bytes(), name, encoding=ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    problem = check_text(text, name, None)
    if problem:
        yield problem
        return
    yield Record(make_document(path.stem, text, path.name, meta), [], name)
