"""Bring other project files' annotators' work into this project (``annotator merge``).

Documents are matched by content hash; documents missing here are added (a clashing id gets the
hash's first eight characters appended). For every annotator of the other file, their work on a
document (decisions, document state, relations, their own history) is copied verbatim when this
project has no work of that name on that document; identical work is left as it is, so merging
twice changes nothing; different work under the same name is an error unless the other file's
annotator is renamed. Gold and review states are not merged: review happens in one place.
Everything runs in one transaction: a failed merge changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model import Document, Span
from annotator.store import Store

Work = tuple[frozenset[Any], tuple[Any, ...] | None, frozenset[Any]]


class MergeError(ValueError):
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

    def summary(self) -> str:
        who = ", ".join(f"{a}: {n}" for a, n in sorted(self.copied.items())) or "nothing new"
        text = (
            f"merged {len(self.files)} file(s): {self.documents_added} document(s) added, "
            f"{self.documents_matched} matched by content; work copied (documents per annotator) "
            f"{who}; {self.unchanged} already here"
        )
        if self.renamed_ids:
            text += "; ids changed: " + ", ".join(f"{a} -> {b}" for a, b in self.renamed_ids)
        return text


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


def _merge_one(store: Store, path: Path, rename: dict[str, str], report: MergeReport) -> None:
    if store.path is not None and path.resolve() == store.path.resolve():
        raise MergeError(f"{path}: cannot merge a project into itself")
    report.files.append(str(path))
    other = Store.open_read_only(path)
    try:
        names = other.annotators()
        report.seen.update(names)
        docs = {d.id: d for d in other.iter_documents()}
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
    finally:
        other.close()


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
