"""Names, ids and labels are printed as they are: rich markup (``[/]``, ``[link=...]``,
``[bold]``), emoji codes and backslashes in data are never interpreted, and control characters
are shown as ``\\xNN`` instead of being sent to the terminal."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator.model import DocState, DocStatus, Document, Span, SpanStatus
from annotator.store import Store

MARKUP = "[]/\\:=@#"
names = st.text(
    alphabet=st.sampled_from(MARKUP + string.ascii_letters + " "), min_size=1, max_size=14
)
names = names.map(str.strip).filter(bool)


def _project(path: Path, a: str, b: str, doc_id: str, origin: str) -> None:
    with Store.open(path) as store:
        store.add_documents([Document(id=doc_id, text="Putin traf Lukaschenko in Minsk.")])
        store.save_suggestions(
            [(doc_id, [Span(start=0, end=5, label="PER")])], origin=origin, version="v[1]"
        )
        for name, end in ((a, 5), (b, 4)):
            store.replace_decisions(
                doc_id,
                name,
                add=[Span(start=0, end=end, label="PER", status=SpanStatus.ACCEPTED)],
                action="accept",
            )
            store.set_doc_state(DocState(doc_id=doc_id, annotator=name, status=DocStatus.DONE))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from annotator import cli

    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(a=names, b=names, doc_id=names, origin=names)
@example(a="[/]", b="[link=https://example.org]x[/link]", doc_id="[bold]d[/bold]", origin=":smile:")
@example(a="a\\", b="\\[b]", doc_id="[/", origin="[#ff0000]")
def test_stats_and_agreement_print_markup_in_names_literally(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    a: str,
    b: str,
    doc_id: str,
    origin: str,
) -> None:
    if a == b:
        b = b + "2"
    db = tmp_path_factory.mktemp("m") / "p.db"
    _project(db, a, b, doc_id, origin)
    code, out, err = _run(["stats", "--db", str(db)], capsys)
    assert code == 0, err
    for text in (a, b, origin, "v[1]"):
        assert text in out, (text, out)
    code, out, err = _run(["agreement", "--db", str(db)], capsys)
    assert code == 0, err
    assert f"{a} – {b}" in out or f"{b} – {a}" in out, out
    assert doc_id in out, out
    assert "\x1b" not in out


def test_control_characters_in_names_are_shown_not_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    hostile = "e\x1b[31mv\x07e"
    _project(db, hostile, "bob", "d1", "builtin")
    code, out, _ = _run(["stats", "--db", str(db)], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "e\\x1b[31mv\\x07e" in out


def test_json_output_keeps_names_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    _project(db, "[/]", "[link=x]y", "[b]", ":smile:")
    code, out, _ = _run(["stats", "--json", "--db", str(db)], capsys)
    assert code == 0
    assert set(json.loads(out)["annotators"]) == {"[/]", "[link=x]y"}
