"""Label Studio JSON: its export in, a file it imports out.

There is no Label Studio file in ``../shared/interop``; ``fixtures/labelstudio_export.json``
follows Label Studio's documented export shape (see ``fixtures/README.md`` for where each part of
the shape comes from). Expected counts are computed here from the file with plain Python, and the
output is checked by Label Studio's import rules: a list of tasks with ``data``, ``annotations``
(each a ``result`` list) and ``predictions``; text regions whose ``value.text`` is the text at
``value.start``-``value.end`` in code points; relations whose ``from_id``/``to_id`` name regions of
the same result.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from annotator.cli import main
from annotator.corpus import import_paths
from annotator.formats import export
from annotator.formats.registry import detect
from annotator.model import DocStatus, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "labelstudio_export.json"


def tasks(path: Path = EXPORT) -> list[dict[str, Any]]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, list)
    return loaded


def imported_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    usable = [a for a in task["annotations"] if not a["was_cancelled"]]
    truth = [a for a in usable if a["ground_truth"]]
    return (truth or usable or [None])[0]


def regions(result: list[dict[str, Any]]) -> set[tuple[int, int, str]]:
    return {
        (r["value"]["start"], r["value"]["end"], label)
        for r in result
        if r["type"] == "labels"
        for label in r["value"]["labels"]
    }


def test_the_export_is_detected_by_its_suffix() -> None:
    found = detect(EXPORT)
    assert found is not None and found.name == "labelstudio"


def test_annotations_predictions_and_cancelled_tasks_arrive(tmp_path: Path) -> None:
    rows = tasks()
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [EXPORT], annotator="anna")
        assert store.count_documents() == len(rows)
        for task in rows:
            doc_id = str(task["id"])
            doc = store.document(doc_id)
            assert doc.text == task["data"]["text"]
            chosen = imported_annotation(task)
            decided = {s.key for s in store.decisions(doc_id, "anna")}
            statuses = {s.status for s in store.decisions(doc_id, "anna")}
            assert decided == (regions(chosen["result"]) if chosen else set())
            assert statuses <= {SpanStatus.ACCEPTED}
            predicted = {
                (*key, p["model_version"])
                for p in task["predictions"]
                for key in regions(p["result"])
            }
            assert {(*s.key, s.origin) for s in current_suggestions(store, doc_id)} == predicted
            state = store.doc_state(doc_id, "anna").status
            if chosen is not None:
                assert state == DocStatus.DONE
            elif task["annotations"]:
                assert state == DocStatus.SKIPPED
            else:
                assert state == DocStatus.TODO
            if chosen is not None:
                by_id = {r["id"]: r for r in chosen["result"] if r["type"] == "labels"}
                want = Counter()
                for r in chosen["result"]:
                    if r["type"] != "relation":
                        continue
                    head, tail = by_id[r["from_id"]], by_id[r["to_id"]]
                    if r["direction"] == "left":
                        head, tail = tail, head
                    for role in r["labels"] or ["related"]:
                        want[
                            (
                                head["value"]["start"],
                                tail["value"]["start"],
                                role,
                            )
                        ] += 1
                spans = {s.id: s for s in store.decisions(doc_id, "anna")}
                got = Counter(
                    (spans[r.head].start, spans[r.tail].start, r.role)
                    for r in store.relations(doc_id, "anna")
                )
                assert got == want
    other = sum(
        1
        for t in rows
        for a in t["annotations"]
        if not a["was_cancelled"] and a is not imported_annotation(t)
    )
    summary = report.summary()
    assert f"{other} Label Studio annotation(s) of further annotators" in summary
    assert "Label Studio relation(s) without a label" in summary


def test_a_choices_result_is_kept_in_meta_and_written_back(tmp_path: Path) -> None:
    rows = tasks()
    choices = [
        (t["id"], r)
        for t in rows
        for a in t["annotations"]
        if a is imported_annotation(t)
        for r in a["result"]
        if r["type"] == "choices"
    ]
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [EXPORT], annotator="anna")
        for task_id, result in choices:
            meta = store.document(str(task_id)).meta["labelstudio"]
            assert result in meta["other_results"]


def test_what_goes_out_is_label_studios_import_shape(tmp_path: Path) -> None:
    rows = {t["id"]: t for t in tasks()}
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [EXPORT], annotator="anna")
        export(
            store,
            "labelstudio",
            tmp_path / "out",
            annotator="anna",
            status="any",
            include_suggestions=True,
        )
    out = tasks(tmp_path / "out" / "all.json")
    config = (tmp_path / "out" / "labeling_config.xml").read_text(encoding="utf-8")
    assert '<Labels name="label" toName="text">' in config
    assert len(out) == len(rows)
    for task in out:
        original = rows[task["id"]]
        text = task["data"]["text"]
        assert text == original["data"]["text"]
        assert {k: v for k, v in task["data"].items() if k != "text"} == {
            k: v for k, v in original["data"].items() if k != "text"
        }
        chosen = imported_annotation(original)
        for annotation in task.get("annotations", []):
            result = annotation["result"]
            labelled = {r["id"]: r for r in result if r["type"] == "labels"}
            for r in labelled.values():
                assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
            for r in result:
                if r["type"] == "relation":
                    assert r["from_id"] in labelled and r["to_id"] in labelled
            if chosen is None:
                assert annotation["was_cancelled"] and not labelled
                continue
            assert regions(result) == regions(chosen["result"])
            # Region ids and control names come back as Label Studio gave them.
            original_ids = {r["id"] for r in chosen["result"] if r["type"] == "labels"}
            assert set(labelled) == original_ids
        # Predictions the annotator decided are no longer suggestions: they went out above.
        decided = regions(chosen["result"]) if chosen else set()
        predicted = {key for p in original["predictions"] for key in regions(p["result"])} - decided
        assert {
            key for p in task.get("predictions", []) for key in regions(p["result"])
        } == predicted


def test_utf16_offsets_of_older_versions_are_converted(tmp_path: Path) -> None:
    text = "Treffen 🇧🇾 in Minsk und Moskau."  # UTF-16 offsets fit, but cut elsewhere
    start = text.index("Minsk")
    utf16 = len(text[:start].encode("utf-16-le")) // 2
    task = {
        "id": 7,
        "data": {"text": text},
        "annotations": [
            {
                "id": 1,
                "result": [
                    {
                        "value": {
                            "start": utf16,
                            "end": utf16 + 5,
                            "text": "Minsk",
                            "labels": ["LOC"],
                        },
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                    }
                ],
                "was_cancelled": False,
                "ground_truth": False,
            }
        ],
        "predictions": [],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [path], annotator="anna")
        assert [s.key for s in store.decisions("7", "anna")] == [(start, start + 5, "LOC")]
    assert "1 Label Studio span(s) with UTF-16 offsets" in report.summary()


def test_text_key_names_another_data_field(tmp_path: Path, capsys: Any) -> None:
    task = {"id": 3, "data": {"body": "Gipfel in Genf"}, "annotations": [], "predictions": []}
    path = tmp_path / "t.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    db = tmp_path / "p.db"
    assert main(["import", "--db", str(db), str(path)]) == 1
    err = capsys.readouterr().err
    assert f'{path}:1: task 1: no "text" text in data (text fields: body' in err
    assert main(["import", "--db", str(db), "--text-key", "body", str(path)]) == 0
    with Store.open(db) as store:
        assert store.document("3").text == "Gipfel in Genf"


def test_a_project_goes_to_label_studio_and_comes_back(tmp_path: Path) -> None:
    from annotator.model import Document, Relation, Span, SpanKind

    text = "Lukaschenko traf Kellogg in Minsk."
    with Store.open(tmp_path / "first.db") as first:
        first.add_documents([Document(id="art-1", text=text, source="a.txt")])
        first.replace_decisions(
            "art-1",
            "anna",
            add=[
                Span(start=0, end=11, label="PER", status=SpanStatus.ACCEPTED),
                Span(
                    start=12,
                    end=16,
                    label="MEETING",
                    kind=SpanKind.EVENT,
                    status=SpanStatus.ACCEPTED,
                ),
                Span(start=28, end=33, label="ORG", status=SpanStatus.REJECTED),
            ],
            action="test",
        )
        ids = {s.label: s.id for s in first.decisions("art-1", "anna")}
        first.add_relation(
            "art-1", "anna", Relation(head=ids["MEETING"], tail=ids["PER"], role="participant")
        )
        state = first.doc_state("art-1", "anna")
        first.set_doc_state(state.model_copy(update={"status": DocStatus.DONE}))
        export(first, "labelstudio", tmp_path / "out", annotator="anna")
    config = (tmp_path / "out" / "labeling_config.xml").read_text(encoding="utf-8")
    assert '<Relation value="participant"/>' in config
    with Store.open(tmp_path / "second.db") as second:
        import_paths(second, [tmp_path / "out" / "all.json"], annotator="anna")
        assert second.document("art-1").text == text
        # Label Studio has no rejections: the accepted spans and the relation come back.
        assert {s.key for s in second.decisions("art-1", "anna")} == {
            (0, 11, "PER"),
            (12, 16, "MEETING"),
        }
        (relation,) = second.relations("art-1", "anna")
        labels = {s.id: s.label for s in second.decisions("art-1", "anna")}
        assert (labels[relation.head], labels[relation.tail], relation.role) == (
            "MEETING",
            "PER",
            "participant",
        )
        assert second.doc_state("art-1", "anna").status == DocStatus.DONE
