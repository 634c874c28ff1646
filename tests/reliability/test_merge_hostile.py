"""``annotator merge`` trusts nothing of the other file: hostile merge files (a forged hash column,
spans past the text, unknown labels, wrong kinds, another label scheme) are refused one line per
problem with nothing stored, or merged by their texts' own hashes."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.model import (
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Span,
    SpanKind,
    SpanStatus,
    content_hash,
)
from annotator.store import Store

pytestmark = pytest.mark.slow

HERE = ["Lukaschenko traf Putin in Minsk.", "Ein Text nur hier, über Berlin."]
THERE = [
    "Lukaschenko traf Putin in Minsk.",  # the same text as here
    "Die Sanktionen gegen Belarus wurden aufgehoben.",
    "Merkel telefonierte mit Macron über Paris.",
]
WORDS = {"Lukaschenko": "PER", "Putin": "PER", "Minsk": "LOC", "Belarus": "LOC", "Merkel": "PER"}
WORDS |= {"Macron": "PER", "Paris": "LOC", "Sanktionen": "SANCTIONS", "traf": "MEETING"}
WORDS |= {"telefonierte": "PHONE_CALL"}


def _spans(text: str, scheme: LabelScheme) -> list[Span]:
    out = []
    for word, label in WORDS.items():
        if word in text:
            start = text.index(word)
            out.append(
                Span(
                    start=start,
                    end=start + len(word),
                    label=label,
                    kind=scheme.kind_of(label),
                    status=SpanStatus.ACCEPTED,
                )
            )
    return out


def _fill(store: Store, texts: list[str], who: str, prefix: str) -> None:
    store.add_documents([Document(id=f"{prefix}{i}", text=t) for i, t in enumerate(texts)])
    for i, text in enumerate(texts):
        store.replace_decisions(f"{prefix}{i}", who, add=_spans(text, store.scheme), action="t")
        store.set_doc_state(DocState(doc_id=f"{prefix}{i}", annotator=who, status=DocStatus.DONE))


@pytest.fixture(scope="module")
def base() -> Iterator[Path]:
    """Two project files: here (anna's work) and there (ben's, one text shared)."""
    tmp = Path(tempfile.mkdtemp(prefix="merge-"))
    with Store.open(tmp / "here.db") as s:
        _fill(s, HERE, "anna", "h")
    with Store.open(tmp / "there.db") as s:
        _fill(s, THERE, "ben", "t")
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


def snapshot(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        rows: list[tuple[object, ...]] = []
        for table in ("documents", "decisions", "doc_states", "relations", "annotators"):
            rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        return rows
    finally:
        conn.close()


def invalid_decisions(db: Path, scheme: LabelScheme) -> int:
    """Decision rows that do not fit their text or the scheme, counted from the file itself."""
    conn = sqlite3.connect(db)
    try:
        texts = dict(conn.execute("SELECT id, text FROM documents"))
        bad = 0
        for doc_id, end, label, kind in conn.execute(
            'SELECT doc_id, "end", label, kind FROM decisions'
        ):
            known = scheme.get(label)
            if end > len(texts[doc_id]) or known is None or known.kind.value != kind:
                bad += 1
        return bad
    finally:
        conn.close()


HOSTILE = st.sampled_from(["end", "label", "kind", "hash", "forged-hash"])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(st.tuples(HOSTILE, st.integers(0, 30)), max_size=6),
    far=st.sampled_from([1_000_000_000, 2**62, 60]),
    label=st.sampled_from(["NOPE", "per", "LOC ", "MEETING", "PER"]),
)
def test_hostile_merge_files_store_nothing_invalid(
    base: Path,
    capsys: pytest.CaptureFixture[str],
    changes: list[tuple[str, int]],
    far: int,
    label: str,
) -> None:
    work = Path(tempfile.mkdtemp(dir=base))
    try:
        here, there = work / "here.db", work / "there.db"
        shutil.copy(base / "here.db", here)
        shutil.copy(base / "there.db", there)
        conn = sqlite3.connect(there)
        conn.execute("DROP TRIGGER documents_immutable")  # a hostile file has none
        ids = [r[0] for r in conn.execute("SELECT id FROM decisions ORDER BY id")]
        docs = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY seq")]
        for what, n in changes:
            row, doc = ids[n % len(ids)], docs[n % len(docs)]
            try:
                if what == "end":
                    conn.execute('UPDATE decisions SET "end" = ? WHERE id = ?', (far, row))
                elif what == "label":
                    conn.execute("UPDATE decisions SET label = ? WHERE id = ?", (label, row))
                elif what == "kind":
                    conn.execute(
                        "UPDATE decisions SET kind = CASE kind WHEN 'entity' THEN 'event' "
                        "ELSE 'entity' END WHERE id = ?",
                        (row,),
                    )
                elif what == "hash":
                    conn.execute("UPDATE documents SET hash = ? WHERE id = ?", (f"{n:064x}", doc))
                else:  # the hash of a text of the other project: a trusting merge would match it
                    forged = content_hash(HERE[n % len(HERE)])
                    conn.execute("UPDATE documents SET hash = ? WHERE id = ?", (forged, doc))
            except sqlite3.IntegrityError:
                continue  # the change would repeat a row; the file keeps its constraints there
        conn.commit()
        conn.close()

        with Store.open(here, create=False) as s:
            scheme = s.scheme
        bad = invalid_decisions(there, scheme)
        before = snapshot(here)
        code = main(["merge", "--db", str(here), str(there)])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if bad:
            assert code == 2
            lines = captured.err.strip().splitlines()
            assert "nothing was merged" in lines[0]
            assert len(lines) == 1 + bad  # one line per problem
            assert snapshot(here) == before  # nothing stored
        else:
            assert code == 0, captured.err
        assert invalid_decisions(here, scheme) == 0
        # Documents are matched by their texts: one document per distinct text, whatever the
        # hash column of the other file said.
        with Store.open(here, create=False) as s:
            texts = [d.text for d in s.iter_documents()]
            assert len(texts) == len(set(texts))
            assert all(d.hash == content_hash(d.text) for d in s.iter_documents())
            if code == 0:
                assert sorted(texts) == sorted(set(HERE) | set(THERE))
                for doc in s.iter_documents():
                    for span in s.decisions(doc.id, "ben"):
                        assert doc.text[span.start : span.end] in WORDS
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_another_label_scheme_is_named_and_its_labels_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    with Store.open(here) as s:
        _fill(s, HERE, "anna", "h")
        scheme = s.scheme

    def person(name: str) -> str:
        return "PERSON" if name == "PER" else name

    renamed = [  # PER renamed, also where roles name it as a filler
        lab.model_copy(
            update={
                "name": person(lab.name),
                "roles": tuple(
                    r.model_copy(update={"fillers": tuple(map(person, r.fillers))})
                    for r in lab.roles
                ),
            }
        )
        for lab in scheme.labels
    ]
    other_scheme = scheme.model_copy(update={"labels": (*renamed,)})
    with Store.open(there, scheme=other_scheme) as s:
        s.add_documents([Document(id="t0", text=THERE[2])])
        span = Span(start=0, end=6, label="PERSON", status=SpanStatus.ACCEPTED)
        s.replace_decisions("t0", "ben", add=[span], action="t")
    before = snapshot(here)
    assert main(["merge", "--db", str(here), str(there)]) == 2
    err = capsys.readouterr().err
    assert "unknown label 'PERSON'" in err and "'t0'" in err
    assert snapshot(here) == before
    # Without work in a label of its own, the merge goes on and says how the schemes differ.
    with Store.open(there, create=False) as s:
        s.replace_decisions(
            "t0",
            "ben",
            add=[span.model_copy(update={"label": "LOC", "kind": SpanKind.ENTITY})],
            remove=[s.decisions("t0", "ben")[0]],
            action="t",
        )
    assert main(["merge", "--db", str(here), str(there)]) == 0
    out = capsys.readouterr().out
    assert "labels only there: PERSON" in out and "labels only here: PER" in out
