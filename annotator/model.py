"""The domain: documents, spans, relations, annotators, document states and the label scheme.

Plain pydantic models with no Qt and no SQL. Offsets are always Python code points into the
document text exactly as it was imported (see ADR 0002).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from annotator.errors import UserError
from annotator.keys import RESERVED_LABEL_KEYS
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


class SpanError(UserError, ValueError):
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


SpanKey = tuple[int, int, str]


class Argument(BaseModel):
    """An event argument: the span ``filler`` plays ``role`` in the event whose trigger span is
    ``trigger``. Both ends are named by their keys (start, end, label), so an argument survives
    the rewriting of its spans' rows. Stored as a relation whose head is the trigger.

    ``status`` and ``origin`` matter for gold arguments only (accepted, or a variant a reviewer
    turned down, and where it came from); an annotator's arguments are accepted."""

    model_config = ConfigDict(frozen=True)

    trigger: SpanKey
    role: str = Field(min_length=1)
    filler: SpanKey
    status: SpanStatus = SpanStatus.ACCEPTED
    origin: str = ""

    @property
    def key(self) -> tuple[SpanKey, str, SpanKey]:
        return (self.trigger, self.role, self.filler)

    def describe(self, text: str) -> str:
        t, f = self.trigger, self.filler
        return f"{t[2]} «{text[t[0] : t[1]]}» —{self.role}→ {f[2]} «{text[f[0] : f[1]]}»"


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


class ArgumentError(UserError, ValueError):
    """An argument the label scheme does not allow (role or filler label)."""


# Keys the "add argument" mode of the annotate window keeps for itself (J/K move between the
# candidate spans): no role may use them.
ROLE_RESERVED_KEYS = frozenset("jk")


