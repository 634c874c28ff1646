"""Importing a corpus into a project: files and folders in any format of the registry.

Each file goes to the reader of its format (:mod:`annotator.formats.registry`: chosen with
``fmt``, else by content where that is ambiguous, else by suffix); the readers yield records
(:mod:`annotator.formats.reading`), and this module writes them. The text of every document is
kept exactly as decoded: only a UTF-8 byte-order mark is removed (and recorded in the document's
meta). Offsets of imported spans are Python code points into that text.

What a record says becomes, with an ``annotator``: that annotator's decisions (spans accepted or
rejected as the input judged them; a span without judgement counts as accepted, since the input
is that annotator's work), the relations between them, and the document's status (``done`` as the
input says, or for every document with ``done=True``). Without an annotator spans become
suggestions of origin ``import``; what only an annotator's work can hold (rejections, relations,
statuses) is set aside and counted in the summary.

An import is all or nothing by default: every file is read and checked, every problem is listed
with its file and line, and if there is any, nothing is written. ``skip_bad`` imports the good
documents and reports the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from annotator.formats.reading import (
    MAX_DOCUMENT_CHARS,
    MAX_FILE_BYTES,
    InputError,
    Problem,
    ReadContext,
    ReadOptions,
    Record,
)
from annotator.formats.registry import Skipped, expand
from annotator.model import (
    DocStatus,
    Document,
    Label,
    LabelScheme,
    Span,
    SpanKind,
    SpanStatus,
)
from annotator.store import Store

__all__ = [
    "IMPORT_ORIGIN",
    "MAX_DOCUMENT_CHARS",
    "MAX_FILE_BYTES",
    "ImportReport",
    "InputError",
    "Problem",
    "Record",
    "import_paths",
    "import_records",
    "read_paths",
]

IMPORT_ORIGIN = "import"


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    existing: int = 0
    spans: int = 0
    """Spans stored: suggestions, or the annotator's decisions."""
    accepted: int = 0
    rejected: int = 0
    suggested: int = 0
    """Of ``spans``: suggestions stored beside an annotator's decisions (e.g. predictions)."""
    relations: int = 0
    done: int = 0
    """Documents marked done for the annotator."""
    kept: Counter[str] = field(default_factory=Counter)
    """Features of the input kept in the documents' meta, by name."""
    set_aside: Counter[str] = field(default_factory=Counter)
    """What was deliberately not imported, by reason."""
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    labels_added: list[Label] = field(default_factory=list)
    """Labels the input used that the scheme lacked, added to it (``--add-labels``)."""

    def summary(self) -> str:
        text = (
            f"imported {self.added} new document(s) from {self.files} file(s); "
            f"{self.existing} already in the project"
        )
        kept = f"kept {self.spans} span(s)"
        if self.rejected or self.suggested:
            parts = [f"{self.accepted} accepted", f"{self.rejected} rejected"]
            if self.suggested:
                parts.append(f"{self.suggested} suggestion(s)")
            kept += f" ({', '.join(parts)})"
        kept += f", {self.relations} relation(s)"
        if self.done:
            kept += f", {self.done} document(s) marked done"
        text += "; " + kept
        if self.labels_added:
            text += f"; added {len(self.labels_added)} label(s) to the scheme: " + ", ".join(
                f"{label.name} ({label.kind.value}"
                + (f", key {label.key}" if label.key else ", no key free")
                + ")"
                for label in self.labels_added
            )
        if self.kept:
            text += "; kept in meta: " + ", ".join(
                f"{n} {name}" for name, n in sorted(self.kept.items())
            )
        if self.set_aside:
            text += "; not imported: " + ", ".join(
                f"{n} {why}" for why, n in sorted(self.set_aside.items())
            )
        if self.skipped:
            text += f"; skipped {self.skipped} bad document(s)"
        else:
            text += "; 0 dropped"
        return text


def read_paths(
    paths: Iterable[str | Path],
    scheme: LabelScheme,
    *,
    encoding: str = "utf-8",
    fmt: str | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Record | Problem | Skipped]:
    """Every record and problem from files and folders, in a stable order."""
    options = options or ReadOptions(encoding=encoding)
    ctx = ReadContext(scheme, options)
    for item in expand((Path(p) for p in paths), fmt):
        if isinstance(item, Problem | Skipped):
            yield item
        else:
            path, spec = item
            yield from spec.load().read(path, ctx)


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    annotator: str | None = None,
    done: bool = False,
    fmt: str | None = None,
    options: ReadOptions | None = None,
    skip_bad: bool = False,
    encoding: str = "utf-8",
    batch_size: int = 2000,
) -> ImportReport:
    """Import files and folders into ``store`` in one transaction.

    ``fmt`` names the format of every file (else each file's is detected). With ``annotator``
    the input becomes that annotator's work (see the module docstring); ``done`` then marks every
    imported document done for them. Raises :class:`InputError` (and writes nothing) if any
    problem was found, unless ``skip_bad``.
    """
    if done and annotator is None:
        raise ValueError("marking documents done needs an annotator")
    paths = [Path(p) for p in paths]
    return import_records(
        store,
        read_paths(paths, store.scheme, encoding=encoding, fmt=fmt, options=options),
        annotator=annotator,
        done=done,
        skip_bad=skip_bad,
        batch_size=batch_size,
        add_labels=options.add_labels if options is not None else False,
    )


