"""Agreement figures against cases computed by hand and against scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.cli import main
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.review.agreement import (
    agreement,
    bio_tags,
    cohen_kappa,
    document_agreement,
    krippendorff_alpha,
    span_f1,
)
from annotator.store import Store
from tests.unit.test_review_adjudicate import build_review_project


def sp(start: int, end: int, label: str, kind: SpanKind = SpanKind.ENTITY) -> Span:
    return Span(start=start, end=end, label=label, kind=kind, status=SpanStatus.ACCEPTED)


def test_span_f1_by_hand() -> None:
    a = [sp(0, 4, "PER"), sp(10, 15, "LOC")]
    b = [sp(0, 4, "PER"), sp(10, 14, "LOC"), sp(20, 25, "ORG")]
    # exact: 1 match; F1 = 2*1 / (2 + 3)
    assert span_f1(a, b) == pytest.approx(0.4)
    # lenient: A 2/2 matched, B 2/3 matched; F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert span_f1(a, b, lenient=True) == pytest.approx(0.8)
    # overlap with another label does not count
    assert span_f1([sp(10, 15, "LOC")], [sp(10, 14, "ORG")], lenient=True) == 0.0
    assert span_f1([], []) is None


def test_kappa_by_hand_and_against_sklearn() -> None:
    a = ["B-PER", "O", "O", "B-LOC"]
    b = ["B-PER", "O", "B-LOC", "O"]
    # p_o = 2/4; p_e = (1*1 + 2*2 + 1*1) / 16 = 6/16; kappa = (0.5 - 0.375) / 0.625 = 0.2
    assert cohen_kappa(a, b) == pytest.approx(0.2)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None  # chance agreement 1: undefined


def test_alpha_by_hand() -> None:
    # coincidences: aa 2, ab 1, ba 1, bb 4; n_a 3, n_b 5, n 8
    # alpha = 1 - (2/8) / (2*3*5 / (8*7)) = 1 - 112/240 = 8/15
    data = [["a", "a", "b", "b"], ["a", "b", "b", "b"]]
    assert krippendorff_alpha(data) == pytest.approx(8 / 15)
    # a missing value drops that unit for the coder; a unit with one value is not pairable
    assert krippendorff_alpha([["a", "a", "b", "b", "a"], ["a", "b", "b", "b", None]]) == (
        pytest.approx(8 / 15)
    )
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]) is None


def test_bio_tags_on_spacy_tokens() -> None:
    text = "Anna Berg traf Ben in Berlin."
    spans = [sp(0, 9, "PER"), sp(22, 28, "LOC"), sp(10, 14, "MEETING", SpanKind.EVENT)]
    assert bio_tags(text, spans, SpanKind.ENTITY) == [
        "B-PER", "I-PER", "O", "O", "O", "B-LOC", "O",
    ]  # fmt: skip
    assert bio_tags(text, spans, SpanKind.EVENT) == ["O", "O", "B-MEETING", "O", "O", "O", "O"]
    # a nested span of the same layer loses to the earlier, longer one
    assert bio_tags(text, [sp(0, 9, "PER"), sp(5, 9, "LOC")], SpanKind.ENTITY)[:2] == [
        "B-PER",
        "I-PER",
    ]


def _two_docs(store: Store) -> Store:
    build_review_project(store)  # d1: anna and ben disagree three times
    text = "Ben besuchte Minsk."
    store.add_documents([Document(id="d2", text=text)])
    same = [sp(0, 3, "PER"), sp(4, 12, "VISIT", SpanKind.EVENT)]
    for name in ("anna", "ben"):
        store.replace_decisions("d2", name, add=same, action="add")
        store.set_doc_state(DocState(doc_id="d2", annotator=name, status=DocStatus.DONE))
    return store


def test_report_figures(store: Store) -> None:
    _two_docs(store)
    report = agreement(store)
    assert report.annotators == ["anna", "ben"]
    (pair,) = report.pairs
    # d1: anna 4 spans, ben 3, 1 exact match; d2: 2 and 2, 2 matches -> 2*3 / (6 + 5)
    assert pair["exact"].f1 == pytest.approx(6 / 11)
    # lenient: anna matched 1+0+0+1 (+2), ben 1+0+1 (+2): P = 4/6, R = 4/5
    p, r = 4 / 6, 4 / 5
    assert pair["lenient"].f1 == pytest.approx(2 * p * r / (p + r))
    assert pair["by_label"]["PER"][0].f1 == 1.0
    assert pair["by_label"]["LOC"][0].f1 == 0.0
    # kappa on the very same token labels as scikit-learn
    from annotator.review.agreement import token_labels

    ta: list[str] = []
    tb: list[str] = []
    for doc_id in ("d1", "d2"):
        text = store.document(doc_id).text
        ta += token_labels(text, [s for s in store.decisions(doc_id, "anna")])
        tb += token_labels(text, [s for s in store.decisions(doc_id, "ben")])
    assert pair["tokens"] == len(ta)
    assert pair["kappa"] == pytest.approx(cohen_kappa_score(ta, tb))
    assert 0 < pair["kappa"] < 1
    assert report.alpha is not None and 0 < report.alpha < 1
    assert report.alpha_units == len(ta)
    # per document: d1 disagrees, d2 agrees fully; worst first
    assert [(d.doc_id, round(d.f1, 4)) for d in report.per_document] == [
        ("d1", round(2 / 7, 4)),
        ("d2", 1.0),
    ]
    labels, matrix = report.labels, report.matrix
    cell = {(r, c): matrix[i][j] for i, r in enumerate(labels) for j, c in enumerate(labels)}
    assert cell[("PER", "PER")] == 4  # both docs, both orders
    assert cell[("LOC", "ORG")] == cell[("ORG", "LOC")] == 1
    assert cell[("LOC", "none")] == cell[("none", "LOC")] == 1
    assert cell[("MEETING", "MEETING")] == 2  # "Gipfel" vs "zum Gipfel": overlap pairs them
    assert labels[-1] == "none"


def test_document_agreement_orders_the_queue(store: Store) -> None:
    _two_docs(store)
    assert [d.doc_id for d in document_agreement(store)] == ["d1", "d2"]


def test_label_filter(store: Store) -> None:
    _two_docs(store)
    report = agreement(store, label="PER")
    (pair,) = report.pairs
    assert pair["exact"].f1 == 1.0
    assert report.labels == ["PER", "none"]


def test_cli_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    with Store.open(db) as s:
        _two_docs(s)
    assert main(["agreement", "--db", str(db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for part in (
        "span_f1",
        "cohen_kappa",
        "krippendorff_alpha",
        "documents_agreement",
        "confusion",
    ):
        assert data[part]["unit"] and data[part]["method"]
    assert data["span_f1"]["pairs"][0]["exact"]["f1"] == round(6 / 11, 4)
    assert main(["agreement", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "exact F1" in out and "unit: token" in out and "Krippendorff" in out
    assert main(["agreement", "--db", str(db), "--label", "NOPE"]) == 2
    assert "unknown label 'NOPE'" in capsys.readouterr().err
