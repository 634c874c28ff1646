"""``make screenshots``: the README's pictures, drawn offscreen from the current code.

    python -m annotator.gui.screenshots [FOLDER]   (default: docs)

writes ``screenshot.png`` (the annotate window on a seed article with the built-in model's
suggestions), ``review-empty.png`` (the review window of a project nobody has finished),
``review.png`` (the review window on a seed article two annotators did differently),
``arguments.png`` (the annotate window on a seed article with events and their arguments drawn
as arcs, one event's arguments being edited) and ``review-arguments.png`` (the review of an
argument disagreement), all from a temporary project built from ``seeds/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from annotator.corpus import import_paths
from annotator.model import DocStatus, Span, SpanKind, SpanStatus
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


# (text, label, which occurrence) of the spans, and (event, role, filler) of the arguments, that
# the arguments picture shows on the seed article: what a careful annotator would mark there.
EVENT_SPANS = (
    ("Telefongespräch", "PHONE_CALL", 0),
    ("Trump", "PER", 0),
    ("Alexander Lukashenko", "PER", 0),
    ("Gespräch", "PHONE_CALL", 0),
    ("Donald Trump", "PER", 0),
    ("Alexander Lukashenko", "PER", 1),
    ("Belarus", "LOC", 1),
    ("Treffen", "MEETING", 0),
    ("Trump", "PER", 3),
    ("Wladimir Putin", "PER", 0),
    ("Alaska", "LOC", 0),
)
EVENT_ARGUMENTS = (
    (0, "participant", 1),
    (0, "participant", 2),
    (3, "participant", 4),
    (3, "participant", 5),
    (7, "participant", 8),
    (7, "participant", 9),
    (7, "place", 10),
)


def _nth(text: str, part: str, n: int) -> int:
    start = -1
    for _ in range(n + 1):
        start = text.find(part, start + 1)
        if start < 0:
            raise ValueError(f"{part!r} is not {n + 1} times in the seed article")
    return start


def event_spans(store: Store, doc_id: str) -> list[Span]:
    text = store.document(doc_id).text
    out = []
    for part, label, n in EVENT_SPANS:
        start = _nth(text, part, n)
        out.append(
            Span(
                start=start,
                end=start + len(part),
                label=label,
                kind=store.scheme.kind_of(label),
                status=SpanStatus.ACCEPTED,
            )
        )
    return out


def with_arguments(
    store: Store,
    doc_id: str,
    annotator: str,
    *,
    skip: Sequence[int] = (),
    roles: dict[int, str] | None = None,
) -> list[Span]:
    """``annotator`` marks the events, their entities and arguments of :data:`EVENT_ARGUMENTS`
    (leaving out those at ``skip``, giving others the roles in ``roles``), by session commands."""
    session = Session(store, annotator)
    spans = event_spans(store, doc_id)
    for span in spans:
        _do(session, session.add(doc_id, span.start, span.end, span.label))
    for i, (event, role, filler) in enumerate(EVENT_ARGUMENTS):
        if i not in skip:
            role = (roles or {}).get(i, role)
            _do(session, session.add_argument(doc_id, spans[event], spans[filler], role))
    return spans


def arguments_pictures(db: Path, out: Path) -> int:
    """The annotate window with arguments (one event's being edited), then the review of an
    argument disagreement between anna and ben."""
    from PySide6.QtWidgets import QApplication

    from annotator.gui.app import WINDOW_SIZE, save_screenshot
    from annotator.gui.main_window import MainWindow
    from annotator.gui.review_window import ReviewWindow

    app = QApplication.instance() or QApplication(["annotator"])
    assert isinstance(app, QApplication)
    with Store.open(db, create=False) as store:
        doc_id = ARGUMENTS_ARTICLE
        spans = with_arguments(store, doc_id, "anna")
        window = MainWindow(store, "anna", suggester=None)
        window.resize(*WINDOW_SIZE)
        window.show()
        window.open_first(doc_id)
        window.doc.select(spans[7].key)  # the meeting: its arguments strong
        window.editor.start_arguments(filler=spans[10].key)
        if save_screenshot(app, window, out / "arguments.png") != 0:
            return 1
        # ben: Alaska a participant, not the place; Putin left out
        with_arguments(store, doc_id, "ben", skip=(5,), roles={6: "participant"})
        for name in ("anna", "ben"):
            session = Session(store, name)
            _do(session, session.set_status(doc_id, DocStatus.DONE))
        review = ReviewWindow(store, "rita", background=False)
        review.resize(*WINDOW_SIZE)
        review.show()
        review.open_first(doc_id)
        review.doc.step_disagreement(+1)
        return save_screenshot(app, review, out / "review-arguments.png")


ARGUMENTS_ARTICLE = ARTICLE


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
            # the screenshot runs above compute suggestions in memory only (read-only); the two
            # annotators need them stored to accept and disagree on
            from annotator.gui.suggestions import project_factory, suggest_now

            suggest_now(store, [ARTICLE], project_factory(db))
            two_annotators(store, ARTICLE)
        if run(db, annotator="rita", screenshot=out / "review.png", document=ARTICLE, review=True):
            return 1
        fresh = Path(tmp) / "arguments.db"
        with Store.open(fresh) as store:
            import_paths(store, [SEEDS])
        return arguments_pictures(fresh, out)


if __name__ == "__main__":
    raise SystemExit(main())
