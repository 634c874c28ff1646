"""Retraining on the annotators' work: a new model version, put into use only if it is better.

``train`` takes the accepted spans of finished documents (one annotator's, or every document's
first finisher's, or the review's gold), holds a part of those documents back, and continues
training the current model (the project's active model, else the built-in one) with spaCy's own
``nlp.update`` after ``nlp.resume_training()``: the entity recogniser learns the new entities
(and new labels such as DATE), and a span categoriser (``event_spancat``) learns the event
triggers. Training is bounded by a number of update steps.

Both the current and the retrained model then suggest for the held-back documents, each as the
window would use it (model plus event patterns), and only a retrained model that scores at least
as well there (exact-span micro F1 over every label) becomes the project's active model. Then the
documents nobody has touched yet get suggestions from it; they replace the old model's, because
both share the origin :data:`annotator.suggest.BUILTIN_NAME` and the newest version is shown.

Models go to ``<project>.models/vNNN/`` (written to a temporary folder, then renamed); the project
table records the active one (``active_model``). No Qt here; spaCy is imported lazily.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import long_texts
from annotator.errors import UserError
from annotator.model import Span, SpanKind
from annotator.store import Store

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

    from annotator.suggest.spacy_suggester import SpacySuggester

ACTIVE_MODEL_KEY = "active_model"
SPANCAT_NAME = "event_spancat"
SPANCAT_KEY = "learned_events"

Progress = Callable[[float, str], None]


class TrainError(UserError):
    """Training cannot start (too few finished documents, no base model)."""


@dataclass(frozen=True)
class TrainSettings:
    max_steps: int = 200
    """Update steps (one batch each): what keeps a run bounded in time."""
    batch_size: int = 4
    """Documents per update."""
    dropout: float = 0.2
    holdout: float = 0.2
    """Share of the annotated documents held back to compare models."""
    min_documents: int = 3
    seed: int = 0


@dataclass(frozen=True)
class Annotated:
    doc_id: str
    text: str
    spans: tuple[Span, ...]


@dataclass
class TrainResult:
    version: str
    path: Path
    base: str
    train_docs: int
    heldout_docs: int
    current_f1: float | None
    new_f1: float
    activated: bool
    outside: bool = False
    """Scored well enough, but was written outside the project's models folder (``--out``), so
    it was not put into use."""
    resuggested: int = 0
    steps: int = 0
    seconds: float = 0.0
    skipped_spans: int = 0
    heldout_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        current = "none" if self.current_f1 is None else f"{self.current_f1:.3f}"
        verdict = (
            f"{self.version} is now in use; suggestions renewed for {self.resuggested} "
            "untouched documents"
            if self.activated
            else f"{self.version} is outside the project's models folder, so it is NOT put into "
            f"use (kept at {self.path}; train without --out to use it)"
            if self.outside
            else f"{self.version} scores worse and is NOT put into use (kept at {self.path})"
        )
        return (
            f"held-out F1 on {self.heldout_docs} documents: current model {current}, "
            f"retrained {self.new_f1:.3f}; {verdict}"
        )


# ---- which documents teach -------------------------------------------------------------------


def annotated_documents(
    store: Store, *, annotator: str | None = None, gold: bool = False
) -> list[Annotated]:
    """Finished documents with their accepted spans, in import order.

    ``gold``: the reviewed documents' gold spans. ``annotator``: that annotator's documents marked
    done. Neither: every document someone marked done, with the decisions of the first of its
    finishers by name (one consistent annotation per document, not a mix).
    """
    if gold:
        ids = store.reviewed_documents()
        out = []
        for doc_id in ids:
            out.append(
                Annotated(doc_id, store.document(doc_id).text, tuple(store.gold_spans(doc_id)))
            )
        return out
    done = store.documents_done_by(min_annotators=1)
    out = []
    for doc_id, names in done.items():
        if annotator is not None and annotator not in names:
            continue
        who = annotator if annotator is not None else names[0]
        accepted = tuple(s for s in store.decisions(doc_id, who) if s.status.value == "accepted")
        out.append(Annotated(doc_id, store.document(doc_id).text, accepted))
    return out


def split_holdout(
    docs: Sequence[Annotated], fraction: float
) -> tuple[list[Annotated], list[Annotated]]:
    """(train, held back): a stable choice by a hash of the document id, at least one each."""
    if len(docs) < 2:
        return list(docs), []
    ranked = sorted(docs, key=lambda d: hashlib.sha256(d.doc_id.encode()).hexdigest())
    n_held = min(len(docs) - 1, max(1, round(len(docs) * fraction)))
    held = {d.doc_id for d in ranked[:n_held]}
    return [d for d in docs if d.doc_id not in held], [d for d in docs if d.doc_id in held]


# ---- models of a project -------------------------------------------------------------------


def models_dir(store: Store) -> Path:
    if store.path is None:
        raise TrainError("an in-memory project has no folder for models; pass out=")
    return store.path.with_name(store.path.name + ".models")


class ActiveModelError(TrainError):
    """The project's record of its active model cannot be used (not ours, or outside the
    project's models folder); nothing is loaded from it."""


