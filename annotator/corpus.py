"""Reading a corpus into a project: ``.txt`` files and folders, JSONL (Prodigy and doccano shapes).

The text of every document is kept exactly as decoded: only a UTF-8 byte-order mark is removed (and
recorded in the document's meta). Offsets of imported spans are Python code points into that text.

An import is all or nothing by default: every file is read and checked, every problem is listed
with its file and line, and if there is any, nothing is written. ``skip_bad`` imports the good
documents and reports the rest.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from annotator.model import (
    Document,
    LabelScheme,
    Span,
    SpanError,
    SpanKind,
    SpanStatus,
    check_span,
    content_hash,
)
from annotator.store import Store

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A single ``.txt`` document larger than this is refused (a corpus of that size wants JSONL)."""
MAX_DOCUMENT_CHARS = 10_000_000
"""No single document may be longer than this (in code points), from any format."""
IMPORT_ORIGIN = "import"

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, named by file and (where it has lines) line."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input, as a list of problems. The message is one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Record:
    """One document read from the input, with the spans that came with it."""

    doc: Document
    spans: list[Span]
    path: str
    line: int | None = None


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    existing: int = 0
    spans: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    def summary(self) -> str:
        text = (
            f"imported {self.added} new document(s) from {self.files} file(s); "
            f"{self.existing} already in the project; {self.spans} span(s)"
        )
        if self.skipped:
            text += f"; skipped {self.skipped} bad document(s)"
        return text


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def decode(data: bytes, path: str, *, encoding: str = "utf-8") -> tuple[str, dict[str, Any]]:
    """Bytes of one document to its text, or :class:`InputError` naming what is wrong."""
    meta: dict[str, Any] = {}
    if not data:
        raise InputError([Problem(path, "empty file")])
    utf8 = codecs.lookup(encoding).name == "utf-8"
    if utf8 and b"\x00" in data:
        offset = data.index(b"\x00")
        raise InputError([Problem(path, f"binary file, not text (NUL byte at offset {offset})")])
    if utf8 and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        meta["bom"] = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    path,
                    f"not valid {encoding} at byte offset {exc.start} "
                    f"(byte 0x{data[exc.start]:02x}); give --encoding if the file uses another one",
                    line,
                )
            ]
        ) from None
    if not text.strip():
        raise InputError([Problem(path, "the file holds only white space")])
    return text, meta


def _document(doc_id: str, text: str, source: str, meta: dict[str, Any]) -> Document:
    """A Document from fields the readers have already checked (skips pydantic's validation,
    which costs a fifth of an import's time on large corpora)."""
    return Document.model_construct(
        id=doc_id, text=text, hash=content_hash(text), source=source, meta=meta
    )


def _check_text(
    text: str, path: str, line: int | None, *, may_have_surrogates: bool = False
) -> Problem | None:
    if len(text) > MAX_DOCUMENT_CHARS:
        return Problem(
            path,
            f"document of {len(text):,} characters is longer than the limit of "
            f"{MAX_DOCUMENT_CHARS:,}; split it",
            line,
        )
    if not text.strip():
        return Problem(path, "empty text", line)
    m = _SURROGATE.search(text) if may_have_surrogates else None
    if m:
        return Problem(path, f"text holds an unpaired surrogate at character {m.start()}", line)
    return None


# --------------------------------------------------------------------------------------------
# Readers: each yields Records and Problems for one file
# --------------------------------------------------------------------------------------------

Reader = Callable[[Path, LabelScheme, str], Iterator["Record | Problem"]]


