"""The import core: format choice, what an annotator's import keeps, and the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.corpus import import_records
from annotator.formats.reading import ImportedRelation, Record, make_document
from annotator.formats.registry import Skipped, detect, expand
from annotator.model import DocStatus, Span, SpanKind, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

INTEROP = Path(__file__).resolve().parents[2] / ".." / "shared" / "interop"


def _record(status: DocStatus | None = None) -> Record:
    text = "Kit Kellogg traf Lukaschenko in Minsk."
    spans = [
        Span(start=0, end=11, label="PER", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED),
        Span(start=12, end=16, label="MEETING", kind=SpanKind.EVENT),
        Span(start=32, end=37, label="LOC", status=SpanStatus.REJECTED),
        Span(start=0, end=11, label="PER", kind=SpanKind.ENTITY),
    ]
    relations = [ImportedRelation(1, 0, "participant"), ImportedRelation(1, 3, "participant")]
    return Record(
        make_document("d1", text, "t", {}), spans, "in.x", 1, relations=relations, status=status
    )


def test_an_annotators_import_keeps_rejections_relations_and_status(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        report = import_records(store, [_record(DocStatus.DONE)], annotator="anna")
        decisions = {s.key: s.status for s in store.decisions("d1", "anna")}
        relations = store.relations("d1", "anna")
        status = store.doc_state("d1", "anna").status
    assert decisions == {
        (0, 11, "PER"): SpanStatus.ACCEPTED,
        (12, 16, "MEETING"): SpanStatus.ACCEPTED,
        (32, 37, "LOC"): SpanStatus.REJECTED,
    }
    # The duplicate PER span is one decision, so both relations name the same argument.
    assert [r.role for r in relations] == ["participant"]
    assert status == DocStatus.DONE
    assert (report.accepted, report.rejected, report.relations, report.done) == (2, 1, 1, 1)
    assert "1 duplicate span(s)" in report.summary()


def test_without_an_annotator_what_only_work_can_hold_is_counted_not_lost(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        report = import_records(store, [_record(DocStatus.DONE)])
        keys = {s.key for s in current_suggestions(store, "d1")}
    assert keys == {(0, 11, "PER"), (12, 16, "MEETING")}
    summary = report.summary()
    assert "1 rejected span(s)" in summary
    assert "2 relation(s): relations are an annotator's work" in summary
    assert "document status(es) 'done'" in summary


def test_done_marks_every_document_done(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Ein Text.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Noch ein Text.", encoding="utf-8")
    db = tmp_path / "p.db"
    assert (
        main(
            [
                "import",
                str(tmp_path / "a.txt"),
                str(tmp_path / "b.txt"),
                "--db",
                str(db),
                "--annotator",
                "ben",
                "--done",
            ]
        )
        == 0
    )
    with Store.open(db) as store:
        assert store.status_counts("ben")[DocStatus.DONE] == 2


def test_done_without_an_annotator_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("Ein Text.", encoding="utf-8")
    assert main(["import", str(tmp_path / "a.txt"), "--db", str(tmp_path / "p.db"), "--done"]) == 2
    assert "--annotator" in capsys.readouterr().err


def test_a_conll_file_saved_as_txt_goes_to_the_conll_reader() -> None:
    path = INTEROP / "doccano" / "import-seqlab-example.txt"
    found = detect(path)
    assert found is not None and found.name == "conll"
    plain = Path(__file__).resolve().parents[2] / "seeds"
    first = sorted(plain.glob("*.txt"))[0]
    found = detect(first)
    assert found is not None and found.name == "text"


def test_format_overrides_the_suffix_and_other_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "doc.data").write_text("Ein Text.", encoding="utf-8")
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "x.txt").write_text("Zweiter Text.", encoding="utf-8")
    items = list(expand([tmp_path / "doc.data"], "text"))
    assert [(p.name, s.name) for p, s in items] == [("doc.data", "text")]  # type: ignore[misc]
    items = list(expand([tmp_path]))
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [Path(s.path).name for s in skipped] == ["README.md", "doc.data"]
    db = tmp_path / "p.db"
    assert main(["import", str(tmp_path), "--db", str(db)]) == 0


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text("Ein Text.", encoding="utf-8")
    db = tmp_path / "p.db"
    assert main(["import", str(tmp_path / "a.txt"), "--db", str(db)]) == 0
    # `annotator stats --json | head -c0`: the reader closes the pipe before the command writes.
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "stats", "--db", str(db), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err
    assert proc.returncode == 0
