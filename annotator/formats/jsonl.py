"""JSONL in the Prodigy task shape, one document per line; ``annotator import`` reads it back.

Span offsets are written exactly as stored (no trimming, no widening): this format is the
lossless one. ``token_start``/``token_end`` (inclusive) name the spaCy tokens the span touches.

Hashes: Prodigy's are 32-bit signed integers; ours are the first four bytes of a SHA-256,
stable across runs and machines (not Python's salted ``hash``). ``_input_hash`` covers the text
alone, so the same text always has the same input hash; ``_task_hash`` covers the input hash plus
the spans (start, end, label, kind) and relations, so it changes exactly when the annotation does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.align import blank, token_range
from annotator.model import Relation, Span


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
    sdoc = blank().make_doc(doc_text)
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
