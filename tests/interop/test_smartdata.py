"""Smart Data (DFKI) events imported as events with arguments: counts against the file itself."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from annotator.corpus import import_paths
from annotator.formats import smartdata
from annotator.model import SpanKind, SpanStatus
from annotator.store import Store

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ner-de" / "smartdata"
FILE = DATA / "v1_20180119_test.json.gz"


def objects(path: Path) -> list[dict[str, Any]]:
    """The file's documents, parsed with the standard library alone."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = fh.read()
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
        if pos >= len(raw):
            return out
        obj, pos = decoder.raw_decode(raw, pos)
        out.append(obj)


def expected(docs: list[dict[str, Any]], label_of: Any, events_wanted: bool) -> dict[str, set[Any]]:
    """Entity spans, event spans and arguments by document text (same texts are one document)."""
    ents: set[Any] = set()
    events: set[Any] = set()
    args: set[Any] = set()
    for d in docs:
        text = d["text"]["string"]
        for m in d["conceptMentions"]["array"] if d.get("conceptMentions") else []:
            label = label_of(m["type"])
            if m["type"] != "trigger" and label:
                ents.add((text, m["span"]["start"], m["span"]["end"], label))
        for r in d["relationMentions"]["array"] if d.get("relationMentions") else []:
            triggers = sorted(
                (a["conceptMention"]["span"]["start"], a["conceptMention"]["span"]["end"])
                for a in r["args"]["array"]
                if a["role"] == "trigger"
            )
            if not triggers or not events_wanted:
                continue
            trigger = (*triggers[0], r["name"])
            events.add((text, *trigger))
            for a in r["args"]["array"]:
                m = a["conceptMention"]
                label = label_of(m["type"])
                if a["role"] == "trigger" or m["type"] == "trigger" or not label:
                    continue
                filler = (m["span"]["start"], m["span"]["end"], label)
                ents.add((text, *filler))
                args.add((text, trigger, a["role"], filler))
    return {"entities": ents, "events": events, "arguments": args}


def stored(store: Store) -> dict[str, set[Any]]:
    ents: set[Any] = set()
    events: set[Any] = set()
    args: set[Any] = set()
    for doc in store.iter_documents():
        for s in store.decisions(doc.id, "gold"):
            assert s.status == SpanStatus.ACCEPTED
            (events if s.kind == SpanKind.EVENT else ents).add((doc.text, *s.key))
        for a in store.arguments(doc.id, "gold"):
            args.add((doc.text, a.trigger, a.role, a.filler))
    return {"entities": ents, "events": events, "arguments": args}


def test_events_with_their_arguments_under_the_corpus_own_scheme(tmp_path: Path) -> None:
    docs = objects(FILE)
    scheme = smartdata.scheme([FILE])
    assert scheme is not None
    store = Store.open(tmp_path / "p.db", scheme=scheme)
    report = import_paths(store, [FILE], annotator="gold", fmt="smartdata")
    want = expected(docs, lambda t: t, events_wanted=True)
    got = stored(store)
    assert store.count_documents() == len({d["text"]["string"] for d in docs})
    assert len(got["events"]) == len(want["events"]) > 0
    assert len(got["arguments"]) == len(want["arguments"]) > 0
    assert got == want
    without_trigger = sum(
        1
        for d in docs
        for r in (d["relationMentions"]["array"] if d.get("relationMentions") else [])
        if not any(a["role"] == "trigger" for a in r["args"]["array"])
    )
    assert (
        report.set_aside["event(s) without a trigger (an event span needs one)"] == without_trigger
    )
    # every stored argument fits the scheme's roles: the scheme was made from the file
    for doc in store.iter_documents():
        for a in store.arguments(doc.id, "gold"):
            scheme.check_argument(a.trigger[2], a.role, a.filler[2])
    store.close()


def test_the_builtin_scheme_maps_entities_and_sets_events_aside(tmp_path: Path) -> None:
    docs = objects(FILE)
    store = Store.open(tmp_path / "p.db")
    report = import_paths(store, [FILE], annotator="gold", fmt="smartdata")
    want = expected(docs, smartdata.mapped_type, events_wanted=False)
    got = stored(store)
    assert got["entities"] == want["entities"] and got["events"] == set()
    with_trigger = sum(
        1
        for d in docs
        for r in (d["relationMentions"]["array"] if d.get("relationMentions") else [])
        if any(a["role"] == "trigger" for a in r["args"]["array"])
    )
    events_aside = sum(n for k, n in report.set_aside.items() if "no such event label" in k)
    assert events_aside == with_trigger
    store.close()


def test_a_broken_object_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    good = json.dumps({"id": "a", "text": {"string": "Stau auf der A9"}})
    path.write_text(good + '\n\n{"id": "b", \n  "text": }\n', encoding="utf-8")
    problems = [p for p in smartdata.read(path, _ctx()) if not hasattr(p, "doc")]
    assert len(problems) == 1 and problems[0].line == 4  # type: ignore[union-attr]


def _ctx() -> Any:
    from annotator.formats.reading import ReadContext
    from annotator.model import LabelScheme

    return ReadContext(scheme=LabelScheme.load())


@pytest.mark.parametrize("name", ["smartdata"])
def test_the_format_is_registered(name: str) -> None:
    from annotator.formats.registry import spec

    assert spec(name).load() is smartdata