class Role(BaseModel):
    """One role of an event label: who or what fills it (``fillers``: label names; empty means
    any entity label), the key that chooses it while adding an argument, a guideline sentence."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    key: str = Field(min_length=1, max_length=1)
    fillers: tuple[str, ...] = ()
    guideline: str = ""


class SchemeError(UserError, ValueError):
    """A label scheme file that cannot be used; the message is one line naming the file."""


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


class Label(BaseModel):
    """One label of the scheme. ``name`` is any text without control characters (tools such as
    Label Studio and doccano use names with spaces); formats that cannot carry every name say so
    on export (:func:`annotator.formats.names.label_name_problem`)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: SpanKind
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    key: str = Field(default="", max_length=1)
    """The label's key in the annotate window; empty: none (all keys were taken)."""
    guideline: str = ""
    roles: tuple[Role, ...] = ()

    def role(self, name: str) -> Role | None:
        for role in self.roles:
            if role.name == name:
                return role
        return None

    def role_by_key(self, key: str) -> Role | None:
        for role in self.roles:
            if role.key.lower() == key.lower():
                return role
        return None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a label name cannot be blank")
        if value != value.strip():
            raise ValueError(f"label name {value!r} starts or ends with white space")
        if _has_control(value):
            raise ValueError(f"label name {value!r} holds a control character")
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if _has_control(value):
            raise ValueError(f"label key {value!r} is a control character")
        return value


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
        for label in self.labels:
            self._check_roles(label, set(names))
        return self

    @staticmethod
    def _check_roles(label: Label, names: set[str]) -> None:
        if label.roles and label.kind != SpanKind.EVENT:
            raise ValueError(f"label {label.name}: only event labels have roles")
        seen_names: set[str] = set()
        seen_keys: set[str] = set()
        for role in label.roles:
            if role.name in seen_names:
                raise ValueError(f"label {label.name}: duplicate role {role.name!r}")
            key = role.key.lower()
            if key in seen_keys:
                raise ValueError(
                    f"label {label.name}: duplicate role key {role.key!r} (role {role.name})"
                )
            if key in ROLE_RESERVED_KEYS:
                raise ValueError(
                    f"label {label.name}: role {role.name} uses the key {role.key!r}, which "
                    f"choosing an argument needs ({', '.join(sorted(ROLE_RESERVED_KEYS))})"
                )
            for filler in role.fillers:
                if filler not in names:
                    raise ValueError(
                        f"label {label.name}: role {role.name} names an unknown filler label "
                        f"{filler!r}"
                    )
            seen_names.add(role.name)
            seen_keys.add(key)

    def roles_of(self, label: str) -> tuple[Role, ...]:
        found = self.get(label)
        return found.roles if found is not None else ()

    def check_argument(self, trigger_label: str, role: str, filler_label: str) -> None:
        """Raise :class:`ArgumentError` unless an event labelled ``trigger_label`` may have an
        argument labelled ``filler_label`` in ``role``."""
        trigger = self.get(trigger_label)
        if trigger is None or trigger.kind != SpanKind.EVENT:
            raise ArgumentError(
                f"{trigger_label} is not an event label: only events have arguments"
            )
        found = trigger.role(role)
        if found is None:
            have = ", ".join(r.name for r in trigger.roles) or "none"
            raise ArgumentError(f"{trigger_label} has no role {role!r} (its roles: {have})")
        filler = self.get(filler_label)
        if filler is None:
            raise ArgumentError(f"unknown label {filler_label!r} for the {role} of {trigger_label}")
        if found.fillers:
            if filler_label not in found.fillers:
                raise ArgumentError(
                    f"the {role} of {trigger_label} is {' or '.join(found.fillers)}, "
                    f"not {filler_label}"
                )
        elif filler.kind != SpanKind.ENTITY:
            raise ArgumentError(f"the {role} of {trigger_label} is an entity, not {filler_label}")

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

    def reserved_key_clashes(self) -> list[str]:
        """Labels whose key an action of the annotate window already uses, one text each."""
        return [
            f"{label.name!r} has key {label.key!r}, "
            f"which is {RESERVED_LABEL_KEYS[label.key.lower()]}"
            for label in self.labels
            if label.key.lower() in RESERVED_LABEL_KEYS
        ]

    @classmethod
    def load(cls, path: Path | str | None = None) -> LabelScheme:
        """Read and validate a scheme file (JSON); the built-in one when ``path`` is None.

        Every problem is a :class:`SchemeError` with one line naming the file: unreadable, not
        JSON, nested too deeply, not a scheme, duplicate names or keys, keys the window uses.
        """
        path = Path(path) if path is not None else DEFAULT_SCHEME_PATH
        where = f"{path}: label scheme"
        if not path.exists():
            raise SchemeError(f"{where}: no such file")
        if not path.is_file():
            raise SchemeError(f"{where}: not a regular file")
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SchemeError(
                f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except OSError as exc:
            raise SchemeError(f"{where}: cannot read it ({exc.strerror})") from None
        if not raw.strip():
            raise SchemeError(f"{where}: the file is empty")
        try:
            data = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as exc:
            raise SchemeError(
                f"{where}: the JSON key {exc.args[0]!r} appears twice in one object"
            ) from None
        except json.JSONDecodeError as exc:
            raise SchemeError(
                f"{where}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
        except RecursionError:
            raise SchemeError(f"{where}: JSON nested too deeply") from None
        if not isinstance(data, dict):
            raise SchemeError(
                f'{where}: expected a JSON object with "labels", not {_json_type(data)}'
            )
        try:
            scheme = cls.model_validate(data)
        except ValidationError as exc:
            raise SchemeError(f"{where}: {validation_message(exc)}") from None
        except RecursionError:
            raise SchemeError(f"{where}: JSON nested too deeply") from None
        clashes = scheme.reserved_key_clashes()
        if clashes:
            raise SchemeError(
                f"{where}: label keys clash with the window's keys: {'; '.join(clashes)}"
            )
        return scheme

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def _one_line(exc: ValidationError) -> str:
    """The first error of a pydantic validation, on one line, with where it is."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where + ': ' if where else ''}{message}{more}"


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


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_type(value: object) -> str:
    names = {
        list: "an array",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


def validation_message(exc: ValidationError) -> str:
    """A pydantic error as one line: ``where: what`` per problem, ``;`` between them."""
    parts = []
    for error in exc.errors()[:5]:
        loc = ".".join(str(p) for p in error["loc"])
        msg = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


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
