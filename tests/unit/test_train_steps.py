"""The steps of retraining, each on its own: whose work teaches, what is held back, how long the
fit runs, the fit loop (per-step loss, early stopping), the gate and its spread."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from annotator.cli import main
from annotator.learn import (
    Annotated,
    TrainError,
    TrainOptions,
    collect,
    gate,
    plan_fit,
    rehearsable,
    shipped_sentences,
    split_documents,
)
from annotator.model import DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.evaluate import PRF, Comparison, micro, paired_bootstrap

if TYPE_CHECKING:
    from spacy.language import Language

    from annotator.learn import TrainProgress

SEEDS = Path(__file__).parents[1] / "fixtures" / "gold_seed.jsonl"


def _two_annotator_project(
    path: Path,
) -> tuple[Store, dict[str, dict[str, set[tuple[int, int, str]]]]]:
    """Three documents: d0 done by anna and ben (overlapping spans), d1 by anna, d2 by ben."""
    store = Store.open(path)
    texts = {
        "d0": "Angela Merkel traf Olaf Scholz in Berlin.",
        "d1": "In Paris sprach Emmanuel Macron.",
        "d2": "Reuters meldet aus Hamburg.",
    }
    store.add_documents(Document(id=d, text=t) for d, t in texts.items())

    def span(doc: str, surface: str, label: str) -> tuple[int, int, str]:
        at = texts[doc].index(surface)
        return (at, at + len(surface), label)

    work = {
        "anna": {
            "d0": {span("d0", "Angela Merkel", "PER"), span("d0", "Berlin", "LOC")},
            "d1": {span("d1", "Paris", "LOC"), span("d1", "Emmanuel Macron", "PER")},
        },
        "ben": {
            "d0": {span("d0", "Angela Merkel", "PER"), span("d0", "Olaf Scholz", "PER")},
            "d2": {span("d2", "Reuters", "ORG"), span("d2", "Hamburg", "LOC")},
        },
    }
    for who, docs in work.items():
        session = Session(store, who)
        for doc_id, spans in docs.items():
            for start, end, label in sorted(spans):
                session.execute(session.add(doc_id, start, end, label))
            session.execute(session.set_status(doc_id, DocStatus.DONE))
    return store, work


def _keys(docs: list[Annotated]) -> dict[str, set[tuple[int, int, str]]]:
    return {d.doc_id: {s.key for s in d.spans} for d in docs}


def test_several_annotators_need_a_choice_and_each_choice_takes_its_work(tmp_path: Path) -> None:
    store, work = _two_annotator_project(tmp_path / "p.db")
    with pytest.raises(TrainError) as refused:
        collect(store, TrainOptions())
    message = str(refused.value)
    assert "anna, ben" in message and "--annotator" in message and "--merge" in message
    assert "\n" not in message

    assert _keys(collect(store, TrainOptions(annotator="ben")).docs) == work["ben"]
    union = collect(store, TrainOptions(merge="union"))
    agreed = collect(store, TrainOptions(merge="agreed"))
    docs = sorted(set(work["anna"]) | set(work["ben"]))
    both = {d: [w[d] for w in work.values() if d in w] for d in docs}
    assert _keys(union.docs) == {d: set.union(*sets) for d, sets in both.items()}
    assert _keys(agreed.docs) == {d: set.intersection(*sets) for d, sets in both.items()}
    assert "anna, ben" in union.source and union.source.startswith("union")
    store.close()


def test_the_cli_says_in_one_line_that_it_needs_a_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_annotator_project(tmp_path / "p.db")[0].close()
    code = main(["train", "--db", str(tmp_path / "p.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--annotator NAME, --gold" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_one_annotator_is_used_and_named(tmp_path: Path) -> None:
    store, work = _two_annotator_project(tmp_path / "p.db")
    store.close()
    solo = Store.open(tmp_path / "solo.db")
    solo.add_documents([Document(id="d1", text="In Paris sprach Emmanuel Macron.")])
    session = Session(solo, "anna")
    for start, end, label in sorted(work["anna"]["d1"]):
        session.execute(session.add("d1", start, end, label))
    session.execute(session.set_status("d1", DocStatus.DONE))
    got = collect(solo, TrainOptions())
    assert _keys(got.docs) == {"d1": work["anna"]["d1"]}
    assert "anna" in got.source and "only annotator" in got.source
    solo.close()


def _docs(n: int) -> list[Annotated]:
    return [Annotated(f"doc{i:03d}", f"Text {i}.", ()) for i in range(n)]


@pytest.mark.parametrize("n", [2, 4, 5, 10, 12, 30, 100, 200])
def test_the_held_back_part_is_stable_disjoint_and_big_enough_for_the_gate(n: int) -> None:
    options = TrainOptions()
    parts = split_documents(_docs(n), options)
    ids = [d.doc_id for d in parts.train + parts.dev + parts.held]
    assert sorted(ids) == [d.doc_id for d in _docs(n)]  # each document in exactly one part
    assert len(parts.held) >= max(1, round(n * options.holdout))
    if n >= 2 * options.min_heldout:
        assert len(parts.held) >= options.min_heldout
    assert len(parts.train) >= 1
    assert parts.dev == [] or len(parts.dev) >= options.min_dev
    # a growing project holds back the documents it held back before, as long as the share
    # of documents held back does not shrink
    more = split_documents(_docs(n + 50), options)
    if len(more.held) >= len(parts.held) * (n + 50) / n:
        assert {d.doc_id for d in parts.held} <= {d.doc_id for d in more.held}


def test_the_fit_is_sized_by_the_data_and_the_budget() -> None:
    options = TrainOptions(batch_size=4, max_epochs=10, evaluations=10)
    small, big = plan_fit(8, 60, options, dev=True), plan_fit(400, 60, options, dev=True)
    assert small.max_steps == 2 * 10 and big.max_steps == 100 * 10
    assert small.eval_every == 2  # at least once an epoch
    assert big.eval_every == math.ceil(big.max_steps / 10)
    assert plan_fit(400, 60, TrainOptions(max_steps=50), dev=False).max_steps == 50
    assert plan_fit(400, 60, options, dev=False).eval_every == 0
    assert plan_fit(400, -5, options, dev=False).seconds == 0.0


def _units(
    pairs: list[tuple[tuple[int, int, int], tuple[int, int, int]]],
) -> tuple[list[PRF], list[PRF]]:
    return [PRF(*a) for a, _ in pairs], [PRF(*b) for _, b in pairs]


def test_the_bootstrap_brackets_the_gain_and_one_unit_has_no_spread() -> None:
    # new model better on most documents, worse on one
    pairs = [((5, 3, 3), (7, 1, 1))] * 8 + [((6, 1, 1), (3, 4, 4))]
    current, new = _units(pairs)
    got = paired_bootstrap(current, new, rounds=2000, seed=1)
    assert got.current == pytest.approx(micro(current).f1)
    assert got.new == pytest.approx(micro(new).f1)
    assert got.low < got.gain < got.high and got.low > 0
    single = paired_bootstrap(current[:1], new[:1], rounds=200)
    assert single.low == single.high == pytest.approx(single.gain)
    with pytest.raises(ValueError):
        paired_bootstrap(current, new[:-1])


def test_the_gate_wants_enough_documents_a_gain_beyond_noise_and_no_forgetting() -> None:
    options = TrainOptions(min_heldout=5)
    clear = Comparison(12, 0.60, 0.70, 0.04, 0.16)
    noisy = Comparison(12, 0.60, 0.62, -0.03, 0.07)
    few = Comparison(2, 0.60, 0.90, 0.25, 0.35)
    forgot = Comparison(574, 0.80, 0.76, -0.06, -0.02)
    kept = Comparison(574, 0.80, 0.79, -0.03, 0.01)
    assert gate(clear, kept, options)[0]
    assert gate(clear, None, options)[0]
    refused = [gate(noisy, kept, options), gate(few, kept, options), gate(clear, forgot, options)]
    assert not any(ok for ok, _ in refused)
    reasons = [why for _, why in refused]
    assert "noise" in reasons[0] and "cannot tell" in reasons[1] and "general German" in reasons[2]


# ---- the fit loop on a tiny model ----------------------------------------------------------

PEOPLE = ["Angela Merkel", "Olaf Scholz", "Ursula Weber", "Jan Novak", "Karl Meier"]


def _people_docs(n: int, offset: int = 0) -> list[Annotated]:
    out = []
    for i in range(n):
        a, b = PEOPLE[(i + offset) % 5], PEOPLE[(i + offset + 2) % 5]
        text = f"Heute traf {a} in der Stadt {b}. Danach sprach {a} lange."
        spans = []
        for name in (a, b):
            at = text.find(name)
            while at >= 0:
                spans.append(
                    Span(start=at, end=at + len(name), label="PER", kind=SpanKind.ENTITY,
                         status=SpanStatus.ACCEPTED, origin="manual")
                )  # fmt: skip
                at = text.find(name, at + 1)
        out.append(Annotated(f"p{i + offset}", text, tuple(spans)))
    return out


def _blank_ner() -> Language:
    import spacy

    nlp = spacy.blank("de")
    ner = nlp.add_pipe("ner")
    ner.add_label("PER")  # type: ignore[attr-defined]  # spaCy's pipes are typed loosely
    nlp.initialize()
    return nlp


def test_the_fit_reports_per_step_loss_that_falls_and_restores_the_best_weights() -> None:
    from annotator.learn import FitPlan, _examples, choose_checkpoint, fit, model_f1

    nlp = _blank_ner()
    train_docs = _people_docs(8)
    examples, _ = _examples(nlp, train_docs, annotate=[])
    reports: list[TrainProgress] = []
    options = TrainOptions(batch_size=2, patience=100)
    dev = _people_docs(3, offset=1)
    plan = FitPlan(600, 60, 4)
    result = fit(
        nlp, examples, plan=plan, options=options, trainable=["ner"], dev=dev,
        progress=reports.append,
    )  # fmt: skip
    losses = [p.loss for p in reports if p.loss is not None]
    assert result.steps == 60 and result.stopped == "max epochs"
    # per-step, not cumulative: a running sum could only grow
    assert losses[-1] < losses[0] / 4
    curve = [e.loss for e in result.curve if e.loss is not None]
    assert curve[-1] < curve[0]
    assert [e.step for e in result.curve] == list(range(0, 61, 4))
    kept = result.curve[choose_checkpoint([e.dev_f1 for e in result.curve])]
    assert result.best_step == kept.step
    assert model_f1(nlp, dev) == pytest.approx(kept.dev_f1)
    assert kept.dev_f1 > result.curve[0].dev_f1
    assert all(0 <= p.fraction <= 1 for p in reports) and reports[-1].seconds_left is not None


def test_the_recogniser_and_the_event_categoriser_keep_their_own_best_evaluation() -> None:
    from annotator.learn import SPANCAT_KEY, SPANCAT_NAME, FitPlan, _examples, fit, model_scores
    from annotator.suggest.triggers import add_trigger_categoriser

    def with_meetings(docs: list[Annotated]) -> list[Annotated]:
        out = []
        for d in docs:
            at = d.text.index("traf")
            meeting = Span(start=at, end=at + 4, label="MEETING", kind=SpanKind.EVENT,
                           status=SpanStatus.ACCEPTED, origin="manual")  # fmt: skip
            out.append(Annotated(d.doc_id, d.text, (*d.spans, meeting)))
        return out

    nlp = _blank_ner()
    train_docs = with_meetings(_people_docs(8))
    examples, _ = _examples(nlp, train_docs, annotate=[])
    add_trigger_categoriser(
        nlp, name=SPANCAT_NAME, spans_key=SPANCAT_KEY, labels=["MEETING"],
        get_examples=lambda: examples,
    )  # fmt: skip
    dev = with_meetings(_people_docs(3, offset=1))
    options = TrainOptions(batch_size=2, patience=100)
    result = fit(
        nlp, examples, plan=FitPlan(600, 40, 4), options=options,
        trainable=["ner", SPANCAT_NAME], dev=dev,
    )  # fmt: skip
    at = {e.step: e for e in result.curve}
    assert result.best_event_step is not None
    _, entities, events = model_scores(nlp, dev)
    # each component's weights are those of its own chosen evaluation
    assert entities == pytest.approx(at[result.best_step].entity_f1)
    assert events == pytest.approx(at[result.best_event_step].event_f1)
    assert events > 0 and entities > 0


def test_an_event_categoriser_the_run_added_never_keeps_its_untrained_weights() -> None:
    from annotator.learn import Evaluation, _events_checkpoint

    def curve(events: list[float]) -> list[Evaluation]:
        return [Evaluation(4 * i, 0.0, None, 0.5, 0.5, f1) for i, f1 in enumerate(events)]

    # the untrained categoriser's noise scores 0.001; trained, it first predicts nothing
    learning = curve([0.001, 0.0, 0.0, 0.0])
    assert _events_checkpoint(learning, 2, dev_has_events=True, untrained=False) == 0
    assert _events_checkpoint(learning, 2, dev_has_events=True, untrained=True) != 0
    assert _events_checkpoint(curve([0.0, 0.2, 0.6, 0.6]), 1, dev_has_events=True,
                              untrained=True) == 3  # fmt: skip
    # no event to score: follow the recogniser, but never back to the untrained start
    blind = curve([0.0, 0.0, 0.0])
    assert _events_checkpoint(blind, 1, dev_has_events=False, untrained=True) == 1
    assert _events_checkpoint(blind, 0, dev_has_events=False, untrained=True) == 2
    assert _events_checkpoint(blind, 0, dev_has_events=False, untrained=False) == 0


def test_the_kept_checkpoint_is_the_best_smoothed_not_one_lucky_evaluation() -> None:
    from annotator.learn import choose_checkpoint

    # the court-decision run of ADR 0025: one lucky evaluation after an epoch, then a plateau
    curve = [0.154, 0.478, 0.381, 0.456, 0.457, 0.450, 0.435, 0.410, 0.386]
    assert choose_checkpoint(curve) == 4  # (0.456 + 0.457 + 0.450) / 3, not the raw best 1
    assert choose_checkpoint([0.3]) == 0
    assert choose_checkpoint([0.0, 0.0, 0.0]) == 0  # a tie keeps the earliest: start weights
    assert choose_checkpoint([0.2, 0.5, 0.5, 0.2]) == 1
    with pytest.raises(ValueError):
        choose_checkpoint([])


@pytest.mark.parametrize("warmup", [0.0, 0.5])
def test_early_stopping_stops_after_patience_checks_without_gain(warmup: float) -> None:
    from annotator.learn import FitPlan, _examples, fit, model_f1

    nlp = _blank_ner()
    examples, _ = _examples(nlp, _people_docs(8), annotate=[])
    # the early-stopping documents want ORG where the training documents teach PER: no gain
    dev = [
        Annotated(d.doc_id, d.text, tuple(s.model_copy(update={"label": "ORG"}) for s in d.spans))
        for d in _people_docs(3, offset=1)
    ]
    options = TrainOptions(batch_size=2, patience=3, warmup=warmup)
    plan = FitPlan(600, 200, 4)
    result = fit(nlp, examples, plan=plan, options=options, trainable=["ner"], dev=dev)
    assert result.stopped == "no gain"
    # three checks without gain, but never before the warm-up share of the planned steps
    expected = max(3 * 4, math.ceil(warmup * plan.max_steps / 4) * 4)
    assert result.steps == expected
    assert [e.dev_f1 for e in result.curve] == [0.0] * (expected // 4 + 1)
    # the best weights were those before training: it still finds no person
    assert model_f1(nlp, _people_docs(8)) == 0.0


# ---- on the seeds: four articles must not put a worse model into use ------------------------


@pytest.mark.slow
def test_four_seed_articles_do_not_put_a_worse_model_into_use(tmp_path: Path) -> None:
    from annotator.learn import TrainReport, current_model_path, project_suggester, train
    from annotator.suggest.evaluate import score_spans

    records = [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines()]
    learn, fifth = records[:4], records[4]
    store = Store.open(tmp_path / "p.db")
    store.add_documents(Document(id=str(r["meta"]["id"]), text=r["text"]) for r in learn)
    anna = Session(store, "anna")
    for r in learn:
        doc_id = str(r["meta"]["id"])
        for s in r["spans"]:
            anna.execute(anna.add(doc_id, s["start"], s["end"], s["label"]))
        anna.execute(anna.set_status(doc_id, DocStatus.DONE))
    before = current_model_path(store)

    def fifth_f1() -> float:
        spans = next(project_suggester(store).suggest([fifth["text"]]))
        gold = [(s["start"], s["end"], s["label"]) for s in fifth["spans"]]
        return score_spans([gold], [[s.key for s in spans if s.label != "DATE"]])["micro"].f1

    f1_before = fifth_f1()
    report: TrainReport = train(store, TrainOptions(max_steps=6, rehearsal="none", resuggest=False))
    assert report.project is not None and report.general is not None
    assert report.project.units == report.heldout_docs == 2
    summary = report.summary()
    assert "held-back documents (2)" in summary and "general German sentences (574)" in summary
    assert "interval" in summary
    if report.activated:  # only a model that is better where it was not trained
        assert fifth_f1() >= f1_before
    else:
        assert current_model_path(store) == before
        assert "cannot tell" in report.reason
    store.close()


def test_rehearsal_leaves_out_sentences_with_labels_the_scheme_lacks() -> None:
    """A project of its own scheme (ORGANIZATION, not ORG) must not rehearse sentences stripped
    of their ORG names: they would teach that those names are no entities."""

    def entity(start: int, end: int, label: str) -> Span:
        return Span(start=start, end=end, label=label, status=SpanStatus.ACCEPTED)

    text = "Die EU traf Merkel."
    docs = [
        Annotated("a", text, (entity(4, 6, "ORG"), entity(12, 18, "PER"))),
        Annotated("b", text, (entity(12, 18, "PER"),)),
        Annotated("c", "Es regnete.", ()),
    ]
    kept = rehearsable(docs, {"PER", "ORGANIZATION"})
    assert [d.doc_id for d in kept] == ["b", "c"]
    assert kept[0].spans == docs[1].spans  # kept whole, never stripped
    shipped = shipped_sentences("rehearsal-de.jsonl.gz")
    labels = {s.label for d in shipped for s in d.spans}
    assert "ORG" in labels
    without_org = rehearsable(shipped, labels - {"ORG"})
    assert without_org and all(s.label != "ORG" for d in without_org for s in d.spans)
    assert len(without_org) == sum(1 for d in shipped if all(s.label != "ORG" for s in d.spans))


def test_the_summary_says_which_evaluation_the_run_kept() -> None:
    from annotator.learn import Evaluation, TrainReport

    curve = [
        Evaluation(0, 0.5, None, 0.15, 0.16, 0.10),
        Evaluation(17, 9.8, 35.6, 0.47, 0.48, 0.20),
        Evaluation(34, 18.6, 16.5, 0.44, 0.44, 0.62),
    ]
    report = TrainReport(
        version="v001", path=Path("m"), base="b", source="anna's documents", train_docs=68,
        dev_docs=12, heldout_docs=20, heldout_ids=[], steps=34, epochs=2.0, stopped="no gain",
        curve=curve, project=None, general=None, activated=False, reason="r",
        kept_step=17, kept_event_step=34,
    )  # fmt: skip
    summary = report.summary()
    assert "kept the weights of step 17 (early-stopping F1 0.480)" in summary
    assert "events: the weights of step 34 (early-stopping F1 0.620)" in summary
    assert report.to_json()["kept_step"] == 17 and report.to_json()["curve"][2]["event_f1"] == 0.62
    start = TrainReport(**{**report.__dict__, "kept_step": 0, "kept_event_step": None})
    assert "kept the start weights (early-stopping F1 0.160)" in start.summary()
    assert "events:" not in start.summary()
