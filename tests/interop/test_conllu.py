"""CoNLL-U in: INCEpTION's CoNLL-U test file (no named entities) and fixtures with entities in
MISC (``NE=``, ``Entity=``) and in a chosen column. Expected values are computed here from the
files with a few lines of plain Python and seqeval, not with our reader."""

from __future__ import annotations

from pathlib import Path

from seqeval.metrics.sequence_labeling import get_entities

from annotator.corpus import import_paths
from annotator.formats.conllu import read
from annotator.formats.reading import ReadContext, ReadOptions, Record
from annotator.formats.registry import detect
from annotator.model import LabelScheme
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]
CONLLU = ROOT / ".." / "shared" / "interop" / "inception" / "conllu-en-orig.conll"


def surface(path: Path) -> list[list[tuple[str, bool]]]:
    """Per sentence: (surface form, space after) — a multi-word token line stands for its
    words, empty nodes have no text."""
    out: list[list[tuple[str, bool]]] = [[]]
    skip_to = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            out.append([])
            skip_to = 0
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "." in cols[0]:
            continue
        if "-" in cols[0]:
            skip_to = int(cols[0].split("-")[1])
        elif int(cols[0]) <= skip_to:
            continue
        out[-1].append((cols[1], "SpaceAfter=No" not in cols[9].split("|")))
    return [s for s in out if s]


def test_inception_conllu_text_tokens_and_sentences_arrive_exactly(tmp_path: Path) -> None:
    found = detect(CONLLU)
    assert found is not None and found.name == "conllu"
    sentences = surface(CONLLU)
    expected = "\n".join(
        "".join(f + (" " if space and k + 1 < len(s) else "") for k, (f, space) in enumerate(s))
        for s in sentences
    )
    lines = CONLLU.read_text(encoding="utf-8").splitlines()
    entity_marks = sum(
        1
        for line in lines
        if line.count("\t") == 9
        for item in line.split("\t")[9].split("|")
        if item.split("=")[0] in ("NE", "NER", "Entity")
    )
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [CONLLU])
        (doc_id,) = store.document_ids()
        doc = store.document(doc_id)
    assert doc.text == expected
    assert [doc.text[a:b] for a, b in doc.meta["tokens"]] == [f for s in sentences for f, _ in s]
    assert [doc.text[a:b] for a, b in doc.meta["sentences"]] == expected.split("\n")
    assert report.spans == entity_marks == 0  # the file has no named entities: said so
    words = sum(1 for line in lines if line.count("\t") == 9)
    assert report.kept["CoNLL-U word line(s) (lemma, POS, features, syntax)"] == words
    assert "kept 0 span(s)" in report.summary()


ROWS = [
    # id, form, misc, the tag in XPOS for --columns 5
    ("1", "Kit", "NE=B-PER", "B-PER"),
    ("2", "Kellogg", "NE=I-PER|SpaceAfter=No", "I-PER"),
    ("3", ",", "_", "O"),
    ("4-5", "zum", "_", None),
    ("4", "zu", "_", "O"),
    ("5", "dem", "NE=B-LOC", "B-LOC"),
    ("6", "Kreml", "NE=I-LOC|SpaceAfter=No", "I-LOC"),
    ("7", ".", "_", "O"),
]
ROWS2 = [
    ("1", "Reuters", "NE=B-ORG|Entity=(e1-ORG-1)", "B-ORG"),
    ("2", "meldet", "_", "O"),
    ("2.1", "es", "_", None),
    ("3", "Minsk", "NE=I-LOC|Entity=(e2-LOC-1", "I-LOC"),
    ("4", "Stadt", "NE=I-LOC|Entity=e2)", "I-LOC"),
]


def fixture(tmp_path: Path) -> Path:
    lines = ["# global.columns = ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC"]
    for n, (rows, text) in enumerate(
        [(ROWS, "Kit  Kellogg, zum Kreml."), (ROWS2, "Reuters meldet Minsk Stadt")]
    ):
        lines += [f"# sent_id = s{n}", "# newpar" if n else "# newdoc id = d1", f"# text = {text}"]
        for wid, form, misc, tag in rows:
            lines.append("\t".join([wid, form, "_", "_", tag or "_", "_", "_", "_", "_", misc]))
        lines.append("")
    path = tmp_path / "ner.conllu"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_ne(rows: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str]]:
    words = [r for r in rows if "-" not in r[0] and "." not in r[0]]
    tags = [next((m[3:] for m in r[2].split("|") if m.startswith("NE=")), "O") for r in words]
    return [(lab, " ".join(w[1] for w in words[i : j + 1])) for lab, i, j in get_entities(tags)]


def test_named_entities_in_misc_with_offsets_into_the_text(tmp_path: Path) -> None:
    path = fixture(tmp_path)
    (record,) = read(path, ReadContext(LabelScheme.load()))
    assert isinstance(record, Record)
    text = record.doc.text
    assert text == "Kit  Kellogg, zum Kreml.\n\nReuters meldet Minsk Stadt"  # # text kept, newpar
    got = [(s.label, s.covered(text)) for s in record.spans]
    # NE= entities (the MWT "zum" covers the word "dem"), then the Entity= mentions
    # on the surface: "dem" is inside "zum", and # text has two spaces after "Kit"
    on_surface = {"dem Kreml": "zum Kreml", "Kit Kellogg": "Kit  Kellogg"}
    want = [(lab, on_surface.get(cov, cov)) for lab, cov in expected_ne(ROWS) + expected_ne(ROWS2)]
    mentions = [("ORG", "Reuters"), ("LOC", "Minsk Stadt")]
    assert sorted(got) == sorted(want + mentions)
    assert record.set_aside["CoNLL-U empty node(s) (no text of their own)"] == 1


def test_named_entities_in_a_chosen_column(tmp_path: Path) -> None:
    path = fixture(tmp_path)
    (record,) = read(path, ReadContext(LabelScheme.load(), ReadOptions(columns=5)))
    assert isinstance(record, Record)
    got = sorted((s.label, s.covered(record.doc.text)) for s in record.spans)
    tags = [r[3] for r in ROWS + ROWS2 if r[3] is not None]
    assert len(got) == len(get_entities(tags)) + 2  # the Entity= mentions are read as well
    assert ("LOC", "zum Kreml") in got
