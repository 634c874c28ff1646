"""Retraining on a small annotated project: a new model version, kept only when not worse."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.model import DocStatus, Document, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

PEOPLE = ["Angela Merkel", "Emmanuel Macron", "Olaf Scholz", "Ursula Weber", "Jan Novak"]
PLACES = ["Berlin", "Paris", "Warschau", "Minsk", "Hamburg"]
ORGS = ["Bundestag", "Reuters", "Siemens", "Nato"]
TEMPLATES = [
    ("{PER} traf {PER2} in {LOC}.", {"Treffen": None}),
    ("Nach Angaben von {ORG} reiste {PER} nach {LOC}.", {}),
    ("Das Treffen in {LOC} dauerte drei Stunden.", {"Treffen": "MEETING"}),
    ("{PER} sprach am Telefon mit {PER2}; das Telefonat war kurz.", {"Telefonat": "PHONE_CALL"}),
    ("Die Sprecherin von {ORG} in {LOC} schwieg.", {}),
    ("In {LOC} sagte {PER}, man wolle weiter reden.", {}),
]


def _documents(n: int, *, seed: int = 1) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Synthetic news-like documents with their entity and event spans."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        text, spans = "", []
        for _ in range(6):
            template, events = rng.choice(TEMPLATES)
            fill = {
                "PER": rng.choice(PEOPLE),
                "PER2": rng.choice(PEOPLE),
                "LOC": rng.choice(PLACES),
                "ORG": rng.choice(ORGS),
            }
            sentence = template
            pieces: list[tuple[str, str]] = []
            for key in ("PER2", "PER", "LOC", "ORG"):
                while "{" + key + "}" in sentence:
                    sentence = sentence.replace("{" + key + "}", fill[key], 1)
                    pieces.append((fill[key], key[:3]))
            base = len(text) + (1 if text else 0)
            text = f"{text} {sentence}" if text else sentence
            for surface, label in pieces:
                at = sentence.find(surface)
                while at >= 0:
                    span = (base + at, base + at + len(surface), label)
                    if span not in spans:
                        spans.append(span)
                    at = sentence.find(surface, at + 1)
            for word, label in events.items():
                if label:
                    at = sentence.index(word)
                    spans.append((base + at, base + at + len(word), label))
        docs.append((text, sorted(set(spans))))
    return docs


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An entity recogniser that has seen the labels but learned nothing: the 'current' model."""
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("ner")
    nlp.initialize()
    for label in ("PER", "LOC", "ORG", "MISC"):
        nlp.get_pipe("ner").add_label(label)
    path = tmp_path_factory.mktemp("models") / "tiny"
    nlp.to_disk(path)
    return path


def _project(path: Path, *, done: int, untouched: int) -> Store:
    store = Store.open(path)
    docs = _documents(done + untouched)
    store.add_documents(Document(id=f"d{i:02d}", text=text) for i, (text, _) in enumerate(docs))
    anna = Session(store, "anna")
    for i, (_, spans) in enumerate(docs[:done]):
        doc_id = f"d{i:02d}"
        for start, end, label in spans:
            anna.execute(anna.add(doc_id, start, end, label))
        # "Das Treffen in {LOC}": the place of the meeting, an argument to learn roles from
        view = {s.key: s for s in anna.spans(doc_id)}
        for start, end, label in spans:
            place = next((k for k in view if k[0] == end + 4 and k[2] == "LOC"), None)
            if label == "MEETING" and place is not None:
                anna.execute(
                    anna.add_argument(doc_id, view[(start, end, label)], view[place], "place")
                )
        anna.execute(anna.set_status(doc_id, DocStatus.DONE))
    return store


def test_training_needs_enough_finished_documents(tmp_path: Path, capsys: object) -> None:
    _project(tmp_path / "p.db", done=1, untouched=2).close()
    code = main(["train", "--db", str(tmp_path / "p.db")])
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert code == 2
    assert "at least 3 documents" in err and "has 1" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_retraining_improves_is_put_into_use_and_a_worse_model_is_not(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.learn import (
        TrainOptions,
        active_model,
        project_suggester,
        set_active_model,
        train,
    )
    from annotator.suggest.spacy_suggester import BUILTIN_NAME

    db = tmp_path / "p.db"
    store = _project(db, done=10, untouched=3)
    current = tmp_path / "p.db.models" / "v000"  # an active model lives in the models folder
    shutil.copytree(tiny_model, current)
    set_active_model(store, "v000", current)
    steps: list[float] = []
    result = train(store, TrainOptions(max_steps=40), progress=lambda p: steps.append(p.fraction))

    assert result.version == "v001" and result.path == tmp_path / "p.db.models" / "v001"
    assert result.train_docs + result.dev_docs + result.heldout_docs == 10
    assert result.heldout_docs == 5
    assert result.current_f1 is not None and result.new_f1 > result.current_f1 + 0.2
    assert result.activated
    assert active_model(store) == ("v001", result.path)
    meta = json.loads((result.path / "meta.json").read_text(encoding="utf-8"))
    assert "event_spancat" in meta["pipeline"]
    assert set(meta["annotator"]["held_back"]) == set(result.heldout_ids)
    # the argument roles were learned beside the model, from the arguments of what it learned on
    taught = meta["annotator"]["documents"] + meta["annotator"]["early_stopping"]
    arguments = sum(len(store.arguments(d, "anna")) for d in taught)
    assert arguments and meta["annotator"]["roles"]["train_arguments"] == arguments
    assert (result.path / "roles.json").is_file()
    assert "argument roles learned from" in result.summary()
    assert steps == sorted(steps) and steps[-1] == 1.0

    # documents nobody touched got the new model's suggestions; annotated ones kept theirs
    version = project_suggester(store).version
    assert result.resuggested == 3
    for doc_id in ("d10", "d11", "d12"):
        assert store.has_suggestion_run(doc_id, BUILTIN_NAME, version)
        spans = current_suggestions(store, doc_id)
        assert any(s.label == "PER" and s.origin == BUILTIN_NAME for s in spans)
    assert not store.has_suggestion_run("d00", BUILTIN_NAME, version)
    assert Session(store, "anna").spans("d00")[0].status == SpanStatus.ACCEPTED
    store.close()

    # a run that learns nothing from an untrained start scores worse: refused, both scores shown
    # (written with --out into a folder that does not exist yet)
    out_dir = tmp_path / "runs" / "refused"
    argv = ["train", "--db", str(db), "--base", str(tiny_model), "--max-steps", "0"]
    code = main([*argv, "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "NOT put into use" in out
    assert f"held-back documents (5): {result.new_f1:.3f} -> " in out
    with Store.open(db) as again:
        assert active_model(again) == ("v001", result.path)
    assert (out_dir / "meta.json").is_file()