RESET_HINT = "`annotator train --use-builtin` goes back to the built-in model"


def _inside_models_dir(store: Store, path: Path) -> bool:
    if store.path is None:
        return True  # an in-memory project has no folder to confine it to
    root = models_dir(store).resolve()
    resolved = path.resolve()
    return resolved != root and resolved.is_relative_to(root)


def _active_record(store: Store) -> tuple[str, Path] | None:
    """(version, folder) as recorded, checked for shape and place but not for existence."""
    raw = store.project_value(ACTIVE_MODEL_KEY)
    if not raw:
        return None
    where = f"{store.path}: the active model record"
    try:
        data = json.loads(raw)
    except ValueError:
        raise ActiveModelError(f"{where} is not JSON ({raw[:60]!r}); {RESET_HINT}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("path"), str)
        or not isinstance(data.get("version"), str | int)
        or not data["path"]
        or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in data["path"])  # controls, NUL
    ):
        raise ActiveModelError(f"{where} is not a version and a path ({raw[:80]!r}); {RESET_HINT}")
    path = Path(data["path"])
    if not path.is_absolute() and store.path is not None:
        path = store.path.parent / path
    if not _inside_models_dir(store, path):
        raise ActiveModelError(
            f"{where} points to {path}, outside the project's models folder "
            f"{models_dir(store)}; refusing to load it; {RESET_HINT}"
        )
    return str(data["version"]), path


def active_model(store: Store) -> tuple[str, Path] | None:
    """(version, folder) of the project's active retrained model, if any and still there.

    The folder must lie inside the project's models folder (``<db>.models/``): a record that
    points anywhere else, or is not ours, raises :class:`ActiveModelError` (one line). A model
    folder that is gone or holds no pipeline gives None, so the built-in model is used;
    :func:`active_model_warning` says so."""
    record = _active_record(store)
    if record is None or not (record[1] / "meta.json").is_file():
        return None
    return record


def active_model_warning(store: Store) -> str | None:
    """One line when a retrained model is recorded as in use but is missing or incomplete."""
    record = _active_record(store)
    if record is None:
        return None
    version, path = record
    if not path.is_dir():
        return (
            f"the project's retrained model {version} is missing ({path}); using the built-in one"
        )
    if not (path / "meta.json").is_file():
        return (
            f"the project's retrained model {version} at {path} has no meta.json (damaged?); "
            "using the built-in one"
        )
    return None


def set_active_model(store: Store, version: str, path: Path) -> None:
    if not _inside_models_dir(store, path):
        raise ActiveModelError(
            f"{path} is outside the project's models folder {models_dir(store)}; "
            "only a model in it can be put into use"
        )
    stored: Path | str = path
    if store.path is not None:
        try:
            stored = path.resolve().relative_to(store.path.resolve().parent)
        except ValueError:
            stored = path.resolve()
    store.set_project_value(ACTIVE_MODEL_KEY, json.dumps({"version": version, "path": str(stored)}))


def use_builtin_model(store: Store) -> None:
    """Forget the active retrained model; suggestions come from the built-in one again (the
    model folders stay where they are)."""
    store.set_project_value(ACTIVE_MODEL_KEY, "")


