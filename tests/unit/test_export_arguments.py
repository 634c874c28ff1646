"""Event arguments in the spaCy export: filler spans in doc.spans["args"], every argument in
doc.user_data, read back from the DocBin."""

from __future__ import annotations

from pathlib import Path

from annotator.formats import export
from annotator.formats.spacy_ import ARGS_KEY, arguments_of
from annotator.model import DocStatus, Document, Span, SpanKind
from annotator.session import Session
from annotator.store import Store

TEXT = "Kellogg traf Lukaschenko am Freitag in Minsk zu einem Treffen."


def at(word: str, label: str) -> Span:
    start = TEXT.index(word)
    kind = SpanKind.EVENT if label == "MEETING" else SpanKind.ENTITY
    return Span(start=start, end=start + len(word), label=label, kind=kind)


def test_arguments_go_into_the_docbin_and_come_back(store: Store, tmp_path: Path) -> None:
    store.add_documents([Document(id="d", text=TEXT)])
    session = Session(store, "anna")
    spans = {
        w: at(w, lab)
        for w, lab in [
            ("Treffen", "MEETING"),
            ("Kellogg", "PER"),
            ("Lukaschenko", "PER"),
            ("Minsk", "LOC"),
            ("Freitag", "DATE"),
        ]
    }
    for s in spans.values():
        session.execute(session.add("d", s.start, s.end, s.label))
    view = {s.key: s for s in session.spans("d")}
    trigger = view[spans["Treffen"].key]
    wanted = [
        ("participant", "Kellogg"),
        ("participant", "Lukaschenko"),
        ("place", "Minsk"),
        ("time", "Freitag"),
    ]
    for role, word in wanted:
        session.execute(session.add_argument("d", trigger, view[spans[word].key], role))
    session.execute(session.set_status("d", DocStatus.DONE))
    export(store, "spacy", tmp_path / "out", annotator="anna")

    import spacy
    from spacy.tokens import DocBin

    (doc,) = DocBin().from_disk(tmp_path / "out" / "all.spacy").get_docs(spacy.blank("de").vocab)
    got = sorted((s.label_, s.text) for s in doc.spans[ARGS_KEY])
    assert got == sorted(wanted)
    back = arguments_of(doc)
    assert sorted((role, doc.text[a[0] : a[1]], a[2]) for _t, role, a in back) == sorted(
        (role, word, spans[word].label) for role, word in wanted
    )
    assert {t for t, _r, _a in back} == {trigger.key}
    assert doc.text[trigger.start : trigger.end] == "Treffen"
