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


@pytest.fixture
def paragraphs(store: Store, seeds_dir: Path) -> Store:
    """135 documents: the seed paragraphs in five wordings (``spacy debug data`` wants at least
    100 training examples for a new pipeline), annotated like ``annotated``."""
    texts = [
        p
        for path in sorted(seeds_dir.glob("*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    docs = [
        Document(id=f"p{n}-{i}", text=f"{text} (Fassung {n})")
        for n in range(5)
        for i, text in enumerate(texts)
    ]
    store.add_documents(docs)
    for doc in docs:
        store.replace_decisions(doc.id, "anna", add=word_spans(doc.text), action="test")
        store.set_doc_state(DocState(doc_id=doc.id, annotator="anna", status=DocStatus.DONE))
    return store


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


def test_spacy_debug_data_and_train_on_the_docbins(paragraphs: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export(paragraphs, "spacy", out, split="80/20", seed=1)
    assert report.documents == {"train": 108, "dev": 27}
    assert report.conflicts and report.expanded  # the fixture has both on purpose
    assert (out / "config.cfg").exists()
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
    assert "No entities consisting of or starting/ending with whitespace" in debug.stdout
    assert "Named Entity Recognition" in debug.stdout
    assert "Span Categorization" in debug.stdout
    train = spacy_cli(
        "train",
        "config.cfg",
        "--paths.train",
        "train.spacy",
        "--paths.dev",
        "dev.spacy",
        "--output",
        "model",
        "--training.max_steps",
        "5",
        "--training.eval_frequency",
        "5",
        cwd=out,
    )
    assert train.returncode == 0, train.stdout + train.stderr
    import spacy

    nlp = spacy.load(out / "model" / "model-last")
    assert nlp.pipe_names == ["tok2vec", "ner", "spancat"]
    assert {"PER", "LOC", "ORG"} <= set(nlp.get_pipe("ner").labels)
    assert {"MEETING", "PHONE_CALL"} <= set(nlp.get_pipe("spancat").labels)
    assert nlp.get_pipe("spancat").key == "sc"