def read_txt(path: Path, scheme: LabelScheme, encoding: str) -> Iterator[Record | Problem]:
    """One document per file; the file name without its suffix is the document id."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Problem(
                name, f"file of {size:,} bytes is larger than the limit of {MAX_FILE_BYTES:,}"
            )
            return
        text, meta = decode(path.read_bytes(), name, encoding=encoding)
    except InputError as exc:
        yield from exc.problems
        return
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    problem = _check_text(text, name, None)
    if problem:
        yield problem
        return
    yield Record(_document(path.stem, text, path.name, meta), [], name)


def _parse_span(
    raw: Any, index: int, text: str, scheme: LabelScheme
) -> tuple[Span | None, str | None]:
    """A span from a Prodigy dict or a doccano triple; (span, None) or (None, why not)."""
    kind: Any = None
    if isinstance(raw, dict):
        start, end, label, kind = (
            raw.get("start"),
            raw.get("end"),
            raw.get("label"),
            raw.get("kind"),
        )
    elif isinstance(raw, list | tuple) and len(raw) == 3:
        start, end, label = raw
    else:
        return None, f"span {index}: expected an object with start, end, label, got {raw!r:.60}"
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return None, f"span {index}: start and end must be whole numbers, got {start!r}, {end!r}"
    if not isinstance(label, str) or not label:
        return None, f"span {index} ({start}-{end}): label missing"
    if label not in scheme:
        return None, (
            f"span {index} ({start}-{end}): unknown label {label!r} "
            f"(the scheme has {', '.join(scheme.names)})"
        )
    if kind is None:
        kind = scheme.kind_of(label)
    try:
        span = Span(start=start, end=end, label=label, kind=SpanKind(kind))
        check_span(span, text, scheme)
    except (ValidationError, ValueError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        if isinstance(exc, ValidationError) or not isinstance(exc, SpanError):
            message = f"span {index} ({start}-{end}): {message}"
        else:
            message = f"span {index}: {message.removeprefix('span ')}"
        return None, message
    return span, None


def read_jsonl(path: Path, scheme: LabelScheme, encoding: str) -> Iterator[Record | Problem]:
    """One document per line: ``{"text", "id"?, "meta"?, "spans"?: [{start, end, label, kind?}]}``
    (Prodigy) or ``{"text", "label": [[start, end, label], ...]}`` (doccano)."""
    name = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    seen_content = False
    stem = path.stem
    fast = codecs.lookup(encoding).name == "utf-8"
    with fh:
        for lineno, raw_line in enumerate(fh, start=1):
            if lineno == 1 and raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
            if not raw_line.strip():
                continue
            seen_content = True
            if b"\x00" in raw_line:
                yield Problem(name, "binary data (NUL byte), not JSON lines", lineno)
                return
            surrogates = _has_surrogate_escape(raw_line)
            if fast and not surrogates:
                # orjson parses UTF-8 bytes directly, about three times faster than decoding and
                # json.loads; on any error the line takes the slow path below, whose messages
                # are the standard library's.
                try:
                    obj = orjson.loads(raw_line)
                except orjson.JSONDecodeError:
                    pass
                else:
                    yield from _jsonl_object(obj, name, stem, lineno, scheme, surrogates)
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
            yield from _jsonl_record(line, name, stem, lineno, scheme, surrogates)
    if not seen_content:
        yield Problem(name, "empty file")


def _has_surrogate_escape(line: bytes) -> bool:
    """Only a JSON escape (``\\udXXX``) can put an unpaired surrogate into a decoded string
    (searched in the raw bytes: much faster than in the decoded text)."""
    return b"\\ud" in line or b"\\uD" in line


def _jsonl_record(
    line: str, name: str, stem: str, lineno: int, scheme: LabelScheme, surrogates: bool = True
) -> Iterator[Record | Problem]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        yield Problem(name, f"not valid JSON: {exc.msg} (column {exc.colno})", lineno)
        return
    yield from _jsonl_object(obj, name, stem, lineno, scheme, surrogates)


def _jsonl_object(
    obj: Any, name: str, stem: str, lineno: int, scheme: LabelScheme, surrogates: bool
) -> Iterator[Record | Problem]:
    if not isinstance(obj, dict):
        yield Problem(name, f"expected a JSON object, got {type(obj).__name__}", lineno)
        return
    text = obj.get("text")
    if not isinstance(text, str):
        yield Problem(name, 'no "text" string in this line', lineno)
        return
    problem = _check_text(text, name, lineno, may_have_surrogates=surrogates)
    if problem:
        yield problem
        return
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        yield Problem(name, '"meta" must be an object', lineno)
        return
    doc_id = obj.get("id", meta.get("id"))
    doc_id = str(doc_id) if doc_id not in (None, "") else f"{stem}-{lineno}"
    raw_spans = obj.get("spans")
    if raw_spans is None:
        raw_spans = obj.get("label", [])
    if not isinstance(raw_spans, list):
        yield Problem(name, '"spans" must be a list', lineno)
        return
    spans: list[Span] = []
    bad: list[str] = []
    for i, raw in enumerate(raw_spans):
        span, why = _parse_span(raw, i, text, scheme)
        if span is None:
            bad.append(why or "bad span")
        else:
            spans.append(span)
    if bad:
        for why in bad:
            yield Problem(name, why, lineno)
        return
    source = str(meta.get("source", name))
    yield Record(_document(doc_id, text, source, meta), spans, name, lineno)


def read_conll(path: Path, scheme: LabelScheme, encoding: str) -> Iterator[Record | Problem]:
    """CoNLL-2003 files; the reader lives with its writer in :mod:`annotator.formats.conll`."""
    from annotator.formats.conll import read_conll as read

    return read(path, scheme, encoding)


READERS: dict[str, Reader] = {".txt": read_txt, ".jsonl": read_jsonl, ".conll": read_conll}
"""File suffix to reader. Other formats register theirs here (see ``annotator.formats``)."""


def _expand(paths: Iterable[Path]) -> Iterator[Path | Problem]:
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in READERS)
            if not files:
                yield Problem(str(path), f"no files to import ({', '.join(sorted(READERS))})")
            yield from files
        elif path.is_file():
            if path.suffix.lower() in READERS:
                yield path
            else:
                yield Problem(
                    str(path),
                    f"unknown file type {path.suffix or '(none)'!r}; "
                    f"can import {', '.join(sorted(READERS))}",
                )
        else:
            yield Problem(str(path), "no such file or folder")


def read_paths(
    paths: Iterable[str | Path], scheme: LabelScheme, *, encoding: str = "utf-8"
) -> Iterator[Record | Problem]:
    """Every record and problem from files and folders, in a stable order."""
    for item in _expand(Path(p) for p in paths):
        if isinstance(item, Problem):
            yield item
        else:
            yield from READERS[item.suffix.lower()](item, scheme, encoding)


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    annotator: str | None = None,
    skip_bad: bool = False,
    encoding: str = "utf-8",
    batch_size: int = 2000,
) -> ImportReport:
    """Import files and folders into ``store`` in one transaction.

    Spans in the input become ``annotator``'s accepted decisions when an annotator is given, else
    suggestions with origin ``import``. Raises :class:`InputError` (and writes nothing) if any
    problem was found, unless ``skip_bad``.
    """
    paths = [Path(p) for p in paths]
    return import_records(
        store,
        read_paths(paths, store.scheme, encoding=encoding),
        annotator=annotator,
        skip_bad=skip_bad,
        batch_size=batch_size,
    )


def import_records(
    store: Store,
    items: Iterable[Record | Problem],
    *,
    annotator: str | None = None,
    skip_bad: bool = False,
    batch_size: int = 2000,
) -> ImportReport:
    report = ImportReport()
    files: set[str] = set()
    ids: dict[str, str] = {}  # id -> hash, for the documents of this import
    batch: list[Record] = []

    def flush() -> None:
        _write_batch(store, batch, report, ids, annotator)
        batch.clear()

    with store.transaction():
        for item in items:
            if isinstance(item, Problem):
                files.add(item.path)
                report.problems.append(item)
                report.skipped += 1
                continue
            files.add(item.path)
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
        flush()
        report.files = len(files)
        if report.problems and not skip_bad:
            # Leaving the block by an exception rolls the whole import back.
            raise InputError(report.problems)
    return report


def _write_batch(
    store: Store,
    batch: list[Record],
    report: ImportReport,
    ids: dict[str, str],
    annotator: str | None,
) -> None:
    if not batch:
        return
    known = store.id_for_hash([r.doc.hash for r in batch])
    taken = store.existing_ids([r.doc.id for r in batch if r.doc.hash not in known])
    good: list[Record] = []
    for record in batch:
        doc = record.doc
        if doc.hash in known:
            good.append(record)
            continue
        if ids.get(doc.id, doc.hash) != doc.hash or (doc.id not in ids and doc.id in taken):
            report.problems.append(
                Problem(
                    record.path,
                    f"document id {doc.id!r} is already used by a different text",
                    record.line,
                )
            )
            report.skipped += 1
            continue
        ids[doc.id] = doc.hash
        good.append(record)
    new_docs: dict[str, Document] = {}
    for record in good:
        if record.doc.hash not in known:
            new_docs.setdefault(record.doc.hash, record.doc)
    added, _ = store.add_documents(new_docs.values())
    report.added += added
    report.existing += len(good) - len(new_docs)
    with_spans = [r for r in good if r.spans]
    if not with_spans:
        return
    doc_ids = store.id_for_hash([r.doc.hash for r in with_spans])
    if annotator is None:
        results = []
        for record in with_spans:
            spans = [
                s.model_copy(update={"origin": IMPORT_ORIGIN, "score": None}) for s in record.spans
            ]
            results.append((doc_ids[record.doc.hash], spans, _span_set_version(spans)))
        for doc_id, spans, version in results:
            report.spans += store.save_suggestions(
                [(doc_id, spans)], origin=IMPORT_ORIGIN, version=version
            )
    else:
        for record in with_spans:
            spans = [
                s.model_copy(update={"status": SpanStatus.ACCEPTED, "origin": IMPORT_ORIGIN})
                for s in record.spans
            ]
            store.replace_decisions(doc_ids[record.doc.hash], annotator, add=spans, action="import")
            report.spans += len(spans)


def _span_set_version(spans: Sequence[Span]) -> str:
    """A version per distinct set of imported spans, so a re-import of the same set adds nothing
    and a different set becomes the newest import for that document."""
    payload = json.dumps(sorted((s.start, s.end, s.label) for s in spans))
    return hashlib.sha1(payload.encode()).hexdigest()[:12]
