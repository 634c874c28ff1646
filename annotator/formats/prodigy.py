"""Prodigy JSONL: annotated tasks in (``db-out``), tasks Prodigy reads out.

Reading. Each line is a task. Tasks on the same input (the same ``_input_hash``, else the same
text) are one document: ``ner.teach`` asks about one span per task, many tasks per text. A task's
``answer`` judges its spans: ``accept`` -> accepted, ``reject`` -> rejected, ``ignore`` -> not
imported (counted); a span's own ``answer`` (Prodigy writes it when it merges tasks) wins over
the task's. A task without ``answer`` (an input stream, pre-annotations) offers its spans without
judgement. A document with an accepted task is done; one whose tasks were all ignored is
skipped. ``tokens`` are kept (meta ``tokens``) so that exports put spans on the same tokens;
``relations`` in ``rel.manual``'s shape (``head_span``/``child_span``/``label``) become relations.
Everything else of each task (hashes, answer, ``_view_id``, a text category's ``label`` or
``accept``, span fields such as ``rank`` and ``source``) is kept in meta under ``prodigy`` and
counted, and the writer puts it back.

Writing. One task per document with its accepted spans, ``answer`` from the document's status
(done: ``accept``; skipped: ``ignore``; otherwise no answer, a pre-annotated task to go on with;
left out when the document is not done, has no accepted span and other tasks to write), its
text-category tasks as they came,
plus one ``reject`` task per rejected span (``ner.teach``'s binary shape) and, with
``--include-suggestions``, one task without answer holding the undecided suggestions. Rejected
spans are never written as accepted. The original ``_input_hash`` comes back, and a task's
original ``_task_hash`` and fields when its spans are those it came with.

Hashes we make: Prodigy's are 32-bit signed integers; ours are the first four bytes of a
SHA-256, stable across runs and machines (not Python's salted ``hash``). ``_input_hash`` covers
the text alone; ``_task_hash`` covers the input hash plus the spans and relations, so it changes
exactly when the annotation does.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.jsonlines import (
    FallbackIds,
    doc_id_of,
    first_object,
    label_problem,
    offsets_problem,
    values,
)
from annotator.formats.reading import (
    ImportedRelation,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
)
from annotator.model import DocStatus, Document, Relation, Span, SpanKind, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

FORMAT = "prodigy"
ANSWERS = ("accept", "reject", "ignore")
_MAPPED = {"text", "spans", "tokens", "relations", "meta"}
"""Task fields that map to our model; every other field is kept in meta under ``prodigy``."""
_SPAN_MAPPED = {"start", "end", "label", "kind", "token_start", "token_end", "text", "answer"}
KEPT = "Prodigy task(s) with their hashes, answers and other fields"
TEXTCAT = "Prodigy text-category answer(s) (label, accept, options; no spans)"
IGNORED = "ignored Prodigy task(s) (answer ignore)"
IGNORED_SPANS = "span(s) of ignored Prodigy tasks"
BOTH = "acceptance(s) of a span another task rejected (stored rejected)"
REJECTED_RELATIONS = "relation(s) of rejected Prodigy tasks (a relation cannot be rejected)"
TOKEN_RELATIONS = "Prodigy relation(s) between tokens without a span label"


# --------------------------------------------------------------------------------------------
# Hashes
# --------------------------------------------------------------------------------------------


def hash32(payload: str) -> int:
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def input_hash(text: str) -> int:
    return hash32(json.dumps({"text": text}, ensure_ascii=False))


def task_hash(text: str, spans: Sequence[dict[str, Any]], relations: Sequence[Any]) -> int:
    key = [[s["start"], s["end"], s["label"], s.get("kind", "entity")] for s in spans]
    payload = json.dumps(
        [input_hash(text), sorted(key), relations], ensure_ascii=False, sort_keys=True
    )
    return hash32(payload)


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def looks_like(obj: dict[str, Any]) -> bool:
    """A Prodigy task: a ``text`` with Prodigy's fields, or a bare input line."""
    if "text" not in obj or "entities" in obj or isinstance(obj.get("label"), list):
        return False
    prodigy_keys = {"spans", "answer", "_input_hash", "_task_hash", "tokens", "accept", "options"}
    return bool(prodigy_keys & obj.keys()) or obj.keys() <= {"text", "meta", "id"}


