"""CoNLL-2003: write entity (or event trigger) tags per token, and read such files back in.

Written shape::

    -DOCSTART- -X- O O

    Kit -X- _ B-PER
    Kellogg -X- _ I-PER
    reist -X- _ O
    . -X- _ O

    Nächster -X- _ O
    ...

Four columns like the original CoNLL-2003 (token, two placeholders, tag); ``spacy convert -c
ner`` takes the first and the last. Sentences come from spaCy's sentencizer, but never break inside
a written span. White-space tokens (spaCy makes ``"\\n\\n"`` a token of its own) are not written:
a line's columns are split on white space, so such a token cannot be written, and it carries no
tag of its own (spans are trimmed of white space at their ends; inside a span the neighbouring
tokens carry the tags). Reading joins the tokens of a document with single spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.align import align_spans, resolve_overlaps, sentencizer
from annotator.formats.reading import MAX_DOCUMENT_CHARS, Problem, ReadContext, Record
from annotator.model import Document, LabelScheme, Span, SpanKind

DOCSTART = "-DOCSTART- -X- O O"
_TAG = re.compile(r"^(O|[BILU]-\S+)$")


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------


def iob2_to_iob1(tags: list[str]) -> list[str]:
    """IOB1 (the original CoNLL-2003): ``I-`` throughout, ``B-`` only where an entity directly
    follows another of the same type."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("B-") and not (prev != "O" and prev[2:] == tag[2:]):
            tag = "I-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def from_biluo(tags: list[str], scheme: Literal["iob2", "iob1", "bilou"]) -> list[str]:
    from spacy.training import biluo_to_iob

    if scheme == "bilou":
        return tags
    iob2: list[str] = biluo_to_iob(tags)
    return iob2 if scheme == "iob2" else iob2_to_iob1(iob2)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    from spacy.training import offsets_to_biluo_tags

    nlp = sentencizer()
    kind = ctx.options.kind
    strict = ctx.options.alignment == "strict"
    files = {part: out.open(f"{part}.conll") for part in ctx.parts}
    for part, doc, spans in items:
        chosen = [s for s in spans if s.kind == kind]
        report.count(part, chosen)
        sdoc = nlp(doc.text)
        aligned = align_spans(sdoc, chosen, doc_id=doc.id, strict=strict, report=report)
        kept = resolve_overlaps(aligned, doc_id=doc.id, text=doc.text, report=report)
        biluo = offsets_to_biluo_tags(
            sdoc, [(a.start_char, a.end_char, a.span.label) for a in kept]
        )
        inside = {i for a in kept for i in range(a.start + 1, a.end)}
        breaks = {t.i for t in sdoc if t.is_sent_start and t.i not in inside}
        words: list[str] = []
        sentence_of: list[int] = []
        word_tags: list[str] = []
        sentence = 0
        for token, tag in zip(sdoc, biluo, strict=True):
            if token.i in breaks and words:
                sentence += 1
            if token.text.isspace():
                continue
            words.append(token.text)
            word_tags.append(tag)
            sentence_of.append(sentence)
        lines = [DOCSTART, ""]
        prev = sentence_of[0] if sentence_of else 0
        for word, tag, sent in zip(
            words, from_biluo(word_tags, ctx.options.tags), sentence_of, strict=True
        ):
            if sent != prev:
                lines.append("")
                prev = sent
            lines.append(f"{word} -X- _ {tag}")
        files[part].write("\n".join(lines) + "\n\n")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """Documents from a CoNLL file: ``-DOCSTART-`` lines separate documents (a file without them
    is one document), the first column is the token, the last the tag (IOB1, IOB2 or BILUO).

    The text is the tokens joined with single spaces; a document's id is ``<file stem>-<n>``.
    """
    scheme, encoding = ctx.scheme, ctx.options.encoding
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")
        return
    try:
        text = raw.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        yield Problem(name, f"not valid {encoding} (byte offset {exc.start})", bad_line)
        return
    if not text.strip():
        yield Problem(name, "empty file")
        return
    rows: list[tuple[int, str, str]] = []
    number = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        cols = line.split()
        if cols and cols[0] == "-DOCSTART-":
            if rows:
                number += 1
                yield _record(rows, path, number, scheme)
            rows = []
            continue
        if not cols:
            continue
        if len(cols) < 2:
            yield Problem(name, f"expected a token and a tag, got {line.strip()!r:.60}", lineno)
            return
        rows.append((lineno, cols[0], cols[-1]))
    if rows:
        yield _record(rows, path, number + 1, scheme)


def _record(
    rows: list[tuple[int, str, str]], path: Path, number: int, scheme: LabelScheme
) -> Record | Problem:
    from spacy.training import iob_to_biluo
    from spacy.training.iob_utils import tags_to_entities

    name = str(path)
    first = rows[0][0]
    for lineno, _, tag in rows:
        if not _TAG.match(tag):
            return Problem(name, f"tag {tag!r} is not O, B-, I-, L- or U- with a label", lineno)
        if tag != "O" and tag[2:] not in scheme:
            return Problem(
                name,
                f"unknown label {tag[2:]!r} (the scheme has {', '.join(scheme.names)})",
                lineno,
            )
    try:
        entities = tags_to_entities(iob_to_biluo([tag for _, _, tag in rows]))
    except ValueError as exc:
        return Problem(name, f"tags of the document do not fit together: {exc}", first)
    starts: list[int] = []
    offset = 0
    for _, word, _ in rows:
        starts.append(offset)
        offset += len(word) + 1
    doc_text = " ".join(word for _, word, _ in rows)
    if len(doc_text) > MAX_DOCUMENT_CHARS:
        return Problem(name, f"document of {len(doc_text):,} characters is too long", first)
    spans: list[Span] = []
    for label, i, j in entities:
        kind = scheme.kind_of(label)
        end = starts[j] + len(rows[j][1])
        spans.append(Span(start=starts[i], end=end, label=label, kind=SpanKind(kind)))
    doc = Document(id=f"{path.stem}-{number}", text=doc_text, source=path.name)
    return Record(doc, spans, name, first)


_SNIFF_TAG = re.compile(r"^(?:[BILUES]-\S+|O)$")


def sniff(head: bytes) -> bool:
    """True if most non-blank lines have two or more columns ending in an IOB/BILOU tag and at
    least one tag names a label (a CoNLL file saved as ``.txt`` or ``.tsv``)."""
    text = head.decode("utf-8", "replace")
    lines = [line.split() for line in text.splitlines()[:400]]
    rows = [cols for cols in lines if cols and cols[0] != "-DOCSTART-"]
    if len(rows) < 3:
        return False
    tagged = [cols for cols in rows if len(cols) >= 2 and _SNIFF_TAG.match(cols[-1])]
    return len(tagged) >= 0.9 * len(rows) and any(cols[-1] != "O" for cols in tagged)
