"""doccano JSONL on the files doccano's own repository holds (export and import examples, tests).

Expected counts come from each file with a few lines of plain Python; what the export writes is
read back by doccano's rules: ``entities`` with ``start_offset``/``end_offset``/``label`` and an
``id`` each, ``relations`` whose ``from_id``/``to_id`` name entities of the same line.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.corpus import InputError, import_paths
from annotator.formats import export
from annotator.formats.reading import ReadOptions
from annotator.formats.registry import detect
from annotator.store import Store

INTEROP = Path(__file__).resolve().parents[2] / ".." / "shared" / "interop"
DOCCANO = INTEROP / "doccano"
ADD = ReadOptions(add_labels=True)
RELATION_FILES = ["export-relext.jsonl", "import-relext.jsonl", "test-relext.jsonl"]


def examples(path: Path) -> list[dict[str, Any]]:
    """doccano's examples, one per line, or pretty-printed objects one after the other."""
    text = path.read_text(encoding="utf-8")
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        obj, pos = decoder.raw_decode(text, pos)
        out.append(obj)


def spans_of(example: dict[str, Any]) -> list[tuple[int, int, str]]:
    if "entities" in example:
        return [(e["start_offset"], e["end_offset"], e["label"]) for e in example["entities"]]
    return [tuple(x) for x in example.get("label", []) if isinstance(x, list)]  # type: ignore[misc]


def test_every_sample_is_there_and_goes_to_the_right_reader() -> None:
    files = sorted(p.name for p in DOCCANO.iterdir())
    assert len(files) == 10
    expected = {
        "import-seqlab-example.txt": "conll",  # CoNLL saved as .txt: by its content
        "test-example.conll": "conll",
        # column_data/column_label: no text field, so only --format doccano --text-key reads it
        "import-seqlab.jsonl": "jsonl",
    }
    for name in files:
        found = detect(DOCCANO / name)
        assert found is not None, name
        assert found.name == expected.get(name, "doccano"), name


@pytest.mark.parametrize(
    "name",
    ["export-seqlab.jsonl", "test-overlapping.jsonl", *RELATION_FILES],
)
def test_spans_and_relations_arrive(tmp_path: Path, name: str) -> None:
    path = DOCCANO / name
    rows = examples(path)
    unique = sum(len(set(spans_of(r))) for r in rows)
    duplicates = sum(len(spans_of(r)) - len(set(spans_of(r))) for r in rows)
    relations = sum(len(r.get("relations", [])) for r in rows)
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [path], annotator="anna", options=ADD)
        assert store.count_documents() == len(rows)
        stored = {
            (store.document(d).text, *s.key)
            for d in store.document_ids()
            for s in store.decisions(d, "anna")
        }
        by_role = Counter(r.role for d in store.document_ids() for r in store.relations(d, "anna"))
    assert stored == {(r["text"], *s) for r in rows for s in spans_of(r)}
    assert report.accepted == unique and report.rejected == 0
    assert report.relations == relations
    assert by_role == Counter(rel["type"] for r in rows for rel in r.get("relations", []))
    if duplicates:
        assert f"{duplicates} duplicate span(s)" in report.summary()


def test_the_export_is_what_doccano_imports_and_keeps_the_ids(tmp_path: Path) -> None:
    path = DOCCANO / "test-relext.jsonl"
    (row,) = examples(path)
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [path], annotator="anna", options=ADD)
        export(store, "doccano", tmp_path / "out", annotator="anna", status="all")
    (out,) = examples(tmp_path / "out" / "all.jsonl")
    assert out["text"] == row["text"]
    ids = {e["id"] for e in out["entities"]}
    assert len(ids) == len(out["entities"])
    for rel in out["relations"]:
        assert rel["from_id"] in ids and rel["to_id"] in ids
    # The same example as doccano gave it: entities with their ids, relations between them.
    assert sorted(map(json.dumps, out["entities"])) == sorted(map(json.dumps, row["entities"]))
    assert sorted((r["from_id"], r["to_id"], r["type"]) for r in out["relations"]) == sorted(
        (r["from_id"], r["to_id"], r["type"]) for r in row["relations"]
    )
    for e in out["entities"]:
        assert out["text"][e["start_offset"] : e["end_offset"]] in row["text"]


def test_a_label_list_of_categories_is_kept_in_meta_not_spans(tmp_path: Path) -> None:
    path = DOCCANO / "export-textcat.jsonl"
    rows = examples(path)
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [path], annotator="anna")
        assert report.spans == 0
        kept = sorted(
            (store.document(d).text, tuple(store.document(d).meta["doccano"]["categories"]))
            for d in store.document_ids()
        )
    assert kept == sorted((r["text"], tuple(r["label"])) for r in rows)
    total = sum(len(r["label"]) for r in rows)
    assert f"{total} doccano text categories" in report.summary()


def test_custom_columns_with_text_key_and_label_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DOCCANO / "import-seqlab.jsonl"
    rows = examples(path)
    db = tmp_path / "p.db"
    assert main(["import", "--db", str(db), "--format", "doccano", str(path)]) == 1
    assert "--text-key" in capsys.readouterr().err
    code = main(
        [
            "import",
            "--db",
            str(db),
            "--format",
            "doccano",
            "--text-key",
            "column_data",
            "--label-key",
            "column_label",
            "--add-labels",
            "--annotator",
            "anna",
            str(path),
        ]
    )
    assert code == 0
    with Store.open(db) as store:
        stored = {
            (store.document(d).text, *s.key)
            for d in store.document_ids()
            for s in store.decisions(d, "anna")
        }
    assert stored == {(r["column_data"], *x) for r in rows for x in r["column_label"]}


def test_a_line_without_text_is_named_and_skip_bad_takes_the_rest(tmp_path: Path) -> None:
    path = DOCCANO / "test-seqlab.jsonl"
    rows = examples(path)
    bad = [i for i, r in enumerate(rows, start=1) if "text" not in r]
    assert bad
    with Store.open(tmp_path / "p.db") as store:
        with pytest.raises(InputError) as info:
            import_paths(store, [path])
        assert f"{path}:{bad[0]}: " in str(info.value)
        assert store.count_documents() == 0
        report = import_paths(store, [path], skip_bad=True)
        assert store.count_documents() == len(rows) - len(bad) == report.added
        metas = sorted(store.document(d).meta["wikiPageID"] for d in store.document_ids())
    assert metas == sorted(r["meta"]["wikiPageID"] for r in rows if "text" in r)


def test_a_json_array_of_examples_on_one_line_is_read_as_examples(tmp_path: Path) -> None:
    rows = examples(DOCCANO / "export-seqlab.jsonl")
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    found = detect(path)
    assert found is not None and found.name == "doccano"
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [path], options=ADD)
        assert report.added == len(rows) == store.count_documents()
        texts = sorted(store.document(d).text for d in store.document_ids())
    assert texts == sorted(r["text"] for r in rows)
