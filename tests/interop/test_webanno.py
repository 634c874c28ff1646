"""WebAnno TSV 3 in and out: INCEpTION's reference file checked against the same annotation as
UIMA XMI (parsed here with xml.etree), a round trip, and what we write read back by INCEpTION's
rules (text rebuilt from #Text at the first token's UTF-16 offset, [N] ties cells together)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from annotator.cli import main
from annotator.corpus import import_paths
from annotator.formats import WHOLE, Context, ExportOptions, ExportReport, Outputs
from annotator.formats.reading import ReadContext, ReadOptions, Record
from annotator.formats.registry import detect
from annotator.formats.webanno import NAMED_ENTITY, read, write
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

ROOT = Path(__file__).resolve().parents[2]
INCEPTION = ROOT / ".." / "shared" / "interop" / "inception"
TSV = INCEPTION / "webanno-tsv3-reference.tsv"
XMI = INCEPTION / "reference.xmi"


def cp_of_utf16(text: str) -> dict[int, int]:
    out, u = {}, 0
    for i, c in enumerate(text):
        out[u] = i
        u += 2 if ord(c) > 0xFFFF else 1
    out[u] = len(text)
    return out


def xmi_reference() -> tuple[str, list[tuple[int, int, str]], list[list[int]], list[list[int]]]:
    """The sofa text, the named entities, tokens and sentences of the XMI (code points)."""
    root = ET.parse(XMI).getroot()
    sofa = next(e for e in root.iter() if e.tag.endswith("Sofa"))
    text = sofa.attrib["sofaString"]
    to_cp = cp_of_utf16(text)

    def of(kind: str) -> list[ET.Element]:
        return [e for e in root.iter() if e.tag.endswith("}" + kind)]

    def pos(e: ET.Element) -> list[int]:
        return [to_cp[int(e.attrib["begin"])], to_cp[int(e.attrib["end"])]]

    entities = [(pos(e)[0], pos(e)[1], e.attrib["value"]) for e in of("NamedEntity")]
    return text, entities, [pos(e) for e in of("Token")], [pos(e) for e in of("Sentence")]


def scheme_of(labels: set[str]) -> LabelScheme:
    """A scheme with the given labels (labels with spaces, as INCEpTION allows, are built
    without the name check the label model applies to hand-written schemes)."""
    return LabelScheme.model_construct(
        name="test",
        labels=tuple(
            Label.model_construct(
                name=n, kind=SpanKind.ENTITY, color="#aabbcc", key=chr(97 + i), guideline=""
            )
            for i, n in enumerate(sorted(labels))
        ),
    )


def read_like_inception(path: Path) -> tuple[str, list[tuple[int, int, str]]]:
    """Text and named entities of a TSV file by INCEpTION's rules, in code points."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("#FORMAT=WebAnno TSV 3")
    header = [line for line in lines[1:] if line.startswith("#T_")]
    assert len(header) == 1 and header[0].startswith("#T_SP=")
    value_at = 3 + header[0].split("|")[1:].index("value")
    body = lines[1 + len(header) :]
    assert body[:2] == ["", ""]  # two blank lines end the header
    text, pending, first = "", [], True
    ents: dict[str, list[int | str]] = {}
    for line in body[2:]:
        if line.startswith("#Text="):
            pending.append(line[6:])
            continue
        if not line:
            first = True
            continue
        fields = line.split("\t")
        begin, end = (int(x) for x in fields[1].split("-"))
        if first:
            u16 = len(text.encode("utf-16-le")) // 2
            if u16 > begin:
                text = text[:-1]
            text += " " * (begin - len(text.encode("utf-16-le")) // 2)
            text += "\n".join(pending) + "\n"
            pending, first = [], False
        if fields[value_at] == "_":
            continue
        for n, value in enumerate(fields[value_at].split("|")):
            m = re.match(r"^(.*)\[(\d+)\]$", value)
            key = m.group(2) if m else f"{fields[0]}/{n}"
            label = m.group(1) if m else value
            if key in ents:
                ents[key][1] = end
            else:
                ents[key] = [begin, end, label]
    text = text[:-1]
    to_cp = cp_of_utf16(text)
    return text, sorted((to_cp[int(a)], to_cp[int(b)], str(lab)) for a, b, lab in ents.values())


def test_the_reference_file_holds_what_the_xmi_holds() -> None:
    found = detect(TSV)
    assert found is not None and found.name == "webanno"
    text, entities, tokens, sentences = xmi_reference()
    (record,) = read(TSV, ReadContext(scheme_of({v for _, _, v in entities})))
    assert isinstance(record, Record)
    assert record.doc.text == text
    assert sorted((s.start, s.end, s.label) for s in record.spans) == sorted(entities)
    assert record.doc.meta["tokens"] == tokens
    assert record.doc.meta["sentences"] == sentences


def test_the_reference_goes_out_and_back(tmp_path: Path) -> None:
    text, entities, _, _ = xmi_reference()
    scheme = scheme_of({v for _, _, v in entities})
    (record,) = read(TSV, ReadContext(scheme))
    assert isinstance(record, Record)
    report = ExportReport(format="webanno", out=tmp_path)
    ctx = Context(scheme, ExportOptions(), (WHOLE,))
    with Outputs(tmp_path) as out:
        write([(WHOLE, record.doc, record.spans)], out, ctx, report)
        out.commit()
    (written,) = tmp_path.glob("*.tsv")
    assert read_like_inception(written) == (text, sorted(entities))
    assert written.read_bytes() == TSV.read_bytes()  # back in the project's own span layer
    (back,) = read(written, ReadContext(scheme))
    assert isinstance(back, Record)
    assert back.doc.text == text and back.doc.meta["tokens"] == record.doc.meta["tokens"]
    assert sorted((s.start, s.end, s.label) for s in back.spans) == sorted(entities)


def test_stacked_multi_token_spans_sub_tokens_and_other_layers(tmp_path: Path) -> None:
    lines = [
        "#FORMAT=WebAnno TSV 3.3",
        "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS|PosValue",
        "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|identifier|value",
        "",
        "",
        "#Text=Kit Kellogg 👋 in Minsk\\tMoskau",
        "1-1\t0-3\tKit\tNE\t*[1]|*[2]\tPER[1]|MISC[2]\t",
        "1-2\t4-11\tKellogg\tNE\t*[1]\tPER[1]\t",
        "1-3\t12-14\t👋\t_\t_\t_\t",
        "1-4\t15-17\tin\tAPPR\t_\t_\t",
        "1-5\t18-30\tMinsk\\tMoskau\tNE\t_\t_\t",
        "1-5.1\t18-23\tMinsk\t_\t*\tLOC\t",
        "",
        "#Text=Ende",
        "2-1\t31-35\tEnde\tNN\t*\tORG\t",
        "",
    ]
    path = tmp_path / "stacked.tsv"
    path.write_text("\n".join(lines), encoding="utf-8")
    text, expected = read_like_inception_any(path)
    (record,) = read(path, ReadContext(LabelScheme.load()))
    assert isinstance(record, Record)
    assert record.doc.text == text
    assert sorted((s.start, s.end, s.label) for s in record.spans) == expected
    pos_cells = sum(1 for line in lines if line[:1].isdigit() and line.split("\t")[3] != "_")
    assert record.kept["WebAnno POS annotation(s)"] == pos_cells
    assert record.doc.meta["webanno"]["layers"]


def read_like_inception_any(path: Path) -> tuple[str, list[tuple[int, int, str]]]:
    """As :func:`read_like_inception` for a file whose NE layer is the second, with its value in
    the sixth field, and sub-token lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    text, pending, first = "", [], True
    ents: dict[str, list[int | str]] = {}
    for line in lines[5:]:
        if line.startswith("#Text="):
            pending.append(line[6:].replace("\\t", "\t"))
            continue
        if not line:
            first = True
            continue
        fields = line.split("\t")
        begin, end = (int(x) for x in fields[1].split("-"))
        if first:
            if len(text.encode("utf-16-le")) // 2 > begin:
                text = text[:-1]
            text += " " * (begin - len(text.encode("utf-16-le")) // 2)
            text += "\n".join(pending) + "\n"
            pending, first = [], False
        if fields[5] == "_":
            continue
        for n, value in enumerate(fields[5].split("|")):
            m = re.match(r"^(.*)\[(\d+)\]$", value)
            key = m.group(2) if m else f"{fields[0]}/{n}"
            if key in ents:
                ents[key][1] = end
            else:
                ents[key] = [begin, end, m.group(1) if m else value]
    text = text[:-1]
    to_cp = cp_of_utf16(text)
    return text, sorted((to_cp[int(a)], to_cp[int(b)], str(lab)) for a, b, lab in ents.values())


def test_a_project_goes_out_in_utf16_offsets_and_comes_back(tmp_path: Path) -> None:
    text = "Treffen 👋 in Minsk mit Kit Kellogg.\n\nDann Moskau."
    with Store.open(tmp_path / "p.db") as store:
        store.add_documents([Document(id="d/1", text=text)])
        spans = [
            Span(
                start=text.index(w),
                end=text.index(w) + len(w),
                label=lab,
                status=SpanStatus.ACCEPTED,
            )
            for w, lab in [("Minsk", "LOC"), ("Kit Kellogg", "PER"), ("Moskau", "LOC")]
        ]
        store.replace_decisions("d/1", "anna", add=spans, action="test")
        store.set_doc_state(DocState(doc_id="d/1", annotator="anna", status=DocStatus.DONE))
    args = ["export", "--db", str(tmp_path / "p.db"), "--format", "webanno"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    (written,) = (tmp_path / "out").glob("*.tsv")
    header = written.read_text(encoding="utf-8").split("\n")[1]
    assert header == f"#T_SP={NAMED_ENTITY}|identifier|value"
    got_text, got = read_like_inception(written)
    assert got_text.replace("\n", " ") == text.replace("\n", " ")  # the gap between sentences
    want = sorted((s.start, s.end, s.label) for s in spans)
    assert got == want
    line = next(x for x in written.read_text(encoding="utf-8").split("\n") if "\tMinsk\t" in x)
    begin = int(line.split("\t")[1].split("-")[0])
    assert begin == len(text[: text.index("Minsk")].encode("utf-16-le")) // 2 != text.index("Minsk")
    with Store.open(tmp_path / "q.db") as fresh:
        report = import_paths(fresh, [written], annotator="anna")
        (doc_id,) = fresh.document_ids()
        back = fresh.decisions(doc_id, "anna")
        assert report.spans == len(spans)
        assert sorted((s.start, s.end, s.label) for s in back) == want


def test_a_custom_span_layer_brings_its_labels_with_add_labels(tmp_path: Path) -> None:
    lines = TSV.read_text(encoding="utf-8").split("\n")
    path = tmp_path / "custom.tsv"  # the reference file with labels the scheme can hold
    path.write_text("\n".join(re.sub(r"\tNE (\d)\t$", r"\tStadt\1\t", x) for x in lines))
    wanted = sum(1 for x in lines if re.search(r"\tNE \d\t$", x))
    (kept,) = read(path, ReadContext(LabelScheme.load()))
    assert isinstance(kept, Record) and kept.spans == []
    assert kept.kept["WebAnno Span annotation(s)"] == wanted
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [path], options=ReadOptions(add_labels=True))
        assert report.spans == wanted
        assert {f"Stadt{i}" for i in range(wanted)} <= set(store.scheme.names)
