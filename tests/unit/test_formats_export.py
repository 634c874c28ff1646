"""Exports: what is collected, the split, conflicts, alignment, empty documents, round trips."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.corpus import import_paths
from annotator.folders import MANIFEST
from annotator.formats import (
    ExportError,
    ExportOptions,
    assign_splits,
    collect,
    export,
    parse_split,
)
from annotator.formats.conll import iob2_to_iob1
from annotator.formats.conll import read as read_conll
from annotator.formats.prodigy import input_hash, task_hash
from annotator.formats.reading import ReadContext
from annotator.model import (
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Relation,
    Span,
    SpanKind,
    SpanStatus,
)
from annotator.store import Store

WORDS = [
    ("Alexander Lukaschenko", "PER", SpanKind.ENTITY),
    ("Minsk", "LOC", SpanKind.ENTITY),
    ("Reuters", "ORG", SpanKind.ENTITY),
    ("Weißrussland", "LOC", SpanKind.ENTITY),
    ("Treffen", "MEETING", SpanKind.EVENT),
    ("Telefonat", "PHONE_CALL", SpanKind.EVENT),
]


def accepted(start: int, end: int, label: str, kind: SpanKind = SpanKind.ENTITY) -> Span:
    return Span(start=start, end=end, label=label, kind=kind, status=SpanStatus.ACCEPTED)


def decide(store: Store, doc_id: str, spans: list[Span], *, who: str = "anna") -> None:
    store.replace_decisions(doc_id, who, add=spans, action="test")
    store.set_doc_state(DocState(doc_id=doc_id, annotator=who, status=DocStatus.DONE))


def word_spans(text: str) -> list[Span]:
    """Whole-word matches of WORDS: aligned and without overlaps among entities."""
    out = []
    for word, label, kind in WORDS:
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            out.append(accepted(m.start(), m.end(), label, kind))
    m = re.search(r"12\.\s+Februar", text)
    if m:  # crosses "\n\n" in seed 002
        out.append(accepted(m.start(), m.end(), "DATE"))
    return out


@pytest.fixture
def annotated(project: Store) -> Store:
    """The seeds, every one decided by 'anna' and marked done."""
    for doc in project.iter_documents():
        decide(project, doc.id, word_spans(doc.text))
    return project


def add_doc(store: Store, doc_id: str, text: str) -> Document:
    doc = Document(id=doc_id, text=text)
    store.add_documents([doc])
    return doc


def by_doc(store: Store, annotator: str) -> dict[str, tuple[str, list[tuple[int, int, str, str]]]]:
    out = {}
    for doc in store.iter_documents():
        spans = store.decisions(doc.id, annotator)
        out[doc.id] = (doc.text, [(s.start, s.end, s.label, s.kind.value) for s in spans])
    return out


# ---- what is collected ---------------------------------------------------------------------


def test_collect_takes_accepted_spans_of_done_documents(annotated: Store) -> None:
    first = annotated.document_ids()[0]
    decided = annotated.decisions(first, "anna")
    reject = decided[0].model_copy(update={"status": SpanStatus.REJECTED})
    annotated.replace_decisions(first, "anna", add=[reject], action="test")
    annotated.set_doc_state(
        DocState(doc_id=annotated.document_ids()[1], annotator="anna", status=DocStatus.SKIPPED)
    )
    done = {doc.id: spans for doc, spans in collect(annotated)}
    assert annotated.document_ids()[1] not in done
    assert len(done) == 4
    assert reject.key not in {s.key for s in done[first]}
    assert len(done[first]) == len(decided) - 1
    assert all(s.status == SpanStatus.ACCEPTED for spans in done.values() for s in spans)


def test_collect_status_all_and_suggestions(project: Store) -> None:
    first = project.document_ids()[0]
    text = project.document(first).text
    m = text.index("Minsk")
    project.save_suggestions(
        [(first, [Span(start=m, end=m + 5, label="LOC"), Span(start=0, end=1, label="MISC")])],
        origin="rules",
        version="1",
    )
    project.replace_decisions(
        first,
        "anna",
        add=[Span(start=0, end=1, label="MISC", status=SpanStatus.REJECTED)],
        action="test",
    )
    assert list(collect(project)) == []  # nothing is done yet
    everything = {
        d.id: spans for d, spans in collect(project, status="all", include_suggestions=True)
    }
    assert len(everything) == 5
    assert [(s.start, s.end, s.label) for s in everything[first]] == [(m, m + 5, "LOC")]


def test_annotator_must_be_chosen_when_there_are_several(annotated: Store) -> None:
    decide(annotated, annotated.document_ids()[0], [], who="bert")
    with pytest.raises(ExportError, match="anna, bert"):
        list(collect(annotated))
    assert len(list(collect(annotated, annotator="bert"))) == 1
    with pytest.raises(ExportError, match="no annotator 'carl'"):
        list(collect(annotated, annotator="carl"))


def test_gold_exports_reviewed_documents(annotated: Store) -> None:
    with pytest.raises(ExportError, match="no reviewed documents"):
        list(collect(annotated, gold=True))
    first, second = annotated.document_ids()[:2]
    gold = [accepted(0, 1, "MISC"), Span(start=2, end=5, label="LOC", status=SpanStatus.REJECTED)]
    annotated.replace_gold(first, "rita", add=gold, action="test")
    annotated.replace_gold(second, "rita", add=[accepted(0, 2, "ORG")], action="test")
    annotated.set_review_state(first, "rita", "reviewed")
    out = [(d.id, [s.key for s in spans]) for d, spans in collect(annotated, gold=True)]
    assert out == [(first, [(0, 1, "MISC")])]
    both = [d.id for d, _ in collect(annotated, gold=True, status="all")]
    assert both == [first, second]


# ---- split ---------------------------------------------------------------------------------


def test_split_is_exact_deterministic_and_fills_every_part() -> None:
    ids = [f"d{i}" for i in range(103)]
    shares = parse_split("80/10/10")
    a = assign_splits(ids, shares, seed=7)
    assert a == assign_splits(list(reversed(ids)), shares, seed=7)
    assert a != assign_splits(ids, shares, seed=8)
    counts = {p: list(a.values()).count(p) for p in ("train", "dev", "test")}
    assert counts == {"train": 82, "dev": 10, "test": 11} or sum(counts.values()) == 103
    assert abs(counts["train"] - 82.4) < 1 and abs(counts["dev"] - 10.3) < 1
    small = assign_splits(["a", "b", "c"], shares, seed=0)
    assert sorted(small.values()) == ["dev", "test", "train"]
    assert parse_split("80/20") == (("train", 0.8), ("dev", 0.2))


@pytest.mark.parametrize("bad", ["80-20", "a/b", "1/2/3/4", "0/0", ""])
def test_bad_split_is_refused(bad: str) -> None:
    with pytest.raises(ExportError, match="--split"):
        parse_split(bad)


def test_export_split_writes_one_file_per_part(annotated: Store, tmp_path: Path) -> None:
    report = export(annotated, "jsonl", tmp_path / "out", split="60/20/20", seed=3)
    assert report.documents == {"train": 3, "dev": 1, "test": 1}
    seen = []
    for part in ("train", "dev", "test"):
        lines = (tmp_path / "out" / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()
        seen += [json.loads(line)["id"] for line in lines]
    assert sorted(seen) == sorted(annotated.document_ids())
    again = export(annotated, "jsonl", tmp_path / "again", split="60/20/20", seed=3)
    assert again.documents == report.documents
    for part in ("train", "dev", "test"):
        assert (tmp_path / "out" / f"{part}.jsonl").read_bytes() == (
            tmp_path / "again" / f"{part}.jsonl"
        ).read_bytes()


# ---- spaCy DocBin: conflicts, alignment ----------------------------------------------------


def read_docbin(path: Path) -> list[object]:
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("de").vocab))


def test_overlapping_entities_are_resolved_and_reported(store: Store, tmp_path: Path) -> None:
    text = "Alexander Lukaschenko traf Kit Kellogg beim Treffen in Minsk."
    add_doc(store, "d1", text)
    long_per = accepted(0, 21, "PER")
    short_per = accepted(10, 21, "PER")
    misc = accepted(0, 9, "MISC")
    meeting = accepted(44, 51, "MEETING", SpanKind.EVENT)
    place_event = accepted(44, 60, "VISIT", SpanKind.EVENT)
    loc = accepted(55, 60, "LOC")
    decide(store, "d1", [long_per, short_per, misc, meeting, place_event, loc])
    report = export(store, "spacy", tmp_path / "out")
    assert {(c.kept.key, c.dropped.key) for c in report.conflicts} == {
        (long_per.key, short_per.key),
        (long_per.key, misc.key),
    }
    assert all("the longer span" in str(c) and "d1" in str(c) for c in report.conflicts)
    assert "2 overlap conflict(s)" in report.summary()
    (doc,) = read_docbin(tmp_path / "out" / "all.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [  # type: ignore[attr-defined]
        ("Alexander Lukaschenko", "PER"),
        ("Minsk", "LOC"),
    ]
    events = doc.spans["sc"]  # type: ignore[attr-defined]
    assert sorted((s.text, s.label_) for s in events) == [
        ("Treffen", "MEETING"),
        ("Treffen in Minsk", "VISIT"),
    ]


def test_same_length_conflict_keeps_the_earlier(store: Store, tmp_path: Path) -> None:
    add_doc(store, "d1", "Ost Wes Süd")
    decide(store, "d1", [accepted(4, 11, "LOC"), accepted(0, 7, "ORG")])
    report = export(store, "spacy", tmp_path / "out", options=ExportOptions())
    (conflict,) = report.conflicts
    assert conflict.kept.label == "ORG" and conflict.reason == "the earlier span"


def test_misaligned_spans_expand_or_fail_strictly(store: Store, tmp_path: Path) -> None:
    text = "Das Treffen in Minsk fand statt.\n\nDanach Lukaschenkos Rede."
    add_doc(store, "d1", text)
    part_of_word = accepted(text.index("insk"), text.index("insk") + 4, "LOC")
    genitive = accepted(text.index("Lukaschenko"), text.index("Lukaschenko") + 11, "PER")
    trailing_ws = accepted(text.index("statt."), text.index("Danach"), "MISC")
    decide(store, "d1", [part_of_word, genitive, trailing_ws])
    report = export(store, "spacy", tmp_path / "ok")
    assert report.expanded == 2 and report.trimmed == 1
    assert "2 span(s) widened to token boundaries" in report.summary()
    (doc,) = read_docbin(tmp_path / "ok" / "all.spacy")
    assert [e.text for e in doc.ents] == ["Minsk", "statt.", "Lukaschenkos"]  # type: ignore[attr-defined]

    with pytest.raises(ExportError) as err:
        export(store, "spacy", tmp_path / "strict", options=ExportOptions(alignment="strict"))
    message = str(err.value)
    assert "3 span(s) not on token boundaries" in message
    assert "d1: LOC" in message and "'insk'" in message and "cuts through a token" in message
    assert "'Lukaschenko'" in message and "white space" in message
    # Nothing, not even temporary files.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok"]


def test_whitespace_only_span_is_left_out_with_a_note(store: Store, tmp_path: Path) -> None:
    text = "Minsk\n\nMoskau"
    add_doc(store, "d1", text)
    decide(store, "d1", [accepted(5, 7, "MISC"), accepted(0, 5, "LOC")])
    report = export(store, "spacy", tmp_path / "out")
    assert len(report.left_out) == 1 and "only white space" in report.left_out[0]
    assert report.notes() == report.left_out


def test_empty_documents_and_documents_without_spans(store: Store, tmp_path: Path) -> None:
    add_doc(store, "empty", "")
    add_doc(store, "blank", " \n\t ")
    add_doc(store, "plain", "Ein Text ohne Namen.")
    add_doc(store, "named", "Treffen in Minsk.")
    for doc_id in ("empty", "blank", "plain"):
        decide(store, doc_id, [])
    decide(store, "named", [accepted(11, 16, "LOC")])
    for fmt in ("spacy", "conll", "jsonl", "brat"):
        report = export(store, fmt, tmp_path / fmt)
        assert report.empty == 2, fmt
        assert report.documents == {"all": 2}, fmt
        assert report.without_spans == 1, fmt
        assert "2 empty document(s) skipped" in report.summary()
    assert len(read_docbin(tmp_path / "spacy" / "all.spacy")) == 2
    conll = (tmp_path / "conll" / "all.conll").read_text(encoding="utf-8")
    assert conll.count("-DOCSTART- -X- O O") == 2
    assert (tmp_path / "brat" / "plain.ann").read_text(encoding="utf-8") == ""


# ---- JSONL ---------------------------------------------------------------------------------


def test_jsonl_round_trip_gives_back_every_document_and_span(
    annotated: Store, tmp_path: Path
) -> None:
    first = annotated.document_ids()[0]
    text = annotated.document(first).text
    i = text.index("Minsk")
    # Overlapping and off-token spans must survive too: JSONL is the lossless format.
    extra = [accepted(i + 1, i + 5, "MISC"), accepted(i, i + 5, "ORG")]
    annotated.replace_decisions(first, "anna", add=extra, action="test")
    export(annotated, "jsonl", tmp_path / "out")
    fresh = Store.open(tmp_path / "fresh.db")
    import_paths(fresh, [tmp_path / "out" / "all.jsonl"], annotator="anna")
    assert by_doc(fresh, "anna") == {
        k: (t, [s for s in spans]) for k, (t, spans) in by_doc(annotated, "anna").items()
    }
    for doc in annotated.iter_documents():
        back = fresh.document(doc.id)
        assert (back.text, back.hash, back.source) == (doc.text, doc.hash, doc.source)
    fresh.close()


def test_prodigy_task_shape_tokens_and_hashes(store: Store, tmp_path: Path) -> None:
    text = "Treffen in Minsk\n\nmit Lukaschenko."
    add_doc(store, "d1", text)
    decide(
        store,
        "d1",
        [
            accepted(0, 7, "MEETING", SpanKind.EVENT),
            accepted(11, 16, "LOC"),
            accepted(12, 16, "PER"),
        ],
    )
    ids = {s.label: s.id for s in store.decisions("d1", "anna")}
    store.add_relation("d1", "anna", Relation(head=ids["MEETING"], tail=ids["LOC"], role="Place"))
    export(store, "prodigy", tmp_path / "out")
    lines = (tmp_path / "out" / "all.jsonl").read_text().splitlines()
    (task,) = [json.loads(line) for line in lines]
    assert task["answer"] == "accept" and task["meta"]["id"] == "d1"
    tokens = task["tokens"]
    assert all(text[t["start"] : t["end"]] == t["text"] for t in tokens)
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    loc = next(s for s in task["spans"] if s["label"] == "LOC")
    assert tokens[loc["token_start"]]["text"] == "Minsk" == tokens[loc["token_end"]]["text"]
    inner = next(s for s in task["spans"] if s["label"] == "PER")
    assert (inner["start"], inner["end"]) == (12, 16)  # kept as stored, not widened
    assert inner["token_start"] == inner["token_end"] == loc["token_start"]
    (relation,) = task["relations"]
    assert relation["label"] == "Place" and relation["child_span"]["label"] == "LOC"
    assert task["_input_hash"] == input_hash(text)
    assert -(2**31) <= task["_task_hash"] < 2**31
    assert task["_task_hash"] == task_hash(text, task["spans"], task["relations"])
    assert task_hash(text, task["spans"][:1], []) != task["_task_hash"]


# ---- CoNLL ---------------------------------------------------------------------------------


def conll_pairs(store: Store, annotator: str, kind: SpanKind) -> list[list[tuple[str, str]]]:
    """Per document in order: (covered text with white space normalised, label)."""
    out = []
    for doc in store.iter_documents():
        spans = [s for s in store.decisions(doc.id, annotator) if s.kind == kind]
        out.append([(" ".join(s.covered(doc.text).split()), s.label) for s in spans])
    return out


@pytest.mark.parametrize("tags", ["iob2", "iob1", "bilou"])
def test_conll_round_trip(annotated: Store, tmp_path: Path, tags: str) -> None:
    adjacent = add_doc(annotated, "adjacent", "Gespräche in Minsk Moskau und Kiew.\tEnde")
    decide(annotated, "adjacent", [accepted(13, 18, "LOC"), accepted(19, 25, "LOC")])
    options = ExportOptions(tags=tags)  # type: ignore[arg-type]
    export(annotated, "conll", tmp_path / "out", options=options)
    written = (tmp_path / "out" / "all.conll").read_text(encoding="utf-8")
    if tags == "iob1":
        assert "Minsk -X- _ I-LOC\nMoskau -X- _ B-LOC" in written
    assert "\t" not in written and " \n" not in written
    fresh = Store.open(tmp_path / "fresh.db")
    import_paths(fresh, [tmp_path / "out" / "all.conll"], annotator="anna")
    assert conll_pairs(fresh, "anna", SpanKind.ENTITY) == conll_pairs(
        annotated, "anna", SpanKind.ENTITY
    )
    back = fresh.document(fresh.document_ids()[-1]).text
    assert back == "Gespräche in Minsk Moskau und Kiew .\nEnde"  # one sentence a line
    assert adjacent.id == "adjacent"
    fresh.close()


def test_conll_events_round_trip(annotated: Store, tmp_path: Path) -> None:
    export(annotated, "conll", tmp_path / "out", options=ExportOptions(kind=SpanKind.EVENT))
    fresh = Store.open(tmp_path / "fresh.db")
    import_paths(fresh, [tmp_path / "out" / "all.conll"], annotator="anna")
    got = conll_pairs(fresh, "anna", SpanKind.EVENT)
    assert got == conll_pairs(annotated, "anna", SpanKind.EVENT)
    assert any(got) and conll_pairs(fresh, "anna", SpanKind.ENTITY) == [[]] * len(got)
    fresh.close()


def test_conll_sentences_never_split_a_span(store: Store, tmp_path: Path) -> None:
    text = "Er kam am 12.\n\nFebruar. Dann ging er."
    add_doc(store, "d1", text)
    decide(store, "d1", [accepted(10, 22, "DATE")])
    export(store, "conll", tmp_path / "out")
    lines = (tmp_path / "out" / "all.conll").read_text(encoding="utf-8").split("\n")
    i = lines.index("12. -X- _ B-DATE")
    assert lines[i + 1] == "Februar -X- _ I-DATE"
    assert "" in lines[i + 2 :]  # the sentencizer's later break is still there


def test_iob1_uses_b_only_between_neighbours_of_one_type() -> None:
    assert iob2_to_iob1(["B-LOC", "I-LOC", "B-LOC", "O", "B-PER", "B-LOC"]) == [
        "I-LOC",
        "I-LOC",
        "B-LOC",
        "O",
        "I-PER",
        "I-LOC",
    ]


def test_conll_reader_names_file_and_line(tmp_path: Path) -> None:
    scheme = LabelScheme.load()
    bad = tmp_path / "bad.conll"
    bad.write_text("-DOCSTART- -X- O O\n\nMinsk B-LOC\nist X-FOO\n", encoding="utf-8")
    (problem,) = list(read_conll(bad, ReadContext(scheme)))
    assert str(problem).startswith(f"{bad}:4: tag 'X-FOO'")
    bad.write_text("Minsk B-CITY\n", encoding="utf-8")
    (problem,) = list(read_conll(bad, ReadContext(scheme)))
    assert "unknown label 'CITY'" in str(problem) and ":1:" in str(problem)
    bad.write_text("Minsk\n", encoding="utf-8")
    (problem,) = list(read_conll(bad, ReadContext(scheme)))
    assert "expected a token and a tag" in str(problem)


# ---- brat ----------------------------------------------------------------------------------


def test_brat_standoff(store: Store, tmp_path: Path) -> None:
    text = "Treffen am 12.\r\n\r\nFebruar in Minsk 👋 mit Lukaschenko."
    add_doc(store, "a/b c", text)
    i = text.index("Lukaschenko")
    decide(
        store,
        "a/b c",
        [
            accepted(0, 7, "MEETING", SpanKind.EVENT),
            accepted(11, 25, "DATE"),
            accepted(i, i + 11, "PER"),
        ],
    )
    ids = {s.label: s.id for s in store.decisions("a/b c", "anna")}
    store.add_relation(
        "a/b c", "anna", Relation(head=ids["MEETING"], tail=ids["PER"], role="Participant")
    )
    report = export(store, "brat", tmp_path / "out")
    assert (tmp_path / "out" / "a_b_c.txt").read_bytes() == text.encode("utf-8")
    ann = (tmp_path / "out" / "a_b_c.ann").read_text(encoding="utf-8").splitlines()
    assert ann[0] == "T1\tMEETING 0 7\tTreffen"
    # brat reads the .txt with universal newlines: each "\r\n" counts as one character.
    seen = text.replace("\r\n", "\n")
    j = seen.index("Lukaschenko")
    assert ann[1] == "T2\tDATE 11 14;16 23\t12. Februar"
    assert ann[2] == f"T3\tPER {j} {j + 11}\tLukaschenko"  # code points: the emoji counts once
    assert ann[3] == "E1\tMEETING:T1 Participant:T3"
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nPER\n" in conf and "MEETING\tParticipant*:<ENTITY>" in conf
    visual = (tmp_path / "out" / "visual.conf").read_text(encoding="utf-8")
    per = store.scheme.get("PER")
    assert per is not None and f"PER\tbgColor:{per.color}" in visual
    assert len(report.files) == 4


# ---- the command ---------------------------------------------------------------------------


def test_export_command(
    annotated: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = annotated.path
    out = tmp_path / "exp"
    code = main(
        ["export", "--db", str(db), "--format", "conll", "--out", str(out), "--split", "80/20"]
    )
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("exported 5 document(s) (4 train, 1 dev) as conll")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "dev.conll", "train.conll"]
    code = main(["export", "--db", str(db), "--format", "spacy", "--out", str(out), "--gold"])
    err = capsys.readouterr().err
    assert code == 2 and "no reviewed documents" in err and "Traceback" not in err
    code = main(["export", "--db", str(db), "--format", "jsonl", "--annotator", "x"])
    assert code == 2 and "no annotator 'x'" in capsys.readouterr().err


def test_failed_export_keeps_the_previous_files(annotated: Store, tmp_path: Path) -> None:
    export(annotated, "conll", tmp_path / "out")
    before = (tmp_path / "out" / "all.conll").read_bytes()
    doc_id = annotated.document_ids()[0]
    text = annotated.document(doc_id).text
    i = text.index("Minsk")
    annotated.replace_decisions(doc_id, "anna", add=[accepted(i, i + 3, "LOC")], action="t")
    with pytest.raises(ExportError):
        export(annotated, "conll", tmp_path / "out", options=ExportOptions(alignment="strict"))
    assert (tmp_path / "out" / "all.conll").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MANIFEST, "all.conll"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_conll_white_space_tokens_are_not_written(store: Store, tmp_path: Path) -> None:
    text = "Kit\xa0Kellogg  reiste\tnach\u2003Minsk\u2028und\u3000Moskau.\r\nEnde"
    add_doc(store, "ws", text)
    kellogg = accepted(0, 11, "PER")  # crosses a no-break space
    moskau = accepted(text.index("Moskau"), text.index("Moskau") + 6, "LOC")
    decide(store, "ws", [kellogg, moskau])
    export(store, "conll", tmp_path / "out")
    body = (tmp_path / "out" / "all.conll").read_text(encoding="utf-8").split("\n")
    rows = [line.split() for line in body if line and not line.startswith("-DOCSTART-")]
    assert all(len(row) == 4 for row in rows)
    assert [row[0] for row in rows][:4] == ["Kit", "Kellogg", "reiste", "nach"]
    fresh = Store.open(tmp_path / "fresh.db")
    import_paths(fresh, [tmp_path / "out" / "all.conll"], annotator="anna")
    (doc_id,) = fresh.document_ids()
    assert fresh.document(doc_id).text == "Kit Kellogg reiste nach Minsk und Moskau .\nEnde"
    back = [
        (s.covered(fresh.document(doc_id).text), s.label) for s in fresh.decisions(doc_id, "anna")
    ]
    assert back == [("Kit Kellogg", "PER"), ("Moskau", "LOC")]
    fresh.close()


def test_spacy_export_prints_a_train_command_whose_files_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    db = tmp_path / "p.db"
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    assert cli.main(["import", str(seeds), "--db", str(db)]) == 0
    with Store.open(db) as store:
        text = store.document("002_c37c1a0bbaeb8b11").text
        start = text.index("Minsk")
        store.replace_decisions(
            "002_c37c1a0bbaeb8b11",
            "anna",
            add=[Span(start=start, end=start + 5, label="LOC", status=SpanStatus.ACCEPTED)],
            action="add",
        )
    out = tmp_path / "out"
    for split, parts in ((["--split", "80/20"], ("train", "dev")), ([], ("all", "all"))):
        args = [
            "export",
            "--db",
            str(db),
            "--format",
            "spacy",
            "--annotator",
            "anna",
            "--status",
            "all",
            "--out",
            str(out),
            *split,
        ]
        capsys.readouterr()
        assert cli.main(args) == 0
        printed = capsys.readouterr().out.strip().splitlines()
        line = next(ln for ln in printed if ln.startswith("train with: "))
        words = shlex.split(line.removeprefix("train with: "))
        assert words[:4] == [sys.executable, "-m", "spacy", "train"]
        assert Path(words[words.index("--output") + 1]) == out / "model"
        train = Path(words[words.index("--paths.train") + 1])
        dev = Path(words[words.index("--paths.dev") + 1])
        assert (train.stem, dev.stem) == parts
        assert train.is_file() and dev.is_file() and (out / "config.cfg").is_file()
