"""DFKI Smart Data corpus (v1): concatenated JSON documents, entities and events with arguments.

A file (``.json`` or ``.json.gz``) holds JSON objects one after another, not a list and not one per
line. Each has ``text.string``, ``conceptMentions.array[]`` (``span.start/end`` in code points,
``type`` such as ``person``, ``location-city``, ``organization-company``, ``date``, ``trigger``)
and ``relationMentions.array[]``: events with a ``name`` (``Accident``, ``Strike``, ...) and
``args.array[]``, each a ``role`` and the ``conceptMention`` filling it; the role ``trigger``
names the event's trigger words.

How it maps (see docs/formats.md):

* a concept type that is a label of the project's scheme stays as it is; else, with
  ``--add-labels``, it is added with its own name; else the corpus' suggested mapping applies
  (``person`` -> PER, ``location*`` -> LOC, ``organization*`` -> ORG) when that label exists;
  any other type (``date``, ``number``, ``duration``, ...) is set aside and counted;
* an event becomes an event span on its (first) trigger, labelled with the event's name when
  the scheme has it (or ``--add-labels``), else it is set aside and counted; its other arguments
  become arguments (relations from the trigger) with the corpus' roles; an argument whose
  filler was set aside is set aside too; further trigger fragments are kept in the document's
  meta (``smartdata.extra_triggers``); an event without a trigger is set aside;
* concept mentions of type ``trigger`` are the events' triggers, not entities;
* :func:`scheme` gives a new project the corpus' own scheme: every concept type as an entity
  label, every event name as an event label with the roles seen and the types that filled them.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.formats.reading import ImportedRelation, Problem, ReadContext, Record
from annotator.model import (
    ROLE_RESERVED_KEYS,
    Document,
    Label,
    LabelScheme,
    Role,
    Span,
    SpanKind,
    SpanStatus,
)

META = "smartdata"
TRIGGER = "trigger"
MAPPING = (("person", "PER"), ("location", "LOC"), ("organization", "ORG"))
"""The corpus' suggested mapping to the project's entity labels: a type equal to the first, or
starting with it and a hyphen, goes to the second."""


def mapped_type(concept_type: str) -> str | None:
    for prefix, label in MAPPING:
        if concept_type == prefix or concept_type.startswith(prefix + "-"):
            return label
    return None


def load_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a Smart Data file with the line each starts on. Raises ValueError
    naming the line of the first one that is not JSON."""
    opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            raw = fh.read()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ValueError(f"cannot read: {exc}") from None
    decoder = json.JSONDecoder()
    pos, line = 0, 1
    while True:
        start = pos
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
        line += raw.count("\n", start, pos)
        if pos >= len(raw):
            return
        try:
            obj, end = decoder.raw_decode(raw, pos)
        except json.JSONDecodeError as exc:
            raise _BadLine(f"not JSON: {exc.msg}", line + raw.count("\n", pos, exc.pos)) from None
        except RecursionError:
            raise _BadLine("JSON nested too deeply", line) from None
        if not isinstance(obj, dict):
            raise _BadLine("not a JSON object", line)
        yield line, obj
        line += raw.count("\n", pos, end)
        pos = end


