"""Bring other project files' annotators' work into this project (``annotator merge``).

Documents are matched by content hash; documents missing here are added (a clashing id gets the
hash's first eight characters appended). For every annotator of the other file, their work on a
document (decisions, document state, relations, their own history) is copied verbatim when this
project has no work of that name on that document; identical work is left as it is, so merging
twice changes nothing; different work under the same name is an error unless the other file's
annotator is renamed. Gold and review states are not merged: review happens in one place.
Everything runs in one transaction: a failed merge changes nothing.

Nothing of the other file is trusted: its texts are hashed again (its hash column is not used),
every span is checked against its text (offsets inside it) and against this project's label
scheme (known label, the label's kind), and a scheme that differs is said in the summary, label by
label. A span that does not fit refuses the merge, one line per problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.errors import UserError
from annotator.model import Document, LabelScheme, Span, SpanError, check_span, content_hash
from annotator.store import Store

Work = tuple[frozenset[Any], tuple[Any, ...] | None, frozenset[Any]]


class MergeError(UserError, ValueError):
    """A merge that would mix up two people's work, or cannot be done as asked."""


@dataclass
class MergeReport:
    files: list[str] = field(default_factory=list)
    documents_added: int = 0
    documents_matched: int = 0
    renamed_ids: list[tuple[str, str]] = field(default_factory=list)
    copied: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    seen: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    """What the summary must say about the other files: re-hashed texts, another scheme."""

    def summary(self) -> str:
        who = ", ".join(f"{a}: {n}" for a, n in sorted(self.copied.items())) or "nothing new"
        text = (
            f"merged {len(self.files)} file(s): {self.documents_added} document(s) added, "
            f"{self.documents_matched} matched by content; work copied (documents per annotator) "
            f"{who}; {self.unchanged} already here"
        )
        if self.renamed_ids:
            text += "; ids changed: " + ", ".join(f"{a} -> {b}" for a, b in self.renamed_ids)
        return "\n".join([*self.notes, text])


