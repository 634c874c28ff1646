"""Documents over spaCy's 1,000,000-character limit: suggestions for them and for every other
document, and every export format, with offsets exact to the code point."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.formats import export
from annotator.long_texts import pieces
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

ROOT = Path(__file__).resolve().parents[2]
LONG = 1_200_000

pytestmark = pytest.mark.slow


def _seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def long_text() -> tuple[str, list[tuple[int, int]]]:
    """The seed articles one after the other until 1.2 M characters (with astral characters, so
    that code points and UTF-16 differ), and where each copy of a seed starts (seed index,
    offset)."""
    seeds = _seeds()
    parts: list[str] = []
    where: list[tuple[int, int]] = []
    size = 0
    i = 0
    while size < LONG:
        k = i % len(seeds)
        where.append((k, size))
        parts.append(seeds[k])
        size += len(seeds[k])
        sep = f"\n\n𝔄 {i} 🇩🇪\n\n"
        parts.append(sep)
        size += len(sep)
        i += 1
    return "".join(parts), where


@pytest.fixture(scope="module")
def long_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, list]]:
    db = tmp_path_factory.mktemp("long") / "project.db"
    text, where = long_text()
    store = Store.open(db)
    docs = [Document(id=f"seed-{k}", text=t) for k, t in enumerate(_seeds())]
    store.add_documents([docs[0], Document(id="long", text=text), *docs[1:]])
    store.close()
    yield db, text, where


# ---- the cutting -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab ä.\n\r\t𝔄!")), max_size=400),
    limit=st.integers(2, 60),
    avoid=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 8)), max_size=20),
)
def test_pieces_cover_the_text_exactly_within_the_limit(
    text: str, limit: int, avoid: list[tuple[int, int]]
) -> None:
    ranges = [(a, a + n) for a, n in avoid]
    cut = pieces(text, limit, avoid=ranges)
    assert "".join(text[a:b] for a, b in cut) == text
    assert cut[0][0] == 0 and cut[-1][1] == len(text)
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(cut))
    assert all(0 < b - a <= limit for a, b in cut) or text == ""


def test_pieces_prefer_paragraphs_and_keep_spans_whole() -> None:
    para = "Ein Satz. Noch ein Satz hier.\r\nZeile zwei.\r\n\r\n"
    text = para * 200
    cut = pieces(text, 1000)
    assert all(text[b - 4 : b] == "\r\n\r\n" for _, b in cut[:-1])
    # A span over every paragraph break but one in a window: the cut goes there or elsewhere,
    # never inside a span.
    spans = [(m.start() - 3, m.end() + 3) for m in re.finditer(r"\r\n\r\n", text)]
    cut = pieces(text, 1000, avoid=spans)
    assert not any(s < b < e for _, b in cut[:-1] for s, e in spans)
    assert not any(text[b - 1] == "\r" and text[b] == "\n" for _, b in cut[:-1])


# ---- suggestions --------------------------------------------------------------------------------


def test_suggest_covers_a_long_document_and_all_the_others(
    long_project: tuple[Path, str, list[tuple[int, int]]], tmp_path: Path
) -> None:
    """``annotator suggest`` (a spaCy pipeline with the event rules) over a project with a
    1.2 M character document among the seeds: every document gets its run, and the long one
    exactly the suggestions each seed gets alone, at its copies' offsets."""
    from annotator.suggest import RuleSuggester

    db, text, where = long_project
    assert main(["suggest", "--db", str(db), "--model", "blank:de", "--events", "--quiet"]) == 0
    with Store.open(db, create=False) as store:
        runs = store.db.conn.execute(
            "SELECT doc_id, n_spans FROM suggestion_runs ORDER BY doc_id"
        ).fetchall()
        assert sorted(r[0] for r in runs) == sorted(store.document_ids())
        got = sorted((s.start, s.end, s.label) for s in current_suggestions(store, "long"))
        alone = {f"seed-{k}": current_suggestions(store, f"seed-{k}") for k in range(len(_seeds()))}
    # Expected, from each seed alone: the same rules on the seed text, shifted to each copy.
    expected_per_seed = {
        k: [(s.start, s.end, s.label) for s in spans]
        for k, spans in enumerate(RuleSuggester().suggest(_seeds()))
    }
    expected = sorted(
        (o + a, o + b, label) for k, o in where for a, b, label in expected_per_seed[k]
    )
    assert got == expected
    assert got and got[-1][0] > 1_000_000
    for k, spans in alone.items():
        assert [(s.start, s.end, s.label) for s in spans] == expected_per_seed[int(k[5:])]
    assert all(text[a:b] == text[a:b].strip() and b <= len(text) for a, b, _ in got)


# ---- exports ----------------------------------------------------------------------------------


