"""WebAnno TSV 3 (INCEpTION's and WebAnno's exchange format): span layers in, named entities out.

A file starts with ``#FORMAT=WebAnno TSV 3.x`` and declares its layers (``#T_SP=`` span,
``#T_CH=`` chain, ``#T_RL=`` relation layers, each with its features: one column per feature);
two blank lines end the header. Each sentence has its ``#Text=`` lines, then one line per token
(``1-2<TAB>5-7<TAB>is<TAB>columns...``) and sub-token (``1-2.1``). A cell holds ``_`` (no
annotation), ``*`` (an annotation without a value) or values separated by ``|`` when annotations
are stacked; a suffix ``[N]`` ties the cells of one annotation across tokens.

Offsets are UTF-16 code units (INCEpTION is written in Java): they are converted to code points
at this boundary, on reading and on writing. The text is rebuilt as INCEpTION rebuilds it: each
sentence's ``#Text`` at its first token's offset, a gap between sentences filled with a line
break and spaces.

Read: the named-entity layer (``de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity``, its
``value`` feature) gives spans; another span layer gives spans too when all of its values are
labels of the scheme (a custom "Span" layer of an INCEpTION project), else it is kept in
``meta["webanno"]["layers"]`` and counted, as are chain and relation layers (POS, lemma,
dependencies, coreference). The tokens and sentences are kept in ``meta``.

Written: one ``.tsv`` per document with the named-entity layer (``identifier|value``: our label as
``value``), or the project layer the document's spans came from, on the document's kept tokens
and sentences where it has them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from annotator import long_texts
from annotator.formats import WHOLE, Context, ExportReport, Item, Outputs
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

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
FORMAT_LINE = "#FORMAT=WebAnno TSV 3.3"
_FORMAT = re.compile(r"^#FORMAT=WebAnno TSV (3)\.(\d+)\s*$")
_UNIT = re.compile(r"^(\d+)-(\d+)(?:\.(\d+))?$")
_STACK = re.compile(r"(?<!\\)\|")
_ID_SUFFIX = re.compile(r"^(.*?)(?<!\\)\[(\d+)\]$")

_VALUE_ESCAPES = [
    ("\\\\", "\\"),
    ("\\[", "["),
    ("\\]", "]"),
    ("\\|", "|"),
    ("\\_", "_"),
    ("\\->", "->"),
    ("\\;", ";"),
    ("\\t", "\t"),
    ("\\n", "\n"),
    ("\\*", "*"),
]
_TEXT_ESCAPES = [("\\t", "\t"), ("\\n", "\n"), ("\\f", "\f"), ("\\r", "\r"), ("\\b", "\b")] + [
    ("\\" + chr(i), chr(i)) for i in range(32) if not 7 < i < 14
]


def _replace_each(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """Replace every occurrence of the pairs' first items in one pass, left to right (as
    Commons Lang's ``replaceEach``, with the longest match first at each place)."""
    if "\\" not in text and not any(a in text for a, _ in pairs):
        return text
    table = sorted(pairs, key=lambda p: -len(p[0]))
    out: list[str] = []
    i = 0
    while i < len(text):
        for a, b in table:
            if a and text.startswith(a, i):
                out.append(b)
                i += len(a)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def unescape_value(value: str) -> str:
    return _replace_each(value, _VALUE_ESCAPES)


def escape_value(value: str) -> str:
    return _replace_each(value, [(b, a) for a, b in _VALUE_ESCAPES])


def unescape_text(text: str) -> str:
    return _replace_each(text, [*_TEXT_ESCAPES, ("\\\\", "\\")])


def escape_text(text: str) -> str:
    return _replace_each(text, [(b, a) for a, b in [*_TEXT_ESCAPES, ("\\\\", "\\")]])


def utf16_index(text: str) -> list[int]:
    """``index[i]``: the UTF-16 offset of code point ``i`` (and of the end, at ``len(text)``)."""
    return [0, *accumulate(2 if ord(c) > 0xFFFF else 1 for c in text)]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class _Column:
    layer: str
    kind: str  # "SP", "CH", "RL"
    feature: str


@dataclass
class _Annotation:
    layer: str
    begin: int  # UTF-16
    end: int
    line: int
    features: dict[str, str | None] = field(default_factory=dict)