def sniff(head: bytes) -> bool:
    obj = first_object(head)
    return obj is not None and "annotator_jsonl" not in obj and looks_like(obj)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class _Document:
    """The tasks of one input, folded."""

    text: str
    path: str
    line: int
    doc_id: str
    meta: dict[str, Any]
    """The first task's ``meta``: the document's."""
    spans: list[Span] = field(default_factory=list)
    where: dict[tuple[int, int, str], int] = field(default_factory=dict)
    relations: list[ImportedRelation] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[list[int]] | None = None
    kept: Counter[str] = field(default_factory=Counter)
    set_aside: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    input_hash: Any = None

    def add_span(self, span: Span) -> int:
        """Index of the span in the document; the same span from another task is stored once,
        a judgement winning over none and a rejection over an acceptance (as the import folds)."""
        if span.key in self.where:
            i = self.where[span.key]
            kept = self.spans[i]
            if {kept.status, span.status} == {SpanStatus.ACCEPTED, SpanStatus.REJECTED}:
                self.set_aside[BOTH] += 1
            if span.status == SpanStatus.REJECTED or kept.status == SpanStatus.SUGGESTED:
                self.spans[i] = span
            return i
        self.where[span.key] = len(self.spans)
        self.spans.append(span)
        return len(self.spans) - 1


def _status(answer: Any) -> SpanStatus | None:
    if answer == "accept":
        return SpanStatus.ACCEPTED
    if answer == "reject":
        return SpanStatus.REJECTED
    if answer is None:
        return SpanStatus.SUGGESTED
    return None  # ignore


def _tokens(raw: Any, text: str) -> tuple[list[list[int]] | None, str | None]:
    if not isinstance(raw, list):
        return None, '"tokens" must be a list'
    out: list[list[int]] = []
    pos = 0
    for i, token in enumerate(raw):
        if not isinstance(token, dict):
            return None, f"token {i}: expected an object with start and end"
        start, end = token.get("start"), token.get("end")
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or isinstance(start, bool)
            or isinstance(end, bool)
            or not 0 <= start < end
        ):
            return None, f"token {i}: start and end must be whole numbers, start before end"
        if start < pos or end > len(text):
            return None, f"token {i} ({start}-{end}) overlaps the one before or leaves the text"
        out.append([start, end])
        pos = end
    return out, None


def _span(
    raw: Any, where: str, text: str, ctx: ReadContext, status: SpanStatus
) -> tuple[Span | None, str | None]:
    if not isinstance(raw, dict):
        return None, f"{where}: expected an object with start, end, label, got {raw!r:.60}"
    start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
    problem = offsets_problem(start, end, text, where)
    if problem:
        return None, problem
    given = raw.get("kind")
    if given is not None and given not in (k.value for k in SpanKind):
        return None, f"{where}: kind must be entity or event, got {given!r}"
    kind, problem = label_problem(
        label, SpanKind(given) if given else None, ctx, f"{where} ({start}-{end})"
    )
    if problem or kind is None:
        return None, problem
    score = raw.get("score")
    return (
        Span(
            start=start,
            end=end,
            label=label,
            kind=kind,
            status=status,
            score=float(score) if isinstance(score, int | float) else None,
        ),
        None,
    )


