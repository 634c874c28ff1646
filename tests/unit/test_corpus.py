from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.corpus import MAX_FILE_BYTES, InputError, import_paths
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

SEED = "000_3ceaf76258df9ab5"


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _jsonl(path: Path, *objs: object) -> Path:
    return _write(path, "\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n")


def test_seeds_import_byte_exact(store: Store, seeds_dir: Path) -> None:
    report = import_paths(store, [seeds_dir])
    assert (report.added, report.files) == (5, 5)
    for path in sorted(seeds_dir.glob("*.txt")):
        assert store.document(path.stem).text.encode("utf-8") == path.read_bytes()
    assert store.document(SEED).text.startswith("Л gemäß")
    assert "am 12.\n\nFebruar" in "".join(d.text for d in store.iter_documents())


def test_reimport_adds_no_document(store: Store, seeds_dir: Path) -> None:
    import_paths(store, [seeds_dir])
    report = import_paths(store, [seeds_dir])
    assert (report.added, report.existing) == (0, 5)
    assert store.count_documents() == 5


def test_bom_removed_and_recorded_crlf_and_tabs_kept(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", b"\xef\xbb\xbfMinsk\r\n\tBelarus \xf0\x9f\x98\x80\r\n")
    import_paths(store, [tmp_path / "a.txt"])
    doc = store.document("a")
    assert doc.text == "Minsk\r\n\tBelarus \U0001f600\r\n"
    assert doc.meta == {"bom": "utf-8"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n", "only white space"),
        (b"abc\x00def", "binary file, not text (NUL byte at offset 3)"),
        (b"Stra\xdfe\nzwei", "not valid utf-8 at byte offset 4"),
    ],
)
def test_bad_txt_is_named_and_nothing_imported(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    _write(tmp_path / "good.txt", "Lukaschenko")
    _write(tmp_path / "bad.txt", content)
    with pytest.raises(InputError) as info:
        import_paths(store, [tmp_path])
    assert len(info.value.problems) == 1
    assert str(info.value.problems[0]).startswith(str(tmp_path / "bad.txt"))
    assert message in str(info.value)
    assert store.count_documents() == 0


def test_decode_error_names_the_line(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "bad.txt", b"eins\nzwei\ndrei \xff\n")
    with pytest.raises(InputError, match=r"bad.txt:3: not valid utf-8 at byte offset 15"):
        import_paths(store, [tmp_path / "bad.txt"])


def test_other_encoding_on_request(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "latin.txt", "Straße nach Moskau".encode("latin-1"))
    import_paths(store, [tmp_path / "latin.txt"], encoding="latin-1")
    assert store.document("latin").text == "Straße nach Moskau"


def test_skip_bad_imports_the_rest(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "good.txt", "Minsk")
    _write(tmp_path / "bad.txt", b"\x00\x01")
    report = import_paths(store, [tmp_path], skip_bad=True)
    assert report.added == 1
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'bad.txt'}: binary file, not text (NUL byte at offset 0)"
    ]


def test_huge_file_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="larger than the limit"):
        import_paths(store, [path])


def test_jsonl_prodigy_spans_become_suggestions(store: Store, tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "c.jsonl",
        {
            "text": "Kellogg traf Lukaschenko in Minsk.",
            "meta": {"id": "x1"},
            "spans": [
                {"start": 0, "end": 7, "label": "PER"},
                {"start": 8, "end": 12, "label": "MEETING", "kind": "event"},
            ],
        },
    )
    report = import_paths(store, [path])
    assert (report.added, report.spans) == (1, 2)
    spans = current_suggestions(store, "x1")
    assert [(s.key, s.kind.value, s.origin) for s in spans] == [
        ((0, 7, "PER"), "entity", "import"),
        ((8, 12, "MEETING"), "event", "import"),
    ]
    assert store.decisions("x1", "anna") == []


