"""Our own JSONL: export a project, import it into a fresh one, and nothing is lost.

A property test builds random projects (decisions accepted and rejected, relations between
them, document statuses, flags, comments, meta, suggestions of a model) and checks that the
second project's decisions, relations, states, suggestions and documents equal the first's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import import_paths
from annotator.formats import export
from annotator.formats.registry import detect
from annotator.model import (
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Relation,
    Span,
    SpanStatus,
)
from annotator.store import Store
from annotator.suggest.combine import current_suggestions
from tests.unit.test_review_adjudicate import build_review_project
from tests.unit.test_review_gold_export import _reviewed_project_on

SCHEME = LabelScheme.load()
TEXTS = (
    "Kit Kellogg reiste nach Minsk, um Lukaschenko zu treffen.",
    "Die Sanktionen gegen Belarus wurden nach dem Telefonat gelockert.\r\nNeue Zeile.",
    "Gespräche in Genf: Nato und EU verhandeln über die Ukraine 🇺🇦.",
)
ORIGINS = ("manual", "builtin-de", "import", "memory")


@st.composite
def projects(draw: st.DrawFn) -> list[dict[str, Any]]:
    docs = []
    for i, text in enumerate(draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3))):
        spans: dict[tuple[int, int, str], Span] = {}
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, min(len(text), start + 20)))
            label = draw(st.sampled_from(SCHEME.labels))
            span = Span(
                start=start,
                end=end,
                label=label.name,
                kind=label.kind,
                status=draw(st.sampled_from([SpanStatus.ACCEPTED, SpanStatus.REJECTED])),
                origin=draw(st.sampled_from(ORIGINS)),
                origin_version=draw(st.sampled_from(["", "v1"])),
                score=draw(st.one_of(st.none(), st.floats(0, 1, allow_nan=False))),
            )
            spans[span.key] = span
        n = len(spans)
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))),
                max_size=4 if n else 0,
            )
        )
        suggestions = [
            Span(start=s, end=s + 3, label="LOC", score=0.5, origin="builtin-de")
            for s in draw(st.lists(st.integers(0, len(text) - 3), max_size=3, unique=True))
        ]
        docs.append(
            {
                "id": f"doc-{i}",
                "text": text + " " * i,  # distinct texts, distinct documents
                "meta": draw(
                    st.dictionaries(
                        st.sampled_from(["url", "author", "tags", "n"]),
                        st.one_of(st.text(max_size=8), st.integers(), st.lists(st.booleans())),
                        max_size=3,
                    )
                ),
                "spans": list(spans.values()),
                "relations": [
                    (a, b, draw(st.sampled_from(["participant", "place"])))
                    for a, b in pairs
                    if a != b
                ],
                "status": draw(st.sampled_from(list(DocStatus))),
                "flagged": draw(st.booleans()),
                "comment": draw(st.text(max_size=12)),
                "suggestions": suggestions,
            }
        )
    return docs


def build(store: Store, docs: list[dict[str, Any]]) -> None:
    for d in docs:
        store.add_documents(
            [Document(id=d["id"], text=d["text"], source=f"{d['id']}.txt", meta=d["meta"])]
        )
        if d["suggestions"]:
            store.save_suggestions([(d["id"], d["suggestions"])], origin="builtin-de", version="v1")
        if d["spans"]:
            store.replace_decisions(d["id"], "anna", add=d["spans"], action="test")
        ids = {s.key: s.id for s in store.decisions(d["id"], "anna")}
        keys = [s.key for s in d["spans"]]
        for a, b, role in d["relations"]:
            relation = Relation(head=ids[keys[a]], tail=ids[keys[b]], role=role)
            if (relation.head, relation.tail, role) not in {
                (r.head, r.tail, r.role) for r in store.relations(d["id"], "anna")
            }:
                store.add_relation(d["id"], "anna", relation)
        state = store.doc_state(d["id"], "anna")
        store.set_doc_state(
            DocState(
                doc_id=d["id"],
                annotator="anna",
                status=d["status"],
                flagged=d["flagged"],
                comment=d["comment"],
                revision=state.revision,
            )
        )


def snapshot(store: Store) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for doc in store.iter_documents():
        decided = store.decisions(doc.id, "anna")
        by_id = {s.id: s.key for s in decided}
        state = store.doc_state(doc.id, "anna")
        out[doc.id] = {
            "document": (doc.text, doc.hash, doc.source, doc.meta),
            "decisions": sorted(
                (s.start, s.end, s.label, s.kind, s.status, s.origin, s.origin_version, s.score)
                for s in decided
            ),
            "relations": sorted(
                (by_id[r.head], by_id[r.tail], r.role) for r in store.relations(doc.id, "anna")
            ),
            "state": (state.status, state.flagged, state.comment),
            "suggestions": sorted(
                (s.start, s.end, s.label, s.origin, s.score)
                for s in current_suggestions(store, doc.id)
            ),
        }
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(docs=projects())
def test_a_jsonl_export_imports_into_a_fresh_project_unchanged(
    tmp_path_factory: Any, docs: list[dict[str, Any]]
) -> None:
    tmp = tmp_path_factory.mktemp("jsonl")
    with Store.open(tmp / "first.db") as first:
        build(first, docs)
        before = snapshot(first)
        export(
            first, "jsonl", tmp / "out", annotator="anna", status="any", include_suggestions=True
        )
    exported = tmp / "out" / "all.jsonl"
    assert detect(exported) is not None and detect(exported).name == "jsonl"  # type: ignore[union-attr]
    with Store.open(tmp / "second.db") as second:
        report = import_paths(second, [exported], annotator="anna")
        after = snapshot(second)
    assert after == before
    assert report.rejected == sum(
        1 for d in docs for s in d["spans"] if s.status == SpanStatus.REJECTED
    )


def test_done_comes_back_done_and_relations_come_back(tmp_path: Path) -> None:
    """The two losses of the old JSONL, on one small project."""
    docs = [
        {
            "id": "d1",
            "text": TEXTS[0],
            "meta": {"url": "https://example.org/1"},
            "spans": [
                Span(start=0, end=11, label="PER", status=SpanStatus.ACCEPTED),
                Span(start=12, end=18, label="VISIT", kind="event", status=SpanStatus.ACCEPTED),
                Span(start=24, end=29, label="LOC", status=SpanStatus.REJECTED),
            ],
            "relations": [(1, 0, "participant")],
            "status": DocStatus.DONE,
            "flagged": True,
            "comment": "Reise oder Besuch?",
            "suggestions": [],
        }
    ]
    with Store.open(tmp_path / "first.db") as first:
        build(first, docs)
        export(first, "jsonl", tmp_path / "out", annotator="anna")
    (line,) = [json.loads(x) for x in (tmp_path / "out" / "all.jsonl").read_text().splitlines()]
    assert line["status"] == "done" and line["relations"] == [
        {"head": 1, "tail": 0, "role": "participant"}
    ]
    with Store.open(tmp_path / "second.db") as second:
        import_paths(second, [tmp_path / "out" / "all.jsonl"], annotator="anna")
        state = second.doc_state("d1", "anna")
        assert (state.status, state.flagged, state.comment) == (
            DocStatus.DONE,
            True,
            "Reise oder Besuch?",
        )
        (relation,) = second.relations("d1", "anna")
        keys = {s.id: (s.label, s.status) for s in second.decisions("d1", "anna")}
        assert keys[relation.head] == ("VISIT", SpanStatus.ACCEPTED)
        assert keys[relation.tail] == ("PER", SpanStatus.ACCEPTED)
        assert (24, 29, "LOC", SpanStatus.REJECTED) in {
            (*s.key, s.status) for s in second.decisions("d1", "anna")
        }


def test_a_gold_export_imports_as_an_annotators_work(tmp_path: Path) -> None:
    with Store.open(tmp_path / "first.db") as first:
        build_review_project(first)
        _reviewed_project_on(first)
        reviewed = first.reviewed_documents()
        gold = {
            d: sorted((*s.key, s.status) for s in first.gold_spans(d, include_rejected=True))
            for d in reviewed
        }
        export(first, "jsonl", tmp_path / "out", gold=True)
    with Store.open(tmp_path / "second.db") as second:
        import_paths(second, [tmp_path / "out" / "all.jsonl"], annotator="gold")
        for d in reviewed:
            assert sorted((*s.key, s.status) for s in second.decisions(d, "gold")) == gold[d]
            assert second.doc_state(d, "gold").status == DocStatus.DONE


def test_a_suggestion_the_annotator_accepted_comes_back_as_a_suggestion_too(
    tmp_path: Path,
) -> None:
    """The model's run is part of the project: with --include-suggestions a suggestion that was
    also accepted is written beside the decision, so the second project has both."""
    text = TEXTS[0]
    minsk = text.index("Minsk")
    suggested = [
        Span(start=0, end=11, label="PER", score=0.9, origin="builtin-de"),
        Span(start=minsk, end=minsk + 5, label="LOC", score=0.5, origin="builtin-de"),
    ]
    docs = [
        {
            "id": "d1",
            "text": text,
            "meta": {},
            "spans": [Span(start=minsk, end=minsk + 5, label="LOC", status=SpanStatus.ACCEPTED)],
            "relations": [],
            "status": DocStatus.IN_PROGRESS,
            "flagged": False,
            "comment": "",
            "suggestions": suggested,
        }
    ]
    with Store.open(tmp_path / "first.db") as first:
        build(first, docs)
        before = snapshot(first)
        export(
            first,
            "jsonl",
            tmp_path / "out",
            annotator="anna",
            include_suggestions=True,
            status="any",
        )
    with Store.open(tmp_path / "second.db") as second:
        import_paths(second, [tmp_path / "out" / "all.jsonl"], annotator="anna")
        after = snapshot(second)
    assert {(s[0], s[1], s[2]) for s in after["d1"]["suggestions"]} == {
        (s.start, s.end, s.label) for s in suggested
    }
    assert after == before


def test_integers_beyond_64_bits_in_meta_come_back_exact(tmp_path: Path) -> None:
    """orjson, the fast path of the JSON readers, reads integers outside 64 bits as floats;
    such lines must take the standard library's exact path (found by the property test above:
    ``{"url": -9223372036854775809}`` came back as ``-9.223372036854776e+18``)."""
    from annotator.formats.jsonlines import values

    meta = {"small": 5, "low": -(2**63) - 1, "high": 2**64, "huge": 2**70, "edge": 2**63 - 1}
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": "Hallo Welt.", "meta": meta}) + "\n", encoding="utf-8")
    read = [v for v in values(path) if isinstance(v, tuple)]
    assert len(read) == 1
    got = read[0][1]["meta"]
    assert got == meta and all(isinstance(v, int) for v in got.values())
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [path], annotator="anna")
        (doc,) = list(store.iter_documents())
        kept = {key: doc.meta[key] for key in meta}  # the reader adds its own keys beside
        assert kept == meta and all(isinstance(v, int) for v in kept.values())