def _add_task(doc: _Document, obj: dict[str, Any], lineno: int, ctx: ReadContext) -> None:
    name = doc.path
    problems = doc.problems
    answer = obj.get("answer")
    if answer is not None and answer not in ANSWERS:
        problems.append(
            Problem(name, f'"answer" must be accept, reject or ignore, got {answer!r}', lineno)
        )
        return
    key = ctx.options.label_key or "spans"
    raw_spans = obj.get(key)
    textcat = raw_spans is None and any(k in obj for k in ("label", "accept", "options"))
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        problems.append(Problem(name, f'"{key}" must be a list', lineno))
        return
    if "tokens" in obj and doc.tokens is None:
        tokens, why = _tokens(obj["tokens"], doc.text)
        if why:
            problems.append(Problem(name, why, lineno))
            return
        doc.tokens = tokens
    kept = {k: v for k, v in obj.items() if k not in _MAPPED}
    if obj.get("meta") not in (None, doc.meta):
        kept["meta"] = obj["meta"]
    extras = [
        {"start": s.get("start"), "end": s.get("end"), "label": s.get("label")}
        | {k: v for k, v in s.items() if k not in _SPAN_MAPPED and k != "score"}
        for s in raw_spans
        if isinstance(s, dict)
    ]
    if any(len(e) > 3 for e in extras):
        kept["spans"] = extras
    elif raw_spans:
        kept["spans"] = [
            {"start": e["start"], "end": e["end"], "label": e["label"]} for e in extras
        ]
    doc.tasks.append(kept)
    doc.kept[KEPT] += 1
    if textcat:
        doc.kept[TEXTCAT] += 1
    if answer == "ignore":
        doc.set_aside[IGNORED] += 1
    indexes: list[int | None] = []
    for i, raw in enumerate(raw_spans):
        own = raw.get("answer", answer) if isinstance(raw, dict) else answer
        if own is not None and own not in ANSWERS:
            problems.append(
                Problem(name, f'span {i}: "answer" must be accept, reject or ignore', lineno)
            )
            return
        status = _status(own)
        if status is None:
            doc.set_aside[IGNORED_SPANS] += 1
            indexes.append(None)
            continue
        span, why = _span(raw, f"span {i}", doc.text, ctx, status)
        if span is None:
            problems.append(Problem(name, why or "bad span", lineno))
            indexes.append(None)
            continue
        indexes.append(doc.add_span(span))
    relations = obj.get("relations") or []
    if not isinstance(relations, list):
        problems.append(Problem(name, '"relations" must be a list', lineno))
        return
    status = _status(answer)
    for i, rel in enumerate(relations):
        where = f"relation {i}"
        if not isinstance(rel, dict):
            problems.append(Problem(name, f"{where}: expected an object", lineno))
            continue
        role = rel.get("label")
        if not isinstance(role, str) or not role.strip():
            problems.append(Problem(name, f"{where}: label missing", lineno))
            continue
        if status is None:
            doc.set_aside[IGNORED_SPANS.replace("span(s)", "relation(s)")] += 1
            continue
        if status == SpanStatus.REJECTED:
            # A relation is there or not: our relations have no rejected state.
            doc.set_aside[REJECTED_RELATIONS] += 1
            continue
        sides = [rel.get("head_span"), rel.get("child_span")]
        if any(not isinstance(raw, dict) or raw.get("label") is None for raw in sides):
            # rel.manual between plain tokens: no span to hang the relation on.
            doc.set_aside[TOKEN_RELATIONS] += 1
            continue
        ends: list[int] = []
        for side, raw in zip(("head_span", "child_span"), sides, strict=True):
            span, why = _span(raw, f"{where} {side}", doc.text, ctx, status)
            if span is None:
                problems.append(Problem(name, why or "bad span", lineno))
                break
            ends.append(doc.add_span(span))
        if len(ends) == 2:
            doc.relations.append(ImportedRelation(ends[0], ends[1], role))


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """Tasks of one file, folded into documents by input (see the module docstring)."""
    name = str(path)
    docs: dict[tuple[str, Any], _Document] = {}
    text_key = ctx.options.text_key or "text"
    fallback = FallbackIds(path.stem)
    for item in values(path, ctx.options.encoding):
        if isinstance(item, Problem):
            yield item
            continue
        lineno, obj, surrogates = item
        if not isinstance(obj, dict):
            yield Problem(name, f"expected a JSON object, got {type(obj).__name__}", lineno)
            continue
        text = obj.get(text_key)
        if not isinstance(text, str):
            hint = "" if ctx.options.text_key else " (give --text-key if the text is elsewhere)"
            yield Problem(name, f'no "{text_key}" string in this line{hint}', lineno)
            continue
        problem = check_text(text, name, lineno, may_have_surrogates=surrogates)
        if problem:
            yield problem
            continue
        meta = obj.get("meta") or {}
        if not isinstance(meta, dict):
            yield Problem(name, '"meta" must be an object', lineno)
            continue
        given = obj.get("_input_hash")
        key: tuple[str, Any] = ("hash", given) if isinstance(given, int) else ("text", text)
        doc = docs.get(key)
        if doc is None:
            doc = _Document(
                text=text,
                path=name,
                line=lineno,
                doc_id=doc_id_of(obj.get("id", meta.get("id")), fallback(lineno)),
                meta=meta,
                input_hash=given,
            )
            docs[key] = doc
        elif doc.text != text:
            yield Problem(
                name,
                f"_input_hash {given} is also the input hash of a different text (line {doc.line})",
                lineno,
            )
            continue
        _add_task(doc, obj, lineno, ctx)
    for doc in docs.values():
        if doc.problems:
            yield from doc.problems
            continue
        yield _record(doc, path)