class _BadLine(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _array(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, dict):
        value = value.get("array")
    return value if isinstance(value, list) else []


def _bounds(mention: Any) -> tuple[int, int] | None:
    span = mention.get("span") if isinstance(mention, dict) else None
    if not isinstance(span, dict):
        return None
    start, end = span.get("start"), span.get("end")
    if isinstance(start, int) and isinstance(end, int):
        return start, end
    return None


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    try:
        for line, obj in load_objects(path):
            result = _record(obj, path, line, ctx)
            yield result
    except _BadLine as exc:
        yield Problem(str(path), str(exc), exc.line)
    except ValueError as exc:
        yield Problem(str(path), str(exc))


def _record(obj: dict[str, Any], path: Path, line: int, ctx: ReadContext) -> Record | Problem:
    text_obj = obj.get("text")
    text = text_obj.get("string") if isinstance(text_obj, dict) else None
    doc_id = obj.get("id")
    if not isinstance(text, str) or not isinstance(doc_id, str) or not doc_id:
        return Problem(str(path), "a document needs an id and text.string", line)
    scheme = ctx.scheme
    add_labels = ctx.options.add_labels
    kept: Counter[str] = Counter()
    set_aside: Counter[str] = Counter()
    spans: list[Span] = []
    index: dict[tuple[int, int, str], int] = {}

    def where(bounds: tuple[int, int]) -> str:
        return f"document {doc_id}: span {bounds[0]}-{bounds[1]}"

    def span_for(bounds: tuple[int, int], label: str, kind: SpanKind) -> int:
        key = (bounds[0], bounds[1], label)
        if key not in index:
            index[key] = len(spans)
            spans.append(
                Span(
                    start=bounds[0],
                    end=bounds[1],
                    label=label,
                    kind=kind,
                    origin="import",
                    status=SpanStatus.SUGGESTED,
                )
            )
        return index[key]

    def entity_label(concept_type: str) -> str | None:
        known = scheme.get(concept_type)
        if known is not None:
            return concept_type if known.kind == SpanKind.ENTITY else None
        if add_labels:
            return concept_type
        mapped = mapped_type(concept_type)
        return mapped if mapped is not None and mapped in scheme else None

    def check(bounds: tuple[int, int] | None) -> tuple[int, int] | str:
        if bounds is None:
            return f"document {doc_id}: a mention without span.start/end"
        if not 0 <= bounds[0] < bounds[1] <= len(text):
            return f"{where(bounds)} does not fit the text ({len(text)} characters)"
        return bounds

    entity_at: dict[tuple[int, int, str], int] = {}
    for mention in _array(obj, "conceptMentions"):
        bounds = check(_bounds(mention))
        if isinstance(bounds, str):
            return Problem(str(path), bounds, line)
        ctype = str(mention.get("type") or "")
        if ctype == TRIGGER:
            continue  # the events' triggers, counted below
        label = entity_label(ctype)
        if label is None:
            set_aside[f"{ctype} mention(s): no such label (--add-labels keeps them)"] += 1
            continue
        entity_at[(*bounds, ctype)] = span_for(bounds, label, SpanKind.ENTITY)

    relations: list[ImportedRelation] = []
    extra_triggers: list[dict[str, Any]] = []
    used_triggers: set[tuple[int, int]] = set()
    for event in _array(obj, "relationMentions"):
        name = str(event.get("name") or "")
        args = [a for a in _array(event, "args") if isinstance(a, dict)]
        triggers = [a for a in args if a.get("role") == TRIGGER]
        others = [a for a in args if a.get("role") != TRIGGER]
        if not triggers:
            set_aside["event(s) without a trigger (an event span needs one)"] += 1
            set_aside["argument(s) of events without a trigger"] += len(others)
            continue
        known = scheme.get(name)
        if (known is None and not add_labels) or (
            known is not None and known.kind != SpanKind.EVENT
        ):
            set_aside[f"{name} event(s): no such event label (--add-labels keeps them)"] += 1
            set_aside[f"argument(s) of {name} events"] += len(others)
            continue
        trigger_bounds = []
        for t in triggers:
            b = check(_bounds(t.get("conceptMention")))
            if isinstance(b, str):
                return Problem(str(path), b, line)
            trigger_bounds.append(b)
        trigger_bounds.sort()
        head = span_for(trigger_bounds[0], name, SpanKind.EVENT)
        used_triggers.update(trigger_bounds)
        for b in trigger_bounds[1:]:
            extra_triggers.append(
                {"event": name, "trigger": list(trigger_bounds[0]), "fragment": list(b)}
            )
            kept["further trigger fragment(s) of events"] += 1
        for arg in others:
            mention = arg.get("conceptMention")
            b = check(_bounds(mention))
            if isinstance(b, str):
                return Problem(str(path), b, line)
            ctype = str(mention.get("type") or "") if isinstance(mention, dict) else ""
            tail = entity_at.get((*b, ctype))
            if tail is None:
                label = entity_label(ctype)
                if label is None:
                    set_aside[
                        f"argument(s) filled by {ctype or 'untyped'} mentions (not imported)"
                    ] += 1
                    continue
                tail = span_for(b, label, SpanKind.ENTITY)
            role = str(arg.get("role") or "")
            if tail == head:
                set_aside["argument(s) on the trigger itself"] += 1
                continue
            rel = ImportedRelation(head, tail, role)
            if rel not in relations:
                relations.append(rel)
    triggers_alone = sum(
        1
        for m in _array(obj, "conceptMentions")
        if m.get("type") == TRIGGER and _bounds(m) not in used_triggers
    )
    if triggers_alone:
        set_aside["trigger mention(s) of no imported event"] += triggers_alone
    meta: dict[str, Any] = {"format": META}
    title = obj.get("title")
    if isinstance(title, dict) and isinstance(title.get("string"), str):
        meta["title"] = title["string"]
    extras: dict[str, Any] = {}
    if extra_triggers:
        extras["extra_triggers"] = extra_triggers
    doc_type = obj.get("docType")
    if isinstance(doc_type, str):
        extras["docType"] = doc_type
    if extras:
        meta[META] = extras
    doc = Document(id=doc_id, text=text, source=str(path), meta=meta)
    return Record(
        doc, spans, str(path), line=line, relations=relations, kept=kept, set_aside=set_aside
    )


# ---- the corpus' own scheme --------------------------------------------------------------------

_KEYS = "abcdefghijklmnopqrstuvwxyz0123456789,.;'/-=[]\\`"
_FORBIDDEN = frozenset("jkxafc?")  # keys the annotate window uses for actions
_COLOURS = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
    "#808000", "#ffd8b1", "#000075", "#808080",
)  # fmt: skip


