"""brat standoff on the files brat itself ships (the news tutorial and CoNLL-2002 in standoff).

Expected counts are computed here from the ``.ann`` files with a few lines of plain Python; what
the export writes is read back the way brat reads it: the ``.txt`` with universal newlines
(``Path.read_text``), so ``\\r\\n`` counts as one character in an offset.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.formats.brat import RESERVED_KEYS, scheme
from annotator.model import SpanKind
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

INTEROP = Path(__file__).resolve().parents[2] / ".." / "shared" / "interop"
BRAT = INTEROP / "brat"
COLLECTIONS = [BRAT / "news", BRAT / "conll02"]


def ann_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ann"))


def test_the_samples_are_there() -> None:
    assert len(ann_files(BRAT / "news")) == 13
    assert len(ann_files(BRAT / "conll02")) == 20


# ---- brat's reading rules, independently of our reader ---------------------------------------


def parse_ann(ann: Path) -> dict[str, Any]:
    """An ``.ann`` file as structures that do not depend on its ids: every annotation named by
    what it is (type, offsets, text), as brat would show it."""
    lines = [line for line in ann.read_text(encoding="utf-8").split("\n") if line.strip()]
    tb: dict[str, tuple[str, tuple[tuple[int, int], ...], str]] = {}
    raw_events: dict[str, list[str]] = {}
    raw_rel: dict[str, list[str]] = {}
    rest: list[tuple[str, str]] = []
    for line in lines:
        ident, body = line.split("\t", 1)
        if ident.startswith("T"):
            head, text = body.split("\t", 1)
            label, where = head.split(" ", 1)
            frags = tuple((int(a), int(b)) for a, b in (f.split() for f in where.split(";")))
            tb[ident] = (label, frags, text)
        elif ident.startswith("E"):
            raw_events[ident] = body.split()
        elif ident.startswith("R"):
            raw_rel[ident] = body.split()
        else:
            rest.append((ident, body))

    def name(ref: str) -> Any:
        if ref in tb:
            return ("T", tb[ref])
        if ref in raw_events:
            return ("E", tb[raw_events[ref][0].split(":")[1]])
        if ref in raw_rel:
            t, a1, a2 = raw_rel[ref]
            return ("R", t, name(a1.split(":")[1]), name(a2.split(":")[1]))
        raise AssertionError(f"{ann}: dangling reference {ref}")

    events = Counter()
    for fields in raw_events.values():
        etype, trigger = fields[0].split(":")
        args = tuple((role, name(ref)) for role, ref in (a.split(":") for a in fields[1:]))
        events[(etype, tb[trigger], args)] += 1
    relations = Counter(
        (t, a1.split(":")[0], name(a1.split(":")[1]), a2.split(":")[0], name(a2.split(":")[1]))
        for t, a1, a2 in raw_rel.values()
    )
    attributes: Counter[Any] = Counter()
    notes: Counter[Any] = Counter()
    norms: Counter[Any] = Counter()
    equivs: Counter[Any] = Counter()
    for ident, body in rest:
        if ident[0] in "AM":
            f = body.split()
            attributes[(f[0], name(f[1]), f[2] if len(f) > 2 else None)] += 1
        elif ident[0] == "#":
            head, text = body.split("\t", 1)
            t, target = head.split()
            notes[(t, name(target), text)] += 1
        elif ident[0] == "N":
            head, text = body.split("\t", 1)
            t, target, ref = head.split()
            norms[(t, name(target), ref, text)] += 1
        elif ident[0] == "*":
            f = body.split()
            equivs[(f[0], frozenset(name(r) for r in f[1:]))] += 1
    return {
        "T": Counter(tb.values()),
        "E": events,
        "R": relations,
        "A": attributes,
        "#": notes,
        "N": norms,
        "*": equivs,
    }


def counts(folder: Path) -> Counter[str]:
    """How many annotations of each kind the ``.ann`` files hold, by their first character,
    plus the event arguments and the distinct text-bound spans (type and outer offsets)."""
    out: Counter[str] = Counter()
    for ann in ann_files(folder):
        spans: set[tuple[str, int, int]] = set()
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            ident, body = line.split("\t", 1)
            kind = "A" if ident[0] == "M" else ident[0]
            out[kind] += 1
            if kind == "E":
                out["args"] += len(body.split()) - 1
            if kind == "T":
                label, where = body.split("\t")[0].split(" ", 1)
                nums = [int(n) for n in re.split("[ ;]", where)]
                spans.add((label, min(nums), max(nums)))
                out["fragmented"] += ";" in where
        out["distinct T"] += len(spans)
    return out


def expected_roles(folder: Path) -> Counter[str]:
    """Relation types, and event roles without brat's number of a repeated role (Org-Arg2)."""
    out: Counter[str] = Counter()
    for ann in ann_files(folder):
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("R"):
                out[line.split("\t")[1].split()[0]] += 1
            elif line.startswith("E"):
                for arg in line.split("\t")[1].split()[1:]:
                    out[re.sub(r"(?<=\D)([2-9]|[1-9][0-9]+)$", "", arg.split(":")[0])] += 1
    return out


