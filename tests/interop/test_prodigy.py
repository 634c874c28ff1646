"""Prodigy JSONL on the files Prodigy wrote (explosion/prodigy-recipes example datasets).

Expected counts are computed here from each file with a few lines of plain Python (a task's
``answer`` judges its spans; a span's own ``answer`` wins), never with our reader. What the export
writes is read back by Prodigy's rules: an ``accept`` task's spans are its annotation, a
``reject`` task says its spans are wrong, tokens are the spans' boundaries.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.corpus import import_paths
from annotator.formats import export
from annotator.formats.reading import ReadOptions
from annotator.formats.registry import detect
from annotator.model import DocStatus, LabelScheme, SpanKind, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

INTEROP = Path(__file__).resolve().parents[2] / ".." / "shared" / "interop"
PRODIGY = INTEROP / "prodigy"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REDDIT = PRODIGY / "annotated_reddit-PRODUCT-ner.jsonl"
HEADLINES = PRODIGY / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
BIO = PRODIGY / "bio_events.jsonl"
TEXTCAT = PRODIGY / "annotated_github-issues-DOCUMENTATION-textcat.jsonl"
RAW = PRODIGY / "news_headlines.jsonl"
SPANS_AND_TEXTCAT = PRODIGY / "span-and-textcat-examples.jsonl"
REL = FIXTURES / "prodigy_rel_manual.jsonl"
ADD = ReadOptions(add_labels=True)


def tasks(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def expected_judgements(path: Path) -> dict[tuple[Any, int, int, str], str]:
    """Per (input, start, end, label): the judgement the file gives the span. A span's own
    answer wins over its task's; ignored spans count for nothing; of several judgements of the
    same span a rejection wins."""
    out: dict[tuple[Any, int, int, str], str] = {}
    for t in tasks(path):
        key = t.get("_input_hash", t["text"])
        for s in t.get("spans", []):
            answer = s.get("answer", t.get("answer"))
            if answer == "ignore":
                continue
            k = (key, s["start"], s["end"], s["label"])
            if answer == "reject" or k not in out:
                out[k] = answer or "none"
    return out


def all_decisions(store: Store, annotator: str) -> Counter[SpanStatus]:
    return Counter(s.status for d in store.document_ids() for s in store.decisions(d, annotator))


def test_every_sample_is_there_and_detected_as_prodigy() -> None:
    files = sorted(PRODIGY.glob("*.jsonl"))
    assert len(files) == 6
    for path in [*files, REL]:
        found = detect(path)
        assert found is not None and found.name == "prodigy", path.name


# ---- ner.teach: one span per task, many tasks per text ---------------------------------------


def test_ner_teach_answers_become_accepted_rejected_and_nothing(tmp_path: Path) -> None:
    rows = tasks(REDDIT)
    answers = Counter(t["answer"] for t in rows)
    assert answers["reject"] > 1000 and answers["ignore"] > 50  # the file is what it was
    judged = expected_judgements(REDDIT)
    inputs = {t["_input_hash"] for t in rows}
    done = {t["_input_hash"] for t in rows if t["answer"] == "accept"}
    only_ignored = inputs - {t["_input_hash"] for t in rows if t["answer"] != "ignore"}
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [REDDIT], annotator="anna", options=ADD)
        statuses = all_decisions(store, "anna")
        states = Counter(store.doc_state(d, "anna").status for d in store.document_ids())
        assert store.count_documents() == len(inputs)
        assert store.scheme.kind_of("PRODUCT") == SpanKind.ENTITY
    assert statuses[SpanStatus.ACCEPTED] == sum(1 for a in judged.values() if a == "accept")
    assert statuses[SpanStatus.REJECTED] == sum(1 for a in judged.values() if a == "reject")
    assert states[DocStatus.DONE] == len(done) == report.done
    assert states[DocStatus.SKIPPED] == len(only_ignored)
    summary = report.summary()
    assert f"{answers['ignore']} ignored Prodigy task(s)" in summary
    assert f"{len(rows)} Prodigy task(s)" in summary
    assert "added 1 label(s) to the scheme: PRODUCT (entity" in summary


def test_no_rejected_or_ignored_span_comes_back_accepted(tmp_path: Path) -> None:
    rows = tasks(REDDIT)
    judged = expected_judgements(REDDIT)
    wrong = {k for k, a in judged.items() if a == "reject"}
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [REDDIT], annotator="anna", options=ADD)
        export(store, "prodigy", tmp_path / "out", annotator="anna", status="all")
        rejected = all_decisions(store, "anna")[SpanStatus.REJECTED]
    out = tasks(tmp_path / "out" / "all.jsonl")
    accepted_out = {
        (t["_input_hash"], s["start"], s["end"], s["label"])
        for t in out
        if t.get("answer") == "accept"
        for s in t["spans"]
    }
    assert not accepted_out & wrong
    assert accepted_out == {k for k, a in judged.items() if a == "accept"}
    rejects = [t for t in out if t.get("answer") == "reject"]
    assert len(rejects) == rejected == len(wrong)
    assert all(len(t["spans"]) == 1 for t in rejects)
    # The input hashes are Prodigy's own, so the tasks join the original dataset.
    assert {t["_input_hash"] for t in out} <= {t["_input_hash"] for t in rows}


def test_without_an_annotator_only_the_unrejected_spans_are_offered(tmp_path: Path) -> None:
    judged = expected_judgements(REDDIT)
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [REDDIT], options=ADD)
        offered = sum(len(current_suggestions(store, d)) for d in store.document_ids())
    assert offered == sum(1 for a in judged.values() if a == "accept")
    assert f"{sum(1 for a in judged.values() if a == 'reject')} rejected span(s)" in (
        report.summary()
    )


# ---- ner.manual with tokens ------------------------------------------------------------------


def test_ner_manual_keeps_tokens_hashes_and_goes_out_on_the_same_tokens(tmp_path: Path) -> None:
    rows = tasks(HEADLINES)
    by_hash = {t["_input_hash"]: t for t in rows}
    spans_in = sum(len(t.get("spans", [])) for t in rows if t["answer"] == "accept")
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [HEADLINES], annotator="anna", options=ADD)
        assert all_decisions(store, "anna")[SpanStatus.ACCEPTED] == spans_in == report.accepted
        for doc in store.iter_documents():
            original = by_hash[doc.meta["prodigy"]["_input_hash"]]
            assert doc.meta["tokens"] == [[t["start"], t["end"]] for t in original["tokens"]]
        export(store, "prodigy", tmp_path / "out", annotator="anna", status="all")
    out = tasks(tmp_path / "out" / "all.jsonl")
    accepted = [t for t in out if t.get("answer") == "accept"]
    assert len(accepted) == sum(1 for t in rows if t["answer"] == "accept")
    for task in accepted:
        original = by_hash[task["_input_hash"]]
        assert [(t["start"], t["end"]) for t in task["tokens"]] == [
            (t["start"], t["end"]) for t in original["tokens"]
        ]
        want = sorted(
            (s["start"], s["end"], s["token_start"], s["token_end"], s["label"])
            for s in original.get("spans", [])
        )
        got = sorted(
            (s["start"], s["end"], s["token_start"], s["token_end"], s["label"])
            for s in task["spans"]
        )
        assert got == want
        # Untouched: the task is the one Prodigy wrote, hashes and view included.
        assert task["_task_hash"] == original["_task_hash"]
        assert task["_view_id"] == original["_view_id"]


def test_an_ignored_ner_manual_task_is_a_skipped_document(tmp_path: Path) -> None:
    ignored = [t for t in tasks(HEADLINES) if t["answer"] == "ignore"]
    assert ignored
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [HEADLINES], annotator="anna", options=ADD)
        skipped = [
            store.document(d).text
            for d in store.document_ids()
            if store.doc_state(d, "anna").status == DocStatus.SKIPPED
        ]
        assert sorted(skipped) == sorted(t["text"] for t in ignored)
        assert all(
            not store.decisions(d, "anna")
            for d in store.document_ids()
            if store.document(d).text in skipped
        )


# ---- spans without answers, raw input, text categories --------------------------------------


def test_spans_without_answer_are_offered_without_judgement(tmp_path: Path) -> None:
    rows = tasks(BIO)
    unique = {(t["text"], s["start"], s["end"], s["label"]) for t in rows for s in t["spans"]}
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [BIO], options=ADD)
        offered = sum(len(current_suggestions(store, d)) for d in store.document_ids())
        assert store.count_documents() == len({t["text"] for t in rows})
    assert offered == len(unique)
    with Store.open(tmp_path / "q.db") as store:
        report = import_paths(store, [BIO], annotator="anna", options=ADD)
        # No answer: the annotator's spans, but nobody said the documents are done.
        assert report.accepted == len(unique) and report.done == 0


def test_raw_input_lines_fold_by_text(tmp_path: Path) -> None:
    rows = tasks(RAW)
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [RAW])
        assert store.count_documents() == len({t["text"] for t in rows}) < len(rows)
        sources = {store.document(d).source for d in store.document_ids()}
    assert sources == {t["meta"]["source"] for t in rows}
    lines = [line for line in SPANS_AND_TEXTCAT.read_text(encoding="utf-8").splitlines() if line]
    with Store.open(tmp_path / "q.db") as store:
        import_paths(store, [SPANS_AND_TEXTCAT])
        assert store.count_documents() == len(lines)


def test_text_categories_are_kept_in_meta_and_counted_never_spans(tmp_path: Path) -> None:
    rows = tasks(TEXTCAT)
    assert all("spans" not in t and isinstance(t["label"], str) for t in rows)
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [TEXTCAT], annotator="anna")
        assert all(not store.decisions(d, "anna") for d in store.document_ids())
        kept = Counter()
        for doc in store.iter_documents():
            for task in doc.meta["prodigy"]["tasks"]:
                kept[(task["label"], task["answer"])] += 1
    assert kept == Counter((t["label"], t["answer"]) for t in rows)
    assert f"{len(rows)} Prodigy text-category answer(s)" in report.summary()
    assert report.spans == 0 and report.done == 0


def test_text_category_tasks_go_back_as_they_came(tmp_path: Path) -> None:
    rows = tasks(TEXTCAT)
    with Store.open(tmp_path / "p.db") as store:
        import_paths(store, [TEXTCAT], annotator="anna")
        export(store, "prodigy", tmp_path / "out", annotator="anna", status="any")
    out = tasks(tmp_path / "out" / "all.jsonl")
    # Every task, the ignored ones too (their documents are skipped, and "any" takes them).
    assert sorted(json.dumps(t, sort_keys=True) for t in out) == sorted(
        json.dumps(t, sort_keys=True) for t in rows
    )


# ---- rel.manual relations --------------------------------------------------------------------


def test_rel_manual_relations_in_and_out(tmp_path: Path) -> None:
    rows = tasks(REL)
    accepted = [t for t in rows if t["answer"] == "accept"]
    with_spans = [
        r for t in accepted for r in t["relations"] if r["head_span"]["label"] is not None
    ]
    on_tokens = [r for t in accepted for r in t["relations"] if r["head_span"]["label"] is None]
    with Store.open(tmp_path / "p.db") as store:
        report = import_paths(store, [REL], annotator="anna")
        assert report.relations == len(with_spans)
        assert f"{len(on_tokens)} Prodigy relation(s) between tokens" in report.summary()
        refused = sum(len(t["relations"]) for t in rows if t["answer"] == "reject")
        assert f"{refused} relation(s) of rejected Prodigy tasks" in report.summary()
        # The rejected task's relation is not an accepted relation...
        rejected = [t for t in rows if t["answer"] == "reject"]
        for t in rejected:
            (doc_id,) = [d for d in store.document_ids() if store.document(d).text == t["text"]]
            assert {s.status for s in store.decisions(doc_id, "anna")} == {SpanStatus.REJECTED}
        export(store, "prodigy", tmp_path / "out", annotator="anna", status="all")
    out = [t for t in tasks(tmp_path / "out" / "all.jsonl") if t.get("answer") == "accept"]

    def shape(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            r["head"],
            r["child"],
            r["label"],
            r["head_span"]["start"],
            r["head_span"]["end"],
            r["head_span"]["label"],
            r["child_span"]["start"],
            r["child_span"]["end"],
            r["child_span"]["label"],
        )

    assert sorted(shape(r) for t in out for r in t.get("relations", [])) == sorted(
        shape(r) for r in with_spans
    )
    for t in out:
        for r in t.get("relations", []):
            # Prodigy's head/child are the token index of each side's last token.
            assert r["head"] == r["head_span"]["token_end"]
            assert t["tokens"][r["child"]]["end"] == r["child_span"]["end"]


# ---- labels the scheme lacks -----------------------------------------------------------------


def test_unknown_labels_are_refused_with_file_line_and_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    assert main(["import", "--db", str(db), str(HEADLINES)]) == 1
    err = capsys.readouterr().err
    first = next(
        i
        for i, t in enumerate(tasks(HEADLINES), start=1)
        if any(s["label"] not in ("ORG",) for s in t.get("spans", []))
    )
    assert f"{HEADLINES}:{first}: " in err
    assert "--add-labels" in err and "--scheme" in err
    with Store.open(db) as store:
        assert store.count_documents() == 0


def test_add_labels_keeps_the_old_labels_and_names_the_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    before = LabelScheme.load()
    assert main(["import", "--db", str(db), "--add-labels", str(HEADLINES)]) == 0
    printed = capsys.readouterr().out
    wanted = {s["label"] for t in tasks(HEADLINES) for s in t.get("spans", [])}
    new = sorted(wanted - set(before.names))
    with Store.open(db) as store:
        scheme = store.scheme
    assert scheme.labels[: len(before.labels)] == before.labels
    assert sorted(scheme.names[len(before.labels) :]) == new
    assert all(f"{name} (entity" in printed for name in new)
    keys = [label.key for label in scheme.labels if label.key]
    assert len(keys) == len(set(keys)) and not {"j", "k", "x", "a", "f", "c"} & set(keys)
    assert len({label.color for label in scheme.labels}) == len(scheme.labels)