def current_model_path(store: Store) -> Path | None:
    """The model suggestions come from: the active retrained one, else the built-in one."""
    from annotator.suggest.pipelines import BUILTIN_MODEL_PATH

    active = active_model(store)
    if active is not None:
        return active[1]
    return BUILTIN_MODEL_PATH if BUILTIN_MODEL_PATH.is_dir() else None


def project_suggester(store: Store, *, model: Path | None = None) -> SpacySuggester:
    """The suggester the window should use for this project: the current model (or ``model``)
    with the event patterns, under the built-in origin name."""
    from annotator.suggest.spacy_suggester import BUILTIN_NAME, SpacySuggester

    path = model if model is not None else current_model_path(store)
    if path is None:
        raise TrainError("no model: neither a retrained one nor annotator/resources/model-de")
    return SpacySuggester(path, scheme=store.scheme, name=BUILTIN_NAME, events=True)


def suggester_for_project_file(path: str | os.PathLike[str]) -> SpacySuggester:
    """:func:`project_suggester` for a project file (a factory for the window's worker)."""
    with Store.open_for_reading(path) as store:
        return project_suggester(store)


def _next_version(root: Path) -> str:
    numbers = [int(p.name[1:]) for p in root.glob("v[0-9]*") if p.is_dir() and p.name[1:].isdigit()]
    return f"v{max(numbers, default=0) + 1:03d}"


# ---- spaCy -----------------------------------------------------------------------------------


def _pieces(docs: Sequence[Annotated]) -> Iterator[Annotated | int]:
    """The documents, a long one cut into pieces a trained pipeline can take (cut between spans
    where possible; the number of spans that cross a cut all the same follows its pieces)."""
    for doc in docs:
        bounds = long_texts.pieces(doc.text, avoid=[(s.start, s.end) for s in doc.spans])
        if len(bounds) == 1:
            yield doc
            continue
        kept = 0
        for a, b in bounds:
            spans = tuple(
                s.model_copy(update={"start": s.start - a, "end": s.end - a})
                for s in doc.spans
                if a <= s.start and s.end <= b
            )
            kept += len(spans)
            yield Annotated(doc.doc_id, doc.text[a:b], spans)
        yield len(doc.spans) - kept


def _examples(
    nlp: Language, docs: Sequence[Annotated], *, annotate: Sequence[str]
) -> tuple[list[Example], int]:
    """Examples whose reference holds the entities (``doc.ents``) and the events (span group);
    spans that do not fit the tokens are skipped and counted."""
    from spacy.tokens import Span as SpacySpan
    from spacy.training import Example
    from spacy.util import filter_spans

    out: list[Example] = []
    skipped = 0
    for doc in _pieces(docs):
        if isinstance(doc, int):  # spans lost at the cuts of a long document
            skipped += doc
            continue
        reference = long_texts.make_doc(nlp, doc.text)
        ents: list[SpacySpan] = []
        events: list[SpacySpan] = []
        for span in doc.spans:
            made = reference.char_span(
                span.start, span.end, label=span.label, alignment_mode="expand"
            )
            if made is None:
                skipped += 1
                continue
            (ents if span.kind == SpanKind.ENTITY else events).append(made)
        kept = filter_spans(ents)
        skipped += len(ents) - len(kept)
        reference.set_ents(kept)
        reference.spans[SPANCAT_KEY] = events
        predicted = long_texts.make_doc(nlp, doc.text)
        for name in annotate:
            predicted = nlp.get_pipe(name)(predicted)
        out.append(Example(predicted, reference))
    return out, skipped


def _score(suggester: SpacySuggester, docs: Sequence[Annotated]) -> float:
    from annotator.suggest.evaluate import score_spans

    if not docs:
        return 0.0
    predicted = [
        [s.key for s in spans] for spans in suggester.suggest([d.text for d in docs], n_process=1)
    ]
    gold = [[s.key for s in d.spans] for d in docs]
    return score_spans(gold, predicted)["micro"].f1