def sniff(head: bytes) -> bool:
    """True if the first line is ``#FORMAT=WebAnno TSV 3.x``."""
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    return _FORMAT.match(first) is not None


def _header(lines: list[str], name: str) -> tuple[list[_Column], int] | Problem:
    if not lines or not _FORMAT.match(lines[0].lstrip("\ufeff")):
        first = lines[0][:40] if lines else ""
        return Problem(name, f"not WebAnno TSV 3: the first line is {first!r}", 1)
    columns: list[_Column] = []
    i = 1
    while i < len(lines) and lines[i].startswith(("#T_SP=", "#T_CH=", "#T_RL=")):
        kind = lines[i][3:5]
        layer, *features = lines[i][6:].split("|")
        if not features:
            columns.append(_Column(layer, kind, ""))
        k = 0
        while k < len(features):
            feature = features[k]
            columns.append(_Column(layer, kind, feature))
            if kind == "SP" and feature.startswith("ROLE_") and k + 1 < len(features):
                columns.append(_Column(layer, kind, "TARGET_" + features[k + 1]))
                k += 1
            k += 1
        i += 1
    return columns, i


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    try:
        raw, file_meta = read_text_file(path, ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    yield _read(raw.split("\n"), path, ctx.scheme, file_meta, ctx.options.add_labels)


def _read(
    raw_lines: list[str],
    path: Path,
    scheme: LabelScheme,
    file_meta: dict[str, Any],
    add_labels: bool = False,
) -> Record | Problem:
    name = str(path)
    lines = [line.removesuffix("\r") for line in raw_lines]
    header = _header(lines, name)
    if isinstance(header, Problem):
        return header
    columns, start = header
    text16: list[str] = []  # the text as UTF-16 code units are counted: pieces with lengths
    length16 = 0
    sentence_text: list[str] = []
    sentence_ids: list[str | None] = []
    sentence_id: str | None = None
    sentences16: list[tuple[int, int]] = []
    tokens16: list[tuple[int, int, str, int]] = []
    annotations: dict[tuple[str, str], _Annotation] = {}
    order: list[tuple[str, str]] = []
    in_sentence = False
    for lineno in range(start + 1, len(lines) + 1):
        line = lines[lineno - 1]
        if not line:
            if in_sentence:
                in_sentence = False
            continue
        if line.startswith("#Text="):
            sentence_text.append(unescape_text(line[6:]))
            continue
        if line.startswith("#Sentence.id="):
            sentence_id = line[len("#Sentence.id=") :]
            continue
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        unit = _UNIT.match(fields[0])
        offsets = fields[1].split("-") if len(fields) > 1 else []
        if not unit or len(offsets) != 2 or not all(o.isdigit() for o in offsets):
            return Problem(name, f"not a token line: {line[:60]!r}", lineno)
        if len(fields) < 3 + len(columns):
            why = f"expected {3 + len(columns)} tab-separated fields, got {len(fields)}"
            return Problem(name, why, lineno)
        begin, end = int(offsets[0]), int(offsets[1])
        if not in_sentence and unit.group(3) is None:
            # the first token of a sentence: place the sentence's text at its offset
            if not sentence_text:
                return Problem(name, "a token before any #Text= line of its sentence", lineno)
            if length16 > begin:
                if length16 != begin + 1 or not text16 or not text16[-1].endswith("\n"):
                    why = f"token offset {begin} overlaps the previous sentence"
                    return Problem(name, why, lineno)
                text16[-1] = text16[-1][:-1]
                length16 -= 1
            if length16 < begin:
                text16.append(" " * (begin - length16))
                length16 = begin
            body = "\n".join(sentence_text)
            sentences16.append((length16, length16 + _len16(body)))
            sentence_ids.append(sentence_id)
            text16.append(body + "\n")
            length16 += _len16(body) + 1
            sentence_text, sentence_id = [], None
            in_sentence = True
        if unit.group(3) is None:
            tokens16.append((begin, end, fields[2], lineno))
        for col_index, column in enumerate(columns):
            cell = fields[3 + col_index]
            if cell == "_" or column.kind != "SP" or column.feature.startswith("TARGET_"):
                if column.kind != "SP" and cell != "_":
                    key = (column.layer, f"{lineno}")
                    if key not in annotations:
                        annotations[key] = _Annotation(column.layer, begin, end, lineno)
                        order.append(key)
                    annotations[key].features[column.feature] = cell
                continue
            for stack, raw_value in enumerate(_STACK.split(cell)):
                m = _ID_SUFFIX.match(raw_value)
                value, ident = (m.group(1), m.group(2)) if m else (raw_value, None)
                key = (column.layer, f"id{ident}" if ident else f"{fields[0]}/{stack}")
                found = annotations.get(key)
                if found is None:
                    found = annotations[key] = _Annotation(column.layer, begin, end, lineno)
                    order.append(key)
                found.begin, found.end = min(found.begin, begin), max(found.end, end)
                found.features[column.feature] = None if value == "*" else unescape_value(value)
    text = "".join(text16).removesuffix("\n")
    index16 = utf16_index(text)
    to_cp = {u: i for i, u in enumerate(index16)}
    problem = check_text(text, name, start + 1)
    if problem:
        return problem

    def cp(offset: int, line: int) -> int | Problem:
        if offset not in to_cp:
            return Problem(name, f"offset {offset} is not a character boundary of the text", line)
        return to_cp[offset]

    tokens: list[list[int]] = []
    for begin, end, form, at_line in tokens16:
        first, last = cp(begin, at_line), cp(end, at_line)
        if isinstance(first, Problem):
            return first
        if isinstance(last, Problem):
            return last
        if text[first:last] not in (unescape_text(form), form):
            return Problem(name, f"token {form!r} is not the text at {begin}-{end}", at_line)
        tokens.append([first, last])
    sentences = [[to_cp.get(a, 0), to_cp.get(b, len(text))] for a, b in sentences16]
    # which span layers become spans
    by_layer: dict[str, list[_Annotation]] = {}
    for key in order:
        by_layer.setdefault(annotations[key].layer, []).append(annotations[key])
    kinds = {c.layer: c.kind for c in columns}
    spans: list[Span] = []
    kept_layers: dict[str, list[list[Any]]] = {}
    kept: Counter[str] = Counter()
    set_aside: Counter[str] = Counter()
    span_layers: list[str] = []
    for layer, of_layer in by_layer.items():
        bad = next((a for a in of_layer if a.begin not in to_cp or a.end not in to_cp), None)
        if bad is not None:
            return Problem(name, f"offsets {bad.begin}-{bad.end} are not in the text", bad.line)
        values = [_label_of(a) for a in of_layer]
        # a project's own span layer (webanno.custom.*) may bring new labels (--add-labels);
        # DKPro's layers (POS, lemma, ...) never become spans unless the scheme has their values
        as_spans = kinds.get(layer) == "SP" and (
            layer == NAMED_ENTITY
            or all(v is not None and v in scheme for v in values)
            or (add_labels and layer.startswith("webanno.custom.") and None not in values)
        )
        if not as_spans:
            kept_layers[layer] = [[to_cp[a.begin], to_cp[a.end], a.features] for a in of_layer]
            kept[f"WebAnno {layer.rsplit('.', 1)[-1]} annotation(s)"] += len(of_layer)
            continue
        span_layers.append(layer)
        for a, label in zip(of_layer, values, strict=True):
            if label is None:
                set_aside["named entities without a value"] += 1
                continue
            if label not in scheme and not add_labels:
                return Problem(name, unknown_label(label, scheme), a.line)
            spans.append(
                Span(
                    start=to_cp[a.begin],
                    end=to_cp[a.end],
                    label=label,
                    kind=kind_of(label, scheme),
                    origin="import",
                )
            )
    webanno: dict[str, Any] = {"format": lines[0].lstrip("\ufeff")}
    if kept_layers:
        webanno["layers"] = kept_layers
        webanno["header"] = lines[1:start]
    if any(sentence_ids):
        webanno["sentence_ids"] = sentence_ids
    if len(span_layers) == 1 and span_layers[0] != NAMED_ENTITY:
        # the spans came from a project's own layer: the writer puts them back there
        features = [c.feature for c in columns if c.layer == span_layers[0]]
        webanno["span_layer"] = {"layer": span_layers[0], "features": features}
    meta = {**file_meta, "format": "webanno", "tokens": tokens, "sentences": sentences}
    meta["webanno"] = webanno
    doc = make_document(path.stem, text, path.name, meta)
    return Record(doc, spans, name, start + 1, kept=kept, set_aside=set_aside)


def _len16(text: str) -> int:
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _label_of(a: _Annotation) -> str | None:
    """A span annotation's label: its ``value`` feature, else its only feature."""
    if "value" in a.features:
        return a.features["value"]
    named = [v for k, v in a.features.items() if k]
    return named[0] if len(named) == 1 else None


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    from annotator.formats.brat import safe_name

    nlp = sentencizer()
    strict = ctx.options.alignment == "strict"
    used: set[str] = set()
    for part, doc, spans in items:
        chosen = [s for s in spans if s.kind == ctx.options.kind]
        report.count(part, chosen)
        meta = doc.meta or {}
        tokens = meta.get("tokens")
        sdoc = make_doc(blank(), doc.text, tokens) if tokens else long_texts.run(nlp, doc.text)
        aligned = align_spans(sdoc, chosen, doc_id=doc.id, strict=strict, report=report)
        kept = resolve_overlaps(aligned, doc_id=doc.id, text=doc.text, report=report)
        inside = {i for a in kept for i in range(a.start + 1, a.end)}
        kept_sentences = meta.get("sentences") if tokens else None
        if isinstance(kept_sentences, list) and kept_sentences:
            starts = {int(s) for s, _ in kept_sentences}
            breaks = {t.i for t in sdoc if t.idx in starts}
        else:
            if not sdoc.has_annotation("SENT_START"):
                sdoc = nlp.get_pipe("sentencizer")(sdoc)
            breaks = {t.i for t in sdoc if t.is_sent_start}
        breaks -= inside
        sentences: list[list[Any]] = []
        for token in sdoc:
            if (token.i in breaks or not sentences) and (not sentences or sentences[-1]):
                sentences.append([])
            if not token.text.isspace():
                sentences[-1].append(token)
        cells: dict[int, list[tuple[str, int, bool]]] = {}  # token -> (label, id, multi-token)
        for n, a in enumerate(kept, start=1):
            for i in range(a.start, a.end):
                cells.setdefault(i, []).append((a.span.label, n, a.end - a.start > 1))
        index16 = utf16_index(doc.text)
        layer, features = _layer_of(meta)
        label_at = features.index("value") if "value" in features else len(features) - 1
        blocks = ["\n".join([FORMAT_LINE, "#T_SP=" + "|".join([layer, *features]), "", ""])]
        for s, sentence in enumerate((x for x in sentences if x), start=1):
            begin, end = sentence[0].idx, sentence[-1].idx + len(sentence[-1].text)
            lines = [f"#Text={escape_text(piece)}" for piece in doc.text[begin:end].split("\n")]
            for k, token in enumerate(sentence, start=1):
                here = cells.get(token.i, [])
                ids = [f"[{n}]" if multi or len(here) > 1 else "" for _, n, multi in here]
                values = [escape_value(lab) + i for (lab, _, _), i in zip(here, ids, strict=True)]
                nulls = "|".join("*" + i for i in ids)
                a16, b16 = index16[token.idx], index16[token.idx + len(token.text)]
                cols = [f"{s}-{k}", f"{a16}-{b16}", escape_text(token.text)]
                for f in range(len(features)):
                    cols.append(("|".join(values) if f == label_at else nulls) or "_")
                lines.append("\t".join(cols) + "\t")
            blocks.append("\n".join(lines))
        folder = "" if part == WHOLE else f"{part}/"
        base = safe_name(doc.id)
        file, n = base, 1
        while f"{folder}{file}" in used:
            n += 1
            file = f"{base}-{n}"
        used.add(f"{folder}{file}")
        # as INCEpTION writes it: a blank line between sentences, none after the last
        out.write_text(f"{folder}{file}.tsv", blocks[0] + "\n" + "\n\n".join(blocks[1:]) + "\n")


def _layer_of(meta: dict[str, Any]) -> tuple[str, list[str]]:
    """The span layer to write and its features: the project layer the document's spans came
    from (WebAnno input), else the named-entity layer."""
    kept = meta.get("webanno") if meta.get("format") == "webanno" else None
    layer = kept.get("span_layer") if isinstance(kept, dict) else None
    if isinstance(layer, dict) and layer.get("features"):
        return str(layer["layer"]), [str(f) for f in layer["features"]]
    return NAMED_ENTITY, ["identifier", "value"]
