"""Rows to domain objects and back, shared by the aggregates' modules."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from annotator.model import Argument, Document, Span, SpanKind, SpanStatus


def _doc(row: sqlite3.Row | tuple[Any, ...]) -> Document:
    doc_id, text, hash_, source, meta = row
    return Document(id=doc_id, text=text, hash=hash_, source=source, meta=json.loads(meta))


def _span_dict(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "kind": span.kind.value,
        "status": span.status.value,
        "origin": span.origin,
        "origin_version": span.origin_version,
        "score": span.score,
    }


def _arg_dict(argument: Argument) -> dict[str, Any]:
    return {
        "trigger": list(argument.trigger),
        "role": argument.role,
        "filler": list(argument.filler),
        "status": argument.status.value,
    }


def _span_from_row(row: Sequence[Any]) -> Span:
    """A Span from (id, start, end, label, kind, status, origin, origin_version[, score])."""
    return Span(
        id=row[0],
        start=row[1],
        end=row[2],
        label=row[3],
        kind=SpanKind(row[4]),
        status=SpanStatus(row[5]),
        origin=row[6],
        origin_version=row[7],
        score=row[8] if len(row) > 8 else None,
    )


def _decision_row(doc_id: str, annotator: str, span: Span, created: str) -> tuple[Any, ...]:
    """The values of one decisions row, in the column order the INSERTs name."""
    return (
        doc_id,
        annotator,
        span.start,
        span.end,
        span.label,
        span.kind.value,
        span.status.value,
        span.origin,
        span.origin_version,
        span.score,
        created,
    )
