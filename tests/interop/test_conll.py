"""CoNLL in and out on the real files other tools wrote (``../shared/interop``).

Expected entities are computed here from each file with seqeval (conlleval's chunk rules, per
sentence), not with our reader; what we write is read back the same way, and by INCEpTION's
CoNLL 2002 rules (one space between exactly two fields, one document per file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from annotator.cli import main
from annotator.corpus import import_paths
from annotator.formats import ExportOptions, export
from annotator.formats.conll import entities, quote_label, read, sniff, unquote_label
from annotator.formats.reading import ReadContext, ReadOptions, Record
from annotator.formats.registry import detect
from annotator.model import (
    DocState,
    DocStatus,
    Document,
    Label,
    LabelScheme,
    Span,
    SpanKind,
    SpanStatus,
)
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

ROOT = Path(__file__).resolve().parents[2]
INTEROP = ROOT / ".." / "shared" / "interop"
FILES = [
    *sorted((INTEROP / "conll").iterdir()),
    INTEROP / "inception" / "ner2002_test.conll",
    *sorted((INTEROP / "doccano").glob("*.conll")),
    INTEROP / "doccano" / "import-seqlab-example.txt",
]
COLUMNS = re.compile(r"[ \t]+")


# ---- an independent reading of a CoNLL file ------------------------------------------------


def plain_rows(text: str) -> list[list[list[str]]]:
    """Documents of lines (each a list of columns; [] for a sentence break): the file's own
    structure, with runs of blank lines folded into one."""
    docs: list[list[list[str]]] = [[]]
    for line in text.splitlines():
        cols = COLUMNS.split(line.strip(" \t")) if line.strip(" \t") else []
        if cols and cols[0] == "-DOCSTART-":
            docs.append([cols])
            continue
        if not cols and (not docs[-1] or not docs[-1][-1]):
            continue
        docs[-1].append(cols)
    out = []
    for doc in docs:
        while doc and not doc[-1]:
            doc.pop()
        if doc:
            out.append(doc)
    return out


def sentences_of(doc: list[list[str]]) -> list[list[list[str]]]:
    out: list[list[list[str]]] = [[]]
    for cols in doc:
        if not cols:
            out.append([])
        elif cols[0] != "-DOCSTART-":
            out[-1].append(cols)
    return [s for s in out if s]


def expected_entities(path: Path) -> list[list[tuple[str, str]]]:
    """Per document: (label, covered tokens joined by a space), by seqeval per sentence."""
    result = []
    for doc in plain_rows(path.read_text(encoding="utf-8")):
        found = []
        for sentence in sentences_of(doc):
            # conlleval knows BIOES; BILOU's L and U are its E and S
            tags = [re.sub(r"^L-", "E-", re.sub(r"^U-", "S-", cols[-1])) for cols in sentence]
            for label, i, j in get_entities(tags):
                found.append((label, " ".join(cols[0] for cols in sentence[i : j + 1])))
        if sentences_of(doc):
            result.append(found)
    return result


def scheme_for(*paths: Path) -> LabelScheme:
    names: set[str] = set()
    for path in paths:
        for doc in plain_rows(path.read_text(encoding="utf-8")):
            for sentence in sentences_of(doc):
                names |= {cols[-1][2:] for cols in sentence if cols[-1] != "O"}
    return LabelScheme(
        labels=tuple(
            Label(name=n, kind=SpanKind.ENTITY, color="#aabbcc", key="abcdefghijklmnop"[i])
            for i, n in enumerate(sorted(names))
        )
    )


# ---- in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_conll_file_is_found_and_its_entities_arrive(path: Path, tmp_path: Path) -> None:
    found = detect(path)
    assert found is not None and found.name == "conll"
    expected = expected_entities(path)
    with Store.open(tmp_path / "p.db", scheme=scheme_for(path)) as store:
        report = import_paths(store, [path])
        assert report.spans == sum(len(doc) for doc in expected) > 0
        got = []
        for doc in store.iter_documents():
            spans = sorted(current_suggestions(store, doc.id), key=lambda s: s.start)
            got.append([(s.label, s.covered(doc.text)) for s in spans])
            tokens = doc.meta["tokens"]
            for start, end in doc.meta["sentences"]:
                assert "\n" not in doc.text[start:end]  # no entity can cross a sentence
            assert [doc.text[a:b] for a, b in tokens] == doc.text.split()
        assert got == expected


def test_an_entity_never_crosses_a_sentence_break(tmp_path: Path) -> None:
    """IOB1: an I- tag after a blank line starts a new entity; a B-/I- mismatch and a type
    change split an entity as conlleval does."""
    rows = [
        ["Minsk", "I-LOC"],
        ["Moskau", "I-LOC"],
        [],
        ["Kiew", "I-LOC"],
        ["Lwiw", "I-LOC"],
        [],
        ["Kit", "I-PER"],
        ["Kellogg", "I-LOC"],
        ["in", "O"],
        ["Minsk", "I-LOC"],
        ["Reuters", "B-LOC"],
    ]
    path = tmp_path / "iob1.conll"
    path.write_text("\n".join(" ".join(r) for r in rows) + "\n", encoding="utf-8")
    expected = expected_entities(path)
    (record,) = read(path, ReadContext(LabelScheme.load()))
    assert isinstance(record, Record)
    got = [(s.label, s.covered(record.doc.text)) for s in record.spans]
    assert [got] == expected
    across = get_entities([r[-1] for r in rows if r])  # decoded ignoring the sentence breaks
    assert len(got) > len(across)
    assert not any("\n" in covered for _, covered in got)
    assert record.doc.meta["conll"]["tags"] == "iob1"


@pytest.mark.parametrize(
    "tags",
    [
        ["B-PER", "I-PER", "O", "I-LOC", "I-PER", "B-PER", "B-LOC", "I-LOC"],
        ["S-PER", "B-LOC", "E-LOC", "I-LOC", "E-LOC", "O", "E-PER", "B-ORG", "O", "I-ORG"],
        ["I-PER", "B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG", "E-ORG", "S-ORG"],
    ],
)
def test_chunks_follow_conlleval(tags: list[str]) -> None:
    assert [tuple(e) for e in entities(tags)] == [tuple(e) for e in get_entities(tags)]


def test_a_no_break_space_stays_inside_its_token(tmp_path: Path) -> None:
    path = tmp_path / "nbsp.conll"
    path.write_text("Kit\u00a0Kellogg\tB-PER\nreist O\n", encoding="utf-8")
    (record,) = read(path, ReadContext(LabelScheme.load()))
    assert isinstance(record, Record)
    assert record.doc.text == "Kit\u00a0Kellogg reist"
    assert record.doc.meta["tokens"] == [[0, 11], [12, 17]]
    assert [s.covered(record.doc.text) for s in record.spans] == ["Kit\u00a0Kellogg"]


def test_columns_picks_the_tag_column(tmp_path: Path) -> None:
    path = tmp_path / "germeval.tsv"
    lines = [
        "# http://de.wikipedia.org/wiki/Minsk [2009-10-17]",
        "1\tMinsk\tB-LOC\tO",
        "2\tliegt\tO\tO",
        "3\tin\tO\tO",
        "4\tWeißrussland\tB-LOC\tO",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (record,) = read(path, ReadContext(LabelScheme.load()))  # the last column: all O
    assert isinstance(record, Record) and record.spans == []
    (problem,) = read(path, ReadContext(LabelScheme.load(), ReadOptions(columns=2)))
    assert str(problem).startswith(f"{path}:2: tag 'Minsk'")
    (problem,) = read(path, ReadContext(LabelScheme.load(), ReadOptions(columns=7)))
    assert str(problem) == f"{path}:2: no column 7 in a line of 4 column(s)"
    (record,) = read(path, ReadContext(LabelScheme.load(), ReadOptions(columns=3)))
    assert isinstance(record, Record)
    assert len(record.spans) == sum(1 for line in lines if "\tB-" in line)
    assert record.kept["CoNLL comment line(s)"] == 1


# ---- detection -----------------------------------------------------------------------------


def test_plain_text_is_not_taken_for_conll(tmp_path: Path) -> None:
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        assert not sniff(seed.read_bytes()), seed
    two_words = "Guten Morgen\nbis Oben\nSeite O\nVitamin B-12\nDas Ende\n"
    assert not sniff(two_words.encode())
    assert not sniff((INTEROP / "inception" / "conllu-en-orig.conll").read_bytes())
    assert not sniff((INTEROP / "inception" / "webanno-tsv3-reference.tsv").read_bytes())
    for path in FILES:
        assert sniff(path.read_bytes()), path


# ---- out -----------------------------------------------------------------------------------


def import_and_export(path: Path, tmp_path: Path, options: ExportOptions) -> Path:
    out = tmp_path / "out"
    with Store.open(tmp_path / "p.db", scheme=scheme_for(path)) as store:
        import_paths(store, [path], annotator="anna", done=True)
        export(store, "conll", out, options=options)
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_an_untouched_import_goes_out_as_it_came(path: Path, tmp_path: Path) -> None:
    out = import_and_export(path, tmp_path, ExportOptions())
    written = (out / "all.conll").read_text(encoding="utf-8")
    original = path.read_text(encoding="utf-8")
    assert plain_rows(written) == plain_rows(original)
    assert expected_entities(out / "all.conll") == expected_entities(path)
    if not re.search(r"[ \t]{2,}|\r", original):  # one separator between columns: byte for byte
        assert written == original


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_two_columns_are_what_inception_reads(path: Path, tmp_path: Path) -> None:
    out = import_and_export(path, tmp_path, ExportOptions(columns=2))
    files = sorted(out.glob("*.conll"))
    assert len(files) == len(expected_entities(path))
    for file, expected in zip(files, expected_entities(path), strict=True):
        found = []
        sentence: list[list[str]] = []
        # INCEpTION's Conll2002Reader: a blank line ends a sentence, a line splits on " " into
        # exactly two fields (FORM, NER in IOB2)
        for line in [*file.read_text(encoding="utf-8").split("\n"), ""]:
            if not line.strip():
                for label, i, j in get_entities([t for _, t in sentence]):
                    found.append((label, " ".join(w for w, _ in sentence[i : j + 1])))
                sentence = []
                continue
            fields = line.split(" ")
            assert len(fields) == 2, line
            assert not fields[1].startswith(("E-", "S-", "L-", "U-"))
            sentence.append(fields)
        assert found == expected


def test_four_columns_and_tag_schemes_keep_the_entities(tmp_path: Path) -> None:
    path = INTEROP / "conll" / "ner-token-per-line.iob"
    for tags in ("iob1", "bioes", "bilou"):
        (tmp_path / tags).mkdir()
        out = import_and_export(path, tmp_path / tags, ExportOptions(columns=4, tags=tags))
        lines = (out / "all.conll").read_text(encoding="utf-8").split("\n")
        assert lines[0] == "-DOCSTART- -X- O O"
        assert all(len(line.split(" ")) == 4 for line in lines if line)
        assert expected_entities(out / "all.conll") == expected_entities(path)


def test_a_token_with_a_space_is_written_as_its_pieces(tmp_path: Path) -> None:
    text = "Treffen in New York"
    tokens = [[0, 7], [8, 10], [11, 19]]  # one token holding a space, as Prodigy's may
    with Store.open(tmp_path / "p.db") as store:
        store.add_documents([Document(id="d", text=text, meta={"tokens": tokens})])
        span = Span(start=11, end=19, label="LOC", status=SpanStatus.ACCEPTED)
        store.replace_decisions("d", "anna", add=[span], action="test")
        store.set_doc_state(DocState(doc_id="d", annotator="anna", status=DocStatus.DONE))
        report = export(store, "conll", tmp_path / "out")
    rows = [
        line.split(" ")
        for line in (tmp_path / "out" / "all.conll").read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("-DOCSTART-")
    ]
    assert all(len(r) == 4 for r in rows)
    assert [r[0] for r in rows] == text.split(" ")
    assert report.resplit == 1
    assert get_entities([r[-1] for r in rows]) == [("LOC", 2, 3)]


def test_labels_with_spaces_are_quoted_reversibly() -> None:
    for label in ("NE 0", "100%", "a\tb", "%20", "plain"):
        quoted = quote_label(label)
        assert " " not in quoted and "\t" not in quoted
        assert unquote_label(quoted) == label


def test_the_command_line_reads_and_writes_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = INTEROP / "inception" / "ner2002_test.conll"
    rows = [line.split(" ") for line in path.read_text(encoding="utf-8").split("\n") if line]
    extra = tmp_path / "pos.txt"  # a third column after the tags: --columns 2
    extra.write_text("\n".join(f"{word} {tag} X" for word, tag in rows) + "\n", encoding="utf-8")
    db, out = tmp_path / "p.db", tmp_path / "out"
    assert main(["import", str(extra), "--format", "conll", "--db", str(db)]) == 1
    assert "pos.txt:1: tag 'X'" in capsys.readouterr().err
    assert main(["import", str(extra), "--columns", "2", "--db", str(tmp_path / "q.db")]) == 0
    assert f"kept {len(expected_entities(path)[0])} span(s)" in capsys.readouterr().out
    args = ["import", str(path), "--db", str(db), "--annotator", "anna", "--done"]
    assert main(args) == 0
    assert f"kept {len(expected_entities(path)[0])} span(s)" in capsys.readouterr().out
    args = ["export", "--db", str(db), "--format", "conll", "--columns", "2", "--out", str(out)]
    assert main(args) == 0
    (written,) = out.glob("*.conll")
    assert written.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_iob1_comes_back_as_iob1(tmp_path: Path) -> None:
    path = tmp_path / "iob1.conll"
    rows = ["Minsk I-LOC", "Moskau B-LOC", "und O", "Kit I-PER", "Kellogg I-PER"]
    path.write_text("-DOCSTART- -X- -X- O\n\n" + "\n".join(rows) + "\n\n", encoding="utf-8")
    out = import_and_export(path, tmp_path, ExportOptions())
    assert (out / "all.conll").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    (tmp_path / "x").mkdir()
    out = import_and_export(path, tmp_path / "x", ExportOptions(tags="iob2"))
    as_iob2 = (out / "all.conll").read_text(encoding="utf-8").split("\n")
    assert as_iob2[2:4] == ["Minsk B-LOC", "Moskau B-LOC"] and "Kit B-PER" in as_iob2


GERMEVAL_DEV = ROOT / ".." / "shared" / "data" / "ner-de" / "germeval2014-dev.tsv"


def test_germeval_dev_outer_entities_with_columns_3() -> None:
    """A real CoNLL-style file with token numbers, # comment lines and a nested-entity column:
    --columns 3 reads the outer entities, every one of them, per sentence."""
    sentences: list[list[str]] = [[]]
    comments = 0
    for line in GERMEVAL_DEV.read_text(encoding="utf-8").split("\n"):
        cols = line.split("\t")
        if not line.strip():
            sentences.append([])
        elif cols[0] == "#":
            comments += 1
        else:
            sentences[-1].append(cols[2])
    expected = sum(len(get_entities(tags)) for tags in sentences if tags)
    labels = {t[2:] for tags in sentences for t in tags if t != "O"}
    scheme = LabelScheme(
        labels=tuple(
            Label(name=n, kind=SpanKind.ENTITY, color="#aabbcc", key=chr(0x4E00 + i))
            for i, n in enumerate(sorted(labels))
        )
    )
    (record,) = read(GERMEVAL_DEV, ReadContext(scheme, ReadOptions(columns=3)))
    assert isinstance(record, Record)
    assert len(record.spans) == expected
    assert len(record.doc.meta["sentences"]) == sum(1 for tags in sentences if tags)
    assert record.kept["CoNLL comment line(s)"] == comments


def test_add_labels_takes_the_files_own_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = INTEROP / "conll" / "spacy-test_cli-conll_ner.conll"
    db = tmp_path / "p.db"
    assert main(["import", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    first = next(n for n, x in enumerate(path.read_text().split("\n"), 1) if "-GPE" in x)
    assert f"{path}:{first}: unknown label 'GPE'" in err and "--add-labels" in err
    assert main(["import", str(path), "--db", str(db), "--add-labels"]) == 0
    assert f"kept {sum(len(d) for d in expected_entities(path))} span(s)" in capsys.readouterr().out
    with Store.open(db) as store:
        assert "GPE" in store.scheme


def test_a_label_with_a_space_goes_out_quoted_and_comes_back(tmp_path: Path) -> None:
    """INCEpTION's reference TSV has labels such as "NE 0": a CoNLL tag column cannot hold the
    space, so it is written as %20 and read back as a space."""
    from annotator.formats import WHOLE, Context, ExportReport, Outputs
    from annotator.formats.conll import write
    from annotator.formats.webanno import read as read_tsv

    tsv = INTEROP / "inception" / "webanno-tsv3-reference.tsv"
    body = [line for line in tsv.read_text(encoding="utf-8").split("\n") if line[:1].isdigit()]
    in_order = [line.split("\t")[3] for line in body]  # one named entity per token here
    values = set(in_order)
    scheme = LabelScheme.model_construct(  # labels with spaces, as INCEpTION allows them
        name="t",
        labels=tuple(
            Label.model_construct(
                name=v, kind=SpanKind.ENTITY, color="#aabbcc", key="", guideline=""
            )
            for v in sorted(values)
        ),
    )
    (record,) = read_tsv(tsv, ReadContext(scheme))
    assert isinstance(record, Record)
    ctx = Context(scheme, ExportOptions(columns=2), (WHOLE,))
    with Outputs(tmp_path) as out:
        write([(WHOLE, record.doc, record.spans)], out, ctx, ExportReport("conll", tmp_path))
        out.commit()
    (written,) = tmp_path.glob("*.conll")
    rows = [line.split(" ") for line in written.read_text(encoding="utf-8").split("\n") if line]
    assert all(len(r) == 2 for r in rows)
    assert [unquote_label(r[1][2:]) for r in rows] == in_order
    assert any("%20" in r[1] for r in rows)
    (back,) = read(written, ReadContext(scheme))
    assert isinstance(back, Record)
    assert [(s.start, s.end, s.label) for s in back.spans] == [
        (s.start, s.end, s.label) for s in record.spans
    ]
