"""What the JSON formats share: JSON values from a file with their line numbers, content
sniffing, and the checks of a span's offsets and label.

A JSON lines file holds one value per line. Tools also write the same values pretty-printed
(doccano's documented export example spans many lines per object) or as one JSON array (Label
Studio): :func:`values` reads all three, each value with the line it starts on.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from annotator.formats.reading import (
    ADD_LABELS_HINT,
    MAX_FILE_BYTES,
    Problem,
    ReadContext,
    Record,
    utf16_bom,
)
from annotator.model import SpanKind


def _has_surrogate_escape(line: bytes) -> bool:
    """Only a JSON escape (``\\udXXX``) can put an unpaired surrogate into a decoded string
    (searched in the raw bytes: much faster than in the decoded text)."""
    return b"\\ud" in line or b"\\uD" in line


_DIGITS = bytes(ord("0") if 48 <= i <= 57 else ord(" ") for i in range(256))
_NINETEEN = b"0" * 19


def _has_long_integer(line: bytes) -> bool:
    """Nineteen digits in a row: maybe an integer outside 64 bits, which orjson reads as a float
    (``-9223372036854775809`` -> ``-9.223372036854776e+18``) where the standard library keeps it
    exact. Such a line takes the slow path (digits inside a string only cost that speed). A
    translate and a substring search: a tenth of orjson's time on a line, where a regular
    expression took as long as the parse."""
    return _NINETEEN in line.translate(_DIGITS)


def values(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, Any, bool] | Problem]:
    """``(line, value, may_have_surrogates)`` for every JSON value of the file, or problems.

    One value per line; if the first line is not a whole JSON value, the file is read as a
    sequence of JSON values in any layout (pretty-printed objects, one array). A top-level array
    yields its items.
    """
    name = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    seen = False
    fast = codecs.lookup(encoding).name == "utf-8"
    with fh:
        for lineno, raw_line in enumerate(fh, start=1):
            if lineno == 1 and raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
            if not raw_line.strip():
                continue
            if b"\x00" in raw_line:
                wide = utf16_bom(raw_line) if lineno == 1 else None
                what = f"{wide} text: give --encoding {wide.lower()}" if wide else ""
                yield Problem(name, what or "binary data (NUL byte), not JSON", lineno)
                return
            surrogates = _has_surrogate_escape(raw_line)
            if fast and not surrogates and not _has_long_integer(raw_line):
                # orjson parses UTF-8 bytes directly, about three times faster than decoding and
                # json.loads; on any error the line takes the slow path below, whose messages
                # are the standard library's.
                try:
                    obj = orjson.loads(raw_line)
                except orjson.JSONDecodeError:
                    pass
                else:
                    seen = True
                    yield from _items(lineno, obj, False)
                    continue
            try:
                line = raw_line.decode(encoding)
            except UnicodeDecodeError as exc:
                yield Problem(
                    name,
                    f"not valid {encoding} at byte {exc.start} of the line; "
                    "give --encoding if the file uses another one",
                    lineno,
                )
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                if not seen and line.lstrip()[:1] in ("{", "["):
                    yield from _whole_file(path, encoding)
                    return
                yield Problem(name, f"not valid JSON: {exc.msg} (column {exc.colno})", lineno)
                continue
            except RecursionError:
                yield Problem(name, "JSON nested too deeply", lineno)
                continue
            seen = True
            yield from _items(lineno, obj, surrogates)
    if not seen:
        yield Problem(name, "empty file")


def _items(line: int, obj: Any, surrogates: bool) -> Iterator[tuple[int, Any, bool]]:
    """A line holding a JSON array (Label Studio writes its list of tasks on one line) is its
    items."""
    if isinstance(obj, list):
        for item in obj:
            yield line, item, surrogates
    else:
        yield line, obj, surrogates


def _whole_file(path: Path, encoding: str) -> Iterator[tuple[int, Any, bool] | Problem]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Problem(
                name,
                f"a JSON file of {size:,} bytes that is not one value per line is larger than "
                f"the limit of {MAX_FILE_BYTES:,}; write it as JSON lines",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Problem(name, f"not valid {encoding} at byte offset {exc.start}", line)
        return
    surrogates = "\\ud" in text.lower()
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        line = text.count("\n", 0, pos) + 1
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Problem(name, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
            return
        except RecursionError:
            yield Problem(name, "JSON nested too deeply", line)
            return
        if isinstance(obj, list):
            # One array of values: each item's line is where the array starts (the decoder
            # does not say where its items begin).
            for item in obj:
                yield line, item, surrogates
        else:
            yield line, obj, surrogates
        pos = end


def first_object(head: bytes) -> dict[str, Any] | None:
    """The first JSON object in the first bytes of a file (for sniffing), or None."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    text = head.decode("utf-8", "replace")
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            break
        if isinstance(obj, list) and obj:
            obj = obj[0]
        return obj if isinstance(obj, dict) else None
    stripped = text.lstrip()
    if stripped.startswith("["):
        stripped = stripped[1:].lstrip()
    try:
        obj, _ = json.JSONDecoder().raw_decode(stripped)
    except (json.JSONDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def label_problem(
    label: object, kind: SpanKind | None, ctx: ReadContext, where: str
) -> tuple[SpanKind | None, str | None]:
    """The kind of a span's label, or why it cannot be taken.

    ``kind`` is what the input says (None: it does not say). A label the scheme lacks is refused
    with a hint, unless the import adds labels (``--add-labels``): then its kind is the input's,
    else entity, and :mod:`annotator.corpus` adds it to the scheme.
    """
    if not isinstance(label, str) or not label.strip():
        return None, f"{where}: label missing"
    known = ctx.scheme.get(label)
    if known is None:
        if ctx.options.add_labels:
            return kind or SpanKind.ENTITY, None
        return None, (
            f"{where}: unknown label {label!r} (the scheme has {', '.join(ctx.scheme.names)}); "
            + ADD_LABELS_HINT
        )
    if kind is not None and kind != known.kind:
        return None, (f"{where}: label {label} is an {known.kind.value} label, not {kind.value}")
    return known.kind, None


def offsets_problem(start: object, end: object, text: str, where: str) -> str | None:
    """Why ``start``/``end`` are not a span of ``text``, or None."""
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        return f"{where}: start and end must be whole numbers, got {start!r}, {end!r}"
    if start < 0:
        return f"{where} ({start}-{end}): span start {start} is negative"
    if start >= end:
        return f"{where} ({start}-{end}): span start {start} is not before its end {end}"
    if end > len(text):
        return f"{where}: {start}-{end} ends after the text ({len(text)} characters)"
    return None


def doc_id_of(value: object, fallback: str) -> str:
    return str(value) if value not in (None, "") else fallback


class FallbackIds:
    """Ids for values without one: ``<file stem>-<line>``, and ``-2``, ``-3`` ... for further
    values that start on the same line (the items of a JSON array written on one line)."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.seen: dict[int, int] = {}

    def __call__(self, line: int) -> str:
        n = self.seen.get(line, 0) + 1
        self.seen[line] = n
        return f"{self.stem}-{line}" if n == 1 else f"{self.stem}-{line}-{n}"


RecordReader = Callable[[Any, str, str, int, ReadContext, bool], Iterator["Record | Problem"]]
"""``record(obj, file name, fallback id, line, ctx, may hold surrogates)``: one JSON value's
records and problems."""


def each_value(path: Path, ctx: ReadContext, record: RecordReader) -> Iterator[Record | Problem]:
    """Every JSON value of ``path`` through ``record``, with its line and a fallback id; the
    file's own problems (not JSON, not text) pass through as they are."""
    name = str(path)
    fallback = FallbackIds(path.stem)
    for item in values(path, ctx.options.encoding):
        if isinstance(item, Problem):
            yield item
            continue
        lineno, obj, surrogates = item
        yield from record(obj, name, fallback(lineno), lineno, ctx, surrogates)