def import_records(
    store: Store,
    items: Iterable[Record | Problem | Skipped],
    *,
    annotator: str | None = None,
    done: bool = False,
    skip_bad: bool = False,
    batch_size: int = 2000,
    add_labels: bool = False,
) -> ImportReport:
    """Write records into ``store`` in one transaction (see :func:`import_paths`).

    A span whose label the project's scheme lacks is a problem of its record, unless
    ``add_labels``: then the label is added to the scheme (its kind from the input, a colour
    distinct from the scheme's and a free key) and the summary names it.
    """
    report = ImportReport()
    scheme = store.scheme
    new_labels: dict[str, SpanKind] = {}
    files: set[str] = set()
    ids: dict[str, str] = {}  # id -> hash, for the documents of this import
    batch: list[Record] = []

    def flush() -> None:
        _write_batch(store, batch, report, ids, annotator, done)
        batch.clear()

    with store.transaction():
        for item in items:
            if isinstance(item, Skipped):
                report.set_aside[f"file(s) that no format reads ({item.reason})"] += 1
                continue
            if isinstance(item, Problem):
                files.add(item.path)
                report.problems.append(item)
                report.skipped += 1
                continue
            files.add(item.path)
            unknown = _label_problems(item, scheme, new_labels if add_labels else None)
            if unknown:
                report.problems.extend(unknown)
                report.skipped += 1
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
        flush()
        report.files = len(files)
        if report.problems and not skip_bad:
            # Leaving the block by an exception rolls the whole import back.
            raise InputError(report.problems)
        if new_labels:
            extended, report.labels_added = extend_scheme(scheme, new_labels)
            store.set_scheme(extended)
    return report


def _label_problems(
    record: Record, scheme: LabelScheme, adding: dict[str, SpanKind] | None
) -> list[Problem]:
    """Problems with the labels of a record's spans: unknown (unless they are being added) or
    of the other kind than the scheme's (or another record's, for labels being added)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for span in [*record.spans, *record.suggestions]:
        if span.label in seen:
            continue
        seen.add(span.label)
        label = scheme.get(span.label)
        if label is None and adding is not None:
            kind = adding.setdefault(span.label, span.kind)
            try:
                Label(name=span.label, kind=kind, color="#cccccc", key="")
            except ValueError as exc:
                first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                adding.pop(span.label, None)
                why = f"label {span.label!r} cannot be added to the scheme: {first}"
            else:
                if kind == span.kind:
                    continue
                why = f"label {span.label!r} is used for {kind.value} and {span.kind.value} spans"
        elif label is None:
            why = (
                f"unknown label {span.label!r} (the scheme has {', '.join(scheme.names)}); "
                "add it to the project's label scheme (a new project: --scheme FILE) "
                "or import with --add-labels"
            )
        elif label.kind != span.kind:
            why = (
                f"label {span.label} is an {label.kind.value} label in the scheme, "
                f"not {span.kind.value}"
            )
        else:
            continue
        problems.append(Problem(record.path, why, record.line))
    return problems


RESERVED_KEYS = frozenset("jkxafc")
"""Letters the annotate window's actions use, which no label may take (see gui/actions.py)."""
_KEYS = "abcdefghijklmnopqrstuvwxyz0123456789"


def extend_scheme(
    scheme: LabelScheme, wanted: dict[str, SpanKind]
) -> tuple[LabelScheme, list[Label]]:
    """``scheme`` with the labels of ``wanted`` (name -> kind) it lacks, in that order: each with
    a colour far from the scheme's and a free key that no action reserves (a letter of its name
    if one is free, else any; none when all are taken). Raises ValueError for a name the scheme
    cannot hold."""
    labels = list(scheme.labels)
    taken = {label.key.lower() for label in labels if label.key} | RESERVED_KEYS
    colours = [label.color for label in labels]
    added: list[Label] = []
    for name, kind in wanted.items():
        if scheme.get(name) is not None:
            continue
        preferred = [c for c in name.lower() if c in _KEYS] + list(_KEYS)
        key = next((c for c in preferred if c not in taken), "")
        colour = distinct_colour(colours)
        try:
            label = Label(name=name, kind=kind, color=colour, key=key)
        except ValueError as exc:
            raise ValueError(f"cannot add label {name!r} to the scheme: {exc}") from None
        taken.add(key)
        colours.append(colour)
        labels.append(label)
        added.append(label)
    return scheme.model_copy(update={"labels": tuple(labels)}), added


