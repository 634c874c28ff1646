"""``annotator export --gold``: the reviewed documents' gold spans, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.formats import ExportError, collect
from annotator.model import Document
from annotator.review.session import ReviewSession
from annotator.store import Store
from tests.unit.test_review_adjudicate import TEXT, build_review_project


def _reviewed_project(store: Store) -> Store:
    build_review_project(store)
    _reviewed_project_on(store)
    return store


def test_collect_gold_yields_reviewed_documents_only(store: Store) -> None:
    with pytest.raises(ExportError, match="no reviewed documents"):
        list(collect(build_review_project(store), gold=True))
    _reviewed_project_on(store)
    ((doc, spans),) = list(collect(store, gold=True))
    assert doc.id == "d1"
    assert [(TEXT[s.start : s.end], s.label) for s in spans] == [
        ("Anna Berg", "PER"),
        ("Paris", "ORG"),
        ("zum Gipfel", "MEETING"),
    ]


def _reviewed_project_on(store: Store) -> None:
    store.add_documents([Document(id="d2", text="Nicht geprüft.")])
    review = ReviewSession(store, "rita")
    adj, _ = review.open("d1")
    for d in adj.disagreements:
        review.execute(review.take("d1", d, "ben"))
    review.execute(review.mark_reviewed("d1"))


def test_export_gold_cli_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    with Store.open(db) as s:
        _reviewed_project(s)
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), "--gold", "--format", "jsonl", "--out", str(out)]) == 0
    files = list(out.glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    assert [line["text"] for line in lines] == [TEXT]
    accepted = [s for s in lines[0]["spans"] if s["status"] == "accepted"]
    assert sorted(s["label"] for s in accepted) == ["MEETING", "ORG", "PER"]
    assert lines[0]["gold"] is True and lines[0]["status"] == "done"