def _annotate(db: Path, text: str) -> list[Span]:
    """Accepted entity spans on every 'Lukaschenko' (and events on 'Treffen') of the long one."""
    spans = [
        Span(start=m.start(), end=m.end(), label="PER", status=SpanStatus.ACCEPTED)
        for m in re.finditer(r"\bLukaschenko\b", text)
    ] + [
        Span(
            start=m.start(),
            end=m.end(),
            label="MEETING",
            kind=SpanKind.EVENT,
            status=SpanStatus.ACCEPTED,
        )
        for m in re.finditer(r"\bTreffen\b", text)
    ]
    with Store.open(db, create=False) as store:
        if not store.decisions("long", "anna"):
            store.replace_decisions("long", "anna", add=spans, action="test")
            store.set_doc_state(DocState(doc_id="long", annotator="anna", status=DocStatus.DONE))
    return spans


@pytest.mark.parametrize("fmt", ["jsonl", "spacy", "conll", "brat"])
def test_every_export_takes_a_long_document(
    long_project: tuple[Path, str, list[tuple[int, int]]], tmp_path: Path, fmt: str
) -> None:
    db, text, _ = long_project
    spans = _annotate(db, text)
    entities = sorted((s.start, s.end) for s in spans if s.kind == SpanKind.ENTITY)
    assert entities[-1][0] > 1_000_000
    out = tmp_path / fmt
    with Store.open(db, create=False) as store:
        report = export(store, fmt, out, annotator="anna")
    assert report.documents == {"all": 1}
    if fmt == "jsonl":
        (line,) = (out / "all.jsonl").read_text(encoding="utf-8").splitlines()
        task = json.loads(line)
        assert task["text"] == text
        written = sorted((s["start"], s["end"]) for s in task["spans"] if s["kind"] == "entity")
        assert written == entities
    elif fmt == "spacy":
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        (doc,) = DocBin().from_disk(out / "all.spacy").get_docs(Vocab())
        assert doc.text == text
        assert sorted((e.start_char, e.end_char) for e in doc.ents) == entities
    elif fmt == "conll":
        body = (out / "all.conll").read_text(encoding="utf-8")
        tagged = re.findall(r"^(\S+) -X- _ B-PER$", body, flags=re.M)
        assert tagged == ["Lukaschenko"] * len(entities)
    else:
        assert (out / "long.txt").read_bytes() == text.encode("utf-8")
        ann = (out / "long.ann").read_text(encoding="utf-8").splitlines()
        t_lines = [line.split("\t") for line in ann if line.startswith("T")]
        per = sorted(
            tuple(int(x) for x in where.split()[1:]) for _, where, _ in t_lines if "PER" in where
        )
        assert per == entities


# ---- the window's fast paths give what the general ones give -----------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40), st.integers(1, 6), st.sampled_from(["PER", "LOC", "MEETING"])
        ),
        max_size=40,
    ),
    st.lists(st.floats(0, 1), min_size=40, max_size=40),
)
def test_suggestions_without_memory_keep_the_best_of_each_key(
    raw: list[tuple[int, int, str]], scores: list[float]
) -> None:
    """Opening a long document combines its suggestions by a shortcut when no memory spans are
    among them: the result is still each key's best-scored span, sorted."""
    from annotator.suggest.combine import combine_suggestions

    spans = [
        Span(start=a, end=a + n, label=label, origin=f"m{i % 2}", score=scores[i])
        for i, (a, n, label) in enumerate(raw)
    ]
    best: dict[tuple[int, int, str], float] = {}
    for s in spans:
        best[s.key] = max(best.get(s.key, -1.0), s.score or 0.0)
    got = combine_suggestions(spans)
    assert [s.key for s in got] == sorted(best)
    assert all(s.score == best[s.key] for s in got)


def test_training_cuts_a_long_document_between_its_spans() -> None:
    """Retraining on a long document: its pieces fit a trained pipeline, and every span lands in
    one piece with the same covered text (the count of spans lost at a cut comes after them)."""
    from annotator.learn import Annotated, _pieces
    from annotator.long_texts import PIECE_CHARS

    text, _ = long_text()
    spans = tuple(
        Span(start=m.start(), end=m.end(), label="PER", status=SpanStatus.ACCEPTED)
        for m in re.finditer(r"\bLukaschenko\b", text)
    )
    out = list(_pieces([Annotated("long", text, spans)]))
    parts = [p for p in out if isinstance(p, Annotated)]
    assert out[-1] == 0  # no span crossed a cut
    assert len(parts) > 1 and all(len(p.text) <= PIECE_CHARS for p in parts)
    assert "".join(p.text for p in parts) == text
    assert sum(len(p.spans) for p in parts) == len(spans)
    assert all(p.text[s.start : s.end] == "Lukaschenko" for p in parts for s in p.spans)
