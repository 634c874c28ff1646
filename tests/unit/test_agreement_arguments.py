"""Argument F1 between annotators, with the cases counted by hand."""

from __future__ import annotations

import pytest

from annotator.cli.agreement import format_report
from annotator.model import Argument, DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.review.agreement import agreement
from annotator.store import Store

TEXT = "Anna traf Berlin in Minsk zum Treffen am Freitag."


def at(word: str, label: str) -> Span:
    start = TEXT.index(word)
    kind = SpanKind.EVENT if label == "MEETING" else SpanKind.ENTITY
    return Span(
        start=start, end=start + len(word), label=label, kind=kind, status=SpanStatus.ACCEPTED
    )


T, T_WIDE = at("Treffen", "MEETING"), at("zum Treffen", "MEETING")
ANNA, BERLIN, MINSK, FREITAG = (
    at("Anna", "PER"),
    at("Berlin", "LOC"),
    at("Minsk", "LOC"),
    at("Freitag", "DATE"),
)


def arg(trigger: Span, role: str, filler: Span) -> Argument:
    return Argument(trigger=trigger.key, role=role, filler=filler.key)


@pytest.fixture
def project(store: Store) -> Store:
    store.add_documents([Document(id="d", text=TEXT)])
    work = {
        "anna": (
            [T, ANNA, MINSK, FREITAG],
            [arg(T, "participant", ANNA), arg(T, "place", MINSK), arg(T, "time", FREITAG)],
        ),
        "ben": (
            [T, T_WIDE, ANNA, MINSK, BERLIN],
            [
                arg(T, "participant", ANNA),
                arg(T_WIDE, "place", MINSK),
                arg(T, "participant", BERLIN),
            ],
        ),
    }
    for name, (spans, args) in work.items():
        store.replace_decisions("d", name, add=spans, action="add", link=args)
        store.set_doc_state(DocState(doc_id="d", annotator=name, status=DocStatus.DONE))
    return store


def test_argument_f1_exact_lenient_and_per_role(project: Store) -> None:
    report = agreement(project).as_dict()
    (pair,) = report["argument_f1"]["pairs"]
    # exact: one argument in common (participant Anna) of 3 and 3: 2*1/6
    assert pair["exact"]["f1"] == pytest.approx(round(1 / 3, 4))
    # lenient: the place Minsk matches over the wider trigger: 2 of 3 each side
    assert pair["lenient"]["precision"] == pytest.approx(round(2 / 3, 4))
    assert pair["lenient"]["recall"] == pytest.approx(round(2 / 3, 4))
    assert pair["lenient"]["f1"] == pytest.approx(round(2 / 3, 4))
    roles = pair["by_role"]
    assert roles["participant"]["exact"] == pytest.approx(
        round(2 * 1 / 3, 4)
    )  # {Anna} vs {Anna, Berlin}
    assert roles["place"]["exact"] == 0.0 and roles["place"]["lenient"] == 1.0
    assert roles["time"]["exact"] == 0.0
    text = format_report(report)
    assert "Argument agreement" in text and "participant" in text


def test_argument_f1_of_one_label_counts_only_its_events(project: Store) -> None:
    report = agreement(project, label="PER").as_dict()
    (pair,) = report["argument_f1"]["pairs"]
    assert pair["exact"]["spans_a"] == 0 and pair["exact"]["f1"] is None
