"""spaCy's own command line on our exports: convert the CoNLL file, debug and train on the DocBins.

These start ``python -m spacy`` in a subprocess, so they are slow; they run in the suite anyway.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.formats import ExportOptions, export
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import Store

pytestmark = pytest.mark.slow

WORDS = [
    ("Alexander Lukaschenko", "PER", SpanKind.ENTITY),
    ("Lukaschenko", "PER", SpanKind.ENTITY),
    ("Minsk", "LOC", SpanKind.ENTITY),
    ("Belarus", "LOC", SpanKind.ENTITY),
    ("Weißrussland", "LOC", SpanKind.ENTITY),
    ("Reuters", "ORG", SpanKind.ENTITY),
    ("Treffen", "MEETING", SpanKind.EVENT),
    ("Telefonat", "PHONE_CALL", SpanKind.EVENT),
    ("Sanktionen", "SANCTIONS", SpanKind.EVENT),
]


def spacy_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spacy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def annotated(project: Store) -> Store:
    """Seeds with word spans (overlapping 'Lukaschenko' inside 'Alexander Lukaschenko', and
    genitive 'Lukaschenkos' that must be widened), all done by 'anna'."""
    for doc in project.iter_documents():
        project.replace_decisions(doc.id, "anna", add=word_spans(doc.text), action="test")
        project.set_doc_state(DocState(doc_id=doc.id, annotator="anna", status=DocStatus.DONE))
    return project


def word_spans(text: str) -> list[Span]:
    return [
        Span(start=m.start(), end=m.end(), label=label, kind=kind, status=SpanStatus.ACCEPTED)
        for word, label, kind in WORDS
        for m in re.finditer(re.escape(word), text)
    ]


def test_spacy_convert_reads_our_conll_with_the_same_entities(
    annotated: Store, tmp_path: Path
) -> None:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    for tags in ("iob2", "iob1", "bilou"):
        out = tmp_path / tags
        export(annotated, "conll", out, options=ExportOptions(tags=tags))  # type: ignore[arg-type]
        export(annotated, "spacy", tmp_path / f"{tags}-spacy")
        (tmp_path / f"{tags}-converted").mkdir()
        done = spacy_cli("convert", "-c", "ner", "all.conll", f"../{tags}-converted", cwd=out)
        assert done.returncode == 0, done.stderr
        converted_bin = DocBin().from_disk(tmp_path / f"{tags}-converted" / "all.spacy")
        converted = list(converted_bin.get_docs(Vocab()))
        ours = list(DocBin().from_disk(tmp_path / f"{tags}-spacy" / "all.spacy").get_docs(Vocab()))
        assert len(converted) == len(ours) == 5
        for theirs, mine in zip(converted, ours, strict=True):
            expected = [(e.text, e.label_) for e in mine.ents]
            assert [(e.text, e.label_) for e in theirs.ents] == expected, tags
            assert expected


def paragraph_project(db: Path, seeds_dir: Path, kinds: set[SpanKind]) -> None:
    """A project file with 135 documents: the seed paragraphs in five wordings (``spacy debug
    data`` wants at least 100 training examples for a new pipeline), annotated with the word
    spans of ``kinds`` only (overlaps and genitives to widen included), all done by 'anna'."""
    texts = [
        p
        for path in sorted(seeds_dir.glob("*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    with Store.open(db) as store:
        docs = [
            Document(id=f"p{n}-{i}", text=f"{text} (Fassung {n})")
            for n in range(5)
            for i, text in enumerate(texts)
        ]
        store.add_documents(docs)
        for doc in docs:
            spans = [s for s in word_spans(doc.text) if s.kind in kinds]
            store.replace_decisions(doc.id, "anna", add=spans, action="test")
            store.set_doc_state(DocState(doc_id=doc.id, annotator="anna", status=DocStatus.DONE))


CASES = {
    "entities": ({SpanKind.ENTITY}, ["tok2vec", "ner"]),
    "events": ({SpanKind.EVENT}, ["tok2vec", "spancat"]),
    "both": ({SpanKind.ENTITY, SpanKind.EVENT}, ["tok2vec", "ner", "spancat"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_spacy_debug_data_and_the_printed_train_command(
    case: str, seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entities only, events only, both: ``spacy debug data`` accepts the export, and the
    printed ``spacy train`` command runs as printed (from another folder, with a space and a
    quote in the path) for 5 steps."""
    from annotator.cli import main

    kinds, pipe_names = CASES[case]
    db = tmp_path / "p.db"
    paragraph_project(db, seeds_dir, kinds)
    out = tmp_path / "the export's folder"
    args = ["export", "--db", str(db), "--format", "spacy", "--out", str(out)]
    assert main([*args, "--split", "80/20", "--seed", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    command = next(ln for ln in printed if ln.startswith("train with: ")).removeprefix(
        "train with: "
    )
    assert "--output" in command
    debug = spacy_cli(
        "debug",
        "data",
        "config.cfg",
        "--paths.train",
        "train.spacy",
        "--paths.dev",
        "dev.spacy",
        cwd=out,
    )
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "✘" not in debug.stdout
    assert ("Named Entity Recognition" in debug.stdout) == ("ner" in pipe_names)
    assert ("Span Categorization" in debug.stdout) == ("spancat" in pipe_names)
    train = subprocess.run(
        f"{command} --training.max_steps 5 --training.eval_frequency 5",
        shell=True,
        cwd=tmp_path.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert train.returncode == 0, train.stdout + train.stderr
    import spacy

    nlp = spacy.load(out / "model" / "model-last")
    assert nlp.pipe_names == pipe_names
    assert nlp.lang == "de"
    if "ner" in pipe_names:
        assert {"PER", "LOC", "ORG"} <= set(nlp.get_pipe("ner").labels)
    if "spancat" in pipe_names:
        assert {"MEETING", "PHONE_CALL"} <= set(nlp.get_pipe("spancat").labels)
        assert nlp.get_pipe("spancat").key == "sc"


def test_the_language_comes_from_the_project_and_lang_sets_it(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spacy.tokens import DocBin
    from spacy.util import load_config

    from annotator.cli import main

    db = tmp_path / "p.db"
    paragraph_project(db, seeds_dir, {SpanKind.ENTITY})
    args = ["export", "--db", str(db), "--format", "spacy"]
    assert main([*args, "--out", str(tmp_path / "de")]) == 0
    assert load_config(tmp_path / "de" / "config.cfg")["nlp"]["lang"] == "de"
    assert main([*args, "--out", str(tmp_path / "nl"), "--lang", "nl"]) == 0
    with Store.open(db, create=False) as store:
        assert store.project_value("lang") == "nl"
    assert main([*args, "--out", str(tmp_path / "again")]) == 0  # the project's language now
    for folder in ("nl", "again"):
        config = load_config(tmp_path / folder / "config.cfg")
        assert config["nlp"]["lang"] == "nl"
        assert config["nlp"]["tokenizer"]["@tokenizers"] == "spacy.Tokenizer.v1"
    import spacy

    dutch = spacy.blank("nl")
    docs = list(DocBin().from_disk(tmp_path / "again" / "all.spacy").get_docs(dutch.vocab))
    assert [t.text for t in docs[0]] == [t.text for t in dutch.make_doc(docs[0].text)]
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "bad"), "--lang", "zz"]) == 2
    err = capsys.readouterr().err
    assert "spaCy has no language 'zz'" in err and "Traceback" not in err
    with Store.open(db, create=False) as store:
        assert store.project_value("lang") == "nl"
