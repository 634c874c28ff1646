"""Learning argument roles from a project (what ``annotator train`` does beside the span model):
trained on the finished documents' arguments, scored against the baseline on those held back,
saved as ``roles.json`` beside the model, and then what the session proposes."""

from __future__ import annotations

from pathlib import Path

from annotator.learn import annotated_documents, models_dir, set_active_model
from annotator.learn_roles import ROLES_FILE, learn_roles, project_roles
from annotator.model import Argument, DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.arguments import ORIGIN, RoleClassifier

# In every sentence a meeting, its two participants and a place: "in X" is the place, yet the
# baseline proposes X also as a participant (LOC may fill both roles).
CITIES = ("Minsk", "Riga", "Wien", "Bonn", "Genf", "Prag")
PEOPLE = (("Anna", "Ben"), ("Cem", "Dora"), ("Eva", "Finn"), ("Gero", "Hanna"), ("Ida", "Jan"))


def _span(text: str, word: str, label: str) -> Span:
    start = text.index(word)
    kind = SpanKind.EVENT if label == "MEETING" else SpanKind.ENTITY
    return Span(
        start=start, end=start + len(word), label=label, kind=kind, status=SpanStatus.ACCEPTED
    )


def _project(tmp_path: Path) -> tuple[Store, dict[str, list[Argument]]]:
    store = Store.open(tmp_path / "p.db")
    store.ensure_annotator("anna")
    made: dict[str, list[Argument]] = {}
    for n, ((a, b), city) in enumerate(zip(PEOPLE * 2, CITIES * 2, strict=False)):
        doc_id = f"d{n}"
        text = f"{a} und {b} hatten ein Treffen in {city}."
        store.add_documents([Document(id=doc_id, text=text)])
        event = _span(text, "Treffen", "MEETING")
        fillers = [
            (_span(text, a, "PER"), "participant"),
            (_span(text, b, "PER"), "participant"),
            (_span(text, city, "LOC"), "place"),
        ]
        arguments = [Argument(trigger=event.key, role=r, filler=f.key) for f, r in fillers]
        spans = [event, *(f for f, _r in fillers)]
        store.replace_decisions(doc_id, "anna", add=spans, action="add", link=arguments)
        store.set_doc_state(DocState(doc_id=doc_id, annotator="anna", status=DocStatus.DONE))
        made[doc_id] = arguments
    return store, made


def test_roles_are_learnt_scored_on_the_held_back_documents_and_saved(tmp_path: Path) -> None:
    store, made = _project(tmp_path)
    held = ["d0", "d1", "d2"]
    docs = annotated_documents(store)
    result = learn_roles(
        store,
        tmp_path,
        [d for d in docs if d.doc_id not in held],
        [d for d in docs if d.doc_id in held],
    )
    assert result is not None
    assert result.train_docs == len(made) - len(held)
    assert result.train_arguments == sum(len(made[d]) for d in made if d not in held)
    assert result.heldout_docs == len(held)
    # the held-back arguments, counted from what was stored
    assert result.learned.gold == result.baseline.gold == sum(len(made[d]) for d in held)
    # the baseline finds every argument but also each city as a participant
    assert result.baseline.recall == 1.0
    assert result.baseline.proposed == result.baseline.gold + len(held)
    # the classifier learnt that "in <city>" is the place: nothing wrong left
    assert result.learned.f1 == 1.0 > result.baseline.f1
    model = project_roles(tmp_path)
    assert isinstance(model, RoleClassifier)
    assert (tmp_path / ROLES_FILE).is_file()
    store.close()


def test_no_arguments_no_roles_file(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "p.db")
    store.add_documents([Document(id="d", text="Nichts.")])
    assert learn_roles(store, tmp_path, annotated_documents(store), []) is None
    assert not (tmp_path / ROLES_FILE).exists()
    store.close()


def test_the_session_proposes_by_the_learnt_roles_once_the_model_in_use_has_them(
    tmp_path: Path,
) -> None:
    store, _made = _project(tmp_path)
    text = "Kai und Lea hatten ein Treffen in Minsk."
    store.add_documents([Document(id="new", text=text)])
    spans = [
        _span(text, "Treffen", "MEETING"),
        _span(text, "Kai", "PER"),
        _span(text, "Lea", "PER"),
        _span(text, "Minsk", "LOC"),
    ]
    store.save_suggestions([("new", spans)], origin="test-model", version="1")
    session = Session(store, "ben")
    minsk = (text.index("Minsk"), text.index("Minsk") + 5, "LOC")
    before = session.suggested_arguments("new")
    assert {a.role for a in before if a.filler == minsk} == {"participant", "place"}
    assert {a.origin for a in before} == {ORIGIN}  # the baseline's

    folder = models_dir(store) / "v001"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text("{}", encoding="utf-8")
    learn_roles(store, folder, annotated_documents(store), [])
    set_active_model(store, "v001", folder)
    after = session.suggested_arguments("new")
    assert {a.role for a in after if a.filler == minsk} == {"place"}
    assert {a.role for a in after if a.filler != minsk} == {"participant"}
    assert ORIGIN not in {a.origin for a in after}
    store.close()
