"""Training data out: one module per format, one registry, one way to choose what is exported.

``FORMATS`` maps a format name to the module that writes it (loaded on first use, like spaCy's
``CONVERTERS``). Each module has ``write(items, out, ctx, report)``: ``items`` yields
``(part, document, spans)`` with ``part`` the split name (``train``/``dev``/``test``, or ``all``
without a split), ``out`` hands out files in a staging folder that replaces the output folder in
one step only when the whole export succeeded, ``ctx`` holds the options, and ``report`` collects
what the summary says.

:func:`collect` decides what goes out: the chosen annotator's accepted spans (or the gold spans of
the review mode), optionally plus the suggestions that annotator has not decided, for the
documents whose status matches.
"""

from __future__ import annotations

import errno
import importlib
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Literal, Protocol

from annotator.errors import UserError
from annotator.folders import FolderError, StagedFolder
from annotator.model import (
    Argument,
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Relation,
    Span,
    SpanKind,
    SpanStatus,
)
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

FORMATS: dict[str, str] = {
    "spacy": "annotator.formats.spacy_",
    "conll": "annotator.formats.conll",
    "jsonl": "annotator.formats.jsonl",
    "brat": "annotator.formats.brat",
    "webanno": "annotator.formats.webanno",
    "prodigy": "annotator.formats.prodigy",
    "doccano": "annotator.formats.doccano",
    "labelstudio": "annotator.formats.labelstudio",
}
"""Format name to the module that writes it."""

SPLIT_NAMES: dict[int, tuple[str, ...]] = {
    1: ("train",),
    2: ("train", "dev"),
    3: ("train", "dev", "test"),
}
WHOLE = "all"
"""The part name when no split was asked for."""
LANG_KEY = "lang"
"""The project value holding the project's language (an ISO code spaCy knows)."""
DEFAULT_LANG = "de"

Status = Literal["done", "all", "any"]
Item = tuple[str, Document, list[Span]]


class ExportError(UserError):
    """An export that cannot be done as asked; nothing was written."""


# --------------------------------------------------------------------------------------------
# Options, context and report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportOptions:
    spans_key: str = "sc"
    alignment: Literal["expand", "strict"] = "expand"
    tags: Literal["iob2", "iob1", "bilou", "bioes"] | None = None
    """CoNLL tag scheme; None: the scheme a document came in, else IOB2."""
    kind: SpanKind = SpanKind.ENTITY
    columns: int | None = None
    """CoNLL: the number of columns (2: CoNLL 2002, one file per document); None: the shape a
    document came in, else the four columns of CoNLL-2003."""
    lang: str | None = None
    """spaCy: the language of the tokenizer and the config; None: the project's (``lang``
    project value, else German)."""


@dataclass(frozen=True)
class Context:
    scheme: LabelScheme
    options: ExportOptions
    parts: tuple[str, ...]
    relations: Callable[[str], Sequence[Relation]] = lambda doc_id: ()
    decisions: Callable[[str], Sequence[Span]] = lambda doc_id: ()
    """Every span decided on the document, accepted and rejected: the annotator's decisions,
    or with ``--gold`` the review's gold rows (formats that write rejections use it)."""
    state: Callable[[str], DocState | None] = lambda doc_id: None
    """The document's state: the annotator's (status, flag, comment); with ``--gold`` done for
    a reviewed document, else in progress."""
    annotator: str | None = None
    """Whose work is exported (None: suggestions only, or the gold spans)."""
    gold: bool = False
    arguments: Callable[[str], Sequence[Argument]] = lambda doc_id: ()
    """The document's event arguments: the annotator's, or with ``--gold`` the accepted gold
    arguments."""
    suggestions: Callable[[str], Sequence[Span]] = lambda doc_id: ()
    """With ``--include-suggestions``: every current suggestion of the document, also those the
    annotator decided (the lossless JSONL writes them all, so the model's runs come back whole)."""


