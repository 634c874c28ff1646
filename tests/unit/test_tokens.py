"""Token snapping and growing/shrinking spans by a token (spaCy's German tokenizer)."""

from __future__ import annotations

from annotator.tokens import Tokens, token_offsets

TEXT = "Am 12.\n\nFebruar traf Lukaschenko den US-Gesandten Kellogg in Minsk."


def _covered(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def test_token_offsets_skip_whitespace() -> None:
    words = [TEXT[s:e] for s, e in token_offsets(TEXT)]
    assert "Lukaschenko" in words
    assert "Minsk" in words
    assert all(w.strip() == w and w for w in words)


def test_snap_widens_to_whole_tokens_and_trims_space() -> None:
    tokens = Tokens(TEXT)
    i = TEXT.index("schenko")
    assert _covered(TEXT, tokens.snap(i, i + 3)) == "Lukaschenko"
    j = TEXT.index(" Kellogg")
    assert _covered(TEXT, tokens.snap(j, j + 5)) == "Kellogg"
    assert tokens.snap(j, j + 1) is None


def test_snap_across_a_line_break() -> None:
    tokens = Tokens(TEXT)
    assert _covered(TEXT, tokens.snap(3, TEXT.index("Februar") + 2)) == "12.\n\nFebruar"


def test_grow_and_shrink_by_a_token() -> None:
    tokens = Tokens(TEXT)
    s = TEXT.index("Kellogg")
    e = s + len("Kellogg")
    assert _covered(TEXT, tokens.grow_start(s, e)) == "US-Gesandten Kellogg"
    assert _covered(TEXT, tokens.grow_end(s, e)) == "Kellogg in"
    grown = tokens.grow_end(*tokens.grow_end(s, e))
    assert _covered(TEXT, grown) == "Kellogg in Minsk"
    assert _covered(TEXT, tokens.shrink_end(*grown)) == "Kellogg in"
    assert _covered(TEXT, tokens.shrink_start(*grown)) == "in Minsk"
    # a one-token span does not shrink to nothing
    assert tokens.shrink_start(s, e) == (s, e)
    assert tokens.shrink_end(s, e) == (s, e)


def test_grow_stops_at_the_edges() -> None:
    tokens = Tokens(TEXT)
    assert tokens.grow_start(0, 2) == (0, 2)
    end = len(TEXT)
    assert tokens.grow_end(end - 1, end) == (end - 1, end)