GOOD_ENOUGH = 1.2
"""A candidate colour this many times the palette's minimum distance from every other is taken
without looking further."""


def distinct_colour(used: Sequence[str]) -> str:
    """A colour that stays apart from every colour in ``used`` and from the window's own style
    colours, by :mod:`annotator.palette`'s measures: CIEDE2000 under normal vision and simulated
    red-green colour blindness, and the distance at equal lightness. Candidates (hues in
    golden-angle steps, four lightnesses, three saturations) are scored by their smallest distance
    as a share of the palette's minimum; the first scoring :data:`GOOD_ENOUGH` is taken, else the
    best."""
    import colorsys

    from annotator.palette import (
        MIN_CHROMATIC,
        MIN_DISTANCE,
        STYLE_COLORS,
        VISIONS,
        chromatic_distance,
        ciede2000,
        to_lab,
    )

    others = [*used, *STYLE_COLORS.values()]
    labs = {vision: [to_lab(c, vision) for c in others] for vision in VISIONS}
    best, best_score = "#cccccc", -1.0
    for i in range(360):
        hue = (i * 0.618033988749895) % 1.0
        lightness = (0.75, 0.55, 0.85, 0.4)[i % 4]
        saturation = (1.0, 0.7, 0.45)[(i // 4) % 3]
        r, g, b = (round(x * 255) for x in colorsys.hls_to_rgb(hue, lightness, saturation))
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        score = min(
            (
                ciede2000(to_lab(candidate, vision), lab) / MIN_DISTANCE[vision]
                for vision in VISIONS
                for lab in labs[vision]
            ),
            default=1e9,
        )
        if score > best_score:
            score = min(
                [score] + [chromatic_distance(candidate, other) / MIN_CHROMATIC for other in others]
            )
        if score > best_score:
            best, best_score = candidate, score
            if score >= GOOD_ENOUGH:
                break
    return best


def _unique_spans(record: Record, report: ImportReport) -> tuple[list[Span], dict[int, int]]:
    """The record's spans with duplicates (same start, end and label) folded into one; the map
    takes a span's index in the record to its index in the result (for relations)."""
    seen: dict[tuple[int, int, str], int] = {}
    spans: list[Span] = []
    where: dict[int, int] = {}
    for i, span in enumerate(record.spans):
        key = span.key
        if key in seen:
            report.set_aside["duplicate span(s) (same start, end and label) stored once"] += 1
            kept = spans[seen[key]]
            # A judgement wins over no judgement; a rejection over an acceptance.
            if span.status == SpanStatus.REJECTED or kept.status == SpanStatus.SUGGESTED:
                spans[seen[key]] = span
        else:
            seen[key] = len(spans)
            spans.append(span)
        where[i] = seen[key]
    return spans, where


def _write_batch(
    store: Store,
    batch: list[Record],
    report: ImportReport,
    ids: dict[str, str],
    annotator: str | None,
    done: bool,
) -> None:
    if not batch:
        return
    known = store.id_for_hash([r.doc.hash for r in batch])
    taken = store.existing_ids([r.doc.id for r in batch if r.doc.hash not in known])
    good: list[Record] = []
    for record in batch:
        doc = record.doc
        if doc.hash in known:
            good.append(record)
            continue
        if ids.get(doc.id, doc.hash) != doc.hash or (doc.id not in ids and doc.id in taken):
            report.problems.append(
                Problem(
                    record.path,
                    f"document id {doc.id!r} is already used by a different text",
                    record.line,
                )
            )
            report.skipped += 1
            continue
        ids[doc.id] = doc.hash
        good.append(record)
    new_docs: dict[str, Document] = {}
    for record in good:
        if record.doc.hash not in known:
            new_docs.setdefault(record.doc.hash, record.doc)
    added, _ = store.add_documents(new_docs.values())
    report.added += added
    report.existing += len(good) - len(new_docs)
    for record in good:
        report.kept.update(record.kept)
        report.set_aside.update(record.set_aside)
    doc_ids = store.id_for_hash([r.doc.hash for r in good])
    if annotator is None:
        _as_suggestions(store, good, doc_ids, report)
    else:
        _as_work(store, good, doc_ids, report, annotator, done)


def _as_suggestions(
    store: Store, records: Sequence[Record], doc_ids: dict[str, str], report: ImportReport
) -> None:
    for record in records:
        spans, _ = _unique_spans(record, report)
        offered = [s for s in spans if s.status != SpanStatus.REJECTED]
        if record.flagged or record.comment:
            report.set_aside[
                "flag(s) and comment(s): they belong to an annotator (give --annotator)"
            ] += 1
        if record.suggestions:
            _save_suggestions(store, doc_ids[record.doc.hash], record, report)
        if len(offered) < len(spans):
            report.set_aside[
                "rejected span(s): a rejection is an annotator's decision (give --annotator)"
            ] += len(spans) - len(offered)
        if record.relations:
            report.set_aside[
                "relation(s): relations are an annotator's work (give --annotator)"
            ] += len(record.relations)
        if record.status is not None:
            report.set_aside[
                f"document status(es) {record.status.value!r}: statuses belong to an annotator "
                "(give --annotator)"
            ] += 1
        if not offered:
            continue
        if record.keep_origin:
            _save_suggestions(store, doc_ids[record.doc.hash], record, report, offered)
            continue
        suggestions = [
            s.model_copy(update={"origin": IMPORT_ORIGIN, "status": SpanStatus.SUGGESTED})
            for s in offered
        ]
        report.spans += store.save_suggestions(
            [(doc_ids[record.doc.hash], suggestions)],
            origin=IMPORT_ORIGIN,
            version=_span_set_version(suggestions),
        )


def _save_suggestions(
    store: Store,
    doc_id: str,
    record: Record,
    report: ImportReport,
    spans: Sequence[Span] | None = None,
) -> None:
    """A record's suggestions (or ``spans``) as suggestions: of origin ``import``, or with the
    record's own origins and versions where it keeps them (our JSONL)."""
    groups: dict[tuple[str, str], list[Span]] = {}
    for span in record.suggestions if spans is None else spans:
        origin, version = (
            (span.origin, span.origin_version) if record.keep_origin else (IMPORT_ORIGIN, "")
        )
        groups.setdefault((origin, version), []).append(
            span.model_copy(update={"status": SpanStatus.SUGGESTED, "origin": origin})
        )
    for (origin, version), group in groups.items():
        saved = store.save_suggestions(
            [(doc_id, group)], origin=origin, version=version or _span_set_version(group)
        )
        report.spans += saved
        report.suggested += saved


def _as_work(
    store: Store,
    records: Sequence[Record],
    doc_ids: dict[str, str],
    report: ImportReport,
    annotator: str,
    done: bool,
) -> None:
    for record in records:
        doc_id = doc_ids[record.doc.hash]
        spans, where = _unique_spans(record, report)
        decided = [
            s.model_copy(
                update={
                    "status": SpanStatus.REJECTED
                    if s.status == SpanStatus.REJECTED
                    else SpanStatus.ACCEPTED,
                    "origin": s.origin if record.keep_origin else IMPORT_ORIGIN,
                }
            )
            for s in spans
        ]
        if decided:
            store.replace_decisions(doc_id, annotator, add=decided, action="import")
            report.spans += len(decided)
            rejected = sum(1 for s in decided if s.status == SpanStatus.REJECTED)
            report.rejected += rejected
            report.accepted += len(decided) - rejected
        if record.relations:
            links = []
            for rel in record.relations:
                head, tail = decided[where[rel.head]], decided[where[rel.tail]]
                links.append((head.key, tail.key, rel.role))
            report.relations += store.add_relations_by_key(
                doc_id, annotator, links, action="import"
            )
        if record.suggestions:
            _save_suggestions(store, doc_id, record, report)
        status = DocStatus.DONE if done else record.status
        update: dict[str, object] = {}
        if record.flagged is not None:
            update["flagged"] = record.flagged
        if record.comment is not None:
            update["comment"] = record.comment
        if status is not None:
            update["status"] = status
        if update:
            state = store.doc_state(doc_id, annotator)
            if any(getattr(state, k) != v for k, v in update.items()):
                store.set_doc_state(state.model_copy(update=update), action="import")
            if status == DocStatus.DONE:
                report.done += 1


def _span_set_version(spans: Sequence[Span]) -> str:
    """A version per distinct set of imported spans, so a re-import of the same set adds nothing
    and a different set becomes the newest import for that document."""
    payload = json.dumps(sorted((s.start, s.end, s.label) for s in spans))
    return hashlib.sha1(payload.encode()).hexdigest()[:12]