def parse_renames(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise MergeError(f"--rename {item!r}: expected OLD=NEW")
        out[old.strip()] = new.strip()
    return out


def _work(store: Store, doc_id: str, annotator: str) -> Work:
    """What counts as an annotator's work on a document, for comparing two files."""
    decisions = store.decisions(doc_id, annotator)
    by_id = {s.id: s.key for s in decisions}
    state = store.doc_state(doc_id, annotator)
    return (
        frozenset((s.key, s.kind, s.status) for s in decisions),
        (state.status, state.flagged, state.comment) if state.revision else None,
        frozenset(
            (by_id.get(r.head), by_id.get(r.tail), r.role)
            for r in store.relations(doc_id, annotator)
        ),
    )


@dataclass
class _Copy:
    doc: Document
    name: str
    decisions: list[Span]
    state: Any
    relations: list[tuple[tuple[int, int, str], tuple[int, int, str], str]]
    history: list[dict[str, Any]]


def merge(
    store: Store,
    others: Sequence[str | os.PathLike[str]],
    *,
    rename: Mapping[str, str] | None = None,
) -> MergeReport:
    """Merge other project files into ``store`` in one transaction (see the module docstring)."""
    rename = dict(rename or {})
    report = MergeReport()
    with store.transaction():
        for path in others:
            _merge_one(store, Path(path), rename, report)
        unknown = sorted(set(rename) - report.seen)
        if unknown:
            raise MergeError(
                f"--rename names an annotator the merged file(s) do not have: {', '.join(unknown)} "
                f"(they have {', '.join(sorted(report.seen)) or 'none'})"
            )
    return report


MAX_PROBLEMS = 50
"""Problems listed one per line; past these, the count of the rest."""


def scheme_difference(here: LabelScheme, there: LabelScheme) -> str | None:
    """How the other file's label scheme differs from this project's (names and kinds), or None."""
    mine = {label.name: label.kind for label in here.labels}
    theirs = {label.name: label.kind for label in there.labels}
    parts = []
    if only_there := sorted(set(theirs) - set(mine)):
        parts.append(f"labels only there: {', '.join(only_there)}")
    if only_here := sorted(set(mine) - set(theirs)):
        parts.append(f"labels only here: {', '.join(only_here)}")
    if kinds := sorted(n for n in set(mine) & set(theirs) if mine[n] != theirs[n]):
        parts.append(
            "other kind there: "
            + ", ".join(f"{n} ({theirs[n].value} there, {mine[n].value} here)" for n in kinds)
        )
    return "; ".join(parts) if parts else None


def _documents(
    other: Store, path: Path, report: MergeReport, problems: list[str]
) -> dict[str, Document]:
    """The other file's documents with the hashes of their texts (not of its hash column)."""
    docs: dict[str, Document] = {}
    by_hash: dict[str, str] = {}
    rehashed = 0
    for doc in other.iter_documents():
        real = content_hash(doc.text)
        if real != doc.hash:
            rehashed += 1
            doc = doc.model_copy(update={"hash": real})
        if real in by_hash:
            problems.append(
                f"{path}: documents {by_hash[real]!r} and {doc.id!r} have the same text"
            )
        by_hash[real] = doc.id
        docs[doc.id] = doc
    if rehashed:
        report.notes.append(
            f"{path}: {rehashed} document(s) whose stored hash did not match the text; "
            "matched by the text itself"
        )
    return docs


def _check_spans(
    decisions: Sequence[Span],
    doc: Document,
    old: str,
    scheme: LabelScheme,
    path: Path,
    problems: list[str],
) -> None:
    for span in decisions:
        try:
            check_span(span, doc.text, scheme)
        except SpanError as exc:
            problems.append(f"{path}: document {doc.id!r}, annotator {old!r}: {exc}")


def _merge_one(store: Store, path: Path, rename: dict[str, str], report: MergeReport) -> None:
    if store.path is not None and path.resolve() == store.path.resolve():
        raise MergeError(f"{path}: cannot merge a project into itself")
    report.files.append(str(path))
    other = Store.open_for_reading(path, migrate=False)
    try:
        _merge_from(store, other, path, rename, report)
    except (ValueError, KeyError) as exc:  # a row our models cannot even read
        if isinstance(exc, MergeError):
            raise
        raise MergeError(
            f"{path}: cannot read the other file's work ({exc}); nothing was merged"
        ) from None
    finally:
        other.close()


def _merge_from(
    store: Store, other: Store, path: Path, rename: dict[str, str], report: MergeReport
) -> None:
    problems: list[str] = []
    scheme = store.scheme
    difference = scheme_difference(scheme, other.scheme)
    if difference is not None:
        report.notes.append(f"{path}: another label scheme ({difference})")
    names = other.annotators()
    report.seen.update(names)
    docs = _documents(other, path, report, problems)
    here = store.id_for_hash([d.hash for d in docs.values()])
    copies: list[_Copy] = []
    clashes: dict[str, list[str]] = {}
    for old in names:
        name = rename.get(old, old)
        mine = set(store.documents_with_work(name))
        for doc_id in other.documents_with_work(old):
            doc = docs[doc_id]
            here_id = here.get(doc.hash)
            theirs = _work(other, doc_id, old)
            if here_id is not None and here_id in mine:
                if _work(store, here_id, name) == theirs:
                    report.unchanged += 1
                else:
                    clashes.setdefault(name, []).append(doc_id)
                continue
            decisions = other.decisions(doc_id, old)
            _check_spans(decisions, doc, old, scheme, path, problems)
            keys = {s.id: s.key for s in decisions}
            state = other.doc_state(doc_id, old)
            copies.append(
                _Copy(
                    doc,
                    name,
                    decisions,
                    state if state.revision else None,
                    [
                        (keys[r.head], keys[r.tail], r.role)
                        for r in other.relations(doc_id, old)
                        if r.head in keys and r.tail in keys
                    ],
                    other.work_history(doc_id, old),
                )
            )
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise MergeError(
            f"{path}: {len(problems)} problem(s) in the other file; nothing was merged\n"
            + "\n".join(shown)
            + (f"\n... and {more} more" if more else "")
        )
    if clashes:
        name, where = sorted(clashes.items())[0]
        old = next((o for o, n in rename.items() if n == name), name)
        raise MergeError(
            f"{path}: annotator {name!r} has different work in both files on "
            f"{len(where)} document(s) (first: {where[0]}); merge it under another name "
            f"with --rename {old}=NEW_NAME"
        )
    ids = _add_documents(store, list(docs.values()), here, report)
    for c in copies:
        store.copy_work(
            ids[c.doc.hash],
            c.name,
            decisions=c.decisions,
            state=c.state,
            relations=c.relations,
            history=c.history,
        )
        report.copied[c.name] = report.copied.get(c.name, 0) + 1


def _add_documents(
    store: Store, docs: list[Document], here: dict[str, str], report: MergeReport
) -> dict[str, str]:
    """Add the documents missing here; return content hash -> id in this project."""
    ids = dict(here)
    report.documents_matched += len(here)
    new: list[Document] = []
    for doc in docs:
        if doc.hash in ids:
            continue
        doc_id = doc.id
        if store.has_document_id(doc_id):
            doc_id = f"{doc.id}@{doc.hash[:8]}"
            report.renamed_ids.append((doc.id, doc_id))
        new.append(doc.model_copy(update={"id": doc_id}))
        ids[doc.hash] = doc_id
    if new:
        added, _ = store.add_documents(new)
        report.documents_added += added
    return ids