def _record(doc: _Document, path: Path) -> Record:
    name = str(path)
    meta = dict(doc.meta)
    prodigy: dict[str, Any] = {"tasks": doc.tasks}
    if doc.input_hash is not None:
        prodigy["_input_hash"] = doc.input_hash
    meta["format"] = FORMAT
    meta[FORMAT] = prodigy
    if doc.tokens is not None:
        meta["tokens"] = doc.tokens
    status: DocStatus | None = None
    span_tasks = [t for t in doc.tasks if not _is_textcat(t)]
    if any(t.get("answer") == "accept" for t in span_tasks):
        status = DocStatus.DONE
    elif doc.tasks and all(t.get("answer") == "ignore" for t in doc.tasks):
        status = DocStatus.SKIPPED
    source = str(meta.get("source", name))
    return Record(
        make_document(doc.doc_id, doc.text, source, meta),
        doc.spans,
        name,
        doc.line,
        relations=doc.relations,
        status=status,
        kept=doc.kept,
        set_aside=doc.set_aside,
    )


def _is_textcat(task: dict[str, Any]) -> bool:
    return "spans" not in task and any(k in task for k in ("label", "accept", "options"))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _token_list(text: str, tokens: Any) -> list[dict[str, Any]]:
    from annotator.formats.align import blank, make_doc

    sdoc = make_doc(blank(), text, tokens if isinstance(tokens, list) else None)
    return [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t.text),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in sdoc
    ]


def _span_entries(spans: Sequence[Span], tokens: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    from annotator.formats.align import token_range

    starts = [t["start"] for t in tokens]
    ends = [t["end"] for t in tokens]
    out = []
    for span in spans:
        first, last = token_range(starts, ends, span.start, span.end)
        entry: dict[str, Any] = {
            "start": span.start,
            "end": span.end,
            "token_start": tokens[first]["id"] if tokens else 0,
            "token_end": tokens[last]["id"] if tokens else 0,
            "label": span.label,
        }
        if span.kind != SpanKind.ENTITY:
            entry["kind"] = span.kind.value
        out.append(entry)
    return out


def task(
    text: str,
    meta: dict[str, Any],
    spans: Sequence[Span],
    relations: Sequence[Relation],
    *,
    answer: str | None = "accept",
    tokens: Any = None,
    original: dict[str, Any] | None = None,
    given_input_hash: int | None = None,
) -> dict[str, Any]:
    """One Prodigy task: ``text``, ``meta``, ``tokens``, ``spans`` (with ``token_start`` and
    ``token_end``, inclusive), ``relations`` in ``rel.manual``'s shape, ``answer`` and hashes.

    ``original``: the kept fields of the task these spans came from (its ``_task_hash``,
    ``_view_id`` ...), put back."""
    token_list = _token_list(text, tokens)
    entries = _span_entries(spans, token_list)
    by_id = {s.id: e for s, e in zip(spans, entries, strict=True) if s.id is not None}
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
    line: dict[str, Any] = {"text": text, "meta": meta, "tokens": token_list, "spans": entries}
    if out_relations:
        line["relations"] = out_relations
    if original:
        for k, v in original.items():
            if k not in ("spans", "meta", "answer") and k not in line:
                line[k] = v
    if answer is not None:
        line["answer"] = answer
    else:
        line.pop("answer", None)
    line["_input_hash"] = given_input_hash if given_input_hash is not None else input_hash(text)
    if original and "_task_hash" in original:
        line["_task_hash"] = original["_task_hash"]
    else:
        line["_task_hash"] = task_hash(text, entries, out_relations)
    return line


def _keys(entries: Any) -> frozenset[tuple[Any, Any, Any]]:
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        (e.get("start"), e.get("end"), e.get("label")) for e in entries if isinstance(e, dict)
    )


def _original(
    tasks: Sequence[Any], answer: str | None, spans: Sequence[Span]
) -> dict[str, Any] | None:
    """The kept task with this answer and exactly these spans, if the document came so."""
    wanted = frozenset(s.key for s in spans)
    for kept in tasks:
        if (
            isinstance(kept, dict)
            and kept.get("answer") == answer
            and _keys(kept.get("spans", [])) == wanted
        ):
            return kept
    return None


