from __future__ import annotations

import pytest

from annotator.model import DocStatus, Document, Span, SpanError, SpanStatus
from annotator.session import Session
from annotator.store import StaleEditError, Store

TEXT = "Kit Kellogg traf Lukaschenko in Minsk zu einem Treffen."


@pytest.fixture
def session(store: Store) -> Session:
    store.add_documents([Document(id="d", text=TEXT)])
    store.save_suggestions(
        [
            (
                "d",
                [
                    Span(start=4, end=11, label="PER", score=0.9),
                    Span(start=17, end=28, label="PER", score=0.8),
                    Span(start=32, end=37, label="ORG", score=0.4),
                    Span(start=47, end=54, label="MEETING", kind="event", score=1.0),
                ],
            )
        ],
        origin="builtin-de",
        version="1",
    )
    return Session(store, "anna")


def _view(session: Session) -> list[tuple[str, str, str]]:
    return [(TEXT[s.start : s.end], s.label, s.status.value) for s in session.spans("d")]


def test_view_merges_suggestions_and_decisions(session: Session) -> None:
    assert all(status == "suggested" for *_, status in _view(session))
    span = session.spans("d")[0]
    session.execute(session.accept("d", span))
    assert ("Kellogg", "PER", "accepted") in _view(session)
    assert len(_view(session)) == 4


def test_reject_then_undo_redo(session: Session) -> None:
    org = next(s for s in session.spans("d") if s.label == "ORG")
    session.execute(session.reject("d", org))
    assert ("Minsk", "ORG", "rejected") in _view(session)
    assert [s.status for s in session.store.decisions("d", "anna")] == [SpanStatus.REJECTED]
    session.undo()
    assert ("Minsk", "ORG", "suggested") in _view(session)
    assert session.store.decisions("d", "anna") == []
    session.redo()
    assert ("Minsk", "ORG", "rejected") in _view(session)


def test_relabel_suggestion_hides_it_and_records_the_correction(session: Session) -> None:
    org = next(s for s in session.spans("d") if s.label == "ORG")
    session.execute(session.relabel("d", org, "LOC"))
    assert ("Minsk", "LOC", "accepted") in _view(session)
    assert ("Minsk", "ORG", "rejected") in _view(session)
    assert ("Minsk", "ORG", "suggested") not in _view(session)
    session.undo()
    assert ("Minsk", "ORG", "suggested") in _view(session)
    assert ("Minsk", "LOC", "accepted") not in _view(session)


def test_accept_all_is_one_undo_step(session: Session) -> None:
    session.execute(session.accept_all("d"))
    assert [status for *_, status in _view(session)] == ["accepted"] * 4
    session.undo()
    assert [status for *_, status in _view(session)] == ["suggested"] * 4
    assert session.accept_all("d") is not None


def test_add_resize_delete(session: Session) -> None:
    session.execute(session.add("d", 0, 11, "PER"))
    added = next(s for s in session.spans("d") if (s.start, s.end) == (0, 11))
    assert added.origin == "manual" and added.status == SpanStatus.ACCEPTED
    session.execute(session.resize("d", added, 4, 11))
    # The resized span now equals a model suggestion's key, and is accepted.
    assert ("Kellogg", "PER", "accepted") in _view(session)
    resized = next(s for s in session.spans("d") if (s.start, s.end) == (4, 11))
    session.execute(session.delete("d", resized))
    assert ("Kellogg", "PER", "rejected") in _view(session)
    for _ in range(3):
        session.undo()
    assert session.store.decisions("d", "anna") == []


def test_add_checks_text_and_scheme(session: Session) -> None:
    with pytest.raises(SpanError):
        session.add("d", 50, 99, "PER")
    with pytest.raises(SpanError, match="unknown label"):
        session.add("d", 0, 3, "CITY")


def test_status_flag_comment_and_undo(session: Session) -> None:
    session.execute(session.set_status("d", DocStatus.DONE))
    session.execute(session.set_flag("d", True))
    session.execute(session.set_comment("d", "Minsk ist ORG?"))
    state = session.store.doc_state("d", "anna")
    assert (state.status, state.flagged, state.comment) == (DocStatus.DONE, True, "Minsk ist ORG?")
    session.undo()
    session.undo()
    assert session.store.doc_state("d", "anna").flagged is False
    assert session.set_status("d", DocStatus.DONE) is None


def test_two_windows_same_annotator_detects_conflict(session: Session) -> None:
    other = Session(session.store, "anna")
    session.open("d")
    other.open("d")
    spans = session.spans("d")
    session.execute(session.accept("d", spans[0]))
    with pytest.raises(StaleEditError):
        other.execute(other.reject("d", spans[1]))
    other.open("d")
    assert other.execute(other.reject("d", spans[1]))


def test_other_annotators_are_independent(session: Session) -> None:
    ben = Session(session.store, "ben")
    session.execute(session.accept_all("d"))
    assert all(s.status == SpanStatus.SUGGESTED for s in ben.spans("d"))


def test_undo_restores_an_explicit_todo(session: Session) -> None:
    """Found by hypothesis: an edit after "mark todo" must not change the status behind undo."""
    spans = session.spans("d")
    session.execute(session.accept("d", spans[0]))
    session.execute(session.set_status("d", DocStatus.TODO))
    session.execute(session.accept("d", spans[1]))
    assert session.store.doc_state("d", "anna").status == DocStatus.TODO
    session.undo()
    assert session.store.doc_state("d", "anna").status == DocStatus.TODO


# ---- finishing a document and the next open one ------------------------------------------------


@pytest.fixture
def corpus(store: Store) -> Session:
    store.add_documents([Document(id=f"c{i}", text=f"Text {i} aus Minsk.") for i in range(4)])
    return Session(store, "anna")


def test_finishing_reports_done_only_when_the_status_becomes_done(corpus: Session) -> None:
    first = corpus.finish("c1", DocStatus.DONE)
    assert first.command is not None and first.report_done
    corpus.execute(first.command)
    again = corpus.finish("c1", DocStatus.DONE)  # finishing it again changes nothing
    assert again.command is None and not again.report_done
    skipped = corpus.finish("c2", DocStatus.SKIPPED)
    assert skipped.command is not None and not skipped.report_done
    corpus.execute(skipped.command)
    redone = corpus.finish("c2", DocStatus.DONE)  # skipped, then done: newly done
    assert redone.report_done


def test_the_next_open_document_wraps_around_and_skips_finished_ones(corpus: Session) -> None:
    ids = [f"c{i}" for i in range(4)]
    assert corpus.first_document() == "c0"
    assert corpus.next_open("c0") == "c1"
    assert corpus.next_open("c3") == "c0"  # wraps to the first
    corpus.execute(corpus.set_status("c1", DocStatus.DONE))
    assert corpus.finish("c0", DocStatus.DONE).next_doc == "c2"  # c1 is done
    for doc_id in ids:
        corpus.execute(corpus.set_status(doc_id, DocStatus.DONE))
    assert corpus.next_open("c2") is None
    assert corpus.first_document() == "c0"  # nothing open: the first document
    assert [corpus.neighbour("c1", d) for d in (-2, -1, +1, +3)] == [None, "c0", "c2", None]


def test_the_undo_stack_is_not_the_history(session: Session) -> None:
    session.execute(session.accept("d", session.spans("d")[0]))
    assert session.undo_stack.can_undo
    assert [e["action"] for e in session.store.history("d")] == ["accept"]
