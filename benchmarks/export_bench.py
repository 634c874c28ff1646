"""Export 20,000 annotated documents to spaCy DocBin files; compare with a raw baseline.

The corpus: the seed paragraphs, each in many wordings (a numbered prefix makes every text
distinct), with accepted entity and event spans found by word lists (some overlapping, some off
token boundaries, as in real work). Both sides run in this process on the same data:

- baseline: build the DocBin straight from (text, spans) held in memory: tokenize, ``char_span``
  with ``alignment_mode="expand"``, ``filter_spans`` for ``doc.ents``, events to ``doc.spans``,
  ``DocBin.to_disk``;
- export: ``annotator.formats.export(store, "spacy", ...)`` from the project store: read documents
  and decisions, align, resolve and report conflicts, write under temporary names, config.cfg.

Prints documents per second of each and the ratio export/baseline (aim: at least 0.5). Each side
runs ``--repeat`` times (default 2), interleaved, and the best time counts, because the machine
is shared.

    python benchmarks/export_bench.py [--docs 20000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from annotator.formats import export
from annotator.model import DocState, DocStatus, Document, Span, SpanKind, SpanStatus
from annotator.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
WORDS = [
    ("Alexander Lukaschenko", "PER", SpanKind.ENTITY),
    ("Lukaschenko", "PER", SpanKind.ENTITY),  # overlaps the line above; genitive "-s" widens
    ("Kellogg", "PER", SpanKind.ENTITY),
    ("Minsk", "LOC", SpanKind.ENTITY),
    ("Belarus", "LOC", SpanKind.ENTITY),
    ("Weißrussland", "LOC", SpanKind.ENTITY),
    ("Washington", "LOC", SpanKind.ENTITY),
    ("Reuters", "ORG", SpanKind.ENTITY),
    ("Treffen", "MEETING", SpanKind.EVENT),
    ("Telefonat", "PHONE_CALL", SpanKind.EVENT),
    ("Sanktionen", "SANCTIONS", SpanKind.EVENT),
    ("Besuch", "VISIT", SpanKind.EVENT),
]


def spans_of(text: str) -> list[Span]:
    return [
        Span(start=m.start(), end=m.end(), label=label, kind=kind, status=SpanStatus.ACCEPTED)
        for word, label, kind in WORDS
        for m in re.finditer(re.escape(word), text)
    ]


def corpus(n: int) -> list[tuple[Document, list[Span]]]:
    paragraphs = [
        p
        for path in sorted(SEEDS.glob("*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    out = []
    for i in range(n):
        text = f"Meldung {i}: {paragraphs[i % len(paragraphs)]}"
        out.append((Document(id=f"doc-{i:05d}", text=text), spans_of(text)))
    return out


def fill(store: Store, docs: list[tuple[Document, list[Span]]]) -> None:
    store.add_documents(d for d, _ in docs)
    with store.transaction():
        for doc, spans in docs:
            store.replace_decisions(doc.id, "anna", add=spans, action="bench")
            store.set_doc_state(DocState(doc_id=doc.id, annotator="anna", status=DocStatus.DONE))


def baseline(docs: list[tuple[Document, list[Span]]], out: Path) -> None:
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("de")
    docbin = DocBin(store_user_data=False)
    for doc, spans in docs:
        sdoc = nlp.make_doc(doc.text)
        ents, events = [], []
        for s in spans:
            chars = sdoc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
            if chars is not None:
                (ents if s.kind == SpanKind.ENTITY else events).append(chars)
        sdoc.ents = filter_spans(ents)
        sdoc.spans["sc"] = events
        docbin.add(sdoc)
    docbin.to_disk(out / "all.spacy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    docs = corpus(args.docs)
    n_spans = sum(len(s) for _, s in docs)
    store = Store.open(None)
    t = time.perf_counter()
    fill(store, docs)
    print(
        f"corpus: {len(docs):,} documents, {n_spans:,} accepted spans "
        f"(project filled in {time.perf_counter() - t:.1f} s)"
    )
    import spacy

    spacy.blank("de").make_doc("Aufwärmen.")  # load the language data outside the timings
    best_base = best_export = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            base = Path(tmp) / f"base{r}"
            base.mkdir()
            t = time.perf_counter()
            baseline(docs, base)
            best_base = min(best_base, time.perf_counter() - t)
            t = time.perf_counter()
            report = export(store, "spacy", Path(tmp) / f"export{r}")
            best_export = min(best_export, time.perf_counter() - t)
    print(f"export: {report.summary()}")
    base_rate = len(docs) / best_base
    export_rate = len(docs) / best_export
    print(f"baseline (DocBin from memory): {best_base:6.1f} s  {base_rate:8,.0f} documents/s")
    print(f"annotator export --format spacy: {best_export:6.1f} s  {export_rate:8,.0f} documents/s")
    print(f"ratio export/baseline: {export_rate / base_rate:.2f} (aim >= 0.5)")


if __name__ == "__main__":
    main()
