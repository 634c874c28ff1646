"""Measure suggested arguments on the Smart Data corpus: the baseline (every entity of the
trigger's sentence in every role its label may fill) and the learned role classifier, trained on
the train file's arguments, both scored on the test file's (held out) arguments.

Gold triggers and entities are given (the figures measure argument finding alone). The scheme
(roles and their fillers) comes from the train file only.

    python training/arguments_eval.py [DATA_FOLDER]
    python training/arguments_eval.py --project [DATA_FOLDER]

``--project`` goes the way ``annotator train`` goes: the train file imported into a new project
as one annotator's finished work, the role classifier learnt by :mod:`annotator.learn_roles` on
the documents the span model would train on and scored on those it holds back, then the saved
``roles.json`` scored on the test file against the baseline.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from annotator.formats import smartdata
from annotator.formats.reading import ReadContext, ReadOptions, Record
from annotator.model import Argument, LabelScheme
from annotator.suggest.arguments import baseline, candidates, classified, train_roles

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ner-de" / "smartdata"


def records(path: Path, scheme: LabelScheme) -> list[Record]:
    ctx = ReadContext(scheme=scheme, options=ReadOptions(add_labels=True))
    return [r for r in smartdata.read(path, ctx) if isinstance(r, Record)]


def gold_arguments(record: Record) -> list[Argument]:
    return [
        Argument(trigger=record.spans[r.head].key, role=r.role, filler=record.spans[r.tail].key)
        for r in record.relations
    ]


def score(pred: set[tuple[object, ...]], gold: set[tuple[object, ...]]) -> dict[str, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": p, "R": r, "F1": f, "pred": len(pred), "gold": len(gold), "tp": tp}


def project_run(folder: Path) -> int:
    """Learn the roles through a project, as ``annotator train`` does; score on the test file."""
    import tempfile

    from annotator.corpus import import_paths
    from annotator.learn import TrainOptions, annotated_documents, split_documents
    from annotator.learn_roles import learn_roles, project_roles
    from annotator.store import Store

    train_file, test_file = (
        folder / "v1_20180119_train.json.gz",
        folder / "v1_20180119_test.json.gz",
    )
    scheme = smartdata.scheme([train_file])
    assert scheme is not None
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "project.db")
        store.set_scheme(scheme)
        import_paths(store, [train_file], annotator="anna", done=True, fmt="smartdata")
        parts = split_documents(annotated_documents(store), TrainOptions())  # train's own split
        result = learn_roles(store, Path(tmp), [*parts.train, *parts.dev], parts.held)
        assert result is not None
        print(f"project: {result.train_docs} documents to learn from, {result.heldout_docs} held")
        print(result.summary())
        model = project_roles(Path(tmp))
        assert model is not None
        store.close()
    test = records(test_file, scheme)
    gold: set[tuple[object, ...]] = set()
    base: set[tuple[object, ...]] = set()
    learned: set[tuple[object, ...]] = set()
    for n, r in enumerate(test):
        gold |= {(n, *a.key) for a in gold_arguments(r)}
        base |= {(n, *a.key) for a in baseline(r.doc.text, r.spans, scheme)}
        learned |= {(n, *a.key) for a in classified(model, r.doc.text, r.spans, scheme)}
    print(f"the project's roles.json on the test file ({len(gold)} arguments):")
    for name, pred in (("baseline", base), ("learned", learned)):
        sc = score(pred, gold)
        print(f"{name:10s}  P {sc['P']:.3f}  R {sc['R']:.3f}  F1 {sc['F1']:.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--project":
        return project_run(Path(argv[1]) if len(argv) > 1 else DATA)
    folder = Path(argv[0]) if argv else DATA
    train_file, test_file = (
        folder / "v1_20180119_train.json.gz",
        folder / "v1_20180119_test.json.gz",
    )
    scheme = smartdata.scheme([train_file])
    assert scheme is not None
    train = records(train_file, scheme)
    test = records(test_file, scheme)
    model = train_roles(((r.doc.text, r.spans, gold_arguments(r), None) for r in train), scheme)
    gold: set[tuple[object, ...]] = set()
    base: set[tuple[object, ...]] = set()
    learned: set[tuple[object, ...]] = set()
    reachable: set[tuple[object, ...]] = set()
    for n, r in enumerate(test):
        gold |= {(n, *a.key) for a in gold_arguments(r)}
        base |= {(n, *a.key) for a in baseline(r.doc.text, r.spans, scheme)}
        learned |= {(n, *a.key) for a in classified(model, r.doc.text, r.spans, scheme)}
        reachable |= {
            (n, c.trigger.key, role, c.filler.key)
            for c in candidates(r.doc.text, r.spans, scheme)
            for role in c.roles
        }
    print(
        f"train: {len(train)} documents, {sum(len(r.relations) for r in train)} arguments; "
        f"test: {len(test)} documents, {len(gold)} arguments"
    )
    print(
        f"same-sentence candidates cover {len(gold & reachable)}/{len(gold)} test arguments "
        f"(the most either method can find)"
    )
    for name, pred in (("baseline", base), ("classifier", learned)):
        s = score(pred, gold)
        print(
            f"{name:10s}  P {s['P']:.3f}  R {s['R']:.3f}  F1 {s['F1']:.3f}  "
            f"({s['tp']} of {s['pred']} proposed are gold)"
        )
    per_role: Counter[str] = Counter(k[2] for k in gold)  # type: ignore[misc]
    print("per role (test arguments: baseline F1 / classifier F1):")
    for role, count in per_role.most_common(8):
        g = {k for k in gold if k[2] == role}
        b = score({k for k in base if k[2] == role}, g)["F1"]
        c = score({k for k in learned if k[2] == role}, g)["F1"]
        print(f"  {role:14s} {count:4d}  {b:.3f} / {c:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
