"""doccano JSONL: sequence labelling and relation extraction exports in, the relation shape out.

Reading. One example per line (doccano's documented export example is pretty-printed, many lines
per object: read as well). Two shapes:

* sequence labelling: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``;
* relation extraction: ``{"text": ..., "entities": [{"id", "start_offset", "end_offset",
  "label"}], "relations": [{"id", "from_id", "to_id", "type"}]}``.

``--text-key`` and ``--label-key`` name other columns (doccano imports with any column names,
e.g. ``column_data``/``column_label``). doccano has no judgement of a span: spans arrive without
one (suggestions, or with ``--annotator`` that annotator's accepted spans). A ``label`` list of
plain strings is a text classification, not spans: kept in meta (``doccano.categories``) and
counted. The example's ``id``, the entity and relation ids and the other columns are kept in meta
under ``doccano``; ``meta`` becomes the document's meta.

Writing: the relation shape (``entities``/``relations``, which doccano's sequence labelling and
relation projects import), the accepted spans with their original ids where they came with one.
doccano has no rejected spans or document statuses: those stay in the project.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.jsonlines import (
    doc_id_of,
    each_value,
    first_object,
    label_problem,
    offsets_problem,
)
from annotator.formats.reading import (
    ImportedRelation,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
)
from annotator.model import Span, SpanStatus

FORMAT = "doccano"
_MAPPED = {"text", "label", "entities", "relations", "meta", "id"}
CATEGORIES = "doccano text categories (a label list of strings, not spans)"
FIELDS = "doccano columns and ids"


def looks_like(obj: dict[str, Any], ctx: ReadContext | None = None) -> bool:
    if "annotator_jsonl" in obj:
        return False
    if ctx is not None and ctx.options.label_key and ctx.options.label_key in obj:
        return "spans" not in obj
    return isinstance(obj.get("entities"), list) or isinstance(obj.get("label"), list)


def sniff(head: bytes) -> bool:
    obj = first_object(head)
    return obj is not None and looks_like(obj)


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    yield from each_value(path, ctx, _record)


def _record(
    obj: Any, name: str, fallback_id: str, lineno: int, ctx: ReadContext, surrogates: bool
) -> Iterator[Record | Problem]:
    if not isinstance(obj, dict):
        yield Problem(name, f"expected a JSON object, got {type(obj).__name__}", lineno)
        return
    text_key = ctx.options.text_key or "text"
    text = obj.get(text_key)
    if not isinstance(text, str):
        hint = "" if ctx.options.text_key else " (give --text-key if the text is elsewhere)"
        yield Problem(name, f'no "{text_key}" string in this line{hint}', lineno)
        return
    problem = check_text(text, name, lineno, may_have_surrogates=surrogates)
    if problem:
        yield problem
        return
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        yield Problem(name, '"meta" must be an object', lineno)
        return
    label_key = ctx.options.label_key or ("entities" if "entities" in obj else "label")
    raw_spans = obj.get(label_key, [])
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        yield Problem(name, f'"{label_key}" must be a list', lineno)
        return
    problems: list[str] = []
    spans: list[Span] = []
    by_id: dict[Any, int] = {}
    entity_ids: list[list[Any]] = []
    categories: list[str] = []
    for i, raw in enumerate(raw_spans):
        if isinstance(raw, str):
            categories.append(raw)
            continue
        if isinstance(raw, dict):
            start, end, label = raw.get("start_offset"), raw.get("end_offset"), raw.get("label")
        elif isinstance(raw, list) and len(raw) == 3:
            start, end, label = raw
        else:
            problems.append(
                f"span {i}: expected [start, end, label] or an object with start_offset, "
                f"end_offset, label, got {raw!r:.60}"
            )
            continue
        where = f"span {i}"
        why = offsets_problem(start, end, text, where)
        kind = None
        if why is None:
            kind, why = label_problem(label, None, ctx, f"{where} ({start}-{end})")
        if why or kind is None:
            problems.append(why or f"{where}: bad span")
            continue
        span = Span(start=start, end=end, label=label, kind=kind, status=SpanStatus.SUGGESTED)
        if isinstance(raw, dict) and "id" in raw:
            by_id[raw["id"]] = len(spans)
            entity_ids.append([start, end, label, raw["id"]])
        spans.append(span)
    relations: list[ImportedRelation] = []
    relation_ids: list[Any] = []
    raw_relations = obj.get("relations", []) or []
    if not isinstance(raw_relations, list):
        problems.append('"relations" must be a list')
        raw_relations = []
    for i, rel in enumerate(raw_relations):
        if not isinstance(rel, dict):
            problems.append(f"relation {i}: expected an object with from_id, to_id, type")
            continue
        head, tail, role = rel.get("from_id"), rel.get("to_id"), rel.get("type")
        if head not in by_id or tail not in by_id:
            problems.append(f"relation {i}: from_id {head!r} or to_id {tail!r} names no entity")
            continue
        if not isinstance(role, str) or not role.strip():
            problems.append(f"relation {i}: type missing")
            continue
        relations.append(ImportedRelation(by_id[head], by_id[tail], role))
        relation_ids.append(rel.get("id"))
    if problems:
        for why in problems:
            yield Problem(name, why, lineno)
        return
    kept: dict[str, Any] = {
        k: v for k, v in obj.items() if k not in _MAPPED and k not in (text_key, label_key)
    }
    if "id" in obj:
        kept["id"] = obj["id"]
    if entity_ids:
        kept["entity_ids"] = entity_ids
    if any(r is not None for r in relation_ids):
        kept["relation_ids"] = relation_ids
    record_meta = dict(meta)
    record_meta["format"] = FORMAT
    counts: dict[str, int] = {}
    if categories:
        kept["categories"] = categories
        counts[CATEGORIES] = len(categories)
    if kept:
        record_meta[FORMAT] = kept
        counts[FIELDS] = 1
    doc_id = doc_id_of(obj.get("id", meta.get("id")), fallback_id)
    record = Record(
        make_document(doc_id, text, str(meta.get("source", name)), record_meta),
        spans,
        name,
        lineno,
        relations=relations,
    )
    record.kept.update(counts)
    yield record


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def example(doc: Any, spans: list[Span], ctx: Context) -> dict[str, Any]:
    kept = doc.meta.get(FORMAT) if isinstance(doc.meta.get(FORMAT), dict) else {}
    assert isinstance(kept, dict)
    old_ids = {
        (e[0], e[1], e[2]): e[3]
        for e in kept.get("entity_ids", [])
        if isinstance(e, list) and len(e) == 4
    }
    accepted = list(spans)  # decided spans, and the suggestions when they were asked for
    taken = set(old_ids.values())
    next_id = 0
    entities = []
    ids: dict[int, Any] = {}
    for span in accepted:
        entity_id = old_ids.get(span.key)
        if entity_id is None:
            while next_id in taken:
                next_id += 1
            entity_id = next_id
            taken.add(entity_id)
        entities.append(
            {
                "id": entity_id,
                "start_offset": span.start,
                "end_offset": span.end,
                "label": span.label,
            }
        )
        if span.id is not None:
            ids[span.id] = entity_id
    relations = [
        {"id": i, "from_id": ids[r.head], "to_id": ids[r.tail], "type": r.role}
        for i, r in enumerate(r for r in ctx.relations(doc.id) if r.head in ids and r.tail in ids)
    ]
    meta = {k: v for k, v in doc.meta.items() if k not in ("tokens", "format", FORMAT)}
    meta.setdefault("source", doc.source)
    out: dict[str, Any] = {"id": kept.get("id", doc.id), "text": doc.text}
    out["entities"] = entities
    out["relations"] = relations
    if kept.get("categories"):
        out["cats"] = kept["categories"]
    out["meta"] = meta
    return out


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    files = {part: out.open(f"{part}.jsonl") for part in ctx.parts}
    for part, doc, spans in items:
        report.count(part, spans)
        files[part].write(json.dumps(example(doc, spans, ctx), ensure_ascii=False) + "\n")
