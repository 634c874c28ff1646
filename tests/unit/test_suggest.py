"""Suggesters: the built-in model, the event patterns, any pipeline with a label map."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.model import LabelScheme, Span, SpanKind, SpanStatus
from annotator.suggest import (
    BUILTIN_MODEL_PATH,
    BUILTIN_NAME,
    CombinedSuggester,
    LabelMapError,
    RuleSuggester,
    SpacySuggester,
    Suggester,
    builtin_suggester,
    load_label_map,
    load_pipeline,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def found(spans: list[Span], text: str) -> set[tuple[str, str]]:
    return {(text[s.start : s.end], s.label) for s in spans}


# -- the interface and the label map -----------------------------------------------------------


def test_importing_the_package_does_not_import_spacy() -> None:
    code = "import sys, annotator.suggest; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_label_map_from_pairs_files_and_dicts(tmp_path: Path) -> None:
    assert load_label_map(["GPE=LOC", "PERSON = PER", "DATE="]) == {
        "GPE": "LOC",
        "PERSON": "PER",
        "DATE": "",
    }
    assert load_label_map("NORP=MISC") == {"NORP": "MISC"}
    assert load_label_map({"FAC": "LOC"}) == {"FAC": "LOC"}
    assert load_label_map(None) == {}
    text_map = tmp_path / "map.txt"
    text_map.write_text("# spaCy German labels\nGPE\tLOC\nPERSON=PER\n", encoding="utf-8")
    assert load_label_map(text_map) == {"GPE": "LOC", "PERSON": "PER"}
    assert load_label_map([str(text_map), "GPE=ORG"]) == {"GPE": "ORG", "PERSON": "PER"}
    json_map = tmp_path / "map.json"
    json_map.write_text(json.dumps({"LOC": "LOC", "PER": "PER"}), encoding="utf-8")
    assert load_label_map(str(json_map)) == {"LOC": "LOC", "PER": "PER"}


def test_label_map_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(LabelMapError, match="SRC=DST"):
        load_label_map(["=LOC"])
    bad = tmp_path / "bad.txt"
    bad.write_text("GPE LOC\n", encoding="utf-8")
    with pytest.raises(LabelMapError, match="SRC=DST"):
        load_label_map(bad)
    with pytest.raises(LabelMapError, match="cannot read"):
        load_label_map(tmp_path / "missing.txt")


# -- event patterns ----------------------------------------------------------------------------


def test_event_patterns_find_meeting_call_and_release_in_seeds() -> None:
    rules = RuleSuggester()
    assert isinstance(rules, Suggester)
    texts = [seed("002"), seed("004")]
    results = list(rules.suggest(texts))
    assert len(results) == 2
    for text, spans in zip(texts, results, strict=True):
        for span in spans:
            assert span.kind is SpanKind.EVENT
            assert span.status is SpanStatus.SUGGESTED
            assert span.origin == "events-de"
            assert span.origin_version == rules.version
            assert span.score is not None and 0.0 <= span.score <= 1.0
            assert text[span.start : span.end].strip() == text[span.start : span.end]
    got = found(results[0], texts[0]) | found(results[1], texts[1])
    assert ("Treffen", "MEETING") in got
    assert ("Telefonat", "PHONE_CALL") in got
    assert ("Telefongespräch", "PHONE_CALL") in got
    assert ("Freilassung", "RELEASE") in got
    assert ("freigelassen", "RELEASE") in got
    assert ("Alaska-Gipfels", "MEETING") in got


@pytest.mark.parametrize(
    ("sentence", "trigger", "label"),
    [
        ("Das Gipfeltreffen fand in Genf statt.", "Gipfeltreffen", "MEETING"),
        ("Sie telefonierten am Montag.", "telefonierten", "PHONE_CALL"),
        ("Der Minister besuchte Minsk.", "besuchte", "VISIT"),
        ("Die Sicherheitsverhandlungen stocken.", "Sicherheitsverhandlungen", "NEGOTIATION"),
        ("Drei Gefangene wurden begnadigt.", "begnadigt", "RELEASE"),
        ("Die EU verhängt neue Sanktionen.", "Sanktionen", "SANCTIONS"),
        ("Nach den Präsidentschaftswahlen gab es Streit.", "Präsidentschaftswahlen", "ELECTION"),
        ("Nach den Wahlen kam es zu Protesten.", "Protesten", "PROTEST"),
        (
            "Seit dem Ukraine-Russland-Konflikt ist es anders.",
            "Ukraine-Russland-Konflikt",
            "CONFLICT",
        ),
        ("Das Manöver Sapad beginnt.", "Manöver", "MILITARY_EXERCISE"),
        ("Die Militärübungen dauern an.", "Militärübungen", "MILITARY_EXERCISE"),
    ],
)
def test_event_patterns_cover_every_event_label(sentence: str, trigger: str, label: str) -> None:
    spans = next(RuleSuggester().suggest([sentence]))
    assert (trigger, label) in found(spans, sentence)


def test_patterns_cover_the_scheme_and_avoid_known_false_friends() -> None:
    from annotator.suggest.events import read_patterns

    scheme = LabelScheme.load()
    labels = {p["label"] for p in read_patterns()}
    assert labels == {label.name for label in scheme.of_kind(SpanKind.EVENT)}
    text = "Die Preise steigen. Er will eine Entscheidung treffen. Die Auswahl ist groß."
    assert next(RuleSuggester().suggest([text])) == []


@pytest.mark.parametrize(
    ("sentence", "trigger", "label"),
    [
        ("In den Kliniken wird gestreikt.", "gestreikt", "PROTEST"),
        ("Verdi bestreikt die Flughäfen.", "bestreikt", "PROTEST"),
        ("Die Zahl der Telefonate sinkt.", "Telefonate", "PHONE_CALL"),
        ("ES WIRD WIEDER GESTREIKT.", "GESTREIKT", "PROTEST"),
        ("Die Mitglieder trafen sich zur Versammlung.", "Versammlung", "MEETING"),
        ("Der Nationalrat hat dafür votiert.", "votiert", "ELECTION"),
    ],
)
def test_event_patterns_generate_the_regular_forms(sentence: str, trigger: str, label: str) -> None:
    # none of these forms is listed in the pattern file: they come from noun and verb endings
    from annotator.suggest.events import read_patterns

    listed = {f for p in read_patterns() for f in p.get("forms", ())}
    assert trigger.lower() not in listed
    spans = next(RuleSuggester().suggest([sentence]))
    assert (trigger, label) in found(spans, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Firma kündigte die Entlassung von 60 Mitarbeitern an.",
        "Die Messebesucher kamen früh.",
        "Bei der Ein- und Ausreise wird kontrolliert.",
        "Im Tarifkonflikt gibt es keine Einigung.",
        "Die Firma lud zum Pressegespräch.",
        "Er würde ein Gericht nach dem\nanderen anrufen.",
    ],
)
def test_event_patterns_skip_the_other_senses(sentence: str) -> None:
    assert next(RuleSuggester().suggest([sentence])) == []


def test_verb_forms_follow_the_prefix() -> None:
    from annotator.suggest.events import verb_forms

    assert {"streikt", "streikte", "streikten", "gestreikt"} <= verb_forms("streiken")
    assert "bestreikt" in verb_forms("bestreiken") and "gebestreikt" not in verb_forms("bestreiken")
    assert "demonstriert" in verb_forms("demonstrieren")
    # a separable verb's finite forms stand apart from the prefix: only participle and zu-form
    forms = verb_forms("freilassen")
    assert "freizulassen" in forms and not forms & {"lasst", "lasse", "lassen"}


def test_rule_version_follows_the_pattern_file(tmp_path: Path) -> None:
    patterns = tmp_path / "p.jsonl"
    patterns.write_text('{"label": "MEETING", "noun": "Treffen"}\n', encoding="utf-8")
    first = RuleSuggester(patterns).version
    assert RuleSuggester(patterns).version == first
    patterns.write_text('{"label": "MEETING", "noun": "Gipfel"}\n', encoding="utf-8")
    assert RuleSuggester(patterns).version != first
    spans = next(RuleSuggester(patterns).suggest(["Ein Treffen auf dem Gipfel."]))
    assert [(s.start, s.end, s.label) for s in spans] == [(20, 26, "MEETING")]


# -- the built-in model ------------------------------------------------------------------------


def test_builtin_model_is_shipped_with_its_card() -> None:
    assert (BUILTIN_MODEL_PATH / "meta.json").is_file()
    card = (BUILTIN_MODEL_PATH / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Benikova" in card and "Faruqui" in card
    size = sum(p.stat().st_size for p in BUILTIN_MODEL_PATH.rglob("*") if p.is_file())
    assert size < 30 * 1024 * 1024


def test_builtin_finds_lukaschenko_and_minsk_in_a_seed_sentence() -> None:
    text = seed("001")
    sentence = next(s for s in text.split(". ") if "Minsk anwesend" in s)
    suggester = builtin_suggester()
    assert suggester.name == BUILTIN_NAME
    whole = "Damals traf Alexander Lukaschenko in Minsk den US-Gesandten. " + sentence
    spans = next(suggester.suggest([whole]))
    got = found(spans, whole)
    assert ("Alexander Lukaschenko", "PER") in got or ("Lukaschenko", "PER") in got
    assert ("Minsk", "LOC") in got
    assert ("traf", "MEETING") in got  # events come from the same pass
    for span in spans:
        assert span.origin == BUILTIN_NAME and span.origin_version == suggester.version
        assert span.kind is LabelScheme.load().kind_of(span.label)


def test_builtin_on_whole_seed_articles_keeps_exact_offsets() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    results = list(builtin_suggester().suggest(texts, batch_size=2))
    assert len(results) == len(texts)
    everything = set()
    for text, spans in zip(texts, results, strict=True):
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
        everything |= found(spans, text)
    assert ("Lukaschenko", "PER") in everything
    assert ("Minsk", "LOC") in everything
    assert ("Reuters", "ORG") in everything
    assert {label for _, label in everything} >= {"PER", "LOC", "ORG", "MEETING", "RELEASE"}


def test_pipelines_are_cached() -> None:
    first = load_pipeline(BUILTIN_MODEL_PATH, events=True)
    assert load_pipeline(BUILTIN_MODEL_PATH, events=True) is first
    assert load_pipeline(str(BUILTIN_MODEL_PATH), events=True) is first
    assert load_pipeline(BUILTIN_MODEL_PATH) is not first


# -- any pipeline, with a label map ------------------------------------------------------------

TINY_TRAIN = [
    ("Anna Schmidt wohnt in Berlin.", [(0, 12, "PERSON"), (22, 28, "GPE")]),
    ("Peter Meyer fährt nach Hamburg.", [(0, 11, "PERSON"), (23, 30, "GPE")]),
    ("Anna Schmidt kauft ein iPhone.", [(0, 12, "PERSON"), (23, 29, "PRODUCT")]),
    ("In Berlin regnet es.", [(3, 9, "GPE")]),
    ("Peter Meyer liebt sein iPhone.", [(0, 11, "PERSON"), (23, 29, "PRODUCT")]),
]


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small NER pipeline with foreign labels, trained and saved here."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(0)
    nlp = spacy.blank("de")
    nlp.add_pipe("ner")
    examples = [
        Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TINY_TRAIN
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.meta["name"] = "tiny"
    nlp.meta["version"] = "0.0.1"
    path = tmp_path_factory.mktemp("models") / "tiny"
    nlp.to_disk(path)
    return path


def test_any_pipeline_with_a_label_map(tiny_pipeline: Path) -> None:
    mapping = load_label_map(["PERSON=PER", "GPE=LOC"])
    suggester = SpacySuggester(tiny_pipeline, label_map=mapping)
    assert suggester.name == "tiny"
    assert suggester.version.startswith("0.0.1+")
    texts = [text for text, _ in TINY_TRAIN]
    results = list(suggester.suggest(texts))
    spans = [(s.start, s.end, s.label) for s in results[0]]
    assert spans == [(0, 12, "PER"), (22, 28, "LOC")]
    assert all(s.kind is SpanKind.ENTITY and s.score == 1.0 for r in results for s in r)
    assert all(s.origin == "tiny" for r in results for s in r)
    # PRODUCT has no place in the scheme: dropped and counted, once per predicted span
    assert suggester.dropped == {"PRODUCT": 2}
    assert all(s.label in {"PER", "LOC"} for r in results for s in r)


def test_without_a_map_foreign_labels_are_all_dropped(tiny_pipeline: Path) -> None:
    suggester = SpacySuggester(tiny_pipeline)
    assert list(suggester.suggest(["Anna Schmidt wohnt in Berlin."])) == [[]]
    assert suggester.dropped == {"PERSON": 1, "GPE": 1}


def test_mapping_to_nothing_drops_on_purpose(tiny_pipeline: Path) -> None:
    suggester = SpacySuggester(tiny_pipeline, label_map={"PERSON": "PER", "GPE": ""})
    spans = next(suggester.suggest(["Anna Schmidt wohnt in Berlin."]))
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 12, "PER")]
    assert suggester.dropped == {"GPE": 1}


def test_version_changes_with_the_label_map(tiny_pipeline: Path) -> None:
    a = SpacySuggester(tiny_pipeline, label_map={"GPE": "LOC"}).version
    b = SpacySuggester(tiny_pipeline, label_map={"GPE": "ORG"}).version
    assert a != b


def test_missing_pipeline_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        next(SpacySuggester(tmp_path / "nope").suggest(["x"]))


def test_combined_suggester_merges_in_order(tiny_pipeline: Path) -> None:
    combined = CombinedSuggester(
        SpacySuggester(tiny_pipeline, label_map={"PERSON": "PER", "GPE": "LOC"}),
        RuleSuggester(),
        name="tiny+events",
    )
    text = "Anna Schmidt wohnt in Berlin. Das Treffen war kurz."
    spans = next(combined.suggest([text]))
    assert ("Treffen", "MEETING") in found(spans, text)
    assert ("Anna Schmidt", "PER") in found(spans, text)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert {s.origin for s in spans} == {"tiny+events"}
    assert all(s.origin_version == combined.version for s in spans)