def train(
    store: Store,
    *,
    out: Path | None = None,
    annotator: str | None = None,
    gold: bool = False,
    base: Path | None = None,
    settings: TrainSettings | None = None,
    progress: Progress | None = None,
    resuggest: bool = True,
) -> TrainResult:
    """Retrain, compare on held-back documents, and put the new model into use if not worse."""
    import spacy

    from annotator.suggest.pipelines import register_components

    settings = settings or TrainSettings()
    report: Progress = progress or (lambda fraction, text: None)
    t0 = time.perf_counter()
    docs = annotated_documents(store, annotator=annotator, gold=gold)
    if len(docs) < settings.min_documents:
        who = "reviewed" if gold else f"marked done{f' by {annotator}' if annotator else ''}"
        raise TrainError(
            f"training needs at least {settings.min_documents} documents {who}; "
            f"the project has {len(docs)}"
        )
    train_docs, held = split_holdout(docs, settings.holdout)
    current = current_model_path(store)
    start_from = base if base is not None else current
    if start_from is None or not Path(start_from).is_dir():
        missing = start_from or "annotator/resources/model-de missing"
        raise TrainError(f"no model to start from ({missing})")

    if out is None:
        root = models_dir(store)
        root.mkdir(parents=True, exist_ok=True)
        version = _next_version(root)
        out = root / version
    else:
        version = out.name
    if out.exists() and any(out.iterdir()):
        raise TrainError(f"{out} exists and is not empty")

    report(0.02, f"loading {start_from}")
    register_components()
    nlp = spacy.load(start_from)
    trainable = [name for name, proc in nlp.pipeline if hasattr(proc, "update")]
    annotate = [name for name, proc in nlp.pipeline if not hasattr(proc, "update")]
    examples, skipped = _examples(nlp, train_docs, annotate=annotate)
    scheme = store.scheme
    entity_labels = sorted({s.label for d in train_docs for s in d.spans if s.kind == "entity"})
    event_labels = [label.name for label in scheme.of_kind(SpanKind.EVENT)]
    if "ner" not in nlp.pipe_names:
        raise TrainError(f"{start_from} has no entity recogniser (ner) to continue training")
    ner = nlp.get_pipe("ner")
    for label in entity_labels:
        ner.add_label(label)  # type: ignore[attr-defined]
    if SPANCAT_NAME not in nlp.pipe_names:
        spancat = nlp.add_pipe(
            "spancat",
            name=SPANCAT_NAME,
            config={
                "spans_key": SPANCAT_KEY,
                "threshold": 0.5,
                "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1, 2]},
            },
        )
        spancat.initialize(lambda: examples, nlp=nlp, labels=event_labels)  # type: ignore[attr-defined]
        trainable.append(SPANCAT_NAME)

    report(0.05, f"training on {len(train_docs)} documents, {len(held)} held back")
    from spacy.util import minibatch

    optimizer = nlp.resume_training()
    rng = random.Random(settings.seed)
    steps = 0
    losses: dict[str, float] = {}
    while steps < settings.max_steps and examples:
        order = list(examples)
        rng.shuffle(order)
        for batch in minibatch(order, size=settings.batch_size):
            nlp.update(
                list(batch),
                sgd=optimizer,
                drop=settings.dropout,
                losses=losses,
                exclude=[n for n in nlp.pipe_names if n not in trainable],
            )
            steps += 1
            if steps % 5 == 0 or steps == settings.max_steps:
                loss = sum(losses.values())
                report(0.05 + 0.75 * steps / settings.max_steps, f"step {steps} (loss {loss:.1f})")
            if steps >= settings.max_steps:
                break

    nlp.meta["version"] = f"0.0.{int(version[1:])}" if version[1:].isdigit() else "0.0.0"
    nlp.meta["name"] = "learned"
    nlp.meta["annotator"] = {
        "version": version,
        "base": str(start_from),
        "documents": [d.doc_id for d in train_docs],
        "held_back": [d.doc_id for d in held],
        "steps": steps,
        "source": "gold" if gold else (annotator or "done documents"),
    }
    tmp = out.with_name(out.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    if out.exists():
        out.rmdir()
    os.replace(tmp, out)

    report(0.82, "comparing the models on the held-back documents")
    new_f1 = _score(project_suggester(store, model=out), held)
    current_f1 = (
        _score(project_suggester(store, model=current), held) if current is not None else None
    )
    better = current_f1 is None or new_f1 >= current_f1
    # Only a model inside <db>.models/ can be put into use (the active model is confined there).
    outside = better and not _inside_models_dir(store, out)
    activated = better and not outside
    result = TrainResult(
        version=version,
        path=out,
        base=str(start_from),
        train_docs=len(train_docs),
        heldout_docs=len(held),
        current_f1=current_f1,
        new_f1=new_f1,
        activated=activated,
        outside=outside,
        steps=steps,
        skipped_spans=skipped,
        heldout_ids=[d.doc_id for d in held],
    )
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["annotator"].update({"heldout_f1": new_f1, "current_f1": current_f1})
    _write_text(meta_path, json.dumps(meta, indent=2, ensure_ascii=False))
    if activated:
        set_active_model(store, version, out)
        if resuggest:
            report(0.9, "suggesting for untouched documents")
            result.resuggested = resuggest_untouched(store)
    report(1.0, "done")
    result.seconds = time.perf_counter() - t0
    return result


def resuggest_untouched(store: Store, *, batch: int = 32) -> int:
    """New suggestions from the current model for the documents nobody has touched yet."""
    suggester = project_suggester(store)
    todo = [
        d
        for d in store.untouched_documents()
        if not store.has_suggestion_run(d, suggester.name, suggester.version)
    ]
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        texts = [store.document(d).text for d in chunk]
        results = list(zip(chunk, suggester.suggest(texts, n_process=1), strict=True))
        store.save_suggestions(results, origin=suggester.name, version=suggester.version)
    return len(todo)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def result_json(result: TrainResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "path": str(result.path),
        "base": result.base,
        "train_docs": result.train_docs,
        "heldout_docs": result.heldout_docs,
        "current_f1": result.current_f1,
        "new_f1": result.new_f1,
        "activated": result.activated,
        "resuggested": result.resuggested,
        "steps": result.steps,
        "seconds": round(result.seconds, 2),
    }


# ---- running training in the background (the window's hook wraps this in Qt signals) --------


def train_argv(db: Path, *, max_steps: int | None = None) -> list[str]:
    """The command line of a background training run on a project file."""
    import sys

    argv = [sys.executable, "-m", "annotator.cli", "train", "--db", str(db), "--json"]
    if max_steps is not None:
        argv += ["--max-steps", str(max_steps)]
    return argv


def parse_progress(line: str) -> tuple[float, str] | None:
    """``"[ 42%] step 80 (loss 3.1)"`` -> (0.42, "step 80 (loss 3.1)"); None for other lines."""
    line = line.strip()
    if not line.startswith("[") or "%]" not in line:
        return None
    number, _, text = line[1:].partition("%]")
    try:
        return int(number) / 100.0, text.strip()
    except ValueError:
        return None


class BackgroundTraining:
    """``annotator train`` in a child process (so spaCy's training never competes with the
    window's thread for the interpreter lock), read line by line on a thread of its own.

    ``on_progress(fraction, text)`` and ``on_done(result or None, message)`` are called from that
    reading thread; a GUI turns them into queued signals.
    """

    def __init__(
        self,
        db: Path,
        *,
        on_progress: Progress,
        on_done: Callable[[dict[str, Any] | None, str], None],
        max_steps: int | None = None,
    ) -> None:
        self.db = db
        self.on_progress = on_progress
        self.on_done = on_done
        self.max_steps = max_steps
        self._process: Any = None
        self._thread: Any = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        import subprocess
        import threading

        if self.running:
            return
        self._process = subprocess.Popen(
            train_argv(self.db, max_steps=self.max_steps),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._thread = threading.Thread(target=self._read, name="training", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        process = self._process
        result: dict[str, Any] | None = None
        last = ""
        for line in process.stdout:
            progress = parse_progress(line)
            if progress is not None:
                self.on_progress(*progress)
            elif line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    result = json.loads(line)
            elif line.strip():
                last = line.strip()
        err = process.stderr.read().strip()
        code = process.wait()
        if code != 0:
            self.on_done(None, err.splitlines()[-1] if err else f"training stopped ({code})")
        else:
            self.on_done(result, last)

    def stop(self) -> None:
        """End the child process (its model folder is written last, so nothing is half-used)."""
        if self.running:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except Exception:
                self._process.kill()
