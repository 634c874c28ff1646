"""What every reader shares: the records it yields, the problems it names, and text checks.

A reader (the ``read`` function of a format module, see :mod:`annotator.formats.registry`) turns
one input file into :class:`Record` and :class:`Problem` items. A record is one document with
what the input says about it: spans (with the input's own judgement: suggested, accepted or
rejected), relations between those spans, the document's status, and what the input holds that
our model has no place for, kept in the document's meta and counted (``kept``) or deliberately
not imported, with the reason (``set_aside``). :mod:`annotator.corpus` writes records into a
project; nothing here touches the store.

Offsets are Python code points into the document text exactly as decoded (ADR 0002).

Meta keys every format shares:

* ``tokens``: ``[[start, end], ...]``, the input's own tokens (CoNLL, Prodigy ``tokens``,
  WebAnno TSV), so that exports put spans on the same tokens and an untouched document goes out
  with the tokens it came with (:func:`annotator.formats.align.make_doc` builds a spaCy ``Doc``
  on them);
* ``sentences``: ``[[start, end], ...]``, the input's sentence boundaries (CoNLL blank lines);
* ``format``: the name of the format the document came from; ``<format>``: an object holding
  that format's features our model has no place for (brat attributes and notes, Prodigy hashes),
  which its writer puts back.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.errors import UserError
from annotator.model import DocStatus, Document, LabelScheme, SpanKind, content_hash

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A single ``.txt`` document larger than this is refused (a corpus of that size wants JSONL)."""
MAX_DOCUMENT_CHARS = 10_000_000
"""No single document may be longer than this (in code points), from any format."""

_SURROGATE = re.compile("[\ud800-\udfff]")

ADD_LABELS_HINT = (
    "add it to the project's label scheme (a new project: --scheme FILE) "
    "or import with --add-labels"
)


def unknown_label(label: str, scheme: LabelScheme) -> str:
    """The message for a label the scheme lacks (readers that name the exact line use it)."""
    return f"unknown label {label!r} (the scheme has {', '.join(scheme.names)}); {ADD_LABELS_HINT}"


def kind_of(label: str, scheme: LabelScheme) -> SpanKind:
    """The scheme's kind of ``label``; entity for a label the import adds (``--add-labels``)."""
    known = scheme.get(label)
    return known.kind if known is not None else SpanKind.ENTITY


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, named by file and (where it has lines) line."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(UserError):
    """Bad input, as a list of problems. The message is one line per problem; nothing of it was
    imported."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self, command: str) -> list[str]:
        return [
            *(f"error: {problem}" for problem in self.problems),
            f"annotator {command}: {len(self.problems)} problem(s); nothing was imported "
            "(--skip-bad imports the good documents)",
        ]


@dataclass(frozen=True)
class ImportedRelation:
    """A relation between two spans of the same record: indexes into ``Record.spans``."""

    head: int
    tail: int
    role: str


@dataclass
class Record:
    """One document read from the input, with what the input says about it.

    ``spans`` carry the input's judgement in their status: ``suggested`` (no judgement: a
    pre-annotation), ``accepted`` or ``rejected``. ``status`` is the document status the input
    states (e.g. a Prodigy ``accept`` answer: done), or None. ``kept`` counts features kept in the
    document's meta (feature name -> count), ``set_aside`` counts what was deliberately not
    imported (reason -> count); both appear in the import's summary.
    """

    doc: Document
    spans: list[Any]  # list[Span]; Any keeps pydantic's model_construct fast path usable
    path: str
    line: int | None = None
    relations: list[ImportedRelation] = field(default_factory=list)
    status: DocStatus | None = None
    kept: Counter[str] = field(default_factory=Counter)
    set_aside: Counter[str] = field(default_factory=Counter)
    suggestions: list[Any] = field(default_factory=list)
    """Spans offered without judgement that stay suggestions even with ``--annotator`` (our own
    JSONL keeps an annotator's decisions and the suggestions they had not decided apart)."""
    flagged: bool | None = None
    comment: str | None = None
    """The annotator's flag and comment on the document, where the input has them."""
    keep_origin: bool = False
    """The spans' ``origin`` is the input's own (our JSONL), kept instead of ``import``."""


@dataclass(frozen=True)
class ReadOptions:
    """Options a reader may use; each format documents which it reads."""

    encoding: str = "utf-8"
    text_key: str | None = None
    """JSON formats: the field holding the text (doccano's ``--text-key``)."""
    label_key: str | None = None
    """JSON formats: the field holding the spans (doccano's ``--label-key``)."""
    columns: int | None = None
    """Column formats: which column holds the tags (1-based, negative counts from the end)."""
    add_labels: bool = False
    """Labels the scheme lacks are taken (and added to the scheme by the import) instead of
    refused (``--add-labels``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further format-specific options, by name."""


@dataclass(frozen=True)
class ReadContext:
    scheme: LabelScheme
    options: ReadOptions = ReadOptions()


# --------------------------------------------------------------------------------------------
# Decoding and checks
# --------------------------------------------------------------------------------------------


_UTF16_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def utf16_bom(data: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when ``data`` starts with that byte order mark."""
    for bom, name in _UTF16_BOMS:  # UTF-32 first: its LE mark starts with UTF-16's
        if data.startswith(bom):
            return name
    return None


def read_text_file(path: Path, encoding: str = "utf-8") -> tuple[str, dict[str, Any]]:
    """One input file's text and meta (see :func:`decode`), or :class:`InputError` naming what is
    wrong: larger than :data:`MAX_FILE_BYTES`, unreadable, not text in ``encoding``."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                [
                    Problem(
                        name,
                        f"file of {size:,} bytes is larger than the limit of {MAX_FILE_BYTES:,}",
                    )
                ]
            )
        return decode(path.read_bytes(), name, encoding=encoding)
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read: {exc.strerror or exc}")]) from None


def decode(data: bytes, path: str, *, encoding: str = "utf-8") -> tuple[str, dict[str, Any]]:
    """Bytes of one document to its text, or :class:`InputError` naming what is wrong.

    A file that starts with a UTF-16 or UTF-32 byte order mark (Windows editors save "Unicode"
    text so) is decoded as such when the encoding was left at UTF-8; the mark is recorded in
    the document's meta, like a UTF-8 one."""
    meta: dict[str, Any] = {}
    if not data:
        raise InputError([Problem(path, "empty file")])
    utf8 = codecs.lookup(encoding).name == "utf-8"
    wide = utf16_bom(data) if utf8 else None
    if wide is not None:
        encoding, utf8 = wide.lower(), False  # the codec reads and drops the mark
        meta["bom"] = encoding
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


def make_document(doc_id: str, text: str, source: str, meta: dict[str, Any]) -> Document:
    """A Document from fields the readers have already checked (skips pydantic's validation,
    which costs a fifth of an import's time on large corpora)."""
    return Document.model_construct(
        id=doc_id, text=text, hash=content_hash(text), source=source, meta=meta
    )


def check_text(
    text: str, path: str, line: int | None, *, may_have_surrogates: bool = False
) -> Problem | None:
    """A problem with a document's text (too long, empty, unpaired surrogate), or None."""
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
