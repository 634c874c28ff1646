"""Retraining on the annotators' work: a new model version, put into use only if it is better.

The plain interface (the CLI, the window's background run and the benchmarks call it)::

    report = train(store, TrainOptions(minutes=5, annotator="anna"), progress=callback)

``TrainOptions`` says whose work teaches (``annotator``, ``gold`` or ``merge``), the time budget
(``minutes``), bounds (``max_steps``, ``max_epochs``), the held-back share and the gate's needs
(``holdout``, ``min_heldout``), rehearsal, ``base`` and ``out``. ``progress`` gets a
:class:`TrainProgress` (fraction, text, step, planned steps, per-step loss, early-stopping F1,
seconds left). :class:`TrainReport` holds what the run did (documents, steps, epochs, why it
stopped, the early-stopping curve) and decided: ``project`` and ``general`` are
:class:`~annotator.suggest.evaluate.Comparison` (current and new F1, the interval of the gain),
``activated`` and ``reason``.

The steps, each a function of its own:

1. :func:`collect`: the accepted spans of finished documents, whose work by choice (several
   annotators and no choice is an error, never a silent pick).
2. :func:`split_documents`: held back for the gate (stable by a hash of the id), and a part of
   the rest for early stopping.
3. :func:`plan_fit` and :func:`fit`: ``nlp.update`` after ``nlp.resume_training()`` for as many
   steps as the data (``max_epochs``) and the time budget allow, early stopping on the dev part
   (the best weights restored), rehearsal sentences of the built-in model's training data mixed
   into every step. The entity recogniser learns the new entities (and labels such as DATE), a
   span categoriser (``event_spancat``) the event triggers.
4. :func:`document_counts` and the general comparison: both models suggest for the held-back
   documents as the window would (model plus event patterns), and their entities are scored on
   fixed general German sentences.
5. :func:`gate`: into use only if better on the held-back documents by more than the noise (a
   paired bootstrap over documents) and not worse on the general sentences beyond the noise.
6. :func:`install`: the project's active model; the documents nobody has touched get its
   suggestions (they replace the old model's: both share the origin
   :data:`annotator.suggest.BUILTIN_NAME` and the newest version is shown).

Models go to ``<project>.models/vNNN/`` (written to a temporary folder, then renamed); the project
table records the active one (``active_model``). No Qt here; spaCy is imported lazily.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import long_texts
from annotator.errors import UserError
from annotator.model import Span, SpanKind
from annotator.store import Store
from annotator.suggest.batch import suggest_documents
from annotator.suggest.evaluate import Comparison

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


DEFAULT_MINUTES = 5.0
"""Time budget of a run (loading, fitting, comparing); see ADR 0025 for how it was chosen."""
MERGE_RULES = ("union", "agreed")
REHEARSAL_KINDS = ("sample", "none")


@dataclass(frozen=True)
class TrainOptions:
    """Everything a training run may be told; the defaults suit the window's background runs.

    Whose work teaches: ``annotator`` (that annotator's documents marked done), ``gold`` (the
    reviewed gold), or ``merge`` ("union": every finisher's accepted spans; "agreed": the spans
    every finisher of a document accepted). With several annotators one of them is required.
    """

    annotator: str | None = None
    gold: bool = False
    merge: str | None = None
    minutes: float = DEFAULT_MINUTES
    """Wall-clock budget for loading, fitting and comparing (re-suggesting comes after)."""
    max_steps: int | None = None
    """Upper bound on update steps; None: as many as the budget and ``max_epochs`` allow."""
    max_epochs: int = 30
    batch_size: int = 4
    """Documents (pieces of long ones) per update."""
    dropout: float = 0.2
    learn_rate: float | None = None
    """Adam's learning rate for the fit; None keeps the start model's configured one."""
    holdout: float = 0.2
    """Share of the documents held back for the gate (at least ``min_heldout`` once there
    are twice as many documents)."""
    min_heldout: int = 5
    """Held-back documents the gate needs before it may put a model into use."""
    min_documents: int = 3
    dev_share: float = 0.15
    """Share of the training documents set aside for early stopping (never the held-back ones)."""
    min_dev: int = 2
    """Fewer early-stopping documents than this: no early stopping, the budget decides."""
    evaluations: int = 10
    """Early-stopping evaluations over a planned run."""
    patience: int = 3
    """Evaluations without a better early-stopping F1 before the run stops."""
    warmup: float = 0.4
    """Share of the planned steps before early stopping may end the run."""
    rehearsal: str = "sample"
    """"sample": mix sentences of the built-in model's training data into every step (entities
    only), so it keeps what it knew; "none": learn from the project's documents alone."""
    rehearsal_per_step: int = 48
    """Rehearsal sentences per update step. Measured at 100 court-decision passages (ADR 0025):
    8 forgot general German (-0.045 on the general set, refused), 24 now and then (-0.021, then
    -0.035, refused), 36 and 48 kept it within noise (-0.002, -0.012) while learning as much."""
    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int = 0
    base: Path | None = None
    """Pipeline to start from; default the current model (the active one, else the built-in)."""
    out: Path | None = None
    """Folder for the new model; default ``<project>.models/vNNN``."""
    resuggest: bool = True
    """Renew the suggestions of untouched documents when the model is put into use."""