def scheme(paths: Sequence[Path]) -> LabelScheme | None:
    """The corpus' own labels for a new project: concept types as entity labels, event names as
    event labels whose roles are the argument roles seen, filled by the types seen."""
    types: dict[str, None] = {}
    events: dict[str, dict[str, dict[str, None]]] = {}
    files = [p for p in paths if p.is_file()] + [
        f for p in paths if p.is_dir() for f in sorted(p.glob("*.json*"))
    ]
    for path in files:
        try:
            objects = list(load_objects(path))
        except ValueError:
            return None  # read() reports it with its line
        for _line, obj in objects:
            for m in _array(obj, "conceptMentions"):
                if isinstance(m, dict) and m.get("type") and m["type"] != TRIGGER:
                    types.setdefault(str(m["type"]), None)
            for event in _array(obj, "relationMentions"):
                roles = events.setdefault(str(event.get("name") or ""), {})
                for arg in _array(event, "args"):
                    role = str(arg.get("role") or "")
                    mention = arg.get("conceptMention") or {}
                    if role == TRIGGER:
                        continue
                    fillers = roles.setdefault(role, {})
                    ctype = str(mention.get("type") or "")
                    if ctype and ctype != TRIGGER:
                        fillers.setdefault(ctype, None)
                        types.setdefault(ctype, None)
    events.pop("", None)
    if not types and not events:
        return None
    free = [k for k in _KEYS if k not in _FORBIDDEN]
    names = [*types, *sorted(events)]
    if len(names) > len(free):
        raise ValueError(
            f"{len(names)} Smart Data types are more than the free keys; give --scheme"
        )
    labels = [
        Label(
            name=t,
            kind=SpanKind.ENTITY,
            color=_COLOURS[n % len(_COLOURS)],
            key=free[n],
            guideline=f"Smart Data concept type {t}",
        )
        for n, t in enumerate(types)
    ]
    for n, name in enumerate(sorted(events), start=len(types)):
        role_keys = [k for k in _KEYS if k not in ROLE_RESERVED_KEYS]
        label_roles: list[Role] = []
        for i, (role, fillers) in enumerate(sorted(events[name].items())):
            choice = next(
                (
                    c
                    for c in role.lower()
                    if c in role_keys and c not in {r.key for r in label_roles}
                ),
                role_keys[i],
            )
            if choice in {r.key for r in label_roles}:
                choice = next(k for k in role_keys if k not in {r.key for r in label_roles})
            label_roles.append(
                Role(
                    name=role,
                    key=choice,
                    fillers=tuple(fillers),
                    guideline=f"Smart Data role {role} of {name}",
                )
            )
        labels.append(
            Label(
                name=name,
                kind=SpanKind.EVENT,
                color=_COLOURS[n % len(_COLOURS)],
                key=free[n],
                guideline=f"Smart Data event {name}",
                roles=tuple(label_roles),
            )
        )
    return LabelScheme(name="smartdata", labels=tuple(labels))
