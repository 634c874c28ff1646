"""Label scheme files: every invalid one gives one line naming the file (never a traceback, no
project created); label keys the annotate window uses are refused; label names with spaces work
everywhere, and the formats that cannot carry them say so; ``--scheme`` on an existing project
with another scheme is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.gui.actions import ACTIONS
from annotator.keys import RESERVED_LABEL_KEYS, key_character
from annotator.model import DEFAULT_SCHEME_PATH, LabelScheme, SchemeError
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _label(name: str = "PER", key: str = "p", **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "entity", "color": "#ffb3ba", "key": key, **extra}


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


BAD: dict[str, Any] = {
    "duplicate hotkey": lambda p: _write(p, {"labels": [_label("PER", "p"), _label("ORG", "p")]}),
    "duplicate label name": lambda p: _write(p, {"labels": [_label("A", "p"), _label("A", "o")]}),
    "missing colour": lambda p: _write(
        p, {"labels": [{"name": "PER", "kind": "entity", "key": "p"}]}
    ),
    "bad colour": lambda p: _write(p, {"labels": [_label(color="red")]}),
    "unknown kind": lambda p: _write(p, {"labels": [_label(kind="relation")]}),
    "no labels": lambda p: _write(p, {"labels": []}),
    "empty file": lambda p: p.write_text("", encoding="utf-8"),
    "white space only": lambda p: p.write_text(" \n\t\n", encoding="utf-8"),
    "missing file": lambda p: p,
    "a folder": lambda p: (p.mkdir(), p)[1],
    "not JSON": lambda p: p.write_text("labels: [PER, ORG]\n", encoding="utf-8"),
    "not UTF-8": lambda p: p.write_bytes(b'{"labels": ["\xff"]}'),
    "a JSON array": lambda p: _write(p, [_label()]),
    "a JSON string": lambda p: _write(p, "labels"),
    "100,000-deep JSON": lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
    "100,000-deep JSON in a label": lambda p: p.write_text(
        '{"labels": [' + "[" * 100_000 + "]" * 100_000 + "]}", encoding="utf-8"
    ),
    "JSON key twice": lambda p: p.write_text(
        '{"labels": [], "labels": [' + json.dumps(_label()) + "]}", encoding="utf-8"
    ),
    "blank label name": lambda p: _write(p, {"labels": [_label("   ")]}),
    "label name with a newline": lambda p: _write(p, {"labels": [_label("A\nB")]}),
    "control character as key": lambda p: _write(p, {"labels": [_label(key="\x07")]}),
    "key x (reject)": lambda p: _write(p, {"labels": [_label(key="x")]}),
    "key J (next span)": lambda p: _write(p, {"labels": [_label(key="J")]}),
    "key space (accept)": lambda p: _write(p, {"labels": [_label(key=" ")]}),
}


def _make(case: str, tmp_path: Path) -> Path:
    path = tmp_path / "scheme.json"
    BAD[case](path)
    return path


@pytest.mark.parametrize("case", list(BAD))
def test_an_invalid_scheme_file_gives_one_line_naming_it_and_creates_no_project(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    scheme = _make(case, tmp_path)
    db = tmp_path / "new.db"
    code = cli.main(["import", str(SEEDS), "--scheme", str(scheme), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"annotator import: error: {scheme}: label scheme: "), lines[0]
    assert not db.exists()


def test_every_character_key_of_the_window_is_refused_as_a_label_key(tmp_path: Path) -> None:
    """The reserved keys come from the window's one action table: each single-character key
    (plain, shifted or Space) of every action makes a scheme using it fail, naming the key."""
    chars = {
        (c, spec.name) for spec in ACTIONS for k in spec.keys if (c := key_character(k)) is not None
    }
    assert {"x", "j", "k", " "} <= {c for c, _ in chars}
    for char, action in sorted(chars):
        for key in {char, char.upper()}:
            path = _write(tmp_path / "s.json", {"labels": [_label(key=key)]})
            with pytest.raises(SchemeError) as info:
                LabelScheme.load(path)
            assert repr(key) in str(info.value)
            assert RESERVED_LABEL_KEYS[char] in str(info.value), action


def test_the_reserved_keys_below_the_gui_are_exactly_the_tables_character_keys() -> None:
    """``annotator/keys.py`` lists the keys the label scheme refuses; the windows' one action
    table is the source, so a key added to an action must be added there too."""
    table = {c for spec in ACTIONS for k in spec.keys if (c := key_character(k)) is not None}
    assert table == set(RESERVED_LABEL_KEYS)


def test_the_built_in_scheme_passes_every_check() -> None:
    scheme = LabelScheme.load(DEFAULT_SCHEME_PATH)
    assert scheme.reserved_key_clashes() == []


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_labels = st.fixed_dictionaries(
    {
        "name": st.text(max_size=12),
        "kind": st.sampled_from(["entity", "event", "other"]),
        "color": st.sampled_from(["#ffb3ba", "#FFFFFF", "red", "#12345", ""]),
        "key": st.text(min_size=0, max_size=2),
    },
    optional={"guideline": st.text(max_size=10), "extra": _json_values},
)
_schemes = st.one_of(
    st.fixed_dictionaries(
        {"labels": st.lists(_labels, max_size=5)}, optional={"name": st.text(max_size=8)}
    ),
    _json_values,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_schemes)
def test_random_schemes_are_valid_or_one_line_naming_the_file(tmp_path: Path, data: object) -> None:
    path = tmp_path / "random.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        scheme = LabelScheme.load(path)
    except SchemeError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(f"{path}: label scheme: ")
        return
    # valid: every label keeps its name and a key the window leaves free, and it round-trips
    assert scheme.reserved_key_clashes() == []
    assert LabelScheme.model_validate_json(scheme.to_json()) == scheme
    with Store.open(None, scheme=scheme) as store:
        assert store.scheme == scheme


SPACED = {
    "name": "tools",
    "labels": [
        _label("Named Person", "p"),
        _label("Ort", "o"),
        {"name": "Phone call", "kind": "event", "color": "#16a085", "key": "1"},
    ],
}


def _annotated_project(tmp_path: Path) -> Path:
    from annotator import cli

    scheme = _write(tmp_path / "tools.json", SPACED)
    db = tmp_path / "p.db"
    assert cli.main(["import", str(SEEDS), "--scheme", str(scheme), "--db", str(db)]) == 0
    from annotator.model import DocState, DocStatus, Span, SpanKind, SpanStatus

    with Store.open(db, create=False) as store:
        doc = store.document(store.document_ids(limit=1)[0])
        store.replace_decisions(
            doc.id,
            "anna",
            add=[
                Span(start=0, end=3, label="Named Person", status=SpanStatus.ACCEPTED),
                Span(
                    start=4,
                    end=8,
                    label="Phone call",
                    kind=SpanKind.EVENT,
                    status=SpanStatus.ACCEPTED,
                ),
            ],
            action="accept",
        )
        store.set_doc_state(DocState(doc_id=doc.id, annotator="anna", status=DocStatus.DONE))
    return db


@pytest.mark.parametrize("fmt", ["jsonl", "spacy", "conll"])
def test_label_names_with_spaces_export_where_the_format_keeps_them(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = _annotated_project(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["export", "--format", fmt, "--db", str(db), "--out", str(out)]) == 0
    if fmt == "jsonl":
        lines = [
            json.loads(x) for x in (out / "all.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        labels = {s["label"] for line in lines for s in line.get("spans", [])}
        assert {"Named Person", "Phone call"} <= labels
    if fmt == "conll":  # a tag column cannot hold a space: escaped reversibly (ADR 0014)
        written = (out / "all.conll").read_text(encoding="utf-8")
        assert "B-Named%20Person" in written


@pytest.mark.parametrize("fmt", ["brat"])
def test_formats_that_cannot_carry_a_spaced_name_refuse_in_one_line_and_write_nothing(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = _annotated_project(tmp_path)
    capsys.readouterr()
    out = tmp_path / "out"
    code = cli.main(["export", "--format", fmt, "--db", str(db), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert "'Named Person'" in err
    assert not out.exists() or not any(out.iterdir())


def test_scheme_of_another_project_is_refused_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = _annotated_project(tmp_path)
    with Store.open_for_reading(db) as store:
        before = store.count_documents()
    builtin = DEFAULT_SCHEME_PATH
    extra = tmp_path / "new.txt"
    extra.write_text("Ein neuer Text aus Minsk.", encoding="utf-8")
    capsys.readouterr()
    code = cli.main(["import", str(extra), "--scheme", str(builtin), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "already has the label scheme 'tools'" in err
    with Store.open_for_reading(db) as store:
        assert store.count_documents() == before
    # the same scheme again is no change, so it is allowed
    same = tmp_path / "tools.json"
    assert cli.main(["import", str(extra), "--scheme", str(same), "--db", str(db)]) == 0
