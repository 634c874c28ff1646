"""Label Studio JSON: its export of a text project in, a file it imports out.

Reading. A ``.json`` file holds a list of tasks. A task's text is ``data.text`` (``--text-key``
names another field of ``data``). Of its ``annotations`` the one imported is the ground truth,
else the first that was not cancelled; further annotations (other annotators) are kept in meta
and counted. Its ``result`` items of type ``labels`` become spans (one per label in
``value.labels``; offsets are code points, as Label Studio stores them; offsets that only fit as
UTF-16 code units, as older versions wrote them, are converted and counted), items of type
``relation`` become relations (``direction`` ``left`` swaps the ends, a relation without a label
gets the role ``related``, one with several labels one relation each). A submitted annotation
makes the document done; a task whose annotations were all cancelled is skipped. ``predictions``
are suggestions (origin: the prediction's ``model_version``), also with ``--annotator``. Other
results (``choices``, ``textarea`` ...), the task's and annotation's fields and the region ids are
kept in meta under ``labelstudio`` and counted; the writer puts the ids and names back.

Writing: the import shape, one JSON list of tasks per part: ``data`` (``text`` and the fields the
task came with), ``annotations`` with the accepted spans and relations (a skipped document: a
cancelled annotation), ``predictions`` with the undecided suggestions (``--include-suggestions``),
and ``labeling_config.xml``, a labelling configuration for the scheme. Label Studio has no
rejected spans: they stay in the project.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path
from typing import Any

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.jsonlines import doc_id_of, label_problem, values
from annotator.formats.reading import (
    ImportedRelation,
    Problem,
    ReadContext,
    Record,
    check_text,
    make_document,
)
from annotator.model import DocStatus, Span, SpanStatus

FORMAT = "labelstudio"
NO_ROLE = "related"
KEPT_TASK = "Label Studio task and annotation fields and region ids"
OTHER_ANNOTATIONS = "Label Studio annotation(s) of further annotators (kept in meta, not imported)"
OTHER_RESULTS = "Label Studio result(s) other than labels and relations (choices, textarea ...)"
UTF16 = "Label Studio span(s) with UTF-16 offsets, converted to code points"
NO_ROLE_COUNT = f"Label Studio relation(s) without a label (role {NO_ROLE!r})"
BIDIRECTIONAL = "Label Studio relation(s) in both directions, stored head to tail (direction kept)"
PREDICTED_RELATIONS = "relation(s) in Label Studio predictions (suggestions hold no relations)"
CANCELLED = "cancelled Label Studio annotation(s) (the document is skipped)"


def sniff(head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return text.startswith("[") and '"data"' in text[:4096]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _utf16_to_code_points(text: str, offset: int) -> int | None:
    units = 0
    for i, ch in enumerate(text):
        if units == offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


class _Task:
    def __init__(self, text: str, name: str, line: int, ctx: ReadContext) -> None:
        self.text = text
        self.name = name
        self.line = line
        self.ctx = ctx
        self.spans: list[Span] = []
        self.suggestions: list[Span] = []
        self.relations: list[ImportedRelation] = []
        self.problems: list[Problem] = []
        self.kept: Counter[str] = Counter()
        self.set_aside: Counter[str] = Counter()
        self.region_ids: list[list[Any]] = []
        self.other_results: list[Any] = []
        self.directions: list[list[Any]] = []

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.name, message, self.line))

    def offsets(self, value: dict[str, Any], where: str) -> tuple[int, int] | None:
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
            self.problem(
                f"{where}: value.start and value.end must be whole numbers (a text span), "
                f"got {start!r}, {end!r}"
            )
            return None
        given = value.get("text")
        fits = 0 <= start < end <= len(self.text)
        if fits and (not isinstance(given, str) or self.text[start:end] == given):
            return start, end
        s16, e16 = _utf16_to_code_points(self.text, start), _utf16_to_code_points(self.text, end)
        if s16 is not None and e16 is not None and s16 < e16 and self.text[s16:e16] == given:
            self.kept[UTF16] += 1
            return s16, e16
        if not fits:
            self.problem(f"{where}: {start}-{end} is not inside the text ({len(self.text)} chars)")
        else:
            self.problem(
                f"{where}: value.text {given!r:.40} is not the text at {start}-{end} "
                f"({self.text[start:end]!r:.40})"
            )
        return None

    def results(self, results: Any, where: str, *, predicted: bool, origin: str = "import") -> None:
        if not isinstance(results, list):
            self.problem(f"{where}: result must be a list")
            return
        by_id: dict[Any, list[int]] = {}
        relations: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(results):
            here = f"{where} result {i}"
            if not isinstance(item, dict):
                self.problem(f"{here}: expected an object")
                continue
            kind = item.get("type")
            if kind == "relation":
                relations.append((i, item))
                continue
            value = item.get("value")
            if kind != "labels" or not isinstance(value, dict):
                self.other_results.append(item)
                self.kept[OTHER_RESULTS] += 1
                continue
            offsets = self.offsets(value, here)
            labels = value.get("labels")
            if offsets is None:
                continue
            if not isinstance(labels, list) or not labels:
                self.problem(f"{here}: value.labels must be a non-empty list")
                continue
            for label in labels:
                span_kind, why = label_problem(
                    label, None, self.ctx, f"{here} {offsets[0]}-{offsets[1]}"
                )
                if why or span_kind is None:
                    self.problem(why or f"{here}: bad label")
                    continue
                score = item.get("score")
                span = Span(
                    start=offsets[0],
                    end=offsets[1],
                    label=label,
                    kind=span_kind,
                    status=SpanStatus.SUGGESTED if predicted else SpanStatus.ACCEPTED,
                    origin=origin,
                    score=float(score) if isinstance(score, int | float) else None,
                )
                target = self.suggestions if predicted else self.spans
                by_id.setdefault(item.get("id"), []).append(len(target))
                target.append(span)
                if not predicted:
                    self.region_ids.append(
                        [
                            *offsets,
                            label,
                            item.get("id"),
                            item.get("from_name"),
                            item.get("to_name"),
                        ]
                    )
        for i, item in relations:
            here = f"{where} result {i}"
            if predicted:
                self.set_aside[PREDICTED_RELATIONS] += 1
                continue
            head, tail = item.get("from_id"), item.get("to_id")
            if head not in by_id or tail not in by_id:
                self.problem(f"{here}: from_id {head!r} or to_id {tail!r} names no labelled region")
                continue
            direction = item.get("direction", "right")
            if direction == "left":
                head, tail = tail, head
            elif direction == "bi":
                self.set_aside[BIDIRECTIONAL] += 1
            if direction not in ("right", "left"):
                self.directions.append([item.get("from_id"), item.get("to_id"), direction])
            roles = item.get("labels") or []
            if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
                self.problem(f"{here}: labels must be a list of relation names")
                continue
            if not roles:
                roles = [NO_ROLE]
                self.kept[NO_ROLE_COUNT] += 1
            for role in roles:
                for h in by_id[head]:
                    for t in by_id[tail]:
                        self.relations.append(ImportedRelation(h, t, role))


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    name = str(path)
    index = 0
    for item in values(path, ctx.options.encoding):
        if isinstance(item, Problem):
            yield item
            continue
        lineno, task, surrogates = item
        index += 1
        yield from _task(task, name, path.stem, lineno, index, ctx, surrogates)


def _task(
    task: Any, name: str, stem: str, line: int, index: int, ctx: ReadContext, surrogates: bool
) -> Iterator[Record | Problem]:
    where = f"task {index}"
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        yield Problem(name, f'{where}: expected a Label Studio task with a "data" object', line)
        return
    data = task["data"]
    key = ctx.options.text_key or "text"
    text = data.get(key)
    if not isinstance(text, str):
        fields = ", ".join(sorted(k for k, v in data.items() if isinstance(v, str))) or "none"
        yield Problem(
            name,
            f'{where}: no "{key}" text in data (text fields: {fields}; --text-key names one)',
            line,
        )
        return
    problem = check_text(text, name, line, may_have_surrogates=surrogates)
    if problem:
        yield problem
        return
    got = _Task(text, name, line, ctx)
    annotations = task.get("annotations") or task.get("completions") or []
    if not isinstance(annotations, list):
        yield Problem(name, f"{where}: annotations must be a list", line)
        return
    usable = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    chosen = next((a for a in usable if a.get("ground_truth")), usable[0] if usable else None)
    status: DocStatus | None = None
    if chosen is not None:
        got.results(
            chosen.get("result", []), f"{where} annotation {chosen.get('id')}", predicted=False
        )
        status = DocStatus.DONE
    elif annotations:
        status = DocStatus.SKIPPED
        got.kept[CANCELLED] += len(annotations)
    others = [a for a in annotations if a is not chosen]
    if others and chosen is not None:
        got.kept[OTHER_ANNOTATIONS] += len(
            [a for a in others if isinstance(a, dict) and not a.get("was_cancelled")]
        )
    predictions = task.get("predictions") or []
    if not isinstance(predictions, list):
        yield Problem(name, f"{where}: predictions must be a list", line)
        return
    for p in predictions:
        if isinstance(p, dict):
            version = p.get("model_version")
            origin = str(version) if version not in (None, "") else FORMAT
            got.results(p.get("result", []), f"{where} prediction", predicted=True, origin=origin)
    if got.problems:
        yield from got.problems
        return
    kept: dict[str, Any] = {
        k: v
        for k, v in task.items()
        if k not in ("data", "annotations", "completions", "predictions", "meta")
    }
    kept["data"] = {k: v for k, v in data.items() if k != key}
    kept["text_key"] = key
    if chosen is not None:
        kept["annotation"] = {k: v for k, v in chosen.items() if k != "result"}
    if others:
        kept["other_annotations"] = others
    if got.region_ids:
        kept["regions"] = got.region_ids
    if got.other_results:
        kept["other_results"] = got.other_results
    if got.directions:
        kept["directions"] = got.directions
    got.kept[KEPT_TASK] += 1
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    assert isinstance(meta, dict)
    meta = {**meta, "format": FORMAT, FORMAT: kept}
    doc_id = doc_id_of(task.get("id", meta.get("annotator_id")), f"{stem}-{index}")
    yield Record(
        make_document(doc_id, text, str(meta.get("source", name)), meta),
        got.spans,
        name,
        line,
        relations=got.relations,
        status=status,
        kept=got.kept,
        set_aside=got.set_aside,
        suggestions=got.suggestions,
        keep_origin=True,
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _region_id(n: int) -> str:
    return f"s{n:04d}"


def task_of(
    doc: Any, spans: list[Span], ctx: Context, roles: set[str] | None = None
) -> dict[str, Any]:
    kept = doc.meta.get(FORMAT) if isinstance(doc.meta.get(FORMAT), dict) else {}
    assert isinstance(kept, dict)
    key = kept.get("text_key", "text") if isinstance(kept.get("text_key"), str) else "text"
    regions = {
        (r[0], r[1], r[2]): r
        for r in kept.get("regions", [])
        if isinstance(r, list) and len(r) == 6
    }
    meta = {k: v for k, v in doc.meta.items() if k not in ("tokens", "format", FORMAT)}
    data = {**(kept.get("data") or {}), key: doc.text}
    out: dict[str, Any] = {"data": data}
    if "id" in kept:
        out["id"] = kept["id"]
    out["meta"] = {**meta, "annotator_id": doc.id, "source": doc.source}
    decided = [s for s in spans if s.status == SpanStatus.ACCEPTED]
    suggested = [s for s in spans if s.status == SpanStatus.SUGGESTED]
    used = {r[3] for r in regions.values()}
    ids: dict[int, str] = {}
    result: list[dict[str, Any]] = []
    n = 0
    for span in decided:
        old = regions.get(span.key)
        if old is not None:
            rid, from_name, to_name = old[3], old[4], old[5]
        else:
            while _region_id(n) in used:
                n += 1
            rid, from_name, to_name = _region_id(n), "label", "text"
            used.add(rid)
        result.append(
            {
                "value": {
                    "start": span.start,
                    "end": span.end,
                    "text": doc.text[span.start : span.end],
                    "labels": [span.label],
                },
                "id": rid,
                "from_name": from_name,
                "to_name": to_name,
                "type": "labels",
                "origin": "manual",
            }
        )
        if span.id is not None:
            ids[span.id] = rid
    for r in ctx.relations(doc.id):
        if r.head in ids and r.tail in ids:
            item: dict[str, Any] = {
                "from_id": ids[r.head],
                "to_id": ids[r.tail],
                "type": "relation",
                "direction": "right",
                "labels": [] if r.role == NO_ROLE else [r.role],
            }
            result.append(item)
            if roles is not None and r.role != NO_ROLE:
                roles.add(r.role)
    result.extend(r for r in kept.get("other_results", []) if isinstance(r, dict))
    state = ctx.state(doc.id)
    status = state.status if state is not None else None
    if decided or status in (DocStatus.DONE, DocStatus.SKIPPED):
        out["annotations"] = [
            {"result": result, "was_cancelled": status == DocStatus.SKIPPED and not decided}
        ]
    if suggested:
        by_origin: dict[str, list[dict[str, Any]]] = {}
        for i, span in enumerate(suggested):
            entry: dict[str, Any] = {
                "value": {
                    "start": span.start,
                    "end": span.end,
                    "text": doc.text[span.start : span.end],
                    "labels": [span.label],
                },
                "id": f"p{i:04d}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
            }
            if span.score is not None:
                entry["score"] = span.score
            by_origin.setdefault(span.origin, []).append(entry)
        out["predictions"] = [
            {"model_version": origin, "result": items} for origin, items in by_origin.items()
        ]
    return out


def labeling_config(ctx: Context, roles: Iterable[str] = ()) -> str:
    """A labelling configuration with the scheme's labels and the relation roles written
    (control ``label``, object ``text``: the names the tasks use)."""
    labels = "\n".join(
        f'    <Label value="{escape(label.name)}" background="{label.color}"/>'
        for label in ctx.scheme.labels
    )
    relations = "".join(f'    <Relation value="{escape(role)}"/>\n' for role in sorted(roles))
    return (
        "<View>\n"
        + (f"  <Relations>\n{relations}  </Relations>\n" if relations else "")
        + f'  <Labels name="label" toName="text">\n{labels}\n  </Labels>\n'
        + '  <Text name="text" value="$text"/>\n'
        + "</View>\n"
    )


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    tasks: dict[str, list[dict[str, Any]]] = {part: [] for part in ctx.parts}
    roles: set[str] = set()
    for part, doc, spans in items:
        report.count(part, spans)
        tasks[part].append(task_of(doc, spans, ctx, roles))
    for part, listed in tasks.items():
        out.write_text(f"{part}.json", json.dumps(listed, ensure_ascii=False, indent=1) + "\n")
    out.write_text("labeling_config.xml", labeling_config(ctx, roles))
