"""CoNLL token-per-line files (CoNLL-2002/2003 and their relatives): read and write.

A line is a token with columns separated by tabs or ASCII spaces (never by other white space: a
token holding a no-break space stays one token); the first column is the token, the last (or the
one ``--columns`` names) the tag. A blank line ends a sentence, a ``-DOCSTART-`` line starts a
document (a file without one is one document). Tags are IOB1, IOB2, BIOES or BILOU, decoded per
sentence by the rules of ``conlleval`` (the CoNLL shared tasks' scorer): an entity never crosses
a sentence, an ``I-`` tag after ``O``, after a blank line or after another type starts an entity.

Reading keeps the input's own tokens and sentences in the document's meta (``tokens``,
``sentences``), and in ``meta["conll"]`` what the writer needs to give back the input's shape:
the tag scheme, the ``-DOCSTART-`` line, the column separator, the other columns (POS, chunk
tags) and comment lines. The text is the tokens joined by single spaces, one sentence per line.

Written shape (default, for documents that did not come from a CoNLL file)::

    -DOCSTART- -X- O O

    Kit -X- _ B-PER
    Kellogg -X- _ I-PER
    reist -X- _ O
    . -X- _ O

    Nächster -X- _ O

Four columns like CoNLL-2003 (token, two placeholders, tag); ``spacy convert -c ner`` takes the
first and the last. A document imported from CoNLL goes out on its own tokens and sentences in
the shape it came in. ``columns=2`` writes the two-column CoNLL 2002 INCEpTION reads: one file per
document (INCEpTION imports one document per file and has no ``-DOCSTART-``), token and tag
separated by one space. Without kept sentences, sentences come from spaCy's sentencizer, but never
break inside a written span. White-space tokens are not written (a line's columns are split on
white space); a token holding an ASCII space or tab is written as its pieces, and counted.

A label holding a space or a tab cannot be a column: it is written with ``%20`` for a space,
``%09`` for a tab and ``%25`` for a percent sign, and read back the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator import long_texts
from annotator.formats import WHOLE, Context, ExportError, ExportReport, Item, Outputs
from annotator.formats.align import align_spans, blank, make_doc, resolve_overlaps, sentencizer
from annotator.formats.reading import (
    InputError,
    Problem,
    ReadContext,
    Record,
    check_text,
    kind_of,
    make_document,
    read_text_file,
    unknown_label,
)
from annotator.model import LabelScheme, Span

DOCSTART = "-DOCSTART- -X- O O"
TagScheme = Literal["iob2", "iob1", "bilou", "bioes"]

_COLUMNS = re.compile(r"[ \t]+")
_TAG = re.compile(r"^(?:O|([BIESLU])-(.+))$")
_BLANK = re.compile(r"^[ \t\r]*$")


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------


def quote_label(label: str) -> str:
    """A label as a tag column can hold it (reversible: see :func:`unquote_label`)."""
    return label.replace("%", "%25").replace(" ", "%20").replace("\t", "%09")


_QUOTED = re.compile(r"%(20|09|25)")
_UNQUOTE = {"20": " ", "09": "\t", "25": "%"}


def unquote_label(label: str) -> str:
    return _QUOTED.sub(lambda m: _UNQUOTE[m.group(1)], label)


def split_tag(tag: str) -> tuple[str, str]:
    """``"B-PER"`` to ``("B", "PER")``, ``"O"`` to ``("O", "")``; BILOU's L/U as E/S."""
    if tag == "O":
        return "O", ""
    prefix, label = tag[0], tag[2:]
    return {"L": "E", "U": "S"}.get(prefix, prefix), label


def entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entities ``(label, first, last)`` (token indexes, inclusive) in one sentence's tags, by
    the chunk rules of ``conlleval``: IOB1, IOB2, BIOES and BILOU alike, and any mix of them.

    A chunk ends after ``E``/``S``, before ``B``/``S``/``O`` and where the type changes; one
    starts at ``B``/``S``, at an ``I``/``E`` after ``O``, ``E``, ``S`` or another type.
    """
    out: list[tuple[str, int, int]] = []
    prev_tag, prev_type = "O", ""
    start: int | None = None
    for i, raw in enumerate(tags):
        tag, typ = split_tag(raw)
        end = (
            prev_tag in ("E", "S")
            or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag != "O" and prev_type != typ)
        )
        begin = (
            tag in ("B", "S")
            or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
            or (tag != "O" and prev_type != typ)
        )
        if end and start is not None:
            out.append((prev_type, start, i - 1))
            start = None
        if begin:
            start = i
        prev_tag, prev_type = tag, typ
    if start is not None:
        out.append((prev_type, start, len(tags) - 1))
    return out


def tag_scheme(sentences: Sequence[Sequence[str]]) -> TagScheme | None:
    """The scheme a document's tags are written in, or None if it has no entity tag."""
    seen = {tag[0] for tags in sentences for tag in tags if tag != "O"}
    if not seen:
        return None
    if seen & {"L", "U"}:
        return "bilou"
    if seen & {"E", "S"}:
        return "bioes"
    for tags in sentences:
        prev = "O"
        for tag in tags:
            if tag.startswith("B-") and not (prev != "O" and prev[2:] == tag[2:]):
                return "iob2"  # IOB1 has B- only right after an entity of the same type
            prev = tag
    return "iob1"


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


def from_biluo(tags: list[str], scheme: TagScheme) -> list[str]:
    """BILUO tags of one sentence in ``scheme``."""
    from spacy.training import biluo_to_iob

    if scheme == "bilou":
        return tags
    if scheme == "bioes":
        return [{"L": "E", "U": "S"}.get(t[0], t[0]) + t[1:] if t != "O" else t for t in tags]
    iob2: list[str] = biluo_to_iob(tags)
    return iob2 if scheme == "iob2" else iob2_to_iob1(iob2)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    """One document as read: sentences of rows, with what its lines said."""

    line: int
    docstart: str | None = None
    sentences: list[list[tuple[int, str, str, list[str]]]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)
    """``(sentence index, line)``: comment lines, before that sentence."""
    separator: str = " "
    separators: list[str] = field(default_factory=list)
    """Each sentence's separator (that of its first line)."""
    tag_at: int | None = None
    end: str | None = None
    """What follows the last line of the file's last document (blank lines or nothing)."""

    def row(self, item: tuple[int, str, str, list[str]], fresh: bool, separator: str) -> None:
        if fresh or not self.sentences:
            self.sentences.append([])
            self.separators.append(separator)
        self.sentences[-1].append(item)


def _columns(line: str) -> list[str]:
    return _COLUMNS.split(line.strip(" \t\r"))


