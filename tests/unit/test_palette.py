"""Label and style colours stay apart, for normal and red-green colour-blind vision."""

from __future__ import annotations

import pytest

from annotator.model import Label, LabelScheme, SpanKind
from annotator.palette import (
    CVD_MATRICES,
    MIN_CHROMATIC,
    MIN_DISTANCE,
    STYLE_COLORS,
    VISIONS,
    chromatic_distance,
    ciede2000,
    closest_chromatic,
    closest_pairs,
    distance,
    palette_problems,
    scheme_colors,
    scheme_palette_problems,
    to_lab,
)

# The palette of the built-in scheme and the styles before the check existed: ORG, VISIT and
# the selection frame blue; LOC, RELEASE and PHONE_CALL green.
OLD_LABELS = {
    "PER": "#ffb3ba", "ORG": "#bae1ff", "LOC": "#baffc9", "MISC": "#ffffba", "DATE": "#e0c3fc",
    "MEETING": "#e67e22", "PHONE_CALL": "#16a085", "VISIT": "#2980b9", "NEGOTIATION": "#8e44ad",
    "RELEASE": "#27ae60", "SANCTIONS": "#c0392b", "ELECTION": "#d35400", "PROTEST": "#7f8c8d",
    "CONFLICT": "#922b21", "MILITARY_EXERCISE": "#1f618d",
}  # fmt: skip
OLD_STYLES = {
    "style:selected": "#1d3f8f",
    "style:rejected": "#8a8a8a",
    "style:unresolved": "#d62728",
    "style:current": "#ff7f0e",
}


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_pairs(
    lab1: tuple[float, float, float], lab2: tuple[float, float, float], expected: float
) -> None:
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_known_colours() -> None:
    assert to_lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=0.01)
    assert to_lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.05)


def test_colour_blind_vision_keeps_greys_and_merges_red_with_green() -> None:
    for vision in CVD_MATRICES:
        for grey in ("#ffffff", "#808080", "#202020"):
            assert distance(grey, grey, vision) == 0
            assert ciede2000(to_lab(grey, vision), to_lab(grey)) < 1.0
        # a red and a green of the same lightness: far apart normally, close without L or M cones
        assert distance("#d05050", "#6f8f00", vision) < distance("#d05050", "#6f8f00") / 2


def test_the_built_in_scheme_and_styles_are_apart_in_every_vision() -> None:
    colors = scheme_colors(LabelScheme.load())
    assert len(colors) == len(LabelScheme.load().labels) + len(STYLE_COLORS)
    closest = closest_pairs(colors)
    for vision in VISIONS:
        assert closest[vision][0] >= MIN_DISTANCE[vision], (vision, closest[vision])
    assert closest_chromatic(colors)[0] >= MIN_CHROMATIC
    assert scheme_palette_problems(LabelScheme.load()) == []


def test_the_old_palette_fails_where_people_saw_it() -> None:
    problems = palette_problems({**OLD_LABELS, **OLD_STYLES})
    text = "\n".join(problems)
    assert "ORG #bae1ff and VISIT #2980b9" in text  # both blue
    assert "LOC #baffc9 and RELEASE #27ae60" in text  # both green
    closest = closest_pairs({**OLD_LABELS, **OLD_STYLES})
    assert all(closest[v][0] < MIN_DISTANCE[v] for v in VISIONS)
    assert chromatic_distance(OLD_LABELS["ORG"], OLD_LABELS["VISIT"]) < MIN_CHROMATIC


def test_a_custom_scheme_is_checked_too() -> None:
    scheme = LabelScheme(
        labels=(
            Label(name="A", kind=SpanKind.ENTITY, color="#c0392b", key="a"),
            Label(name="B", kind=SpanKind.ENTITY, color="#c2392d", key="b"),
        )
    )
    problems = scheme_palette_problems(scheme)
    assert any(p.startswith("A #c0392b and B #c2392d") for p in problems)
    assert any("style:unresolved" in p for p in problems)  # the review underline is red too


def test_style_pairs_are_not_checked() -> None:
    assert palette_problems({"style:a": "#000000", "style:b": "#010101"}) == []
    assert palette_problems({"a": "#000000", "style:b": "#010101"})
