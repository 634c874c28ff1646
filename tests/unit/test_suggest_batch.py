"""Batch pre-annotation: resume, idempotence, JSONL out, through the real rule suggester."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from annotator import cli
from annotator.corpus import import_paths
from annotator.formats.prodigy import input_hash, write_suggestions_jsonl
from annotator.model import Span
from annotator.store import Store
from annotator.suggest import RuleSuggester
from annotator.suggest.batch import suggest_corpus, suggest_documents
from annotator.suggest.combine import current_suggestions


class Interrupted(Exception):
    pass


class StopsAfter:
    """The real rule suggester, interrupted after ``n`` texts (as a kill would)."""

    def __init__(self, inner: RuleSuggester, n: int) -> None:
        self.inner, self.n, self.seen = inner, n, 0
        self.name, self.version = inner.name, inner.version

    def suggest(
        self, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        for spans in self.inner.suggest(texts, batch_size=batch_size):
            if self.seen == self.n:
                raise Interrupted
            self.seen += 1
            yield spans


@pytest.fixture(scope="module")
def rules() -> RuleSuggester:
    return RuleSuggester()


@pytest.fixture
def corpus(tmp_path: Path, seeds_dir: Path) -> Store:
    lines = []
    for i in range(40):
        text = sorted(seeds_dir.glob("*.txt"))[i % 5].read_text(encoding="utf-8")
        lines.append(json.dumps({"id": f"d{i:02d}", "text": f"{text}\nKopie {i}"}))
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store.open(tmp_path / "p.db")
    import_paths(store, [tmp_path / "c.jsonl"])
    return store


def test_resume_after_interruption_and_idempotence(corpus: Store, rules: RuleSuggester) -> None:
    with pytest.raises(Interrupted):
        suggest_corpus(corpus, StopsAfter(rules, 25), commit_every=8, chunk_size=16)
    # Work committed before the interruption stays; the rest is still to do.
    done = corpus.count_documents() - corpus.count_documents_without_run(rules.name, rules.version)
    assert done == 24  # three commits of 8 before the 25th text
    report = suggest_corpus(corpus, rules, commit_every=8, chunk_size=16)
    assert report.documents == 40 - done
    assert report.already == done
    assert corpus.count_documents_without_run(rules.name, rules.version) == 0
    before = corpus.stats()["spans"]["suggested"]
    again = suggest_corpus(corpus, rules)
    assert (again.documents, again.spans) == (0, 0)
    assert corpus.stats()["spans"]["suggested"] == before
    # Every document got exactly one run, with spans equal to a fresh computation.
    fresh = next(rules.suggest([corpus.document("d07").text]))
    assert [s.key for s in current_suggestions(corpus, "d07")] == [s.key for s in fresh]


def test_events_found_in_seeds(corpus: Store, rules: RuleSuggester) -> None:
    suggest_corpus(corpus, rules)
    labels = {s.label for i in range(5) for s in current_suggestions(corpus, f"d{i:02d}")}
    assert {"MEETING", "PHONE_CALL", "RELEASE", "VISIT"} <= labels


def test_jsonl_out_is_prodigy_shape_and_reimports(
    corpus: Store, rules: RuleSuggester, tmp_path: Path
) -> None:
    suggest_corpus(corpus, rules)
    out = tmp_path / "out" / "s.jsonl"
    assert write_suggestions_jsonl(corpus, out) == 40
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["meta"]["id"] == "d00"
    # a Prodigy task written by the Prodigy writer: open (no answer), hashed, tokenized
    assert "answer" not in first and first["_input_hash"] == input_hash(first["text"])
    assert all(t["text"] == first["text"][t["start"] : t["end"]] for t in first["tokens"])
    span = first["spans"][0]
    assert first["text"][span["start"] : span["end"]]
    assert set(span) >= {"start", "end", "label", "kind", "score"}
    fresh = Store.open(None)
    import_paths(fresh, [out])
    assert [s.key for s in current_suggestions(fresh, "d00")] == [
        s.key for s in current_suggestions(corpus, "d00")
    ]


def test_cli_suggest_with_any_pipeline(
    corpus: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(corpus.path)
    corpus.close()
    args = [
        "suggest",
        "--db",
        db,
        "--model",
        "blank:de",
        "--events",
        "--name",
        "rules",
        "--quiet",
        "--limit",
        "10",
    ]
    assert cli.main(args) == 0
    assert "in 10 document(s)" in capsys.readouterr().out
    assert cli.main(args[:-2]) == 0
    assert "in 30 document(s)" in capsys.readouterr().out
    assert cli.main(args[:-2]) == 0
    assert "suggested 0 span(s) in 0 document(s)" in capsys.readouterr().out


def test_cli_suggest_bad_model_is_one_line(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "p.db")
    cli.main(["import", str(seeds_dir), "--db", db])
    assert cli.main(["suggest", "--db", db, "--model", "./no/such/pipeline"]) == 2
    assert "cannot load spaCy pipeline" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_suggest_uses_the_projects_retrained_model(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `annotator train` put a model into use, `annotator suggest` suggests with it."""
    import shutil

    from annotator.learn import set_active_model
    from annotator.suggest import BUILTIN_MODEL_PATH, BUILTIN_NAME

    db = str(tmp_path / "p.db")
    assert cli.main(["import", str(seeds_dir), "--db", db]) == 0
    retrained = tmp_path / "p.db.models" / "v007"
    shutil.copytree(BUILTIN_MODEL_PATH, retrained)
    meta = json.loads((retrained / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = "0.0.7"
    (retrained / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with Store.open(db) as store:
        set_active_model(store, "v007", retrained)
    capsys.readouterr()

    assert cli.main(["suggest", "--db", db, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "retrained model v007" in out
    with Store.open(db) as store:
        versions = store.suggestion_run_versions(BUILTIN_NAME)
        assert len(versions) == 5
        assert all(
            v == {next(iter(v))} and next(iter(v)).startswith("0.0.7+") for v in versions.values()
        )


def test_suggest_documents_does_only_those_without_a_run(
    corpus: Store, rules: RuleSuggester
) -> None:
    ids = corpus.document_ids()[:5]
    first = suggest_documents(corpus, rules, ids[:2])
    assert (first.documents, first.already) == (2, 0)
    again = suggest_documents(corpus, rules, ids, batch_size=2)
    assert (again.documents, again.already) == (len(ids) - 2, 2)
    expected = [next(iter(rules.suggest([corpus.document(d).text]))) for d in ids]
    assert again.spans == sum(len(spans) for spans in expected[2:])
    for doc_id, spans in zip(ids, expected, strict=True):
        assert corpus.has_suggestion_run(doc_id, rules.name, rules.version)
        assert [s.key for s in current_suggestions(corpus, doc_id)] == sorted(s.key for s in spans)
    assert not corpus.has_suggestion_run(corpus.document_ids()[5], rules.name, rules.version)
