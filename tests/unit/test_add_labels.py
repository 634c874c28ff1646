"""``--add-labels``: new labels join the scheme beside the old ones, with a colour and a key."""

from __future__ import annotations

import string

import pytest

from annotator.corpus import RESERVED_KEYS, extend_scheme, import_records
from annotator.formats.reading import Record, make_document
from annotator.model import Label, LabelScheme, Span, SpanKind, SpanStatus
from annotator.palette import scheme_palette_problems
from annotator.store import Store


def test_new_labels_keep_the_old_ones_and_take_free_keys_and_distant_colours() -> None:
    scheme = LabelScheme.load()
    wanted = {"LOCATION": SpanKind.ENTITY, "Attack": SpanKind.EVENT, "GGP": SpanKind.ENTITY}
    extended, added = extend_scheme(scheme, wanted)
    assert extended.labels[: len(scheme.labels)] == scheme.labels
    assert [(label.name, label.kind) for label in added] == list(wanted.items())
    keys = [label.key for label in extended.labels]
    assert len(keys) == len(set(keys)) and not RESERVED_KEYS & set(keys)
    # A letter of the name where one is free: LOCATION's l and o are taken, c is reserved.
    assert added[0].key == "t"
    colours = [label.color for label in extended.labels]
    assert len(set(colours)) == len(colours)


def test_when_every_key_is_taken_a_new_label_has_none() -> None:
    free = [c for c in string.ascii_lowercase + string.digits if c not in RESERVED_KEYS]
    scheme = LabelScheme(
        labels=tuple(
            Label(name=f"L{i}", kind=SpanKind.ENTITY, color="#aabbcc", key=k)
            for i, k in enumerate(free)
        )
    )
    extended, (added,) = extend_scheme(scheme, {"NEW": SpanKind.ENTITY})
    assert added.key == "" and extended.get("NEW") == added
    assert extended.by_key("") is None


def test_a_distinct_colour_passes_the_palette_check_beside_the_built_in_scheme() -> None:
    scheme = LabelScheme.load()
    extended, added = extend_scheme(scheme, {"GGP": SpanKind.ENTITY, "Attack": SpanKind.EVENT})
    new = {label.name for label in added}
    problems = [p for p in scheme_palette_problems(extended) if any(f"{n} #" in p for n in new)]
    assert problems == []


def test_set_scheme_refuses_to_drop_a_label_the_gold_spans_use(store: Store) -> None:
    doc = make_document("d", "Minsk", "t", {})
    span = Span(start=0, end=5, label="LOC", status=SpanStatus.ACCEPTED)
    import_records(store, [Record(doc, [span], "in", 1)])
    store.replace_gold("d", "rita", add=[span], action="test")
    store.delete_suggestion_runs("import", ["d"])
    without = LabelScheme(  # LOC gone, also as a filler of the event roles
        labels=tuple(
            lb.model_copy(
                update={
                    "roles": tuple(
                        r.model_copy(update={"fillers": tuple(f for f in r.fillers if f != "LOC")})
                        for r in lb.roles
                    )
                }
            )
            for lb in store.scheme.labels
            if lb.name != "LOC"
        )
    )
    with pytest.raises(ValueError, match="LOC"):
        store.set_scheme(without)


def test_an_unknown_label_is_refused_per_record_and_added_on_request(store: Store) -> None:
    from annotator.corpus import InputError

    doc = make_document("d", "Minsk", "t", {})
    record = Record(doc, [Span(start=0, end=5, label="CITY")], "in.jsonl", 4)
    with pytest.raises(InputError) as info:
        import_records(store, [record])
    assert "in.jsonl:4: unknown label 'CITY'" in str(info.value)
    assert "--add-labels" in str(info.value) and "--scheme" in str(info.value)
    assert "CITY" not in store.scheme
    report = import_records(store, [record], add_labels=True)
    assert store.scheme.kind_of("CITY") == SpanKind.ENTITY
    assert [label.name for label in report.labels_added] == ["CITY"]
    assert "added 1 label(s) to the scheme: CITY (entity" in report.summary()
