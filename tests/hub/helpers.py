"""Desktops for the hub tests: project files with a corpus and an annotator's work on it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from annotator.merge import _work
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import Store
from annotator.store.hub import add_member, sync_url

WORDS = ["Anna", "traf", "Putin", "in", "Minsk", "und", "Berlin", "am", "Montag", "Merkel"]


def corpus(n: int, *, seed: int = 0) -> list[Document]:
    """``n`` distinct short German-looking texts (each names its number, so no two are alike)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        text = f"Text {i}: " + " ".join(words) + "."
        docs.append(Document(id=f"doc{i:06d}", text=text))
    return docs


def desktop(path: Path, docs: list[Document]) -> Store:
    store = Store.open(path)
    store.add_documents(docs)
    return store


def member_url(admin_url: str, name: str, *, reviewer: bool = False) -> str:
    return sync_url(
        admin_url, add_member(admin_url, name, reviewer=reviewer, password="pw-" + name)
    )


def annotate(store: Store, name: str, doc_ids: list[str], *, seed: int, done: bool = True) -> int:
    """Accept or reject a span or two per document for ``name``; returns the decisions made."""
    rng = random.Random(seed)
    made = 0
    with store.transaction():
        for doc_id in doc_ids:
            text = store.document(doc_id).text
            start = text.index(":") + 2
            spans = []
            for _ in range(rng.randint(1, 2)):
                a = rng.randrange(start, len(text) - 2)
                b = min(len(text), a + rng.randint(1, 6))
                label = rng.choice(["PER", "LOC", "ORG"])
                status = rng.choice([SpanStatus.ACCEPTED, SpanStatus.ACCEPTED, SpanStatus.REJECTED])
                spans.append(Span(start=a, end=b, label=label, kind=SpanKind.ENTITY, status=status))
            unique = {s.key: s for s in spans}
            store.replace_decisions(doc_id, name, add=list(unique.values()), action="add")
            made += len(unique)
            if done:
                store.set_doc_state(DocState(doc_id=doc_id, annotator=name, status=DocStatus.DONE))
    return made


def everyone_work(store: Store) -> dict[tuple[str, str], Any]:
    """Every annotator's work, by (content hash, annotator), as ``merge`` compares it."""
    out: dict[tuple[str, str], Any] = {}
    hashes = dict(store.db.conn.execute("SELECT id, hash FROM documents").fetchall())
    for name in store.annotators():
        for doc_id in store.documents_with_work(name):
            out[(hashes[doc_id], name)] = _work(store, doc_id, name)
    return out


def history_rows(store: Store) -> list[tuple[str, str, str, str, str, str]]:
    """Every history entry by content hash (sorted), to compare projects."""
    return sorted(
        store.db.conn.execute(
            "SELECT d.hash, h.annotator, h.ts, h.action, h.before, h.after FROM history h "
            "JOIN documents d ON d.id = h.doc_id"
        ).fetchall()
    )
