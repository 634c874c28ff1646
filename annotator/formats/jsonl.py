"""This project's own JSONL: one document per line with everything a project holds for it.

A line (marked ``"annotator_jsonl": 1``)::

    {"annotator_jsonl": 1, "id": "d1", "text": "...", "source": "...", "meta": {...},
     "annotator": "anna", "status": "done", "flagged": false, "comment": "",
     "spans": [{"start": 0, "end": 7, "label": "MEETING", "kind": "event",
                "status": "accepted", "origin": "manual", "origin_version": "", "score": null}],
     "relations": [{"head": 0, "tail": 1, "role": "Place"}]}

``spans`` holds the annotator's decisions (accepted and rejected) and, with
``--include-suggestions``, every current suggestion (status ``suggested``), also those the
annotator decided, so that a suggestion and the decision taken on it both come back;
``relations`` name spans by their index in ``spans``. Offsets are written exactly as stored (no
trimming, no widening): this is the lossless format. Imported with ``--annotator`` the decisions,
relations, status, flag and comment become that annotator's, the suggestions stay suggestions
with their origin; the document keeps its id, source and meta.

A ``.jsonl`` file whose lines lack the marker is another tool's JSON lines, read by the format
its first line looks like (Prodigy or doccano), so ``--format jsonl`` keeps reading the files it
always read.
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
from annotator.formats.prodigy import input_hash, task_hash
from annotator.formats.reading import (
    ImportedRelation,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
)
from annotator.formats.registry import SNIFF_BYTES
from annotator.model import DocStatus, Span, SpanKind, SpanStatus

# input_hash and task_hash stay importable from here: the Prodigy shape this module once wrote.
MARKER = "annotator_jsonl"
VERSION = 1
__all__ = ["MARKER", "input_hash", "line_of", "read", "sniff", "task_hash", "write"]


def sniff(head: bytes) -> bool:
    obj = first_object(head)
    return obj is not None and MARKER in obj


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _span_entry(span: Span) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "kind": span.kind.value,
        "status": span.status.value,
        "origin": span.origin,
    }
    if span.origin_version:
        entry["origin_version"] = span.origin_version
    if span.score is not None:
        entry["score"] = span.score
    return entry


def line_of(part: str, doc: Any, spans: list[Span], ctx: Context) -> dict[str, Any]:
    decided = list(ctx.decisions(doc.id)) or [s for s in spans if s.status != SpanStatus.SUGGESTED]
    suggested = list(ctx.suggestions(doc.id)) or [
        s for s in spans if s.status == SpanStatus.SUGGESTED
    ]
    written = decided + suggested
    index = {s.id: i for i, s in enumerate(decided) if s.id is not None}
    relations = [
        {"head": index[r.head], "tail": index[r.tail], "role": r.role}
        for r in ctx.relations(doc.id)
        if r.head in index and r.tail in index
    ]
    line: dict[str, Any] = {
        MARKER: VERSION,
        "id": doc.id,
        "text": doc.text,
        "source": doc.source,
        "meta": doc.meta,
    }
    state = ctx.state(doc.id)
    if ctx.gold:
        line["gold"] = True
    if ctx.annotator is not None:
        line["annotator"] = ctx.annotator
    if state is not None:
        line["status"] = state.status.value
        line["flagged"] = state.flagged
        line["comment"] = state.comment
    line["spans"] = [_span_entry(s) for s in written]
    line["relations"] = relations
    return line


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    files = {part: out.open(f"{part}.jsonl") for part in ctx.parts}
    for part, doc, spans in items:
        report.count(part, [s for s in spans if s.status == SpanStatus.ACCEPTED])
        line = line_of(part, doc, spans, ctx)
        files[part].write(json.dumps(line, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """Our own lines; a file of another tool's lines goes to that tool's reader."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    obj = first_object(head)
    if obj is None or MARKER not in obj:
        from annotator.formats import doccano, prodigy

        other = doccano if obj is not None and doccano.looks_like(obj, ctx) else prodigy
        yield from other.read(path, ctx)
        return
    yield from each_value(path, ctx, _record)


