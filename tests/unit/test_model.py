from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from annotator.model import (
    ArgumentError,
    Document,
    LabelScheme,
    Span,
    SpanError,
    SpanKind,
    check_span,
    content_hash,
)


def test_builtin_scheme_has_the_labels_of_the_card() -> None:
    scheme = LabelScheme.load()
    entities = [label.name for label in scheme.of_kind(SpanKind.ENTITY)]
    events = [label.name for label in scheme.of_kind(SpanKind.EVENT)]
    assert entities == ["PER", "ORG", "LOC", "MISC", "DATE"]
    assert set(events) == {
        "MEETING",
        "PHONE_CALL",
        "VISIT",
        "NEGOTIATION",
        "RELEASE",
        "SANCTIONS",
        "ELECTION",
        "PROTEST",
        "CONFLICT",
        "MILITARY_EXERCISE",
    }
    for label in scheme.labels:
        assert label.guideline, label.name
        assert "Example" in label.guideline or "Beispiel" in label.guideline


def test_scheme_rejects_duplicate_keys(tmp_path: Path) -> None:
    data = json.loads(LabelScheme.load().to_json())
    data["labels"][1]["key"] = data["labels"][0]["key"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate hotkey"):
        LabelScheme.load(path)


def test_scheme_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json"):
        LabelScheme.load(path)


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2)])
def test_span_rejects_bad_order(start: int, end: int) -> None:
    with pytest.raises(ValidationError):
        Span(start=start, end=end, label="PER")


def test_check_span_against_text_and_scheme() -> None:
    scheme = LabelScheme.load()
    text = "Lukaschenko traf Kellogg in Minsk."
    check_span(Span(start=0, end=11, label="PER"), text, scheme)
    with pytest.raises(SpanError, match="ends after the text"):
        check_span(Span(start=28, end=99, label="LOC"), text, scheme)
    with pytest.raises(SpanError, match="unknown label 'CITY'"):
        check_span(Span(start=28, end=33, label="CITY"), text, scheme)
    with pytest.raises(SpanError, match="event label"):
        check_span(Span(start=12, end=16, label="MEETING", kind=SpanKind.ENTITY), text, scheme)


def test_document_hash_is_content_identity() -> None:
    a = Document(id="a", text="Minsk\r\n")
    b = Document(id="b", text="Minsk\r\n")
    c = Document(id="c", text="Minsk\n")
    assert a.hash == b.hash == content_hash("Minsk\r\n")
    assert a.hash != c.hash


# ---- roles ------------------------------------------------------------------------------------


def _scheme_data() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (Path(__file__).resolve().parents[2] / "annotator" / "resources" / "labels.json").read_text(
            encoding="utf-8"
        )
    )
    return data


def test_every_builtin_event_label_has_roles_whose_fillers_are_labels() -> None:
    scheme = LabelScheme.load()
    for label in scheme.of_kind(SpanKind.EVENT):
        assert label.roles, label.name
        for role in label.roles:
            assert role.guideline and set(role.fillers) <= set(scheme.names)
    for label in scheme.of_kind(SpanKind.ENTITY):
        assert not label.roles
    meeting = scheme.get("MEETING")
    assert meeting is not None
    assert [r.name for r in meeting.roles] == ["participant", "place", "time"]
    release = scheme.get("RELEASE")
    assert release is not None and {"releaser", "released", "place"} <= {
        r.name for r in release.roles
    }


def test_check_argument_refuses_unknown_roles_and_fillers() -> None:
    scheme = LabelScheme.load()
    scheme.check_argument("MEETING", "participant", "PER")
    with pytest.raises(ArgumentError, match="MEETING has no role 'releaser'"):
        scheme.check_argument("MEETING", "releaser", "PER")
    with pytest.raises(ArgumentError, match="the time of MEETING is DATE, not PER"):
        scheme.check_argument("MEETING", "time", "PER")
    with pytest.raises(ArgumentError, match="not an event label"):
        scheme.check_argument("PER", "participant", "PER")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r[0].update(fillers=["PERSON"]), "unknown filler label 'PERSON'"),
        (lambda r: r[1].update(key=r[0]["key"]), "duplicate role key"),
        (lambda r: r[1].update(name=r[0]["name"]), "duplicate role 'participant'"),
        (lambda r: r[0].update(key="j"), "uses the key 'j'"),
    ],
)
def test_a_scheme_with_bad_roles_is_refused_in_one_line(
    tmp_path: Path, change: object, message: str
) -> None:
    data = _scheme_data()
    labels = data["labels"]
    assert isinstance(labels, list)
    meeting = next(lab for lab in labels if lab["name"] == "MEETING")
    change(meeting["roles"])  # type: ignore[operator]
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        LabelScheme.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_only_event_labels_have_roles() -> None:
    data = _scheme_data()
    labels = data["labels"]
    assert isinstance(labels, list)
    labels[0]["roles"] = [{"name": "x", "key": "x"}]
    with pytest.raises(ValueError, match="only event labels have roles"):
        LabelScheme.model_validate(data)
