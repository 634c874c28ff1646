"""Colours that stay apart: CIEDE2000 distances between a scheme's label colours and the styles the
window draws, under normal vision and simulated red-green colour blindness.

No Qt here: the window reads its style colours from :data:`STYLE_COLORS`, and anything that loads a
label scheme can call :func:`palette_problems` and warn. Distances are ΔE00 between the colours as
declared (an entity's fill, an event's frame), in CIE Lab (D65). Colour blindness is simulated with
the Machado, Oliveira and Fernandes (2009) matrices at full severity, applied in linear sRGB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from annotator.model import LabelScheme

Lab = tuple[float, float, float]

# What the article view draws besides the labels' own colours (name: hex).
STYLE_COLORS: dict[str, str] = {
    "selected": "#111111",  # the thick outline of the selected span
    "rejected": "#9e9e9e",  # the strike-through of a rejected span
    "unresolved": "#e4003a",  # review: the underline of an unresolved disagreement
    "current": "#f28e00",  # review: the dashed frame of the current disagreement
    "argument": "#34466b",  # the arcs from an event to its arguments, with the role's name
}

# Machado et al. (2009), severity 1.0, for linear RGB.
CVD_MATRICES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
}
VISIONS = ("normal", *CVD_MATRICES)

# ΔE00 below which two colours of the window count as hard to tell apart. About 10 is "clearly
# different at a glance" for small patches; colour-blind vision squeezes the space: less is asked.
MIN_DISTANCE = {"normal": 13.0, "deuteranopia": 8.0, "protanopia": 8.0}
# ΔE00 at equal lightness (normal vision): two colours apart only by lightness, a light and a dark
# blue, read as "both blue" (an entity's fill against an event's frame); they must differ in hue
# or chroma too.
MIN_CHROMATIC = 8.0


def _rgb(hex_color: str) -> tuple[float, float, float]:
    value = hex_color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_color!r}")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def to_lab(hex_color: str, vision: str = "normal") -> Lab:
    """CIE Lab (D65) of an sRGB colour, as a person with ``vision`` sees it."""
    r, g, b = (_linear(c) for c in _rgb(hex_color))
    if vision != "normal":
        m = CVD_MATRICES[vision]
        r, g, b = (min(1.0, max(0.0, row[0] * r + row[1] * g + row[2] * b)) for row in m)
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x / 0.95047), f(y / 1.0), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """ΔE00 (Sharma, Wu and Dalal 2005), with kL = kC = kH = 1."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dc / s_c) * (dH / s_h)
    )


def distance(color1: str, color2: str, vision: str = "normal") -> float:
    return ciede2000(to_lab(color1, vision), to_lab(color2, vision))


def chromatic_distance(color1: str, color2: str) -> float:
    """ΔE00 between two colours once both are brought to their mean lightness."""
    l1, a1, b1 = to_lab(color1)
    l2, a2, b2 = to_lab(color2)
    mean = (l1 + l2) / 2
    return ciede2000((mean, a1, b1), (mean, a2, b2))


def closest_pairs(colors: Mapping[str, str]) -> dict[str, tuple[float, str, str]]:
    """Per vision: the smallest ΔE00 among all pairs of ``colors`` (name: hex) and that pair."""
    names = list(colors)
    result: dict[str, tuple[float, str, str]] = {}
    for vision in VISIONS:
        labs = {n: to_lab(colors[n], vision) for n in names}
        best = (math.inf, "", "")
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                d = ciede2000(labs[a], labs[b])
                if d < best[0] and not _both_styles(a, b):
                    best = (d, a, b)
        result[vision] = best
    return result


STYLE_PREFIX = "style:"


def _both_styles(a: str, b: str) -> bool:
    return a.startswith(STYLE_PREFIX) and b.startswith(STYLE_PREFIX)


def scheme_colors(scheme: LabelScheme, *, styles: bool = True) -> dict[str, str]:
    """The scheme's label colours, plus the window's style colours (prefixed ``style:``)."""
    colors = {label.name: label.color for label in scheme.labels}
    if styles:
        colors.update({STYLE_PREFIX + name: value for name, value in STYLE_COLORS.items()})
    return colors


def closest_chromatic(colors: Mapping[str, str]) -> tuple[float, str, str]:
    """The smallest :func:`chromatic_distance` among all pairs of ``colors`` and that pair."""
    names = list(colors)
    return min(
        (
            (chromatic_distance(colors[a], colors[b]), a, b)
            for i, a in enumerate(names)
            for b in names[i + 1 :]
            if not _both_styles(a, b)
        ),
        default=(math.inf, "", ""),
    )


def palette_problems(
    colors: Mapping[str, str],
    *,
    minimum: Mapping[str, float] = MIN_DISTANCE,
    chromatic: float = MIN_CHROMATIC,
) -> list[str]:
    """Every pair closer than ``minimum`` under some vision, or closer than ``chromatic`` in hue
    and chroma alone, as readable lines (empty: fine). Pairs of two style colours are the
    window's own business and not checked."""
    names = list(colors)
    problems = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if _both_styles(a, b):
                continue
            d = chromatic_distance(colors[a], colors[b])
            if d < chromatic:
                problems.append(
                    f"{a} {colors[a]} and {b} {colors[b]} differ in lightness only "
                    f"(ΔE00 at equal lightness {d:.1f} < {chromatic:g})"
                )
    for vision in VISIONS:
        labs = {n: to_lab(colors[n], vision) for n in names}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if _both_styles(a, b):
                    continue
                d = ciede2000(labs[a], labs[b])
                if d < minimum[vision]:
                    problems.append(
                        f"{a} {colors[a]} and {b} {colors[b]} are hard to tell apart "
                        f"({vision}: ΔE00 {d:.1f} < {minimum[vision]:g})"
                    )
    return problems


def scheme_palette_problems(scheme: LabelScheme) -> list[str]:
    """:func:`palette_problems` of a scheme's labels together with the window's styles."""
    return palette_problems(scheme_colors(scheme))