def _record(
    obj: Any, name: str, fallback_id: str, lineno: int, ctx: ReadContext, surrogates: bool
) -> Iterator[Record | Problem]:
    if not isinstance(obj, dict):
        yield Problem(name, f"expected a JSON object, got {type(obj).__name__}", lineno)
        return
    if obj.get(MARKER) != VERSION:
        yield Problem(
            name, f'"{MARKER}" must be {VERSION} on every line (a line of another shape?)', lineno
        )
        return
    text = obj.get("text")
    if not isinstance(text, str):
        yield Problem(name, 'no "text" string in this line', lineno)
        return
    problem = check_text(text, name, lineno, may_have_surrogates=surrogates)
    if problem:
        yield problem
        return
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        yield Problem(name, '"meta" must be an object', lineno)
        return
    problems: list[str] = []
    status: DocStatus | None = None
    if obj.get("status") is not None:
        try:
            status = DocStatus(obj["status"])
        except ValueError:
            problems.append(f"unknown document status {obj['status']!r}")
    flagged = obj.get("flagged")
    comment = obj.get("comment")
    if flagged is not None and not isinstance(flagged, bool):
        problems.append('"flagged" must be true or false')
    if comment is not None and not isinstance(comment, str):
        problems.append('"comment" must be a string')
    raw_spans = obj.get("spans") or []
    raw_relations = obj.get("relations") or []
    if not isinstance(raw_spans, list) or not isinstance(raw_relations, list):
        problems.append('"spans" and "relations" must be lists')
        raw_spans, raw_relations = [], []
    decided: list[Span] = []
    suggested: list[Span] = []
    where: dict[int, int] = {}
    for i, raw in enumerate(raw_spans):
        span, why = _span(raw, i, text, ctx)
        if span is None:
            problems.append(why or f"span {i}: bad span")
        elif span.status == SpanStatus.SUGGESTED:
            suggested.append(span)
        else:
            where[i] = len(decided)
            decided.append(span)
    relations: list[ImportedRelation] = []
    for i, raw in enumerate(raw_relations):
        if not isinstance(raw, dict):
            problems.append(f"relation {i}: expected an object with head, tail, role")
            continue
        head, tail, role = raw.get("head"), raw.get("tail"), raw.get("role")
        if head not in where or tail not in where:
            problems.append(
                f"relation {i}: head and tail must be indexes of accepted or rejected spans"
            )
        elif not isinstance(role, str) or not role.strip():
            problems.append(f"relation {i}: role missing")
        else:
            relations.append(ImportedRelation(where[head], where[tail], role))
    if problems:
        for why in problems:
            yield Problem(name, why, lineno)
        return
    doc_id = doc_id_of(obj.get("id"), fallback_id)
    source = obj.get("source")
    yield Record(
        make_document(doc_id, text, source if isinstance(source, str) else name, meta),
        decided,
        name,
        lineno,
        relations=relations,
        status=status,
        suggestions=suggested,
        flagged=flagged,
        comment=comment,
        keep_origin=True,
    )


def _span(raw: Any, i: int, text: str, ctx: ReadContext) -> tuple[Span | None, str | None]:
    where = f"span {i}"
    if not isinstance(raw, dict):
        return None, f"{where}: expected an object with start, end, label"
    start, end = raw.get("start"), raw.get("end")
    problem = offsets_problem(start, end, text, where)
    if problem:
        return None, problem
    try:
        kind = SpanKind(raw.get("kind", "entity"))
        status = SpanStatus(raw.get("status", "accepted"))
    except ValueError:
        return None, f"{where}: unknown kind {raw.get('kind')!r} or status {raw.get('status')!r}"
    kind_, problem = label_problem(raw.get("label"), kind, ctx, f"{where} ({start}-{end})")
    if problem or kind_ is None:
        return None, problem
    score = raw.get("score")
    origin = raw.get("origin") or "import"
    version = raw.get("origin_version") or ""
    if not isinstance(origin, str) or not isinstance(version, str):
        return None, f"{where}: origin and origin_version must be strings"
    return (
        Span(
            start=start,
            end=end,
            label=raw["label"],
            kind=kind,
            status=status,
            origin=origin,
            origin_version=version,
            score=float(score) if isinstance(score, int | float) else None,
        ),
        None,
    )