def brat_reads_back(folder: Path) -> None:
    """Every T line's text is the text at its offsets in the .txt read with universal newlines."""
    for ann in ann_files(folder):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                head, covered = line.split("\t")[1:]
                where = head.split(" ", 1)[1]
                pieces = [text[int(a) : int(b)] for a, b in (f.split() for f in where.split(";"))]
                assert " ".join(pieces) == covered, (ann.name, line)


# ---- import ------------------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


@pytest.mark.parametrize("folder", COLLECTIONS, ids=lambda p: p.name)
def test_import_with_an_annotator_keeps_every_annotation(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    code, out = run(["import", "--db", str(db), str(folder), "--annotator", "anna"], capsys)
    assert code == 0, out
    expected = counts(folder)
    with Store.open(db, create=False) as store:
        assert store.count_documents() == len(ann_files(folder))
        spans = relations = 0
        roles: Counter[str] = Counter()
        for doc_id in store.document_ids():
            doc = store.document(doc_id)
            txt = next(folder.rglob(f"{doc_id}.txt"))
            assert doc.text == txt.read_bytes().decode("utf-8")  # byte-exact
            decided = store.decisions(doc_id, "anna")
            spans += len(decided)
            relations += len(store.relations(doc_id, "anna"))
            roles.update(r.role for r in store.relations(doc_id, "anna"))
            for span in decided:
                assert span.covered(doc.text).strip() == span.covered(doc.text)
            meta = doc.meta.get("brat", {})
            assert doc.meta["format"] == "brat"
            for key, kind in (("attributes", "A"), ("notes", "#"), ("normalizations", "N")):
                assert isinstance(meta.get(key, []), list), kind
    assert spans == expected["distinct T"]
    assert relations == expected["args"] + expected["R"]
    assert roles == expected_roles(folder)
    summary = out.strip().splitlines()[-1]
    assert f"kept {expected['distinct T']} span(s), {relations} relation(s)" in summary
    for kind, name in (("A", "attribute"), ("#", "note"), ("N", "normalisation")):
        if expected[kind]:
            assert f"{expected[kind]} brat {name}(s)" in summary
        else:
            assert f"brat {name}" not in summary
    if expected["*"]:
        assert f"{expected['*']} brat equivalence(s)" in summary


@pytest.mark.parametrize("folder", COLLECTIONS, ids=lambda p: p.name)
def test_import_without_an_annotator_gives_suggestions_and_counts_the_rest(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    code, out = run(["import", "--db", str(db), str(folder)], capsys)
    assert code == 0, out
    expected = counts(folder)
    with Store.open(db, create=False) as store:
        suggested = sum(len(current_suggestions(store, d)) for d in store.document_ids())
        assert store.annotators() == []
    assert suggested == expected["distinct T"]
    linked = expected["args"] + expected["R"]
    if linked:
        assert f"{linked} relation(s): relations are an annotator's work" in out


def test_every_text_bound_span_covers_its_text(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db", scheme=scheme([BRAT / "news"])) as store:
        from annotator.corpus import import_paths

        import_paths(store, [BRAT / "news"], annotator="anna")
        for ann in ann_files(BRAT / "news"):
            text = store.document(ann.stem).text
            lines = [ln for ln in ann.read_text(encoding="utf-8").splitlines() if ln[:1] == "T"]
            stored = {(s.label, s.covered(text)) for s in store.decisions(ann.stem, "anna")}
            for line in lines:
                label = line.split("\t")[1].split(" ")[0]
                assert (label, line.split("\t")[2]) in stored


# ---- the label scheme from annotation.conf -------------------------------------------------------


def conf_types(conf: Path) -> tuple[list[str], list[str]]:
    section, entities, events = "", [], []
    for line in conf.read_text(encoding="utf-8").splitlines():
        word = line.strip().split()[0] if line.strip() else ""
        if not word or word[0] in "#<!":
            continue
        if word.startswith("["):
            section = word
        elif section == "[entities]":
            entities.append(word)
        elif section == "[events]":
            events.append(word)
    return entities, events


def test_the_scheme_comes_from_annotation_conf() -> None:
    news = scheme([BRAT / "news"])
    assert news is not None
    entities, events = conf_types(BRAT / "news" / "annotation.conf")
    assert [lab.name for lab in news.of_kind(SpanKind.ENTITY)] == entities
    assert [lab.name for lab in news.of_kind(SpanKind.EVENT)] == events
    keys = [lab.key for lab in news.labels]
    assert len(set(keys)) == len(keys) and not set(keys) & RESERVED_KEYS
    # kb_shortcuts.conf: "P person", "O Organization", ...
    for line in (BRAT / "news" / "kb_shortcuts.conf").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            match = [lab for lab in news.labels if lab.name.lower() == parts[1].lower()]
            assert match and match[0].key == parts[0].lower()
    # visual.conf: "Person\tbgColor:#FF821C"
    visual = (BRAT / "news" / "visual.conf").read_text(encoding="utf-8")
    for name, colour in re.findall(r"^(\w+)\s+bgColor:(#[0-9A-Fa-f]{6})", visual, re.M):
        label = news.get(name)
        assert label is not None and label.color == colour.lower()
    assert len({lab.color for lab in news.labels}) == len(news.labels)
    merge = news.get("Merge-org")
    assert merge is not None and "Org-Arg+" in merge.guideline
    # conll02: the conf is in the parent of esp/ and ned/, where brat looks it up too.
    sub = scheme([BRAT / "conll02" / "esp"])
    entities, events = conf_types(BRAT / "conll02" / "annotation.conf")
    assert sub is not None and sub.names == entities and not events


def test_event_arguments_of_annotation_conf_become_roles_with_their_fillers() -> None:
    conf = (BRAT / "news" / "annotation.conf").read_text(encoding="utf-8")
    macros = dict(re.findall(r"^(<\w+>)=(.+)$", conf, re.M))
    events_part = conf.split("[events]", 1)[1].split("[attributes]", 1)[0]
    news = scheme([BRAT / "news"])
    assert news is not None
    checked = 0
    for line in events_part.splitlines():
        if line.startswith("#") or ":" not in line or line.lstrip().startswith("<"):
            continue
        name, rest = line.split(None, 1)
        label = news.get(name)
        assert label is not None
        expected: dict[str, set[str]] = {}
        for arg in rest.split(","):
            role, types = arg.strip().split(":")
            role = re.sub(r"(\{[\d,-]*\}|[?*+])$", "", role)
            for macro, value in macros.items():
                types = types.replace(macro, value)
            if types == "<EVENT>":
                types = "|".join(lab.name for lab in news.of_kind(SpanKind.EVENT))
            expected.setdefault(role, set()).update(types.split("|"))
        assert {r.name: set(r.fillers) for r in label.roles} == expected
        keys = [r.key for r in label.roles]
        assert len(set(keys)) == len(keys) and not {"j", "k"} & set(keys)
        checked += 1
    assert checked == len(news.of_kind(SpanKind.EVENT))
    # A role of a scheme from brat is usable at once: Die's Agent-Arg may be an Organization.
    news.check_argument("Die", "Agent-Arg", "Organization")


# ---- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", COLLECTIONS, ids=lambda p: p.name)
def test_round_trip_gives_back_the_same_annotations(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    code, msg = run(
        ["import", "--db", str(db), str(folder), "--annotator", "anna", "--done"], capsys
    )
    assert code == 0, msg
    code, msg = run(["export", "--db", str(db), "--format", "brat", "--out", str(out)], capsys)
    assert code == 0, msg
    assert "left out" not in msg
    brat_reads_back(out)
    for ann in ann_files(folder):
        written = out / ann.name
        assert written.with_suffix(".txt").read_bytes() == ann.with_suffix(".txt").read_bytes()
        theirs, ours = parse_ann(ann), parse_ann(written)
        # brat numbers repeated roles (Org-Arg, Org-Arg2): the argument lists match as written.
        for kind in ("T", "E", "R", "A", "#", "N", "*"):
            assert ours[kind] == theirs[kind], (ann.name, kind)


def test_a_crlf_document_round_trips_with_brat_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same .ann is right for the .txt with \\r\\n line ends (brat counts \\r\\n once)."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BRAT / "news" / "annotation.conf", src)
    names = ["000-introduction", "090-event_structures", "110-note_annotation"]
    for name in names:
        text = (BRAT / "news" / f"{name}.txt").read_bytes()
        assert b"\r" not in text and text.count(b"\n") > 3
        (src / f"{name}.txt").write_bytes(text.replace(b"\n", b"\r\n"))
        shutil.copy(BRAT / "news" / f"{name}.ann", src)
    brat_reads_back(src)  # the input is right by brat's rules
    db, out = tmp_path / "p.db", tmp_path / "out"
    code, msg = run(["import", "--db", str(db), str(src), "--annotator", "anna", "--done"], capsys)
    assert code == 0, msg
    with Store.open(db, create=False) as store:
        for name in names:
            doc = store.document(name)
            assert "\r\n" in doc.text
            covered = {(s.label, s.covered(doc.text)) for s in store.decisions(name, "anna")}
            for t in parse_ann(src / f"{name}.ann")["T"]:
                assert (t[0], t[2]) in covered
    code, msg = run(["export", "--db", str(db), "--format", "brat", "--out", str(out)], capsys)
    assert code == 0, msg
    brat_reads_back(out)
    for name in names:
        assert (out / f"{name}.txt").read_bytes() == (src / f"{name}.txt").read_bytes()
        assert parse_ann(out / f"{name}.ann") == parse_ann(src / f"{name}.ann")


def test_discontinuous_spans_keep_their_fragments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BRAT / "news" / "annotation.conf", src)
    text = "Larry and Sergey Page met in\r\nCalifornia.\n"
    (src / "d.txt").write_bytes(text.encode("utf-8"))
    seen = text.replace("\r\n", "\n")
    a, b = seen.index("Larry"), seen.index("Page")
    c = seen.index("California")
    (src / "d.ann").write_text(
        f"T1\tPerson {a} {a + 5};{b} {b + 4}\tLarry Page\n"
        f"T2\tGPE {c} {c + 10}\tCalifornia\n"
        "A1\tIndividual T1\n",
        encoding="utf-8",
    )
    db, out = tmp_path / "p.db", tmp_path / "out"
    code, msg = run(["import", "--db", str(db), str(src), "--annotator", "anna", "--done"], capsys)
    assert code == 0, msg
    assert "1 brat discontinuous span(s)" in msg
    with Store.open(db, create=False) as store:
        spans = {s.label: s for s in store.decisions("d", "anna")}
        assert spans["Person"].covered(text) == "Larry and Sergey Page"  # the outer span
        assert spans["GPE"].covered(text) == "California"  # after \r\n: two characters ours
        frags = store.document("d").meta["brat"]["fragments"]
        assert frags == [[0, len("Larry and Sergey Page"), "Person", [[0, 5], [17, 21]]]]
    code, msg = run(["export", "--db", str(db), "--format", "brat", "--out", str(out)], capsys)
    assert code == 0, msg
    assert parse_ann(out / "d.ann") == parse_ann(src / "d.ann")


# ---- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        ("T1\tPerson 0 5\tLarry\nT2\tPerson 3 999\tx\n", "do not fit the text"),
        ("T1\tPerson 0 5\tSomeone\n", "is not the text at 0 5"),
        ("T1\tNobody 0 5\tLarry\n", "unknown label 'Nobody'"),
        ("T1\tPerson 0 5\tLarry\nR1\tFamily Arg1:T1 Arg2:T9\n", "T9 is not an annotation"),
        ("T1\tPerson 0 5\tLarry\nX1\tfoo\n", "unknown annotation id 'X1'"),
        ("T1\tPerson 0 5\tLarry\nE1\tMerge-org:T1\n", "differs from its trigger"),
    ],
)
def test_bad_ann_is_refused_with_file_and_line(
    ann: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BRAT / "news" / "annotation.conf", src)
    (src / "good.txt").write_text("Larry Page.\n", encoding="utf-8")
    (src / "good.ann").write_text("T1\tPerson 0 10\tLarry Page\n", encoding="utf-8")
    (src / "bad.txt").write_text("Larry Page.\n", encoding="utf-8")
    (src / "bad.ann").write_text(ann, encoding="utf-8")
    line = ann.count("\n")
    db = tmp_path / "p.db"
    code, msg = run(["import", "--db", str(db), str(src), "--annotator", "anna"], capsys)
    assert code == 1
    assert f"bad.ann:{line}: " in msg and message in msg
    assert "nothing was imported" in msg
    with Store.open(db, create=False) as store:
        assert store.count_documents() == 0


def test_an_ann_without_its_txt_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lonely.ann").write_text("T1\tPerson 0 5\tLarry\n", encoding="utf-8")
    code, msg = run(
        ["import", "--db", str(tmp_path / "p.db"), str(tmp_path / "lonely.ann")], capsys
    )
    assert code == 1 and "lonely.ann: no lonely.txt beside it" in msg


# ---- what the export cannot write ----------------------------------------------------------------


def test_features_whose_span_is_gone_are_left_out_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    news = BRAT / "news"
    code, msg = run(["import", "--db", str(db), str(news), "--annotator", "anna", "--done"], capsys)
    assert code == 0, msg
    original = parse_ann(news / "000-introduction.ann")
    # The span the attributes, the normalisation and a relation point at: "former Mexican
    # president" (T5 in the file).
    gone = next(t for t in original["T"] if t[2] == "former Mexican president")
    pointing = [a for a in original["A"] if a[1] == ("T", gone)]
    assert pointing and original["N"]
    with Store.open(db, create=False) as store:
        doc = "000-introduction"
        span = next(
            s
            for s in store.decisions(doc, "anna")
            if s.covered(store.document(doc).text) == gone[2]
        )
        store.replace_decisions(doc, "anna", remove=[span], action="test")
    code, msg = run(["export", "--db", str(db), "--format", "brat", "--out", str(out)], capsys)
    assert code == 0, msg
    left_out = [ln for ln in msg.splitlines() if ln.startswith("000-introduction: brat")]
    assert len(left_out) == len(pointing) + len(original["N"])
    ours = parse_ann(out / "000-introduction.ann")
    assert ours["A"] == original["A"] - Counter({a: 1 for a in pointing})
    assert not ours["N"]
    assert ours["#"] == original["#"]  # the note's span is still there


def test_brat_types_cannot_hold_a_space() -> None:
    from annotator.formats import ExportError
    from annotator.formats.brat import check_types
    from annotator.model import Label, LabelScheme

    spaced = Label.model_construct(
        name="Named Entity", kind=SpanKind.ENTITY, color="#ffffff", key="n", guideline=""
    )
    plain = Label(name="PER", kind=SpanKind.ENTITY, color="#ffffff", key="p")
    with pytest.raises(ExportError, match="'Named Entity'"):
        check_types(LabelScheme.model_construct(name="s", labels=(plain, spaced)))
    check_types(LabelScheme(name="s", labels=(plain,)))


def test_format_brat_on_a_txt_reads_the_ann_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    txt = BRAT / "news" / "000-introduction.txt"
    db = tmp_path / "p.db"
    code, msg = run(
        ["import", "--db", str(db), "--format", "brat", str(txt), "--annotator", "anna"], capsys
    )
    assert code == 0, msg
    ann = txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines()
    expected = {ln.split("\t")[1] for ln in ann if ln.startswith("T")}  # type and offsets
    with Store.open(db, create=False) as store:
        assert len(store.decisions("000-introduction", "anna")) == len(expected) > 0
    lonely = tmp_path / "lonely.txt"
    lonely.write_text("Text without annotations.\n", encoding="utf-8")
    code, msg = run(["import", "--db", str(db), "--format", "brat", str(lonely)], capsys)
    assert code == 1 and "lonely.txt: no lonely.ann beside it" in msg


def test_only_standoff_input_takes_its_scheme_from_annotation_conf(tmp_path: Path) -> None:
    shutil.copy(BRAT / "news" / "annotation.conf", tmp_path)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("Nur Text.\n", encoding="utf-8")
    assert scheme([plain]) is None
    standoff = tmp_path / "standoff"
    standoff.mkdir()
    (standoff / "b.txt").write_text("Larry Page.\n", encoding="utf-8")
    (standoff / "b.ann").write_text("T1\tPerson 0 10\tLarry Page\n", encoding="utf-8")
    found = scheme([standoff])
    assert found is not None and "Person" in found


def test_events_sharing_a_trigger_are_merged_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BRAT / "news" / "annotation.conf", src)
    text = "Google merged YouTube and DoubleClick.\n"
    (src / "m.txt").write_text(text, encoding="utf-8")
    spans = {w: text.index(w) for w in ("Google", "merged", "YouTube", "DoubleClick")}
    lines = [
        f"T{n}\t{'Merge-org' if w == 'merged' else 'Organization'} {a} {a + len(w)}\t{w}"
        for n, (w, a) in enumerate(spans.items(), start=1)
    ]
    lines += ["E1\tMerge-org:T2 Org-Arg:T1 Org-Arg2:T3", "E2\tMerge-org:T2 Org-Arg:T4"]
    (src / "m.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"
    code, msg = run(["import", "--db", str(db), str(src), "--annotator", "anna"], capsys)
    assert code == 0, msg
    assert "1 brat event(s) sharing their trigger with another event (arguments merged)" in msg
    with Store.open(db, create=False) as store:
        assert sorted(r.role for r in store.relations("m", "anna")) == ["Org-Arg"] * 3


def test_a_byte_order_mark_counts_as_a_character_for_brat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BRAT / "news" / "annotation.conf", src)
    text = "Larry Page lebt in\r\nKalifornien.\n"
    (src / "b.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    seen = "\ufeff" + text.replace("\r\n", "\n")  # what brat reads: the mark is a character
    a, c = seen.index("Larry"), seen.index("Kalifornien")
    (src / "b.ann").write_text(
        f"T1\tPerson {a} {a + 10}\tLarry Page\nT2\tGPE {c} {c + 11}\tKalifornien\n",
        encoding="utf-8",
    )
    db = tmp_path / "p.db"
    code, msg = run(["import", "--db", str(db), str(src), "--annotator", "anna"], capsys)
    assert code == 0, msg
    with Store.open(db, create=False) as store:
        doc = store.document("b")
        assert doc.text == text and doc.meta["bom"] == "utf-8"
        assert {s.covered(doc.text) for s in store.decisions("b", "anna")} == {
            "Larry Page",
            "Kalifornien",
        }