def test_jsonl_doccano_with_annotator_becomes_decisions(store: Store, tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "d.jsonl", {"id": 7, "text": "Treffen in Minsk", "label": [[11, 16, "LOC"]]}
    )
    import_paths(store, [path], annotator="anna")
    assert [(s.key, s.status.value) for s in store.decisions("7", "anna")] == [
        ((11, 16, "LOC"), "accepted")
    ]
    assert current_suggestions(store, "7") == []


def test_reimport_same_text_can_add_annotations(store: Store, tmp_path: Path) -> None:
    import_paths(store, [_jsonl(tmp_path / "a.jsonl", {"id": "a", "text": "Minsk"})])
    report = import_paths(
        store,
        [_jsonl(tmp_path / "b.jsonl", {"id": "b", "text": "Minsk", "label": [[0, 5, "LOC"]]})],
        annotator="anna",
    )
    assert (report.added, report.existing) == (0, 1)
    assert [s.key for s in store.decisions("a", "anna")] == [(0, 5, "LOC")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "Minsk"', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"txt": "Minsk"}', 'no "text" string'),
        (
            '{"text": "Minsk", "spans": [{"start": 0, "end": 9, "label": "LOC"}]}',
            "span 0: 0-9 ends after the text (5 characters)",
        ),
        ('{"text": "Minsk", "spans": [{"start": 3, "end": 1, "label": "LOC"}]}', "span 0 (3-1)"),
        (
            '{"text": "Minsk", "spans": [{"start": 0, "end": 5, "label": "CITY"}]}',
            "unknown label 'CITY'",
        ),
        (
            '{"text": "Minsk", "spans": [{"start": 0, "end": 5, "label": "LOC", "kind": "event"}]}',
            "LOC is an entity label, not event",
        ),
        ('{"text": "Minsk", "spans": [{"start": "0", "end": 5, "label": "LOC"}]}', "whole numbers"),
    ],
)
def test_bad_jsonl_line_is_named(store: Store, tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path / "c.jsonl", '{"text": "Gut"}\n\n' + line + "\n")
    with pytest.raises(InputError) as info:
        import_paths(store, [path])
    assert f"{path}:3: " in str(info.value)
    assert message in str(info.value)
    assert store.count_documents() == 0


def test_every_problem_is_listed(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.jsonl", '{"text": 1}\n{"text": "ok"}\nnope\n')
    _write(tmp_path / "e.txt", b"")
    with pytest.raises(InputError) as info:
        import_paths(store, [path, tmp_path / "e.txt", tmp_path / "missing.txt"])
    where = [(Path(p.path).name, p.line) for p in info.value.problems]
    assert where == [("c.jsonl", 1), ("c.jsonl", 3), ("e.txt", None), ("missing.txt", None)]


def test_id_clash_with_other_text(store: Store, tmp_path: Path) -> None:
    import_paths(store, [_jsonl(tmp_path / "a.jsonl", {"id": "a", "text": "eins"})])
    with pytest.raises(InputError, match="document id 'a' is already used by a different text"):
        import_paths(store, [_jsonl(tmp_path / "b.jsonl", {"id": "a", "text": "zwei"})])


def test_astral_offsets_are_code_points(store: Store, tmp_path: Path) -> None:
    text = "😀👍🏽 Minsk"
    start = text.index("Minsk")
    path = _jsonl(
        tmp_path / "e.jsonl",
        {"id": "e", "text": text, "spans": [{"start": start, "end": start + 5, "label": "LOC"}]},
    )
    import_paths(store, [path], annotator="anna")
    span = store.decisions("e", "anna")[0]
    assert store.document("e").text[span.start : span.end] == "Minsk"


def test_unpaired_surrogate_escape_is_refused(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl", '{"text": "ok"}\n{"text": "Minsk \\ud800 x"}\n')
    with pytest.raises(
        InputError, match=r"s.jsonl:2: text holds an unpaired surrogate at character 6"
    ):
        import_paths(store, [path])
    assert store.count_documents() == 0
