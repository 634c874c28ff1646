"""JSONL in the Prodigy task shape, one document per line; ``annotator import`` reads it back.

Span offsets are written exactly as stored (no trimming, no widening): this format is the
lossless one. ``token_start``/``token_end`` (inclusive) name the spaCy tokens the span touches.

Hashes: Prodigy's are 32-bit signed integers; ours are the first four bytes of a SHA-256,
stable across runs and machines (not Python's salted ``hash``). ``_input_hash`` covers the text
alone, so the same text always has the same input hash; ``_task_hash`` covers the input hash plus
the spans (start, end, label, kind) and relations, so it changes exactly when the annotation does.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from annotator import long_texts
from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.align import blank, token_range
from annotator.formats.reading import Problem, ReadContext, Record, check_text, make_document
from annotator.model import LabelScheme, Relation, Span, SpanError, SpanKind, check_span


def hash32(payload: str) -> int:
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def input_hash(text: str) -> int:
    return hash32(json.dumps({"text": text}, ensure_ascii=False))


def task_hash(text: str, spans: Sequence[dict[str, Any]], relations: Sequence[Any]) -> int:
    key = [[s["start"], s["end"], s["label"], s["kind"]] for s in spans]
    payload = json.dumps(
        [input_hash(text), sorted(key), relations], ensure_ascii=False, sort_keys=True
    )
    return hash32(payload)


def task(
    doc_text: str,
    meta: dict[str, Any],
    spans: Sequence[Span],
    relations: Sequence[Relation],
) -> dict[str, Any]:
    sdoc = long_texts.make_doc(blank(), doc_text)
    starts = [t.idx for t in sdoc]
    ends = [t.idx + len(t.text) for t in sdoc]
    tokens = [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t.text),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in sdoc
    ]
    out_spans: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for span in spans:
        first, last = token_range(starts, ends, span.start, span.end)
        entry = {
            "start": span.start,
            "end": span.end,
            "token_start": first,
            "token_end": last,
            "label": span.label,
            "kind": span.kind.value,
        }
        out_spans.append(entry)
        if span.id is not None:
            by_id[span.id] = entry
    out_relations = [
        {
            "head": by_id[r.head]["token_end"],
            "child": by_id[r.tail]["token_end"],
            "head_span": by_id[r.head],
            "child_span": by_id[r.tail],
            "label": r.role,
        }
        for r in relations
        if r.head in by_id and r.tail in by_id
    ]
    return {
        "text": doc_text,
        "meta": meta,
        "tokens": tokens,
        "spans": out_spans,
        "relations": out_relations,
        "answer": "accept",
        "_input_hash": input_hash(doc_text),
        "_task_hash": task_hash(doc_text, out_spans, out_relations),
    }


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    files = {part: out.open(f"{part}.jsonl") for part in ctx.parts}
    for part, doc, spans in items:
        report.count(part, spans)
        meta = {**doc.meta, "id": doc.id, "source": doc.source}
        line = task(doc.text, meta, spans, ctx.relations(doc.id))
        files[part].write(json.dumps(line, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


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


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """One document per line: ``{"text", "id"?, "meta"?, "spans"?: [{start, end, label, kind?}]}``
    (Prodigy) or ``{"text", "label": [[start, end, label], ...]}`` (doccano)."""
    scheme, encoding = ctx.scheme, ctx.options.encoding
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
    problem = check_text(text, name, lineno, may_have_surrogates=surrogates)
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
    yield Record(make_document(doc_id, text, source, meta), spans, name, lineno)