def _answer(status: DocStatus | None) -> str | None:
    if status in (DocStatus.DONE, None):
        return "accept"
    if status == DocStatus.SKIPPED:
        return "ignore"
    return None


def tasks_of(
    doc_id: str,
    text: str,
    doc_meta: dict[str, Any],
    source: str,
    spans: Sequence[Span],
    ctx: Context,
) -> list[dict[str, Any]]:
    """The tasks of one document (see the module docstring)."""
    kept = doc_meta.get(FORMAT) if isinstance(doc_meta.get(FORMAT), dict) else {}
    assert isinstance(kept, dict)
    original_tasks = kept.get("tasks", [])
    given_hash = kept.get("_input_hash") if isinstance(kept.get("_input_hash"), int) else None
    tokens = doc_meta.get("tokens")
    meta = {k: v for k, v in doc_meta.items() if k not in ("tokens", "format", FORMAT)}
    own_meta = dict(meta)  # the input's meta, as text-category tasks go back
    meta.setdefault("id", doc_id)
    meta.setdefault("source", source)
    state = ctx.state(doc_id)
    status = state.status if state is not None else None
    accepted = [s for s in spans if s.status != SpanStatus.SUGGESTED]
    suggested = [s for s in spans if s.status == SpanStatus.SUGGESTED]
    rejected = [s for s in ctx.decisions(doc_id) if s.status == SpanStatus.REJECTED]
    answer = _answer(status)
    out = [
        task(
            text,
            meta,
            accepted,
            ctx.relations(doc_id),
            answer=answer,
            tokens=tokens,
            original=_original(original_tasks, answer, accepted),
            given_input_hash=given_hash,
        )
    ]
    for span in rejected:
        out.append(
            task(
                text,
                meta,
                [span],
                (),
                answer="reject",
                tokens=tokens,
                original=_original(original_tasks, "reject", [span]),
                given_input_hash=given_hash,
            )
        )
    if suggested:
        out.append(
            task(text, meta, suggested, (), answer=None, tokens=tokens, given_input_hash=given_hash)
        )
    for kept_task in original_tasks:
        # Text-category answers go back as they came: they are no span annotation of ours.
        if isinstance(kept_task, dict) and _is_textcat(kept_task):
            back: dict[str, Any] = {"text": text, "meta": kept_task.get("meta", own_meta)}
            back.update({k: v for k, v in kept_task.items() if k != "meta"})
            if given_hash is not None:
                back.setdefault("_input_hash", given_hash)
            out.append(back)
    if answer != "accept" and not accepted and len(out) > 1:
        # An open document with only rejections or text categories: those tasks say all there
        # is (an empty task would read as "no entities here" once Prodigy's db-in gives it an
        # answer).
        out.pop(0)
    for extra in out[1:]:
        extra.pop("tokens", None)  # the document's first task carries them
    return out


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    files = {part: out.open(f"{part}.jsonl") for part in ctx.parts}
    for part, doc, spans in items:
        report.count(part, [s for s in spans if s.status != SpanStatus.SUGGESTED])
        for line in tasks_of(doc.id, doc.text, doc.meta, doc.source, spans, ctx):
            files[part].write(json.dumps(line, ensure_ascii=False) + "\n")


def suggestion_task(doc: Document, spans: Sequence[Span]) -> dict[str, Any]:
    """An open task (no answer) offering a document's suggestions, as Prodigy's ``ner.manual``
    takes it in; each span also says its ``kind``, ``score`` and ``origin``."""
    meta = {"id": doc.id, "source": doc.source}
    line = task(doc.text, meta, spans, (), answer=None, tokens=doc.meta.get("tokens"))
    for entry, span in zip(line["spans"], spans, strict=True):
        entry.update(kind=span.kind.value, score=span.score, origin=span.origin)
    return line


def write_suggestions_jsonl(store: Store, path: Path) -> int:
    """Every document with its current suggestions (:func:`suggestion_task`), one line each;
    returns the lines (``annotator suggest --jsonl``).

    Written to a temporary file beside ``path`` and moved into place, so an error never leaves
    half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    lines = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for doc in store.iter_documents():
                line = suggestion_task(doc, current_suggestions(store, doc.id))
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                lines += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return lines
