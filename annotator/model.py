"""The domain: documents, spans, relations, annotators, document states and the label scheme.

Plain pydantic models with no Qt and no SQL. Offsets are always Python code points into the
document text exactly as it was imported (see ADR 0002).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from annotator.resources import resource_path

DEFAULT_SCHEME_PATH = resource_path("labels.json")


class SpanKind(StrEnum):
    ENTITY = "entity"
    EVENT = "event"


class SpanStatus(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class DocStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class SpanError(ValueError):
    """A span that does not fit its document or the label scheme."""


def content_hash(text: str) -> str:
    """Identity of a document: SHA-256 of its text as UTF-8 (code points, not bytes on disk)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    text: str
    hash: str = ""
    source: str = ""
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fill_hash(self) -> Document:
        if not self.hash:
            object.__setattr__(self, "hash", content_hash(self.text))
        return self


class Span(BaseModel):
    """A labelled stretch of a document: ``text[start:end]``.

    ``origin`` says who proposed it: a model name (``builtin-de``), a rule set, ``import``, or
    ``manual`` for a span a person drew; ``origin_version`` the model or rule-set version.
    """

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    label: str = Field(min_length=1)
    kind: SpanKind = SpanKind.ENTITY
    origin: str = "manual"
    origin_version: str = ""
    score: float | None = None
    status: SpanStatus = SpanStatus.SUGGESTED
    id: int | None = None

    @model_validator(mode="after")
    def _check_order(self) -> Span:
        if self.start < 0:
            raise ValueError(f"span start {self.start} is negative")
        if self.start >= self.end:
            raise ValueError(f"span start {self.start} is not before its end {self.end}")
        return self

    @property
    def key(self) -> tuple[int, int, str]:
        """What makes two spans 'the same annotation': boundaries and label."""
        return (self.start, self.end, self.label)

    def covered(self, text: str) -> str:
        return text[self.start : self.end]


class Relation(BaseModel):
    """A directed link between two spans of one document, e.g. an event and its argument."""

    model_config = ConfigDict(frozen=True)

    head: int
    tail: int
    role: str = Field(min_length=1)
    id: int | None = None


class Annotator(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("an annotator name cannot be blank")
        return value


class DocState(BaseModel):
    """One annotator's progress on one document."""

    doc_id: str
    annotator: str
    status: DocStatus = DocStatus.TODO
    flagged: bool = False
    comment: str = ""
    revision: int = 0


class Label(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    kind: SpanKind
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    key: str = Field(default="", max_length=1)
    """The label's key in the annotate window; empty: none (all keys were taken)."""
    guideline: str = ""


class LabelScheme(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = "default"
    labels: tuple[Label, ...]

    @model_validator(mode="after")
    def _unique(self) -> LabelScheme:
        names = [label.name for label in self.labels]
        keys = [label.key.lower() for label in self.labels if label.key]
        for what, values in (("label name", names), ("hotkey", keys)):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise ValueError(f"duplicate {what} {value!r} in the label scheme")
                seen.add(value)
        if not self.labels:
            raise ValueError("a label scheme needs at least one label")
        return self

    def get(self, name: str) -> Label | None:
        for label in self.labels:
            if label.name == name:
                return label
        return None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def of_kind(self, kind: SpanKind) -> list[Label]:
        return [label for label in self.labels if label.kind == kind]

    def kind_of(self, name: str) -> SpanKind:
        label = self.get(name)
        if label is None:
            raise SpanError(f"unknown label {name!r} (the scheme has {', '.join(self.names)})")
        return label.kind

    def by_key(self, key: str) -> Label | None:
        for label in self.labels:
            if label.key and label.key.lower() == key.lower():
                return label
        return None

    @classmethod
    def load(cls, path: Path | str | None = None) -> LabelScheme:
        """Read and validate a scheme file (JSON); the built-in one when ``path`` is None."""
        path = Path(path) if path is not None else DEFAULT_SCHEME_PATH
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the label scheme: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValueError as exc:
            raise ValueError(f"{path}: invalid label scheme: {exc}") from exc

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


TITLE_LIMIT = 70
TITLE_KEYS = ("title", "headline")  # meta fields that name a document, first found wins


def document_title(
    text: str, meta: Mapping[str, Any] | None = None, *, limit: int = TITLE_LIMIT
) -> str:
    """What to call a document: its meta title if it has one, else its first non-empty line, on
    one line and shortened (at a word boundary) to ``limit`` characters."""
    candidate = ""
    for key in TITLE_KEYS:
        value = (meta or {}).get(key)
        if isinstance(value, str) and value.strip():
            candidate = value
            break
    else:
        candidate = next((line for line in text.splitlines() if line.strip()), "")
    title = " ".join(candidate.split())
    if len(title) > limit:
        cut = title[: limit - 1]
        if " " in cut[limit // 2 :]:
            cut = cut.rsplit(" ", 1)[0]
        title = cut.rstrip(" ,;:.-–") + "…"
    return title


def check_span(span: Span, text: str, scheme: LabelScheme) -> None:
    """Raise :class:`SpanError` unless ``span`` lies inside ``text`` and fits the scheme."""
    if span.end > len(text):
        raise SpanError(
            f"span {span.start}-{span.end} ends after the text ({len(text)} characters)"
        )
    label = scheme.get(span.label)
    if label is None:
        raise SpanError(
            f"span {span.start}-{span.end}: unknown label {span.label!r} "
            f"(the scheme has {', '.join(scheme.names)})"
        )
    if label.kind != span.kind:
        raise SpanError(
            f"span {span.start}-{span.end}: label {span.label} is an {label.kind.value} label, "
            f"not {span.kind.value}"
        )
