"""Bad input tried systematically (hypothesis): import of random bytes, text and JSON lines, and
random sequences of annotation actions with undo and redo; then export and import again."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import InputError, import_paths
from annotator.model import DocStatus, Document, LabelScheme, Span, SpanError, SpanKind
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

SCHEME = LabelScheme.load()
LABELS = SCHEME.names
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people's files have it: astral characters, controls, CRLF, umlauts, very long lines.
_chars = st.characters(blacklist_categories=("Cs",))
_pieces = st.one_of(
    st.text(_chars, max_size=40),
    st.sampled_from(["\r\n", "\n", "\r", "\t", "\x0b", "\x1b[31m", "🇩🇪", "𝔄", "ß", "é", "\u200b"]),
    st.sampled_from(["<b>Minsk</b>", "&amp;", "\ufeff", "Lukaschenko"]),
    st.builds(lambda s, n: s * n, st.text(_chars, min_size=1, max_size=5), st.integers(1, 4_000)),
)
texts = st.lists(_pieces, max_size=12).map("".join)


def _fresh() -> Store:
    return Store.open(None)


def _spans_inside(store: Store) -> None:
    for doc_id in store.document_ids():
        text = store.document(doc_id).text
        spans = [*current_suggestions(store, doc_id)]
        for name in store.annotators():
            spans += store.decisions(doc_id, name)
        for s in spans:
            assert 0 <= s.start < s.end <= len(text), (s, len(text))


@st.composite
def txt_files(draw: st.DrawFn) -> bytes:
    data = draw(texts).encode("utf-8")
    if draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    if draw(st.integers(0, 4)) == 0:  # an invalid UTF-8 byte somewhere
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]))
            + data[at:]
        )
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=300))
    return data


@SETTINGS
@given(data=txt_files())
def test_txt_import_never_crashes_and_keeps_text_exactly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    with _fresh() as store:
        try:
            import_paths(store, [path])
        except InputError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.path == str(path)
                assert "\n" not in problem.message
            assert store.count_documents() == 0
            return
        body = data.removeprefix(codecs.BOM_UTF8)
        assert store.document("doc").text == body.decode("utf-8")
        assert store.integrity_check() == "ok"


@st.composite
def raw_spans(draw: st.DrawFn, length: int) -> Any:
    start = draw(st.integers(-3, length + 3))
    end = draw(st.integers(-3, length + 3))
    label = draw(st.one_of(st.sampled_from(LABELS), st.text(max_size=6)))
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return [start, end, label]
    if shape == 1:
        return {
            "start": start,
            "end": end,
            "label": label,
            "kind": draw(st.sampled_from(["entity", "event", "x"])),
        }
    if shape == 2:
        return {"start": str(start), "end": end, "label": label}
    return {"start": start, "end": end, "label": label}


@st.composite
def jsonl_lines(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        text = draw(texts)
        record: dict[str, Any] = {"text": text}
        if draw(st.booleans()):
            record["id"] = draw(st.one_of(st.text(max_size=8), st.integers(0, 5)))
        key = draw(st.sampled_from(["spans", "label"]))
        record[key] = draw(st.lists(raw_spans(len(text)), max_size=5))
        if draw(st.integers(0, 5)) == 0:
            record["meta"] = draw(
                st.one_of(st.just([1]), st.dictionaries(st.text(max_size=4), st.integers()))
            )
        return json.dumps(record, ensure_ascii=draw(st.booleans())).encode("utf-8")
    if kind == 6:
        value = draw(
            st.one_of(st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3))
        )
        return json.dumps(value).encode("utf-8")
    if kind == 7:
        return draw(st.text(_chars, max_size=60)).encode("utf-8")
    if kind == 8:
        return draw(st.binary(max_size=60)).replace(b"\n", b"")
    return b'{"text": "\\ud800 lone surrogate"}'


@SETTINGS
@given(
    lines=st.lists(jsonl_lines(), min_size=1, max_size=8),
    crlf=st.booleans(),
    bom=st.booleans(),
    skip_bad=st.booleans(),
)
def test_jsonl_import_never_crashes_and_no_span_leaves_its_text(
    tmp_path: Path, lines: list[bytes], crlf: bool, bom: bool, skip_bad: bool
) -> None:
    path = tmp_path / "corpus.jsonl"
    data = (b"\r\n" if crlf else b"\n").join(lines)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    with _fresh() as store:
        try:
            report = import_paths(store, [path], skip_bad=skip_bad)
        except InputError as exc:
            assert not skip_bad
            for problem in exc.problems:
                assert problem.path == str(path)
                assert problem.line is not None or problem.message == "empty file"
                # a generated line may itself hold a line break: count the lines of the file
                assert problem.line is None or 1 <= problem.line <= data.count(b"\n") + 1
            assert store.count_documents() == 0
            return
        for problem in report.problems:
            assert problem.path == str(path)
        _spans_inside(store)
        # Every text that came in is stored exactly as it was in the JSON.
        stored = {store.document(d).text for d in store.document_ids()}
        assert stored <= {
            json.loads(line.decode("utf-8-sig"))["text"]
            for line in lines
            if line.strip() and _is_record(line)
        }
        assert store.integrity_check() == "ok"


def _is_record(line: bytes) -> bool:
    try:
        value = json.loads(line.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(value, dict) and isinstance(value.get("text"), str)


# ---- sequences of annotation actions --------------------------------------------------------

TEXT = (
    "Lukaschenko traf am 3. März 2021 in Minsk 🇧🇾 den Außenminister.\r\n"
    "Die Opposition 𝔄 protestierte vor dem Parlament; die EU verhängte Sanktionen."
)
ACTION = st.tuples(
    st.sampled_from(
        [
            "accept",
            "reject",
            "add",
            "relabel",
            "resize",
            "delete",
            "accept_all",
            "status",
            "undo",
            "redo",
        ]
    ),
    st.integers(0, 40),
    st.integers(-5, len(TEXT) + 5),
    st.integers(-5, len(TEXT) + 5),
    st.sampled_from([*LABELS, "NOPE"]),
)


def _project() -> Store:
    store = Store.open(None)
    store.add_documents([Document(id="d", text=TEXT)])
    rng = random.Random(0)
    words = [(m, m + 5) for m in range(0, len(TEXT) - 5, 7)]
    spans = [
        Span(start=a, end=b, label=rng.choice(LABELS[:5]), kind=SpanKind.ENTITY, score=0.5)
        for a, b in rng.sample(words, 8)
    ]
    store.save_suggestions([("d", spans)], origin="model", version="1")
    return store


def _decisions(store: Store) -> set[tuple[int, int, str, str]]:
    return {(s.start, s.end, s.label, s.status.value) for s in store.decisions("d", "anna")}


def _step(session: Session, action: tuple[str, int, int, int, str]) -> None:
    name, index, a, b, label = action
    if name == "undo":
        session.undo()
        return
    if name == "redo":
        session.redo()
        return
    _state, spans = session.open("d")
    span = spans[index % len(spans)] if spans else None
    try:
        if name == "add" or span is None:
            command = session.add("d", a, b, label)
        elif name == "accept":
            command = session.accept("d", span)
        elif name == "reject":
            command = session.reject("d", span)
        elif name == "relabel":
            command = session.relabel("d", span, label)
        elif name == "resize":
            command = session.resize("d", span, a, b)
        elif name == "delete":
            command = session.delete("d", span)
        elif name == "accept_all":
            command = session.accept_all("d")
        else:
            command = session.set_status("d", list(DocStatus)[index % len(DocStatus)])
    except SpanError:
        return  # an invalid span is refused before anything is written
    session.execute(command)


@SETTINGS
@given(actions=st.lists(ACTION, max_size=40))
def test_action_sequences_with_undo_and_redo(actions: list[tuple[str, int, int, int, str]]) -> None:
    with _project() as store:
        session = Session(store, "anna")
        for action in actions:
            _step(session, action)
            _spans_inside(store)
        after = _decisions(store)
        status = store.doc_state("d", "anna").status
        done = 0
        while session.undo() is not None:
            done += 1
            _spans_inside(store)
        assert _decisions(store) == set()
        assert store.doc_state("d", "anna").status in (DocStatus.TODO, DocStatus.IN_PROGRESS)
        for _ in range(done):
            assert session.redo() is not None
        assert _decisions(store) == after
        assert store.doc_state("d", "anna").status == status
        assert store.integrity_check() == "ok"


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=st.lists(ACTION, max_size=25))
def test_export_then_import_gives_back_the_same_spans(
    export_dir: Path, actions: list[tuple[str, int, int, int, str]]
) -> None:
    from annotator.formats import export

    with _project() as store:
        session = Session(store, "anna")
        for action in actions:
            _step(session, action)
        session.execute(session.set_status("d", DocStatus.DONE))
        decided = {(s.start, s.end, s.label, s.status) for s in store.decisions("d", "anna")}
        out = export_dir / f"run-{random.random()}"
        export(store, "jsonl", out, annotator="anna")
        files = sorted(out.glob("*.jsonl"))
        assert files
    with _fresh() as again:
        import_paths(again, files, annotator="anna")
        assert again.document("d").text == TEXT
        back = {(s.start, s.end, s.label, s.status) for s in again.decisions("d", "anna")}
        assert back == decided  # rejections come back rejected, acceptances accepted
        assert again.doc_state("d", "anna").status == DocStatus.DONE
