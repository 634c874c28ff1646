"""Learning argument roles from a project: the role classifier of
:mod:`annotator.suggest.arguments` trained on the finished documents' accepted arguments,
measured against the baseline on the documents the span model holds back, and saved beside the
span model (``roles.json`` in its folder), where :meth:`annotator.session.Session.
suggested_arguments` finds it.

``annotator train`` calls :func:`learn_roles` once the new span model is written, with the
documents it collected and held back (whose arguments: the same choice as for the spans); the
figures go into the model's meta and the training summary. The roles are used when that model
is: a span model the gate refuses takes its roles.json with it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.model import Argument, LabelScheme, Span, SpanStatus
from annotator.store import Store
from annotator.suggest.arguments import (
    RoleClassifier,
    baseline,
    classified,
    load_roles,
    train_roles,
)

if TYPE_CHECKING:
    from annotator.learn import Annotated, TrainOptions

ROLES_FILE = "roles.json"

__all__ = [
    "ROLES_FILE",
    "ArgumentDoc",
    "RoleResult",
    "Scores",
    "argument_docs",
    "learn_roles",
    "project_roles",
]


@dataclass(frozen=True)
class ArgumentDoc:
    doc_id: str
    text: str
    spans: tuple[Span, ...]
    arguments: tuple[Argument, ...]
    sentences: list[list[int]] | None


@dataclass(frozen=True)
class Scores:
    """Arguments proposed against those accepted (trigger, role and filler exact)."""

    proposed: int
    gold: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def text(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f}"


@dataclass(frozen=True)
class RoleResult:
    train_docs: int
    train_arguments: int
    heldout_docs: int
    baseline: Scores
    learned: Scores
    path: Path

    def summary(self) -> str:
        if not self.learned.gold:
            held = "no held-back arguments to compare on"
        else:
            held = (
                f"held-back arguments ({self.learned.gold}): baseline {self.baseline.text()}, "
                f"learned {self.learned.text()}"
            )
        return f"argument roles learned from {self.train_arguments} arguments; {held}"

    def as_json(self) -> dict[str, object]:
        def scores(s: Scores) -> dict[str, float | int]:
            return {
                "proposed": s.proposed,
                "gold": s.gold,
                "correct": s.correct,
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }

        return {
            "train_documents": self.train_docs,
            "train_arguments": self.train_arguments,
            "heldout_documents": self.heldout_docs,
            "baseline": scores(self.baseline),
            "learned": scores(self.learned),
        }


def arguments_of(
    store: Store,
    doc_id: str,
    spans: Sequence[Span],
    *,
    gold: bool = False,
    annotator: str | None = None,
) -> list[Argument]:
    """The accepted arguments that go with a document's collected spans: the gold ones, else
    those of ``annotator``, else every finisher's, as long as both their spans were collected
    (so a merge of spans keeps the arguments between the spans it kept)."""
    if gold:
        found = store.gold_arguments(doc_id)
    else:
        names = (
            [annotator]
            if annotator is not None
            else store.documents_done_by(min_annotators=1).get(doc_id, [])
        )
        found = [a for name in names for a in store.arguments(doc_id, name)]
    keys = {s.key for s in spans}
    out: dict[tuple[object, ...], Argument] = {}
    for a in found:
        if a.status == SpanStatus.ACCEPTED and a.trigger in keys and a.filler in keys:
            out.setdefault(a.key, a)
    return list(out.values())


def argument_docs(
    store: Store,
    docs: Sequence[Annotated],
    *,
    gold: bool = False,
    annotator: str | None = None,
) -> list[ArgumentDoc]:
    """The collected documents (:func:`annotator.learn.collect`) with their arguments."""
    out = []
    for d in docs:
        meta = store.document(d.doc_id).meta
        given = meta.get("sentences") if isinstance(meta, dict) else None
        arguments = arguments_of(store, d.doc_id, d.spans, gold=gold, annotator=annotator)
        out.append(
            ArgumentDoc(
                d.doc_id,
                d.text,
                d.spans,
                tuple(arguments),
                given if isinstance(given, list) else None,
            )
        )
    return out


def score(model: RoleClassifier | None, docs: Sequence[ArgumentDoc], scheme: LabelScheme) -> Scores:
    """The baseline's (``model`` None) or the classifier's proposals on ``docs``, scored
    against their accepted arguments."""
    proposed = gold = correct = 0
    for d in docs:
        if model is None:
            made = baseline(d.text, d.spans, scheme, sentence_bounds=d.sentences)
        else:
            made = classified(model, d.text, d.spans, scheme, sentence_bounds=d.sentences)
        mine = {a.key for a in made}
        truth = {a.key for a in d.arguments}
        proposed += len(mine)
        gold += len(truth)
        correct += len(mine & truth)
    return Scores(proposed, gold, correct)


def learn_roles(
    store: Store,
    folder: Path,
    train_docs: Sequence[Annotated],
    held_docs: Sequence[Annotated],
    options: TrainOptions | None = None,
) -> RoleResult | None:
    """Train the role classifier on ``train_docs``' arguments, score it and the baseline on
    ``held_docs``' (the documents the span model holds back), and write it to
    ``folder/roles.json``. None (nothing written) when the training documents hold no
    argument. ``options``: whose arguments (``gold``, ``annotator``), as for the spans."""
    gold = options.gold if options is not None else False
    annotator = options.annotator if options is not None else None
    train = argument_docs(store, train_docs, gold=gold, annotator=annotator)
    test = argument_docs(store, held_docs, gold=gold, annotator=annotator)
    n_train = sum(len(d.arguments) for d in train)
    if not n_train:
        return None
    scheme = store.scheme
    model = train_roles(((d.text, d.spans, d.arguments, d.sentences) for d in train), scheme)
    path = folder / ROLES_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(model.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return RoleResult(
        train_docs=len(train),
        train_arguments=n_train,
        heldout_docs=len(test),
        baseline=score(None, test, scheme),
        learned=score(model, test, scheme),
        path=path,
    )


def project_roles(model_folder: Path | None) -> RoleClassifier | None:
    """The role classifier saved with a span model, if it has one."""
    if model_folder is None:
        return None
    path = Path(model_folder) / ROLES_FILE
    return load_roles(path) if path.is_file() else None
