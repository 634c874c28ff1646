"""The held-out event-trigger fixture is sound: whole words, scheme labels, two parts, no seeds."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.model import LabelScheme, SpanKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _records() -> list[dict]:  # type: ignore[type-arg]
    lines = (FIXTURES / "gold_events_heldout.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_triggers_are_whole_words_with_event_labels() -> None:
    events = {label.name for label in LabelScheme.load().of_kind(SpanKind.EVENT)}
    total = 0
    for record in _records():
        text = record["text"]
        previous_end = 0
        for span in record["spans"]:
            start, end = span["start"], span["end"]
            assert previous_end <= start < end <= len(text), record["id"]
            assert span["label"] in events
            word = text[start:end]
            assert word == word.strip() and " " not in word
            assert start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "-")
            assert end == len(text) or not (text[end].isalnum() or text[end] == "-")
            previous_end = end
            total += 1
    assert total >= 150


def test_dev_and_test_parts_are_apart_and_not_from_the_seeds() -> None:
    records = _records()
    parts = {record["part"] for record in records}
    assert parts == {"dev", "test"}
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids))
    for part in parts:
        assert sum(len(r["spans"]) for r in records if r["part"] == part) >= 70
    seed_lines = {
        line.strip()
        for path in SEEDS.glob("*.txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 40
    }
    for record in records:
        assert not seed_lines & {line.strip() for line in record["text"].splitlines()}
