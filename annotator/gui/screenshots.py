"""``make screenshots``: the README's pictures, drawn offscreen from the current code.

    python -m annotator.gui.screenshots [FOLDER]   (default: docs)

writes ``screenshot.png`` (the annotate window on a seed article with the built-in model's
suggestions), ``review-empty.png`` (the review window of a project nobody has finished) and
``review.png`` (the review window on a seed article two annotators did differently), all from a
temporary project built from ``seeds/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from annotator.corpus import import_paths
from annotator.model import DocStatus, SpanKind, SpanStatus
from annotator.session import ChangeSpans, ChangeState, Session
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ARTICLE = "002_c37c1a0bbaeb8b11"  # the Trump–Lukashenko phone call: entities and events


def _do(session: Session, command: ChangeSpans | ChangeState | None) -> None:
    if command is not None:
        command.apply(session)  # written through, as the window does


def two_annotators(store: Store, doc_id: str) -> None:
    """anna accepts every suggestion; ben does the same, then disagrees in three ways: he
    relabels an entity, rejects another and adds one anna does not have. Both mark it done."""
    anna, ben = Session(store, "anna"), Session(store, "ben")
    for session in (anna, ben):
        _do(session, session.accept_all(doc_id))
    spans = [s for s in ben.spans(doc_id) if s.status == SpanStatus.ACCEPTED]
    entities = [s for s in spans if s.kind == SpanKind.ENTITY]
    if entities:
        first = entities[0]
        other = "ORG" if first.label != "ORG" else "LOC"
        _do(ben, ben.relabel(doc_id, first, other))
    if len(entities) > 1:
        _do(ben, ben.reject(doc_id, entities[1]))
    text = store.document(doc_id).text
    taken = {(s.start, s.end) for s in spans}
    for word, label in (("Alaska", "LOC"), ("Truth Social", "ORG"), ("Telegram", "ORG")):
        start = text.find(word)
        if start >= 0 and (start, start + len(word)) not in taken:
            _do(ben, ben.add(doc_id, start, start + len(word), label))
            break
    for session in (anna, ben):
        _do(session, session.set_status(doc_id, DocStatus.DONE))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0] if args else "docs")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from annotator.gui.app import run

    with tempfile.TemporaryDirectory(prefix="annotator-screenshots-") as tmp:
        db = Path(tmp) / "project.db"
        with Store.open(db) as store:
            import_paths(store, [SEEDS])
        steps = [
            lambda: run(db, annotator="anna", screenshot=out / "screenshot.png", document=ARTICLE),
            lambda: run(db, annotator="rita", screenshot=out / "review-empty.png", review=True),
        ]
        for step in steps:
            if step() != 0:
                return 1
        with Store.open(db, create=False) as store:
            two_annotators(store, ARTICLE)
        return run(
            db, annotator="rita", screenshot=out / "review.png", document=ARTICLE, review=True
        )


if __name__ == "__main__":
    raise SystemExit(main())
