"""Merging project files: overlapping documents, name clashes, renames, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.merge import MergeError, merge, parse_renames
from annotator.model import DocState, DocStatus, Document, Relation, Span, SpanKind, SpanStatus
from annotator.store import Store

SHARED = "Lukaschenko traf Putin in Minsk."
ONLY_THERE = "Die Sanktionen wurden aufgehoben."
ONLY_HERE = "Ein Text nur hier."


def sp(text: str, part: str, label: str, kind: SpanKind = SpanKind.ENTITY) -> Span:
    start = text.index(part)
    return Span(
        start=start, end=start + len(part), label=label, kind=kind, status=SpanStatus.ACCEPTED
    )


def annotate(store: Store, doc_id: str, name: str, spans: list[Span], *, done: bool = True) -> None:
    store.replace_decisions(doc_id, name, add=spans, action="add")
    if done:
        store.set_doc_state(DocState(doc_id=doc_id, annotator=name, status=DocStatus.DONE))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    with Store.open(here) as s:
        s.add_documents([Document(id="a", text=SHARED), Document(id="h", text=ONLY_HERE)])
        annotate(s, "a", "anna", [sp(SHARED, "Lukaschenko", "PER"), sp(SHARED, "Minsk", "LOC")])
    with Store.open(there) as s:
        # same text under another id; one document missing here; one id clash with other text
        s.add_documents(
            [
                Document(id="x1", text=SHARED),
                Document(id="x2", text=ONLY_THERE),
                Document(id="h", text="Anderer Text mit gleicher id."),
            ]
        )
        ben = [sp(SHARED, "Lukaschenko", "PER"), sp(SHARED, "traf", "MEETING", SpanKind.EVENT)]
        annotate(s, "x1", "ben", ben)
        head, tail = s.decisions("x1", "ben")[1], s.decisions("x1", "ben")[0]
        s.add_relation("x1", "ben", Relation(head=head.id or 0, tail=tail.id or 0, role="who"))
        annotate(s, "x2", "ben", [sp(ONLY_THERE, "Sanktionen", "SANCTIONS", SpanKind.EVENT)])
    return here, there


def snapshot(store: Store) -> dict[str, object]:
    out: dict[str, object] = {"docs": sorted((d.id, d.hash) for d in store.iter_documents())}
    for name in store.annotators():
        for doc_id in store.documents_with_work(name):
            st = store.doc_state(doc_id, name)
            out[f"{name}/{doc_id}"] = (
                [(s.key, s.status) for s in store.decisions(doc_id, name)],
                (st.status, st.flagged, st.comment),
                len(store.relations(doc_id, name)),
                len(store.work_history(doc_id, name)),
            )
    return out


def test_merge_brings_work_and_documents(files: tuple[Path, Path]) -> None:
    here, there = files
    with Store.open(here) as s:
        anna_before = [d.key for d in s.decisions("a", "anna")]
        report = merge(s, [there])
        assert report.documents_added == 2 and report.documents_matched == 1
        clash_hash = Document(id="h", text="Anderer Text mit gleicher id.").hash
        assert report.renamed_ids == [("h", f"h@{clash_hash[:8]}")]
        assert report.copied == {"ben": 2}
        # ben's work on the shared text lands on this project's id for it
        assert [d.label for d in s.decisions("a", "ben")] == ["PER", "MEETING"]
        assert s.doc_state("a", "ben").status == DocStatus.DONE
        (rel,) = s.relations("a", "ben")
        ids = {d.id: d.label for d in s.decisions("a", "ben")}
        assert (ids[rel.head], ids[rel.tail], rel.role) == ("MEETING", "PER", "who")
        assert [h["action"] for h in s.work_history("a", "ben")] == ["add", "state", "relation"]
        there_hash = Document(id="t", text=ONLY_THERE).hash
        assert s.id_for_hash([there_hash]) == {there_hash: "x2"}
        assert [d.label for d in s.decisions("x2", "ben")] == ["SANCTIONS"]
        assert [d.key for d in s.decisions("a", "anna")] == anna_before
        assert s.documents_done_by() == {"a": ["anna", "ben"]}  # now reviewable


def test_merging_twice_changes_nothing(files: tuple[Path, Path]) -> None:
    here, there = files
    with Store.open(here) as s:
        merge(s, [there])
        first = snapshot(s)
        n_history = len(s.history())
        report = merge(s, [there])
        assert snapshot(s) == first
        assert len(s.history()) == n_history
        assert report.copied == {} and report.documents_added == 0 and report.unchanged == 2


def test_same_name_different_work_is_an_error_unless_renamed(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    here, _ = files
    third = tmp_path / "third.db"
    with Store.open(third) as s:
        s.add_documents([Document(id="z", text=SHARED)])
        annotate(s, "z", "anna", [sp(SHARED, "Putin", "PER")])
    with Store.open(here) as s:
        before = snapshot(s)
        with pytest.raises(MergeError, match=r"'anna' has different work .* --rename anna=NEW"):
            merge(s, [third])
        assert snapshot(s) == before  # one transaction: nothing half-merged
        report = merge(s, [third], rename={"anna": "anna2"})
        assert report.copied == {"anna2": 1}
        assert [d.label for d in s.decisions("a", "anna2")] == ["PER"]
        assert snapshot(s)["anna/a"] == before["anna/a"]  # anna's own work unchanged
        with pytest.raises(MergeError, match="do not have: nobody"):
            merge(s, [third], rename={"anna": "anna2", "nobody": "x"})


def test_two_files_in_one_go_roll_back_together(files: tuple[Path, Path], tmp_path: Path) -> None:
    here, there = files
    clash = tmp_path / "clash.db"
    with Store.open(clash) as s:
        s.add_documents([Document(id="a", text=SHARED)])
        annotate(s, "a", "anna", [sp(SHARED, "Putin", "PER")])
    with Store.open(here) as s:
        before = snapshot(s)
        with pytest.raises(MergeError):
            merge(s, [there, clash])
        assert snapshot(s) == before


def test_parse_renames() -> None:
    assert parse_renames(["a=b", " c = d "]) == {"a": "b", "c": "d"}
    with pytest.raises(MergeError, match="OLD=NEW"):
        parse_renames(["ab"])


def test_cli(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    here, there = files
    assert main(["merge", str(there), "--db", str(here)]) == 0
    assert "2 document(s) added" in capsys.readouterr().out
    assert main(["merge", str(here), "--db", str(here)]) == 2
    assert "into itself" in capsys.readouterr().err
    assert main(["merge", str(here.with_name("missing.db")), "--db", str(here)]) == 2
    assert "no such project file" in capsys.readouterr().err
    # the other file was only read: no migration, no backup, no new annotators
    with Store.open_for_reading(there, migrate=False) as s:
        assert s.annotators() == ["ben"]
