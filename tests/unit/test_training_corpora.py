"""The training-data readers map every corpus onto PER, LOC, ORG, MISC as the model card says."""

from __future__ import annotations

import gzip
from pathlib import Path

from training import corpora
from training.prepare import Sentence, parse_mix, weighted

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ner-de"


def test_fine_labels_of_smart_data_and_mobie() -> None:
    assert corpora.fine_label("location-city") == "LOC"
    assert corpora.fine_label("location-route") == "LOC"
    assert corpora.fine_label("organization-company") == "ORG"
    assert corpora.fine_label("person") == "PER"
    for other in ("date", "trigger", "org-position", "event-cause", "number", "disaster-type"):
        assert corpora.fine_label(other) is None


def test_tags_are_mapped_and_repaired() -> None:
    mapping = corpora.LER_LABELS.get
    assert corpora.map_tag("B-RR", mapping) == "B-PER"
    assert corpora.map_tag("I-GRT", mapping) == "I-ORG"
    assert corpora.map_tag("B-GS", mapping) == "O"  # a law is no entity here
    assert corpora.repair_bio(["I-LOC", "I-LOC", "O", "I-PER", "B-PER", "I-ORG"]) == [
        "B-LOC", "I-LOC", "O", "B-PER", "B-PER", "B-ORG",
    ]  # fmt: skip


def test_overlapping_smart_data_mentions_keep_the_longer() -> None:
    doc = {
        "conceptMentions": {
            "array": [
                {"span": {"start": 0, "end": 6}, "type": "location-city"},
                {"span": {"start": 0, "end": 15}, "type": "organization-company"},
                {"span": {"start": 20, "end": 24}, "type": "date"},
                {"span": {"start": 30, "end": 35}, "type": "person"},
            ]
        }
    }
    assert corpora.smartdata_entities(doc) == [(0, 15, "ORG"), (30, 35, "PER")]


def test_ler_reader_counts_match_the_file() -> None:
    path = DATA / "legal" / "bgh.conll.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    begins = sum(
        1
        for line in lines
        if len(line.split(" ")) == 2
        and line.split(" ")[1].startswith("B-")
        and line.split(" ")[1][2:] in corpora.LER_LABELS
    )
    sentences = list(corpora.read_ler(path))
    assert sum(len(s.spans()) for s in sentences) >= begins  # an I- after O starts one too
    assert len(sentences) == sum(1 for block in "\n".join(lines).split("\n\n") if block.strip())


def test_mix_weights() -> None:
    assert parse_mix("smartdata=1,legal=0.25") == {"smartdata": 1.0, "legal": 0.25}
    sentences = [Sentence([str(i)], ["O"], "x") for i in range(1000)]
    assert len(weighted(sentences, 2, seed=0)) == 2000
    sampled = weighted(sentences, 0.25, seed=0)
    assert 150 < len(sampled) < 350 and sampled == weighted(sentences, 0.25, seed=0)