@dataclass(frozen=True)
class TrainProgress:
    """What a run reports while it works (the CLI prints ``text``; the window shows it)."""

    fraction: float
    text: str
    phase: str = ""
    """"load", "fit", "compare", "install" or "done"."""
    step: int = 0
    steps: int = 0
    """Planned update steps (re-estimated as the run learns how long a step takes)."""
    loss: float | None = None
    """Mean training loss per update step since the previous report (not a running sum)."""
    dev_f1: float | None = None
    """Early-stopping F1 at the latest evaluation."""
    seconds_left: float | None = None


ProgressCallback = Callable[[TrainProgress], None]


@dataclass(frozen=True)
class Annotated:
    doc_id: str
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Evaluation:
    """One early-stopping evaluation during the fit."""

    step: int
    seconds: float
    loss: float | None
    """Mean loss per step since the previous evaluation."""
    dev_f1: float
    """Micro F1 over entities and learned events together."""
    entity_f1: float | None = None
    event_f1: float | None = None
    """The two kinds apart: the recogniser's weights are chosen on the first, the event
    categoriser's (its own tok2vec) on the second."""


@dataclass
class TrainReport:
    """What a run did and decided (``to_json`` is the ``--json`` line)."""

    version: str
    path: Path
    base: str
    source: str
    """Whose work it learned from, in words."""
    train_docs: int
    dev_docs: int
    heldout_docs: int
    heldout_ids: list[str]
    steps: int
    epochs: float
    stopped: str
    """Why the fit ended: "no gain", "time budget", "max steps", "max epochs"."""
    curve: list[Evaluation]
    project: Comparison | None
    """Current vs new model on the held-back documents (None: none held back)."""
    general: Comparison | None
    """Current vs new model on the fixed general German sentences (None: no shared labels)."""
    activated: bool
    reason: str
    outside: bool = False
    """Passed the gate but was written outside the project's models folder (``out``)."""
    rehearsal: int = 0
    """Rehearsal sentences mixed into the fit."""
    resuggested: int = 0
    seconds: float = 0.0
    kept_step: int = 0
    """The evaluation whose entity recogniser weights were kept (0: the start weights)."""
    kept_event_step: int | None = None
    """The same for the event categoriser (None: the pipeline has none)."""
    skipped_spans: int = 0
    roles: str = ""
    """What learning the argument roles gave (:mod:`annotator.learn_roles`), if anything."""

    @property
    def current_f1(self) -> float | None:
        return None if self.project is None else self.project.current

    @property
    def new_f1(self) -> float:
        return 0.0 if self.project is None else self.project.new

    def summary(self) -> str:
        lines = [
            f"learned from {self.source}: {self.train_docs} documents"
            f" ({self.dev_docs} of them for early stopping), {self.heldout_docs} held back"
            + (f", {self.rehearsal} rehearsal sentences" if self.rehearsal else ""),
            f"{self.steps} steps ({self.epochs:.1f} epochs) in {self.seconds:.0f} s, "
            f"stopped: {self.stopped}",
        ]
        if self.curve:
            lines.append(self._kept())
        if self.project is not None:
            lines.append(self.project.describe("held-back documents"))
        if self.general is not None:
            lines.append(self.general.describe("general German sentences"))
        if self.activated:
            verdict = (
                f"{self.version} is now in use ({self.reason}); suggestions renewed for "
                f"{self.resuggested} untouched documents"
            )
        elif self.outside:
            verdict = (
                f"{self.version} is outside the project's models folder, so it is NOT put into "
                f"use (kept at {self.path}; train without --out to use it)"
            )
        else:
            verdict = f"{self.version} is NOT put into use: {self.reason} (kept at {self.path})"
        lines.append(verdict)
        if self.roles:
            lines.append(self.roles)
        return "\n".join(lines)

    def _kept(self) -> str:
        """Which evaluation's weights the run kept, with its early-stopping F1."""
        at = {e.step: e for e in self.curve}

        def kept(step: int, f1: float | None) -> str:
            what = "the start weights" if step == 0 else f"the weights of step {step}"
            return what + (f" (early-stopping F1 {f1:.3f})" if f1 is not None else "")

        entities = at.get(self.kept_step)
        text = "kept " + kept(self.kept_step, entities.entity_f1 if entities else None)
        if self.kept_event_step is not None:
            events = at.get(self.kept_event_step)
            text += "; events: " + kept(self.kept_event_step, events.event_f1 if events else None)
        return text

    def to_json(self) -> dict[str, Any]:
        def comparison(c: Comparison | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {
                "units": c.units,
                "current": round(c.current, 4),
                "new": round(c.new, 4),
                "low": round(c.low, 4),
                "high": round(c.high, 4),
                "confidence": c.confidence,
            }

        return {
            "version": self.version,
            "path": str(self.path),
            "base": self.base,
            "source": self.source,
            "train_docs": self.train_docs,
            "dev_docs": self.dev_docs,
            "heldout_docs": self.heldout_docs,
            "current_f1": self.current_f1,
            "new_f1": self.new_f1,
            "project": comparison(self.project),
            "general": comparison(self.general),
            "activated": self.activated,
            "reason": self.reason,
            "resuggested": self.resuggested,
            "steps": self.steps,
            "epochs": round(self.epochs, 2),
            "stopped": self.stopped,
            "rehearsal": self.rehearsal,
            "kept_step": self.kept_step,
            "kept_event_step": self.kept_event_step,
            "curve": [
                {
                    "step": e.step,
                    "seconds": round(e.seconds, 1),
                    "loss": e.loss,
                    "dev_f1": e.dev_f1,
                    "entity_f1": e.entity_f1,
                    "event_f1": e.event_f1,
                }
                for e in self.curve
            ],
            "seconds": round(self.seconds, 2),
        }


# ---- step 1: whose work teaches --------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    docs: list[Annotated]
    source: str


def collect(store: Store, options: TrainOptions) -> Collected:
    """The finished documents with the accepted spans that teach, in import order, and whose
    they are in words. Several annotators and no choice among them: :class:`TrainError`."""
    if options.gold:
        docs = [
            Annotated(d, store.document(d).text, tuple(store.gold_spans(d)))
            for d in store.reviewed_documents()
        ]
        return Collected(docs, "the reviewed gold")
    if options.merge is not None and options.merge not in MERGE_RULES:
        raise TrainError(f"unknown merge rule {options.merge!r} (use union or agreed)")
    done = store.documents_done_by(min_annotators=1)
    names = sorted({name for finishers in done.values() for name in finishers})

    def accepted(doc_id: str, who: str) -> list[Span]:
        return [s for s in store.decisions(doc_id, who) if s.status.value == "accepted"]

    if options.annotator is not None:
        who = options.annotator
        docs = [
            Annotated(d, store.document(d).text, tuple(accepted(d, who)))
            for d, finishers in done.items()
            if who in finishers
        ]
        return Collected(docs, f"{who}'s documents")
    if options.merge is not None:
        docs = []
        for doc_id, finishers in done.items():
            per = [accepted(doc_id, who) for who in finishers]
            keys = [{s.key for s in spans} for spans in per]
            keep = set.union(*keys) if options.merge == "union" else set.intersection(*keys)
            seen: dict[tuple[int, int, str], Span] = {}
            for spans in per:
                for s in spans:
                    if s.key in keep:
                        seen.setdefault(s.key, s)
            docs.append(Annotated(doc_id, store.document(doc_id).text, tuple(seen.values())))
        rule = (
            "every finisher's spans" if options.merge == "union" else "spans all finishers accepted"
        )
        return Collected(docs, f"{options.merge} of {', '.join(names)} ({rule})")
    if len(names) > 1:
        raise TrainError(
            f"{len(names)} annotators marked documents done ({', '.join(names)}): say whose work "
            "teaches with --annotator NAME, --gold (the reviewed gold) or --merge union|agreed"
        )
    if not names:
        return Collected([], "nobody's documents")
    return Collected(
        [Annotated(d, store.document(d).text, tuple(accepted(d, names[0]))) for d in done],
        f"{names[0]}'s documents (the only annotator)",
    )


def annotated_documents(
    store: Store, *, annotator: str | None = None, gold: bool = False, merge: str | None = None
) -> list[Annotated]:
    """The documents of :func:`collect`."""
    return collect(store, TrainOptions(annotator=annotator, gold=gold, merge=merge)).docs


# ---- step 2: hold back -----------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    train: list[Annotated]
    dev: list[Annotated]
    """Training documents set aside to decide when to stop (empty: no early stopping)."""
    held: list[Annotated]
    """Documents only the gate sees."""


def _ranked(docs: Sequence[Annotated], salt: str) -> list[Annotated]:
    return sorted(docs, key=lambda d: hashlib.sha256((salt + d.doc_id).encode()).hexdigest())


def split_documents(docs: Sequence[Annotated], options: TrainOptions) -> Split:
    """Held back: ``holdout`` of the documents, at least ``min_heldout`` once there are twice
    as many, at least one; dev: ``dev_share`` of the rest when that makes ``min_dev``. Both by a
    hash of the document id, so reruns (and a growing project) hold back the same ones."""
    n = len(docs)
    if n < 2:
        return Split(list(docs), [], [])
    n_held = max(1, round(n * options.holdout), min(options.min_heldout, n // 2))
    n_held = min(n_held, n - 1)
    held_ids = {d.doc_id for d in _ranked(docs, "")[:n_held]}
    rest = [d for d in docs if d.doc_id not in held_ids]
    n_dev = round(len(rest) * options.dev_share)
    dev_ids: set[str] = set()
    if n_dev >= options.min_dev and len(rest) - n_dev >= 2:
        dev_ids = {d.doc_id for d in _ranked(rest, "dev:")[:n_dev]}
    return Split(
        [d for d in rest if d.doc_id not in dev_ids],
        [d for d in rest if d.doc_id in dev_ids],
        [d for d in docs if d.doc_id in held_ids],
    )


def split_holdout(
    docs: Sequence[Annotated], fraction: float
) -> tuple[list[Annotated], list[Annotated]]:
    """(train, held back) of :func:`split_documents` without an early-stopping part."""
    parts = split_documents(docs, TrainOptions(holdout=fraction, dev_share=0.0))
    return parts.train, parts.held


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
    nlp: Language, docs: Sequence[Annotated], *, annotate: Sequence[str], events: bool = True
) -> tuple[list[Example], int]:
    """Examples whose reference holds the entities (``doc.ents``) and the events (span group;
    left out with ``events=False``, for sentences whose events nobody annotated); spans that do
    not fit the tokens are skipped and counted."""
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
        found: list[SpacySpan] = []
        for span in doc.spans:
            made = reference.char_span(
                span.start, span.end, label=span.label, alignment_mode="expand"
            )
            if made is None:
                skipped += 1
                continue
            (ents if span.kind == SpanKind.ENTITY else found).append(made)
        kept = filter_spans(ents)
        skipped += len(ents) - len(kept)
        reference.set_ents(kept)
        if events:
            reference.spans[SPANCAT_KEY] = found
        predicted = long_texts.make_doc(nlp, doc.text)
        for name in annotate:
            predicted = nlp.get_pipe(name)(predicted)
        out.append(Example(predicted, reference))
    return out, skipped


# ---- step 3: the fit loop ------------------------------------------------------------------


@dataclass(frozen=True)
class FitPlan:
    """How long the fit may run."""

    seconds: float
    """Wall-clock budget of the loop itself."""
    max_steps: int
    """Steps allowed by ``max_epochs`` (and ``max_steps``) for this many examples."""
    eval_every: int
    """Steps between early-stopping evaluations (0: none)."""


def plan_fit(n_examples: int, seconds: float, options: TrainOptions, *, dev: bool) -> FitPlan:
    """The fit's bounds from the data size: at most ``max_epochs`` passes (and ``max_steps``),
    within ``seconds``; with early-stopping documents, about ``evaluations`` checks over the
    allowed steps, at least one per epoch."""
    per_epoch = max(1, math.ceil(n_examples / options.batch_size)) if n_examples else 0
    steps = per_epoch * options.max_epochs
    if options.max_steps is not None:
        steps = min(steps, options.max_steps)
    every = 0
    if dev and steps:
        every = max(1, min(per_epoch, math.ceil(steps / max(1, options.evaluations))))
    return FitPlan(max(0.0, seconds), steps, every)


@dataclass
class FitResult:
    steps: int = 0
    epochs: float = 0.0
    stopped: str = "max epochs"
    curve: list[Evaluation] = field(default_factory=list)
    best_step: int = 0
    """The evaluation whose entity recogniser weights were kept."""
    best_event_step: int | None = None
    """The evaluation whose event categoriser weights were kept (None: no categoriser)."""


class _Clock:
    def __init__(self, budget: float) -> None:
        self.t0 = time.perf_counter()
        self.budget = budget

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    @property
    def left(self) -> float:
        return max(0.0, self.budget - self.elapsed)


Keys = list[tuple[int, int, str]]


def _model_keys_by_kind(nlp: Language, docs: Sequence[Annotated]) -> list[tuple[Keys, Keys]]:
    """The pipeline's own entities and learned events for each document (no patterns, no
    scheme filter), apart: what early stopping compares."""
    out: list[tuple[Keys, Keys]] = []
    for pieces in long_texts.pipe_pieces(nlp, [d.text for d in docs]):
        ents: Keys = []
        events: Keys = []
        for start, doc in pieces:
            ents += [(start + e.start_char, start + e.end_char, e.label_) for e in doc.ents]
            if SPANCAT_KEY in doc.spans:
                group = doc.spans[SPANCAT_KEY]
                events += [(start + e.start_char, start + e.end_char, e.label_) for e in group]
        out.append((ents, events))
    return out


def _model_keys(nlp: Language, docs: Sequence[Annotated]) -> list[Keys]:
    return [ents + events for ents, events in _model_keys_by_kind(nlp, docs)]


def model_f1(nlp: Language, docs: Sequence[Annotated]) -> float:
    """Exact-span micro F1 of the pipeline's own entities and events on ``docs``."""
    return model_scores(nlp, docs)[0]


def model_scores(nlp: Language, docs: Sequence[Annotated]) -> tuple[float, float, float]:
    """(all, entities, events): exact-span micro F1 of the pipeline's own spans on ``docs``."""
    from annotator.suggest.evaluate import score_spans

    if not docs:
        return 0.0, 0.0, 0.0
    found = _model_keys_by_kind(nlp, docs)
    both = [[s.key for s in d.spans] for d in docs]
    ents = [[s.key for s in d.spans if s.kind == SpanKind.ENTITY] for d in docs]
    events = [[s.key for s in d.spans if s.kind == SpanKind.EVENT] for d in docs]
    return (
        score_spans(both, [e + v for e, v in found])["micro"].f1,
        score_spans(ents, [e for e, _ in found])["micro"].f1,
        score_spans(events, [v for _, v in found])["micro"].f1,
    )


def fit(
    nlp: Language,
    examples: Sequence[Example],
    *,
    plan: FitPlan,
    options: TrainOptions,
    trainable: Sequence[str],
    dev: Sequence[Annotated] = (),
    rehearsal: Sequence[Example] = (),
    progress: ProgressCallback | None = None,
    fraction: tuple[float, float] = (0.0, 1.0),
    untrained: Sequence[str] = (),
) -> FitResult:
    """``nlp.update`` in shuffled batches until the plan's steps or seconds run out, or (with
    ``dev`` documents) ``patience`` evaluations bring no better F1 on them (neither on entities
    nor on events); the weights of the best evaluations are restored at the end, the entity
    recogniser's chosen on entity F1 and the event categoriser's on event F1
    (:func:`choose_checkpoint`); a component in ``untrained`` (added by this run) never gets its
    start weights back, and with no event in the ``dev`` documents the categoriser follows the
    recogniser's choice. Each step also updates the entity recogniser on
    ``rehearsal_per_step`` rehearsal examples (never the event categoriser: their events are
    not annotated)."""
    from spacy.util import minibatch

    report: ProgressCallback = progress or (lambda p: None)
    lo, hi = fraction
    result = FitResult()
    if not examples or plan.max_steps == 0:
        result.stopped = "max steps" if examples else "no examples"
        return result
    clock = _Clock(plan.seconds)
    optimizer = nlp.resume_training()
    if options.learn_rate is not None:
        optimizer.learn_rate = options.learn_rate
    rng = random.Random(options.seed)
    exclude = [n for n in nlp.pipe_names if n not in trainable]
    rehearse_exclude = [n for n in nlp.pipe_names if n not in trainable or n == SPANCAT_NAME]
    rehearsal_order: list[Example] = []
    best = [-1.0, -1.0]  # entities, events
    snapshots: list[dict[str, bytes]] = []  # the weights at each evaluation, for the choice
    if dev:
        f1, f1_ents, f1_events = model_scores(nlp, dev)
        best = [f1_ents, f1_events]
        result.curve.append(Evaluation(0, clock.elapsed, None, f1, f1_ents, f1_events))
        snapshots.append(_weights(nlp, trainable))
    since_best = 0
    shown = 0.0
    interval: list[float] = []  # step losses since the last evaluation
    since_report: list[float] = []  # step losses since the last progress report
    last_report = 0.0
    per_epoch = math.ceil(len(examples) / options.batch_size)

    def planned() -> int:
        if result.steps == 0:
            return plan.max_steps
        per_step = clock.elapsed / result.steps
        return min(plan.max_steps, result.steps + int(clock.left / max(per_step, 1e-9)))

    def evaluate() -> bool:
        """An early-stopping check; True when the run should stop."""
        nonlocal since_best
        f1, f1_ents, f1_events = model_scores(nlp, dev)
        mean = statistics.fmean(interval) if interval else None
        result.curve.append(Evaluation(result.steps, clock.elapsed, mean, f1, f1_ents, f1_events))
        snapshots.append(_weights(nlp, trainable))
        interval.clear()
        if f1_ents > best[0] or f1_events > best[1]:
            best[0], best[1], since_best = max(best[0], f1_ents), max(best[1], f1_events), 0
        else:
            since_best += 1
        # a fine-tuned recogniser first predicts fewer entities and only then the right ones:
        # no stopping in that first dip
        warm = result.steps >= options.warmup * planned()
        return warm and since_best >= options.patience

    stop = ""
    while not stop:
        order = list(examples)
        rng.shuffle(order)
        for batch in minibatch(order, size=options.batch_size):
            losses: dict[str, float] = {}
            nlp.update(
                list(batch), sgd=optimizer, drop=options.dropout, losses=losses, exclude=exclude
            )
            if rehearsal:
                extra: list[Example] = []
                while len(extra) < options.rehearsal_per_step:
                    if not rehearsal_order:
                        rehearsal_order = list(rehearsal)
                        rng.shuffle(rehearsal_order)
                    extra.append(rehearsal_order.pop())
                nlp.update(extra, sgd=optimizer, drop=options.dropout, exclude=rehearse_exclude)
            result.steps += 1
            interval.append(sum(losses.values()))
            since_report.append(sum(losses.values()))
            if plan.eval_every and dev and result.steps % plan.eval_every == 0 and evaluate():
                stop = "no gain"
            total = max(planned(), result.steps)
            if result.steps >= plan.max_steps:
                stop = stop or (
                    "max steps"
                    if options.max_steps is not None and plan.max_steps == options.max_steps
                    else "max epochs"
                )
            per_step = clock.elapsed / result.steps
            if not stop and clock.elapsed + per_step > plan.seconds:
                stop = "time budget"
            if stop or clock.elapsed - last_report >= 2.0 or result.steps == 1:
                last_report = clock.elapsed
                latest = result.curve[-1].dev_f1 if result.curve else None
                loss = statistics.fmean(since_report)
                since_report.clear()
                share = max(
                    result.steps / total, clock.elapsed / plan.seconds if plan.seconds else 0
                )
                shown = max(shown, min(1.0, share))
                text = (
                    f"step {result.steps}/{total}, loss {loss:.2f}"
                    + (f", early-stopping F1 {latest:.3f}" if latest is not None else "")
                    + f", {_duration(clock.left)} left"
                )
                report(
                    TrainProgress(
                        lo + (hi - lo) * shown,
                        text,
                        "fit",
                        result.steps,
                        total,
                        loss,
                        latest,
                        clock.left,
                    )
                )
            if stop:
                break
    if dev and interval and result.curve[-1].step != result.steps:
        evaluate()
    result.epochs = result.steps / per_epoch
    result.stopped = stop
    if snapshots:
        chosen = choose_checkpoint([e.entity_f1 or 0.0 for e in result.curve])
        result.best_step = result.curve[chosen].step
        _restore(nlp, {n: w for n, w in snapshots[chosen].items() if n != SPANCAT_NAME})
        if SPANCAT_NAME in snapshots[0]:
            kept = _events_checkpoint(
                result.curve,
                chosen,
                dev_has_events=any(s.kind == SpanKind.EVENT for d in dev for s in d.spans),
                untrained=SPANCAT_NAME in untrained,
            )
            result.best_event_step = result.curve[kept].step
            _restore(nlp, {SPANCAT_NAME: snapshots[kept][SPANCAT_NAME]})
    return result


def _events_checkpoint(
    curve: Sequence[Evaluation], chosen: int, *, dev_has_events: bool, untrained: bool
) -> int:
    """The evaluation whose event categoriser weights a run keeps. An untrained categoriser
    suggests noise (every n-gram above the threshold), so one this run added never keeps the
    start weights; without events to score, it follows the recogniser's choice."""
    first = 1 if untrained and len(curve) > 1 else 0
    if not dev_has_events:
        return chosen if chosen >= first else len(curve) - 1
    return first + choose_checkpoint([e.event_f1 or 0.0 for e in curve[first:]])


def choose_checkpoint(f1s: Sequence[float]) -> int:
    """The evaluation whose weights a run keeps: the best F1 smoothed over it and its
    neighbours (the mean of up to three evaluations), the earliest on a tie.

    A few early-stopping documents make single evaluations noisy: on 12 court-decision passages
    the raw best was step 17 of 204 (F1 0.478, one lucky evaluation after one epoch), whose
    weights scored 0.297 on 80 other passages, while the evaluations after it held 0.45 and the
    weights of step 68 (the smoothed best) scored higher (ADR 0025)."""
    if not f1s:
        raise ValueError("no evaluations to choose from")
    smoothed = [statistics.fmean(f1s[max(0, i - 1) : i + 2]) for i in range(len(f1s))]
    return max(range(len(f1s)), key=lambda i: (smoothed[i], -i))


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _weights(nlp: Language, names: Sequence[str]) -> dict[str, bytes]:
    return {name: nlp.get_pipe(name).model.to_bytes() for name in names}  # type: ignore[attr-defined]


def _restore(nlp: Language, weights: dict[str, bytes]) -> None:
    for name, data in weights.items():
        nlp.get_pipe(name).model.from_bytes(data)  # type: ignore[attr-defined]


# ---- rehearsal and the general German sentences --------------------------------------------

REHEARSAL_FILE = "rehearsal-de.jsonl.gz"
GENERAL_FILE = "general-de.jsonl.gz"


def shipped_sentences(name: str) -> list[Annotated]:
    """A shipped file of German sentences with gold entities (``annotator/resources``; where
    they come from: ``annotator/resources/SENTENCES.md``); empty when it is not there."""
    import gzip

    from annotator.model import SpanStatus
    from annotator.resources import resource_path

    path = resource_path(name)
    if not path.is_file():
        return []
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            spans = tuple(
                Span(
                    start=a,
                    end=b,
                    label=label,
                    kind=SpanKind.ENTITY,
                    status=SpanStatus.ACCEPTED,
                    origin="import",
                )
                for a, b, label in record["spans"]
            )
            out.append(Annotated(record["id"], record["text"], spans))
    return out


def rehearsable(docs: Sequence[Annotated], labels: set[str]) -> list[Annotated]:
    """The rehearsal sentences a project with entity ``labels`` can learn from: those whose every
    entity has a label of the scheme. A sentence with a name of another label is left out, not
    stripped of it: stripped, it would teach that the name is no entity (a project whose scheme
    calls organisations ORGANIZATION would unlearn its own names from the built-in ORG's)."""
    return [d for d in docs if all(s.label in labels for s in d.spans)]


# ---- step 4: evaluate on the held-back documents -------------------------------------------


def document_counts(suggester: SpacySuggester | None, docs: Sequence[Annotated]) -> list[Any]:
    """Per document: exact-span counts of the suggestions (as the window shows them: model plus
    event patterns) against the document's spans."""
    from annotator.suggest.evaluate import score_spans

    if not docs:
        return []
    if suggester is None:
        predicted: list[list[tuple[int, int, str]]] = [[] for _ in docs]
    else:
        predicted = [
            [s.key for s in spans]
            for spans in suggester.suggest([d.text for d in docs], n_process=1)
        ]
    return [
        score_spans([[s.key for s in d.spans]], [p])["micro"]
        for d, p in zip(docs, predicted, strict=True)
    ]


# ---- step 5: the gate ------------------------------------------------------------------------


def gate(
    project: Comparison | None, general: Comparison | None, options: TrainOptions
) -> tuple[bool, str]:
    """Whether the new model goes into use, and why in words: it must beat the current one on
    at least ``min_heldout`` held-back documents by more than the noise (the lower end of the
    interval of the gain above 0), and not be worse on the general German sentences beyond the
    noise (the upper end of that interval not below 0)."""
    if project is None or project.units < options.min_heldout:
        n = 0 if project is None else project.units
        return False, (
            f"{n} held-back documents cannot tell a gain from noise (the gate needs "
            f"{options.min_heldout}; about {math.ceil(options.min_heldout / options.holdout)} "
            "finished documents)"
        )
    if project.low <= 0:
        return False, (
            f"not better than the current model by more than the noise on the held-back "
            f"documents (gain {project.gain:+.3f}, interval {project.low:+.3f} to "
            f"{project.high:+.3f})"
        )
    if general is not None and general.high < 0:
        return False, (
            f"worse on general German (gain {general.gain:+.3f}, interval {general.low:+.3f} to "
            f"{general.high:+.3f}): it forgot what the current model knew"
        )
    return True, f"better by {project.gain:+.3f} on the held-back documents" + (
        f", {general.gain:+.3f} on general German" if general is not None else ""
    )


# ---- step 6: install -------------------------------------------------------------------------


def install(store: Store, version: str, path: Path, *, resuggest: bool) -> int:
    """Put a model into use; with ``resuggest``, renew the untouched documents' suggestions
    (how many)."""
    set_active_model(store, version, path)
    return resuggest_untouched(store) if resuggest else 0


# ---- the whole run ---------------------------------------------------------------------------


def _target(store: Store, out: Path | None) -> tuple[Path, str]:
    if out is None:
        root = models_dir(store)
        root.mkdir(parents=True, exist_ok=True)
        version = _next_version(root)
        out = root / version
    else:
        version = out.name
    if out.exists() and any(out.iterdir()):
        raise TrainError(f"{out} exists and is not empty")
    return out, version


def _prepare(
    nlp: Language, train_docs: Sequence[Annotated], scheme: Any
) -> tuple[list[Example], list[str], list[str], int]:
    """Entity labels added, the event categoriser added when missing and the documents have
    events (an untrained one suggests noise, and without events it has nothing to learn);
    (examples, trainable components, components that only annotate, spans skipped)."""
    trainable = [name for name, proc in nlp.pipeline if hasattr(proc, "update")]
    annotate = [name for name, proc in nlp.pipeline if not hasattr(proc, "update")]
    if "ner" not in nlp.pipe_names:
        raise TrainError("the start model has no entity recogniser (ner) to continue training")
    examples, skipped = _examples(nlp, train_docs, annotate=annotate)
    ner = nlp.get_pipe("ner")
    for label in sorted({s.label for d in train_docs for s in d.spans if s.kind == "entity"}):
        ner.add_label(label)  # type: ignore[attr-defined]
    has_events = any(s.kind == SpanKind.EVENT for d in train_docs for s in d.spans)
    if SPANCAT_NAME not in nlp.pipe_names and has_events:
        from annotator.suggest.triggers import add_trigger_categoriser

        add_trigger_categoriser(
            nlp,
            name=SPANCAT_NAME,
            spans_key=SPANCAT_KEY,
            labels=[label.name for label in scheme.of_kind(SpanKind.EVENT)],
            get_examples=lambda: examples,
        )
        trainable.append(SPANCAT_NAME)
    return examples, trainable, annotate, skipped


def train(
    store: Store,
    options: TrainOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> TrainReport:
    """Retrain on the project's finished documents and put the new model into use only if the
    gate lets it: collect -> hold back -> fit (sized to the data and the time budget, early
    stopping, rehearsal) -> evaluate (held-back documents, general German) -> gate -> install.
    """
    import spacy

    from annotator.suggest.pipelines import register_components

    options = options or TrainOptions()
    report: ProgressCallback = progress or (lambda p: None)
    clock = _Clock(options.minutes * 60)
    collected = collect(store, options)
    docs = collected.docs
    if len(docs) < options.min_documents:
        who = "reviewed" if options.gold else f"marked done ({collected.source})"
        raise TrainError(
            f"training needs at least {options.min_documents} documents {who}; "
            f"the project has {len(docs)}"
        )
    parts = split_documents(docs, options)
    current = current_model_path(store)
    start_from = options.base if options.base is not None else current
    if start_from is None or not Path(start_from).is_dir():
        missing = start_from or "annotator/resources/model-de missing"
        raise TrainError(f"no model to start from ({missing})")
    out, version = _target(store, options.out)

    report(TrainProgress(0.01, f"loading {start_from}", "load"))
    register_components()
    nlp = spacy.load(start_from)
    had = set(nlp.pipe_names)
    examples, trainable, annotate, skipped = _prepare(nlp, parts.train, store.scheme)
    added = [name for name in nlp.pipe_names if name not in had]
    entity_labels = {label.name for label in store.scheme.of_kind(SpanKind.ENTITY)}
    rehearsal: list[Example] = []
    if options.rehearsal == "sample":
        sample = rehearsable(shipped_sentences(REHEARSAL_FILE), entity_labels)
        rehearsal, _ = _examples(nlp, sample, annotate=annotate, events=False)
    elif options.rehearsal not in REHEARSAL_KINDS:
        raise TrainError(f"unknown rehearsal {options.rehearsal!r} (use sample or none)")

    # The current model's side of the comparison first: it also tells how long the new
    # model's side will take, which the fit must leave time for.
    report(TrainProgress(0.03, "scoring the current model on the held-back documents", "load"))
    t_compare = time.perf_counter()
    current_suggester = project_suggester(store, model=current) if current is not None else None
    current_counts = document_counts(current_suggester, parts.held)
    current_nlp = current_suggester.load() if current_suggester is not None else None
    general_current = _general_counts_cache(current_nlp, entity_labels, options)
    compare_seconds = time.perf_counter() - t_compare

    plan = plan_fit(
        len(examples),
        clock.left - 1.2 * compare_seconds - 5,
        options,
        dev=len(parts.dev) >= options.min_dev,
    )
    report(
        TrainProgress(
            0.05,
            f"training on {len(parts.train)} documents "
            f"({len(parts.dev)} for early stopping), {len(parts.held)} held back, "
            f"{len(rehearsal)} rehearsal sentences; at most {plan.max_steps} steps "
            f"in {_duration(plan.seconds)}",
            "fit",
            0,
            plan.max_steps,
        )
    )
    fitted = fit(
        nlp,
        examples,
        plan=plan,
        options=options,
        trainable=trainable,
        dev=parts.dev,
        rehearsal=rehearsal,
        progress=report,
        fraction=(0.05, 0.8),
        untrained=added,
    )

    nlp.meta["version"] = f"0.0.{int(version[1:])}" if version[1:].isdigit() else "0.0.0"
    nlp.meta["name"] = "learned"
    nlp.meta["annotator"] = {
        "version": version,
        "base": str(start_from),
        "source": collected.source,
        "documents": [d.doc_id for d in parts.train],
        "early_stopping": [d.doc_id for d in parts.dev],
        "held_back": [d.doc_id for d in parts.held],
        "steps": fitted.steps,
        "stopped": fitted.stopped,
        "rehearsal": len(rehearsal),
    }
    _write_model(nlp, out)
    from annotator.learn_roles import learn_roles

    roles = learn_roles(store, out, [*parts.train, *parts.dev], parts.held, options)

    report(TrainProgress(0.82, "comparing the models on the held-back documents", "compare"))
    from annotator.suggest.evaluate import paired_bootstrap

    new_suggester = project_suggester(store, model=out)
    new_counts = document_counts(new_suggester, parts.held)
    project = (
        paired_bootstrap(
            current_counts,
            new_counts,
            rounds=options.bootstrap,
            confidence=options.confidence,
            seed=options.seed,
        )
        if parts.held
        else None
    )
    report(TrainProgress(0.88, "comparing the models on general German sentences", "compare"))
    general = general_current(new_suggester.load())
    passed, reason = gate(project, general, options)
    outside = passed and not _inside_models_dir(store, out)
    activated = passed and not outside
    result = TrainReport(
        version=version,
        path=out,
        base=str(start_from),
        source=collected.source,
        train_docs=len(parts.train),
        dev_docs=len(parts.dev),
        heldout_docs=len(parts.held),
        heldout_ids=[d.doc_id for d in parts.held],
        steps=fitted.steps,
        epochs=fitted.epochs,
        stopped=fitted.stopped,
        curve=fitted.curve,
        kept_step=fitted.best_step,
        kept_event_step=fitted.best_event_step,
        project=project,
        general=general,
        activated=activated,
        reason=reason,
        outside=outside,
        rehearsal=len(rehearsal),
        skipped_spans=skipped,
        roles=roles.summary() if roles is not None else "",
    )
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["annotator"].update(
        {
            "heldout_f1": result.new_f1,
            "current_f1": result.current_f1,
            "gate": result.to_json()["project"],
            "general": result.to_json()["general"],
            "decision": reason,
            "roles": roles.as_json() if roles is not None else None,
        }
    )
    _write_text(meta_path, json.dumps(meta, indent=2, ensure_ascii=False))
    if activated:
        report(
            TrainProgress(
                0.9, "putting the model into use, suggesting for untouched documents", "install"
            )
        )
        result.resuggested = install(store, version, out, resuggest=options.resuggest)
    result.seconds = clock.elapsed
    report(TrainProgress(1.0, "done", "done"))
    return result


def _general_counts_cache(
    current: Language | None, labels: set[str], options: TrainOptions
) -> Callable[[Language], Comparison | None]:
    """The current model scored on the general sentences now (its time counts toward the
    reserve), compared with a new model later."""
    from annotator.suggest.evaluate import PRF, paired_bootstrap, score_spans

    sentences = shipped_sentences(GENERAL_FILE)
    shared = labels & {s.label for d in sentences for s in d.spans}
    if not sentences or not shared:
        return lambda nlp: None
    gold = [[s.key for s in d.spans if s.label in shared] for d in sentences]

    def counts(nlp: Language | None) -> list[PRF]:
        predicted = _model_keys(nlp, sentences) if nlp is not None else [[] for _ in sentences]
        return [
            score_spans([g], [p], labels=shared)["micro"]
            for g, p in zip(gold, predicted, strict=True)
        ]

    before = counts(current)
    return lambda nlp: paired_bootstrap(
        before,
        counts(nlp),
        rounds=options.bootstrap,
        confidence=options.confidence,
        seed=options.seed,
    )


def _write_model(nlp: Language, out: Path) -> None:
    tmp = out.with_name(out.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    if out.exists():
        out.rmdir()
    os.replace(tmp, out)


def resuggest_untouched(store: Store, *, batch: int = 32) -> int:
    """New suggestions from the current model for the documents nobody has touched yet, through
    the one suggest-then-save loop (:func:`annotator.suggest.batch.suggest_documents`)."""
    suggester = project_suggester(store)
    report = suggest_documents(store, suggester, store.untouched_documents(), batch_size=batch)
    return report.documents


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def result_json(result: TrainReport) -> dict[str, Any]:
    return result.to_json()


# ---- running training in the background (the window's hook wraps this in Qt signals) --------


def train_argv(
    db: Path, *, max_steps: int | None = None, annotator: str | None = None
) -> list[str]:
    """The command line of a background training run on a project file (``annotator``: learn
    from that annotator's documents, as a window working as them does)."""
    import sys

    argv = [sys.executable, "-m", "annotator.cli", "train", "--db", str(db), "--json"]
    if annotator is not None:
        argv += ["--annotator", annotator]
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

    def start(self, *, annotator: str | None = None) -> None:
        import subprocess
        import threading

        if self.running:
            return
        self._process = subprocess.Popen(
            train_argv(self.db, max_steps=self.max_steps, annotator=annotator),
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
