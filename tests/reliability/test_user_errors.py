"""Every user error of the list in docs/reliability.md is one clear line (exit 2), or, for
problems in input files, one line per problem naming file and line (exit 1); never a traceback.
Also: UTF-16 text is read, ``*.TXT`` in a folder is read, duplicate spans count once, and padded
annotator names are one annotator."""

from __future__ import annotations

import codecs
import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from annotator import cli

    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("Putin traf Lukaschenko in Minsk.", encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["nope", "rot13", "base64", "utf-99"])
def test_an_unknown_or_non_text_encoding_is_one_line(
    tmp_path: Path, text_file: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    code, _, err = _cli(["import", str(text_file), "--encoding", encoding, "--db", str(db)], capsys)
    assert code == 2
    assert f"unknown encoding {encoding!r}" in _one_line(err)
    assert not db.exists()


def test_deeply_nested_json_in_an_import_file_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.jsonl"
    ok = json.dumps({"text": "Ein Text."})
    path.write_text(ok + "\n" + '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "utf-8")
    code, _, err = _cli(["import", str(path), "--db", str(tmp_path / "p.db")], capsys)
    assert code == 1 and "Traceback" not in err
    assert "deep.jsonl:2: JSON nested too deeply" in err


def test_deeply_nested_json_in_a_label_map_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.suggest import LabelMapError, load_label_map

    path = tmp_path / "map.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(LabelMapError, match="JSON nested too deeply"):
        load_label_map([str(path)])


def test_a_screenshot_path_that_is_a_folder_is_one_line(
    tmp_path: Path, text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    assert _cli(["import", str(text_file), "--db", str(db)], capsys)[0] == 0
    folder = tmp_path / "shots"
    folder.mkdir()
    code, _, err = _cli(["gui", "--db", str(db), "--screenshot", str(folder)], capsys)
    assert code == 2
    assert f"--screenshot {folder}: a folder" in _one_line(err)


def _schema_1_project(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.store import schema as store_module

    only_first = store_module.Migrations("annotator")
    only_first._migrations = list(store_module.migrations._migrations[:1])
    with monkeypatch.context() as m:
        m.setattr(store_module, "migrations", only_first)
        m.setattr(store_module, "SCHEMA_VERSION", 1)
        with Store.open(path) as store:
            store.add_documents([Document(id="d1", text="Ein alter Text.")])


def test_a_migration_backup_path_that_is_a_folder_is_one_line_and_nothing_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    _schema_1_project(path, monkeypatch)
    (tmp_path / "old.db.v1.bak").mkdir()
    code, _, err = _cli(["stats", "--db", str(path)], capsys)
    assert code == 2
    line = _one_line(err)
    assert "old.db.v1.bak" in line and "not migrated" in line
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    assert not (tmp_path / "old.db.v1.bak.tmp").exists()


def test_a_fifo_as_input_or_as_project_is_not_a_regular_file(
    tmp_path: Path, text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code, _, err = _cli(["import", str(fifo), "--db", str(tmp_path / "p.db")], capsys)
    assert code == 1 and "not a regular file" in err and "Traceback" not in err
    code, _, err = _cli(["import", str(text_file), "--db", str(fifo)], capsys)
    assert code == 2 and "not a regular file" in _one_line(err)
    code, _, err = _cli(["stats", "--db", str(tmp_path)], capsys)
    assert code == 2 and "a folder, not a project file" in _one_line(err)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_utf32_text_with_a_bom_is_read(
    tmp_path: Path, codec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Grüße aus Minsk — 😀 Ende."
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
    }
    path = tmp_path / "wide.txt"
    path.write_bytes(bom[codec] + text.encode(codec))
    db = tmp_path / "p.db"
    code, _, err = _cli(["import", str(path), "--db", str(db)], capsys)
    assert code == 0, err
    with Store.open_for_reading(db) as store:
        assert store.document(store.document_ids()[0]).text == text


def test_utf16_jsonl_says_which_encoding_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + '{"text": "Hallo"}\n'.encode("utf-16-le"))
    code, _, err = _cli(["import", str(path), "--db", str(tmp_path / "p.db")], capsys)
    assert code == 1 and "UTF-16 text: give --encoding utf-16" in err


def test_upper_case_suffixes_in_a_folder_are_read_like_named_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    names = ["A.TXT", "b.txt", "C.Txt"]
    for n, name in enumerate(names):
        (folder / name).write_text(f"Text Nummer {n}.", encoding="utf-8")
    db = tmp_path / "p.db"
    assert _cli(["import", str(folder), "--db", str(db)], capsys)[0] == 0
    with Store.open_for_reading(db) as store:
        assert store.count_documents() == len(names)


@pytest.mark.parametrize("start,end", [(0, True), (False, 3), (True, True)])
def test_booleans_are_not_offsets(
    tmp_path: Path, start: object, end: object, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.jsonl"
    span = {"start": start, "end": end, "label": "PER"}
    path.write_text(json.dumps({"text": "Putin traf Merkel.", "spans": [span]}) + "\n", "utf-8")
    code, _, err = _cli(["import", str(path), "--db", str(tmp_path / "p.db")], capsys)
    assert code == 1, err
    assert "b.jsonl:1" in err and "whole numbers" in err


def test_duplicate_spans_are_counted_and_stored_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.jsonl"
    span = {"start": 0, "end": 5, "label": "PER"}
    spans = [span, dict(span), {"start": 11, "end": 17, "label": "PER"}]
    path.write_text(json.dumps({"text": "Putin traf Merkel.", "spans": spans}) + "\n", "utf-8")
    db = tmp_path / "p.db"
    code, out, err = _cli(["import", str(path), "--annotator", "anna", "--db", str(db)], capsys)
    assert code == 0, err
    distinct = len({(s["start"], s["end"], s["label"]) for s in spans})
    assert f"kept {distinct} span(s)" in out
    with Store.open_for_reading(db) as store:
        assert len(store.decisions(store.document_ids()[0], "anna")) == distinct


def test_padded_annotator_names_are_one_annotator_and_blank_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    for n, name in enumerate(["anna", " anna ", "anna\t", "  anna"]):
        path = tmp_path / f"{n}.jsonl"
        record = {
            "text": f"Putin traf Merkel {n}.",
            "spans": [{"start": 0, "end": 5, "label": "PER"}],
        }
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        assert _cli(["import", str(path), "--annotator", name, "--db", str(db)], capsys)[0] == 0
    with Store.open_for_reading(db) as store:
        assert store.annotators() == ["anna"]
    code, _, err = _cli(
        [
            "export",
            "--format",
            "jsonl",
            "--annotator",
            " anna",
            "--db",
            str(db),
            "--status",
            "all",
            "--out",
            str(tmp_path / "out"),
        ],
        capsys,
    )
    assert code == 0, err
    code, _, err = _cli(["import", str(path), "--annotator", "   ", "--db", str(db)], capsys)
    assert code == 2 and "an annotator name cannot be blank" in err and "Traceback" not in err