@dataclass(frozen=True)
class Conflict:
    """Two overlapping spans where only one can stay (``doc.ents``, a CoNLL tag column)."""

    doc_id: str
    kept: Span
    dropped: Span
    reason: str
    text: str

    def __str__(self) -> str:
        def show(s: Span) -> str:
            return f"{s.label} {s.start}-{s.end} {s.covered(self.text)!r}"

        return (
            f"conflict in {self.doc_id}: {show(self.dropped)} overlaps {show(self.kept)}; "
            f"kept {self.kept.label} {self.kept.start}-{self.kept.end} ({self.reason})"
        )


@dataclass
class ExportReport:
    format: str
    out: Path
    documents: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    events: int = 0
    without_spans: int = 0
    empty: int = 0
    expanded: int = 0
    trimmed: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Spans that could not be written at all (e.g. only white space), one line each."""
    misaligned: list[str] = field(default_factory=list)
    """Spans off token boundaries under ``--alignment strict`` (the export then fails)."""
    resplit: int = 0
    """Tokens holding a space that a column format wrote as several tokens."""
    files: list[Path] = field(default_factory=list)
    replaced_foreign: list[str] = field(default_factory=list)
    """Files of a folder that was no export, replaced under ``force``."""

    def count(self, part: str, spans: Sequence[Span]) -> None:
        """Called by the writer for each document with the spans it writes."""
        self.documents[part] += 1
        for span in spans:
            if span.kind == SpanKind.ENTITY:
                self.entities += 1
            else:
                self.events += 1
        if not spans:
            self.without_spans += 1

    def notes(self) -> list[str]:
        """One line per conflict and per span left out: never dropped silently."""
        return [str(c) for c in self.conflicts] + self.left_out

    def summary(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in self.documents.items()) or "0"
        total = sum(self.documents.values())
        text = (
            f"exported {total} document(s) ({parts}) as {self.format} to {self.out}: "
            f"{self.entities} entity and {self.events} event span(s); "
            f"{self.without_spans} document(s) without spans; {len(self.files)} file(s)"
        )
        extras = []
        if self.expanded:
            extras.append(f"{self.expanded} span(s) widened to token boundaries")
        if self.trimmed:
            extras.append(f"{self.trimmed} span(s) trimmed of white space")
        if self.conflicts:
            extras.append(f"{len(self.conflicts)} overlap conflict(s) resolved")
        if self.left_out:
            extras.append(f"{len(self.left_out)} span(s) left out")
        if self.resplit:
            extras.append(f"{self.resplit} token(s) holding a space written as several tokens")
        if self.empty:
            extras.append(f"{self.empty} empty document(s) skipped")
        if self.replaced_foreign:
            extras.append(f"{len(self.replaced_foreign)} file(s) that were no export replaced")
        return text + ("; " + "; ".join(extras) if extras else "")


# --------------------------------------------------------------------------------------------
# Files: written into a hidden sibling folder, swapped in for the target folder at the end
# --------------------------------------------------------------------------------------------


class Outputs:
    """The files of one export, written into a staging folder beside ``root``.

    :meth:`commit` puts the whole folder in the place of ``root`` in one step
    (:class:`annotator.folders.StagedFolder`): the earlier export stays until the swap succeeded,
    stale files of it go with it, and a kill at any moment leaves either the earlier export or the
    new one, whole. Leaving the ``with`` block by an exception deletes the staging folder.
    ``root`` must be absent, empty, or an earlier export (unless ``force``).
    """

    def __init__(
        self,
        root: Path,
        *,
        force: bool = False,
        protect: Sequence[Path | None] = (),
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.root = root
        self._folder = StagedFolder(root, force=force, protect=protect, meta=meta)
        self._handles: list[IO[Any]] = []

    @property
    def replaced_foreign(self) -> list[str]:
        """Files of a folder that was not an export, replaced under ``force``."""
        return self._folder.replaced_foreign

    def _staged(self, name: str) -> Path:
        staging = self._folder.staging
        if staging is None:
            raise RuntimeError("Outputs used outside its with block")
        target = Path(os.path.normpath(staging / name))
        if staging not in target.parents:
            raise ExportError(f"{name!r}: not a file name inside the export folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def path(self, name: str) -> Path:
        """Where to write ``name`` (relative to the root), for writers that want a path."""
        return self._staged(name)

    def open(self, name: str) -> IO[str]:
        """A text file for ``name``: UTF-8, newlines written as given."""
        fh = self._staged(name).open("w", encoding="utf-8", newline="")
        self._handles.append(fh)
        return fh

    def write_text(self, name: str, text: str) -> None:
        with self._staged(name).open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    def _close(self) -> None:
        handles, self._handles = self._handles, []
        for fh in handles:
            fh.close()

    def commit(self) -> list[Path]:
        self._close()
        return [self.root / name for name in self._folder.commit()]

    def discard(self) -> None:
        try:
            self._close()
        finally:
            self._folder.discard()

    def __enter__(self) -> Outputs:
        try:
            self._folder.begin()
        except FolderError as exc:
            raise ExportError(str(exc)) from None
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.discard()


# --------------------------------------------------------------------------------------------
# What to export
# --------------------------------------------------------------------------------------------


def resolve_annotator(store: Store, annotator: str | None) -> str | None:
    """The annotator whose decisions are exported: the one asked for, else the only one.

    None only when the project has no annotator at all (then only suggestions can go out).
    """
    names = store.annotators()
    if annotator is not None:
        if annotator not in names:
            known = ", ".join(names) or "none yet"
            raise ExportError(f"no annotator {annotator!r} in this project (annotators: {known})")
        return annotator
    if len(names) == 1:
        return names[0]
    if not names:
        return None
    raise ExportError(
        f"the project has {len(names)} annotators; choose one with --annotator "
        f"({', '.join(names)}) or export the reviewed spans with --gold"
    )


def _wanted(status: DocStatus | None, wanted: Status) -> bool:
    if wanted == "done":
        return status == DocStatus.DONE
    if wanted == "any":
        return True
    return status != DocStatus.SKIPPED


def collect(
    store: Store,
    *,
    annotator: str | None = None,
    gold: bool = False,
    status: Status = "done",
    include_suggestions: bool = False,
    batch: int = 500,
    suggestions: Callable[[str], Sequence[Span]] | None = None,
) -> Iterator[tuple[Document, list[Span]]]:
    """Stream the documents to export with their spans, in import order.

    By default: the annotator's accepted spans on the documents they marked done
    (``status="all"``: every document except those they skipped; ``"any"``: every document).
    ``include_suggestions`` adds the current suggestions the annotator has neither accepted nor
    rejected. With no annotator in the project only suggestions exist, so ``status="done"``
    yields nothing.

    ``gold``: the adjudicated (accepted gold) spans of the documents marked reviewed in the
    review mode (``status="all"``: also documents with gold spans whose review is not finished);
    ``annotator`` and ``include_suggestions`` do not apply. No reviewed document raises
    :class:`ExportError`.

    ``suggestions``: how a document's current suggestions are read (default
    :func:`~annotator.suggest.combine.current_suggestions`); :func:`export` passes the one its
    writers also read, so they are computed once per document.
    """
    if suggestions is None:

        def suggestions(doc_id: str) -> Sequence[Span]:
            return current_suggestions(store, doc_id)

    if gold:
        yield from _collect_gold(store, status=status, batch=batch)
        return
    name = resolve_annotator(store, annotator)
    if name is None and not include_suggestions:
        raise ExportError(
            "the project has no annotators yet, so nothing is decided; "
            "--include-suggestions --status all exports the suggestions"
        )
    for docs in _batches(store.iter_documents(batch=batch), batch):
        statuses = store.doc_statuses(name, [d.id for d in docs]) if name is not None else {}
        for doc in docs:
            if not _wanted(statuses.get(doc.id), status):
                continue
            decided = store.decisions(doc.id, name) if name is not None else []
            spans = [s for s in decided if s.status == SpanStatus.ACCEPTED]
            if include_suggestions:
                keys = {s.key for s in decided}
                spans += [s for s in suggestions(doc.id) if s.key not in keys]
                spans.sort(key=lambda s: (s.start, s.end, s.label))
            yield doc, spans


def _collect_gold(
    store: Store, *, status: Status, batch: int
) -> Iterator[tuple[Document, list[Span]]]:
    """The review mode's accepted gold spans: of the reviewed documents (``status="done"``), or
    also of documents whose review has begun (``"all"``: any gold row)."""
    gold_spans = getattr(store, "gold_spans", None)
    reviewed_documents = getattr(store, "reviewed_documents", None)
    if gold_spans is None or reviewed_documents is None:
        raise ExportError(
            "no reviewed documents: this project has no gold spans "
            "(adjudicate in the review mode first, or export an annotator with --annotator)"
        )
    reviewed = set(reviewed_documents())
    found = False
    for doc in store.iter_documents(batch=batch):
        spans = [s for s in gold_spans(doc.id) if s.status == SpanStatus.ACCEPTED]
        if doc.id in reviewed or (status != "done" and spans):
            found = True
            yield doc, spans
    if not found:
        raise ExportError(
            "no reviewed documents: mark documents reviewed in the review mode first"
            + ("" if status != "done" else " (--status all also takes reviews in progress)")
        )


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --------------------------------------------------------------------------------------------
# Splits
# --------------------------------------------------------------------------------------------


def parse_split(text: str) -> tuple[tuple[str, float], ...]:
    """``"80/10/10"`` to ``(("train", .8), ("dev", .1), ("test", .1))``; 1 to 3 shares."""
    pieces = text.split("/")
    if not 1 <= len(pieces) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in pieces):
        raise ExportError(
            f"--split {text!r}: expected TRAIN/DEV or TRAIN/DEV/TEST shares, e.g. 80/10/10"
        )
    shares = [float(p) for p in pieces]
    total = sum(shares)
    if total <= 0:
        raise ExportError(f"--split {text!r}: the shares add up to nothing")
    names = SPLIT_NAMES[len(shares)]
    return tuple((name, share / total) for name, share in zip(names, shares, strict=True))


def assign_splits(
    doc_ids: Sequence[str], shares: Sequence[tuple[str, float]], *, seed: int
) -> dict[str, str]:
    """Each document id to its part, the same for the same ids, shares and seed.

    The ids are sorted, shuffled with ``random.Random(seed)`` and cut by largest remainder, so
    the part sizes are exact; every part with a share gets at least one document when there are
    enough (a spaCy dev set must not be empty).
    """
    ids = sorted(set(doc_ids))
    random.Random(seed).shuffle(ids)
    n = len(ids)
    raw = [share * n for _, share in shares]
    sizes = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - sizes[i]), i))
    for i in by_remainder[: n - sum(sizes)]:
        sizes[i] += 1
    wanted = [i for i, (_, share) in enumerate(shares) if share > 0]
    if n >= len(wanted):
        for i in wanted:
            if sizes[i] == 0:
                donor = max(range(len(sizes)), key=lambda j: sizes[j])
                sizes[donor] -= 1
                sizes[i] += 1
    out: dict[str, str] = {}
    start = 0
    for (name, _), size in zip(shares, sizes, strict=True):
        for doc_id in ids[start : start + size]:
            out[doc_id] = name
        start += size
    return out


# --------------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------------


class Writer(Protocol):
    def __call__(
        self, items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport
    ) -> None: ...


def writer(name: str) -> Writer:
    if name not in FORMATS:
        raise ExportError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    module: ModuleType = importlib.import_module(FORMATS[name])
    write: Writer = module.write
    return write


def _refuse_unsafe_labels(ctx: Context, fmt: str) -> None:
    """Labels the format cannot carry stop the export before anything is written: brat lists
    every label in annotation.conf, CoNLL only tags the exported kind."""
    from annotator.formats.names import unsafe_label_names

    labels = ctx.scheme.of_kind(ctx.options.kind) if fmt == "conll" else ctx.scheme.labels
    problems = unsafe_label_names([label.name for label in labels], fmt)
    if problems:
        raise ExportError(
            f"cannot export as {fmt}: {'; '.join(problems)}; rename the label in the scheme "
            "or export as spacy or jsonl, which keep any name"
        )


def export(
    store: Store,
    fmt: str,
    out: Path,
    *,
    annotator: str | None = None,
    gold: bool = False,
    status: Status = "done",
    include_suggestions: bool = False,
    split: str | None = None,
    seed: int = 0,
    options: ExportOptions | None = None,
    force: bool = False,
) -> ExportReport:
    """Write the chosen documents and spans in format ``fmt`` into the folder ``out``.

    ``out`` is replaced as a whole (see :class:`Outputs`); a folder that is not an earlier export
    is refused unless ``force``.
    """
    write = writer(fmt)
    options = options or ExportOptions()
    if options.lang is None:
        options = replace(options, lang=store.project_value(LANG_KEY) or DEFAULT_LANG)
    if gold and annotator is not None:
        raise ExportError("give either --annotator or --gold, not both")
    name = None if gold else resolve_annotator(store, annotator)
    last: dict[str, Sequence[Span]] = {}

    def suggestions(doc_id: str) -> Sequence[Span]:
        """The document's current suggestions, read once for collect and the writer."""
        if doc_id not in last:
            last.clear()
            last[doc_id] = current_suggestions(store, doc_id)
        return last[doc_id]

    def stream() -> Iterator[tuple[Document, list[Span]]]:
        return collect(
            store,
            annotator=name,
            gold=gold,
            status=status,
            include_suggestions=include_suggestions,
            suggestions=suggestions,
        )

    if split:
        shares = parse_split(split)
        parts = tuple(n for n, share in shares if share > 0)
        # Only the ids are kept in memory for the split; documents are streamed again below.
        assignment = assign_splits([d.id for d, _ in stream()], shares, seed=seed)
    else:
        parts, assignment = (WHOLE,), {}

    def relations(doc_id: str) -> Sequence[Relation]:
        return store.relations(doc_id, name) if name is not None else ()

    def arguments(doc_id: str) -> Sequence[Argument]:
        if gold:
            return store.gold_arguments(doc_id)
        return store.arguments(doc_id, name) if name is not None else ()

    def decisions(doc_id: str) -> Sequence[Span]:
        if gold:
            return store.gold_spans(doc_id, include_rejected=True)
        return store.decisions(doc_id, name) if name is not None else ()

    def state(doc_id: str) -> DocState | None:
        if gold:
            reviewed, reviewer = store.review_state(doc_id)
            done = reviewed == "reviewed"
            return DocState(
                doc_id=doc_id,
                annotator=reviewer or "gold",
                status=DocStatus.DONE if done else DocStatus.IN_PROGRESS,
            )
        return store.doc_state(doc_id, name) if name is not None else None

    ctx = Context(
        store.scheme,
        options,
        parts,
        relations,
        decisions=decisions,
        state=state,
        annotator=name,
        gold=gold,
        arguments=arguments,
        suggestions=suggestions if include_suggestions and not gold else lambda doc_id: (),
    )
    _refuse_unsafe_labels(ctx, fmt)
    report = ExportReport(format=fmt, out=out)

    def items() -> Iterator[Item]:
        for doc, spans in stream():
            if not doc.text.strip():
                report.empty += 1
                continue
            yield assignment.get(doc.id, WHOLE), doc, spans

    meta = {"format": fmt, "annotator": name, "gold": gold, "split": split, "seed": seed}
    try:
        with Outputs(out, force=force, protect=[store.path], meta=meta) as files:
            write(items(), files, ctx, report)
            if report.misaligned:
                shown = "\n".join(report.misaligned[:20])
                more = len(report.misaligned) - 20
                raise ExportError(
                    f"{len(report.misaligned)} span(s) not on token boundaries "
                    f"(--alignment strict; nothing was written):\n{shown}"
                    + (f"\n... and {more} more" if more > 0 else "")
                )
            report.files = files.commit()
            report.replaced_foreign = files.replaced_foreign
    except OSError as exc:
        raise ExportError(_os_error(out, exc)) from None
    return report


def _os_error(out: Path, exc: OSError) -> str:
    """One line for a failed write: full disk, over-long name, no permission, ..."""
    where = exc.filename or out
    why = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        why = "no space left on the device"
    elif exc.errno == errno.ENAMETOOLONG:
        why = "file name too long"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "not writable" + (" (read-only file system)" if exc.errno == errno.EROFS else "")
    return f"{where}: cannot write the export ({why}); {out} was left as it was"