def _tag_index(options_columns: int | None, n: int) -> int:
    if options_columns is None:
        return n - 1
    return options_columns - 1 if options_columns > 0 else n + options_columns


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    """Documents from a CoNLL file (see the module docstring). ``ctx.options.columns`` names the
    tag column (1-based, negative from the end; default the last). A document's id is
    ``<file stem>-<n>``; a comment line (``#`` first, not ending in a tag) is kept in meta."""
    name = str(path)
    try:
        text, meta = read_text_file(path, ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    column = ctx.options.columns
    if column == 0:
        yield Problem(name, "--columns counts from 1 (or from the end with -1)")
        return
    docs: list[_Doc] = []
    current: _Doc | None = None
    fresh = True
    for lineno, line in enumerate(text.split("\n"), start=1):
        if _BLANK.match(line):
            fresh = True
            continue
        cols = _columns(line)
        if cols[0] == "-DOCSTART-":
            current = _Doc(lineno, docstart=line.rstrip("\r"))
            docs.append(current)
            fresh = True
            continue
        if current is None:
            current = _Doc(lineno)
            docs.append(current)
        at = _tag_index(column, len(cols))
        tag = cols[at] if 0 < at < len(cols) else None
        if cols[0].startswith("#") and (tag is None or not _TAG.match(tag)):
            before = len(current.sentences) - (0 if fresh else 1)
            current.comments.append((before, line.rstrip("\r")))
            continue
        if len(cols) < 2:
            yield Problem(name, f"expected a token and a tag, got {line.strip()!r:.60}", lineno)
            return
        if tag is None:
            yield Problem(name, f"no column {column} in a line of {len(cols)} column(s)", lineno)
            return
        separator = "\t" if "\t" in line else " "
        if not current.sentences:
            current.separator = separator
            current.tag_at = None if at == len(cols) - 1 else at
        extra = [c for i, c in enumerate(cols) if i not in (0, at)]
        current.row((lineno, cols[0], tag, extra), fresh, separator)
        fresh = False
    last = next((d for d in reversed(docs) if d.sentences), None)
    if last is not None:
        lines = text.split("\n")
        after = last.sentences[-1][-1][0]  # the line number of the file's last token line
        rest = "\n" + "\n".join(lines[after:]) if after < len(lines) else ""
        if not rest.strip():
            last.end = rest
    for number, doc in enumerate((d for d in docs if d.sentences), start=1):
        yield _record(doc, path, number, ctx.scheme, meta, ctx.options.add_labels)


def _record(
    doc: _Doc,
    path: Path,
    number: int,
    scheme: LabelScheme,
    file_meta: dict[str, Any],
    add_labels: bool = False,
) -> Record | Problem:
    name = str(path)
    for sentence in doc.sentences:
        for lineno, _, tag, _ in sentence:
            m = _TAG.match(tag)
            if not m:
                return Problem(
                    name, f"tag {tag!r} is not O, or B-, I-, E-, S-, L-, U- with a label", lineno
                )
            label = unquote_label(m.group(2)) if tag != "O" else ""
            if label and label not in scheme and not add_labels:
                return Problem(name, unknown_label(label, scheme), lineno)
    tokens: list[list[int]] = []
    sentences: list[list[int]] = []
    pieces: list[str] = []
    spans: list[Span] = []
    pos = 0
    for s, sentence in enumerate(doc.sentences):
        if s:
            pieces.append("\n")
            pos += 1
        first = len(tokens)
        for i, (_, word, _, _) in enumerate(sentence):
            if i:
                pieces.append(" ")
                pos += 1
            tokens.append([pos, pos + len(word)])
            pieces.append(word)
            pos += len(word)
        sentences.append([tokens[first][0], tokens[-1][1]])
        for label, i, j in entities([tag for _, _, tag, _ in sentence]):
            label = unquote_label(label)
            spans.append(
                Span(
                    start=tokens[first + i][0],
                    end=tokens[first + j][1],
                    label=label,
                    kind=kind_of(label, scheme),
                    origin="import",
                )
            )
    text = "".join(pieces)
    problem = check_text(text, name, doc.line)
    if problem:
        return problem
    rows = [row for sentence in doc.sentences for row in sentence]
    conll: dict[str, Any] = {"separator": doc.separator}
    if any(sep != doc.separator for sep in doc.separators):
        conll["separators"] = doc.separators
    if doc.end is not None and doc.end != "\n\n":
        conll["end"] = doc.end
    scheme_name = tag_scheme([[tag for _, _, tag, _ in sentence] for sentence in doc.sentences])
    if scheme_name is not None:
        conll["tags"] = scheme_name
    if doc.docstart is not None:
        conll["docstart"] = doc.docstart
    kept: Counter[str] = Counter()
    if any(extra for _, _, _, extra in rows):
        conll["columns"] = [extra for _, _, _, extra in rows]
        kept["token(s) with further CoNLL columns (POS, chunk...)"] += sum(
            1 for _, _, _, extra in rows if extra
        )
    if doc.tag_at is not None:
        conll["tag_at"] = doc.tag_at
    if doc.comments:
        conll["comments"] = [list(c) for c in doc.comments]
        kept["CoNLL comment line(s)"] += len(doc.comments)
    meta = {
        **file_meta,
        "format": "conll",
        "tokens": tokens,
        "sentences": sentences,
        "conll": conll,
    }
    document = make_document(f"{path.stem}-{number}", text, path.name, meta)
    return Record(document, spans, name, doc.line, kept=kept)


_SNIFF_TAG = re.compile(r"^(?:O|[BIESLU]-\S+)$")


def sniff(head: bytes) -> bool:
    """True if the first bytes look like a CoNLL file (one saved as ``.txt`` or ``.tsv``).

    Every complete line but blank, ``-DOCSTART-`` and ``#`` comment lines has two to twelve
    columns, all the same number give or take two; on every line the last column (or another
    column at the same place) is a tag (``O`` or ``B-``/``I-``/... with a label), and at least
    one tag names a label. Plain text with two words a line does not pass: every second word
    would have to be a tag."""
    text = head.decode("utf-8", "replace")
    lines = text.split("\n")
    if len(head) >= 64 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    rows = []
    for line in lines[:2000]:
        if _BLANK.match(line):
            continue
        cols = _columns(line)
        if cols[0] == "-DOCSTART-" or (cols[0].startswith("#") and not _SNIFF_TAG.match(cols[-1])):
            continue
        rows.append(cols)
    if len(rows) < 2 or not all(2 <= len(cols) <= 12 for cols in rows):
        return False
    widths = {len(cols) for cols in rows}
    if max(widths) - min(widths) > 2:
        return False
    # the tags are the last column, or another one at the same place on every line (GermEval,
    # a POS column after the tags: read with --columns)
    for at in (-1, *range(1, min(widths))):
        tags = [cols[at] for cols in rows]
        if all(_SNIFF_TAG.match(t) for t in tags) and any(t != "O" for t in tags):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass
class _Shape:
    """How one document's lines are written."""

    separator: str = " "
    placeholders: list[str] = field(default_factory=lambda: ["-X-", "_"])
    kept_columns: list[list[str]] | None = None
    tag_at: int | None = None
    docstart: str | None = DOCSTART
    comments: list[list[Any]] = field(default_factory=list)
    separators: list[str] = field(default_factory=list)
    """Per sentence, where the input's sentences had different separators."""


def _shape(doc_meta: dict[str, Any], columns: int | None) -> _Shape:
    conll = doc_meta.get("conll") if doc_meta.get("format") == "conll" else None
    kept = conll if isinstance(conll, dict) else None
    if columns == 2:
        return _Shape(placeholders=[], docstart=None)
    if columns is not None:
        extra = columns - 2
        placeholders = (["-X-"] + ["_"] * (extra - 1))[:extra]
        shape = _Shape(placeholders=placeholders)
        if kept is not None:
            cols = kept.get("columns")
            if isinstance(cols, list) and all(len(c) == extra for c in cols):
                shape.kept_columns = cols
        shape.docstart = _docstart_line(shape)
        if kept is not None and len(_columns(str(kept.get("docstart", "")))) == columns:
            shape.docstart = str(kept["docstart"])
        return shape
    if kept is None:
        return _Shape()
    cols = kept.get("columns")
    width = max((len(c) for c in cols), default=0) if isinstance(cols, list) else 0
    tag_at = kept.get("tag_at")
    return _Shape(
        separator=str(kept.get("separator", " ")),
        placeholders=["_"] * width,
        kept_columns=cols if isinstance(cols, list) else None,
        tag_at=tag_at if isinstance(tag_at, int) else None,
        docstart=str(kept["docstart"]) if "docstart" in kept else None,
        comments=list(kept.get("comments") or []),
        separators=[str(x) for x in kept.get("separators") or []],
    )


def _docstart_line(shape: _Shape) -> str:
    """A ``-DOCSTART-`` line as wide as the document's lines (``-DOCSTART- -X- O O``)."""
    n = len(shape.placeholders)
    cols = ["-DOCSTART-", *(["-X-"] if n else []), *["O"] * max(n - 1, 0), "O"]
    return shape.separator.join(cols)


def _line(shape: _Shape, token: str, tag: str, kept: int | None, separator: str) -> str:
    extra = shape.placeholders
    if shape.kept_columns is not None and kept is not None and kept < len(shape.kept_columns):
        extra = shape.kept_columns[kept]
    cols = [token, *extra]
    if shape.tag_at is not None and shape.tag_at <= len(cols):
        cols.insert(shape.tag_at, tag)
    else:
        cols.append(tag)
    return separator.join(cols)


def _kept_end(meta: dict[str, Any]) -> str:
    """What to write after a document that is the last of its file: what followed it in the
    input (a file without a final blank line), else a blank line."""
    conll = meta.get("conll") if meta.get("format") == "conll" else None
    end = conll.get("end") if isinstance(conll, dict) else None
    return end if isinstance(end, str) else "\n\n"


def _tags_for(meta: dict[str, Any], ctx: Context) -> TagScheme:
    """The tag scheme to write: the one asked for, else the one the document came in, else
    IOB2 (always IOB2 for the two-column CoNLL 2002 unless asked)."""
    if ctx.options.tags is not None:
        return ctx.options.tags
    conll = meta.get("conll") if meta.get("format") == "conll" else None
    if ctx.options.columns != 2 and isinstance(conll, dict):
        came: object = conll.get("tags")
        if came in ("iob1", "iob2", "bilou", "bioes"):
            return came
    return "iob2"


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    from spacy.training import offsets_to_biluo_tags

    from annotator.formats.brat import safe_name

    nlp = sentencizer()
    kind = ctx.options.kind
    strict = ctx.options.alignment == "strict"
    columns = ctx.options.columns
    if columns is not None and not 2 <= columns <= 20:
        raise ExportError(f"--columns {columns}: a CoNLL file has 2 to 20 columns")
    per_document = columns == 2
    files = {} if per_document else {part: out.open(f"{part}.conll") for part in ctx.parts}
    written: Counter[str] = Counter()
    ends: dict[str, str] = {}  # per file: what to write after its last document
    used: set[str] = set()
    for part, doc, spans in items:
        chosen = [s for s in spans if s.kind == kind]
        report.count(part, chosen)
        meta = doc.meta or {}
        tokens = meta.get("tokens")
        sdoc = make_doc(blank(), doc.text, tokens) if tokens else long_texts.run(nlp, doc.text)
        aligned = align_spans(sdoc, chosen, doc_id=doc.id, strict=strict, report=report)
        kept = resolve_overlaps(aligned, doc_id=doc.id, text=doc.text, report=report)
        biluo = offsets_to_biluo_tags(
            sdoc, [(a.start_char, a.end_char, quote_label(a.span.label)) for a in kept]
        )
        inside = {i for a in kept for i in range(a.start + 1, a.end)}
        breaks = _sentence_starts(sdoc, meta.get("sentences") if tokens else None, nlp)
        breaks -= inside
        kept_index = {start: i for i, (start, _) in enumerate(tokens or [])}
        # (token text, BILUO tag, index among the kept tokens) per sentence
        sentences: list[list[tuple[str, str, int | None]]] = []
        for token, tag in zip(sdoc, biluo, strict=True):
            if (token.i in breaks or not sentences) and (not sentences or sentences[-1]):
                sentences.append([])
            if token.text.isspace():
                continue
            pieces = _COLUMNS.split(token.text.strip(" \t"))
            if len(pieces) > 1:
                report.resplit += 1
                sentences[-1].extend(
                    (p, _piece_tag(tag, k, len(pieces)), None) for k, p in enumerate(pieces)
                )
                continue
            sentences[-1].append((token.text, tag, kept_index.get(token.idx)))
        sentences = [s for s in sentences if s]
        shape = _shape(meta, columns)
        scheme = _tags_for(meta, ctx)
        lines: list[str] = []
        target = part
        if per_document:
            folder = "" if part == WHOLE else f"{part}/"
            base = safe_name(doc.id)
            name, n = base, 1
            while f"{folder}{name}" in used:
                n += 1
                name = f"{base}-{n}"
            used.add(f"{folder}{name}")
            target = f"{folder}{name}.conll"
        elif shape.docstart is not None:
            lines += [shape.docstart, ""]
        elif written[part]:
            lines += [_docstart_line(shape), ""]
        comments: dict[int, list[str]] = {}
        for at, text in shape.comments:
            comments.setdefault(int(at), []).append(str(text))
        for s, sentence in enumerate(sentences):
            if s:
                lines.append("")
            lines += comments.pop(s, [])
            tags = from_biluo([tag for _, tag, _ in sentence], scheme)
            sep = shape.separators[s] if s < len(shape.separators) else shape.separator
            lines += [
                _line(shape, word, tag, k, sep)
                for (word, _, k), tag in zip(sentence, tags, strict=True)
            ]
        for rest in comments.values():
            lines += rest
        body = "\n".join(lines)
        if per_document:
            out.write_text(target, body + _kept_end(meta))
        else:
            files[part].write(("\n\n" if written[part] else "") + body)
            ends[part] = _kept_end(meta)
        written[part] += 1
    for part, end in ends.items():
        files[part].write(end)


def _piece_tag(tag: str, k: int, n: int) -> str:
    """The BILUO tag of piece ``k`` of ``n`` of a token that carried ``tag``."""
    if tag == "O" or n == 1:
        return tag
    prefix, label = tag[0], tag[2:]
    first = prefix in ("B", "U")
    last = prefix in ("L", "U")
    if k == 0:
        p = "B" if first else "I"
    elif k == n - 1:
        p = "L" if last else "I"
    else:
        p = "I"
    return f"{p}-{label}"


def _sentence_starts(sdoc: Any, kept: object, nlp: Any) -> set[int]:
    """Token indexes where a sentence starts: the kept sentences, else the sentencizer's."""
    if isinstance(kept, list) and kept:
        starts = {int(s) for s, _ in kept}
        return {t.i for t in sdoc if t.idx in starts}
    if not sdoc.has_annotation("SENT_START"):
        sdoc = nlp.get_pipe("sentencizer")(sdoc)
    return {t.i for t in sdoc if t.is_sent_start}
