"""CoNLL-U in (Universal Dependencies): text, tokens, sentences, and named entities where the
file has them.

A word line has ten tab-separated fields (``ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS
MISC``); a blank line ends a sentence; ``#`` lines are comments (``# text = ...``, ``# sent_id``,
``# newdoc``, ``# newpar``). UD has no standard place for named entities, so three conventions
are read:

* a column named with ``--columns N`` holding IOB/BIOES tags (as the CoNLL reader reads them);
* ``NE=B-PER`` or ``NER=B-PER`` in MISC (the keys several NER-annotated treebanks use), decoded
  per sentence by conlleval's rules;
* ``Entity=`` in MISC, the bracket notation of CorefUD / Universal Anaphora
  (``Entity=(e1-person-1``, ``...e1)``, ``(e2-place-1)``): a mention's type is its second part,
  or the part ``# global.Entity`` names ``etype``.

The text: a sentence's ``# text =`` where present (the tokens are found in it, in order, so
offsets point into it exactly), else the surface forms joined as ``SpaceAfter=No`` says.
Sentences are joined by a newline, paragraphs (``# newpar``) by a blank line. A multi-word token
(``1-2 haven't`` over the words ``have`` and ``not``) is one surface token; an entity on any of
its words covers the whole token. Empty nodes (``8.1``) have no text and are counted.

Kept in meta: ``tokens`` (the surface tokens), ``sentences``, and in ``meta["conllu"]`` each
sentence's comment lines and word lines (lemma, POS, features, syntax), so nothing of the file is
lost; there is no CoNLL-U writer (export as CoNLL or WebAnno TSV).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.formats.conll import _TAG, entities, unquote_label
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

_ID = re.compile(r"^(\d+)(?:-(\d+)|\.(\d+))?$")
_NE_KEYS = ("NE", "NER")


@dataclass
class _Word:
    line: int
    id: str
    form: str
    cols: list[str]
    misc: dict[str, str]


@dataclass
class _Sentence:
    line: int
    comments: list[str] = field(default_factory=list)
    rows: list[_Word] = field(default_factory=list)
    text: str | None = None
    newpar: bool = False


@dataclass
class _Doc:
    line: int
    doc_id: str | None = None
    sentences: list[_Sentence] = field(default_factory=list)


def _misc(value: str) -> dict[str, str]:
    if value in ("_", ""):
        return {}
    out: dict[str, str] = {}
    for item in value.split("|"):
        key, _, val = item.partition("=")
        out[key] = val
    return out


def sniff(head: bytes) -> bool:
    """True for the CoNLL-U shape: every line but comments and blank lines has ten tab-separated
    fields, the first a word id (``3``, ``2-3``, ``8.1``)."""
    text = head.decode("utf-8", "replace")
    lines = text.split("\n")
    if len(head) >= 64 * 1024 and len(lines) > 1:
        lines = lines[:-1]
    rows = [line.rstrip("\r") for line in lines[:2000] if line.strip() and not line.startswith("#")]
    if len(rows) < 2:
        return False
    return all(
        len(cols := row.split("\t")) == 10 and _ID.match(cols[0]) is not None for row in rows
    )


def _parse(text: str, name: str) -> tuple[list[_Doc], list[str], Problem | None]:
    docs: list[_Doc] = []
    globals_: list[str] = []
    sentence: _Sentence | None = None
    pending: list[str] = []
    newpar = False
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            sentence = None
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            key, _, value = body.partition("=")
            key = key.strip()
            if key.startswith("newdoc"):
                docs.append(_Doc(lineno, value.strip() or None))
            if key.startswith("global."):
                globals_.append(line)
            if key.startswith("newpar"):
                newpar = True
            if sentence is None:
                pending.append(line)
            else:
                sentence.comments.append(line)
            continue
        cols = line.split("\t")
        if len(cols) != 10 or not _ID.match(cols[0]):
            return (
                docs,
                globals_,
                Problem(
                    name,
                    f"a CoNLL-U word line has ten tab-separated fields, got {len(cols)}",
                    lineno,
                ),
            )
        if sentence is None:
            if not docs:
                docs.append(_Doc(lineno))
            sentence = _Sentence(lineno, comments=pending, newpar=newpar)
            pending, newpar = [], False
            for comment in sentence.comments:
                key, _, value = comment[1:].strip().partition("=")
                if key.strip() == "text":
                    sentence.text = value[1:] if value.startswith(" ") else value
            docs[-1].sentences.append(sentence)
        sentence.rows.append(_Word(lineno, cols[0], cols[1], cols, _misc(cols[9])))
    return docs, globals_, None


def read(path: Path, ctx: ReadContext) -> Iterator[Record | Problem]:
    name = str(path)
    try:
        text, file_meta = read_text_file(path, ctx.options.encoding)
    except InputError as exc:
        yield from exc.problems
        return
    docs, globals_, problem = _parse(text, name)
    if problem is not None:
        yield problem
        return
    etype_at = 1
    for line in globals_:
        key, _, value = line[1:].strip().partition("=")
        if key.strip() == "global.Entity" and "etype" in value.strip().split("-"):
            etype_at = value.strip().split("-").index("etype")
    column = ctx.options.columns
    if column is not None and not (1 <= abs(column) <= 10):
        yield Problem(name, f"--columns {column}: a CoNLL-U line has ten columns")
        return
    number = 0
    for doc in docs:
        if not doc.sentences:
            continue
        number += 1
        yield _record(
            doc, path, number, ctx.scheme, column, etype_at, file_meta, ctx.options.add_labels
        )


def _record(
    doc: _Doc,
    path: Path,
    number: int,
    scheme: LabelScheme,
    column: int | None,
    etype_at: int,
    file_meta: dict[str, Any],
    add_labels: bool = False,
) -> Record | Problem:
    name = str(path)
    pieces: list[str] = []
    pos = 0
    tokens: list[list[int]] = []
    sentences: list[list[int]] = []
    found: list[tuple[str, int, int, int]] = []  # label, first token, last token, line
    kept: Counter[str] = Counter()
    set_aside: Counter[str] = Counter()
    open_mentions: dict[str, tuple[str, int, int]] = {}  # eid -> label, first token, line
    kept_sentences: list[dict[str, Any]] = []
    for s, sentence in enumerate(doc.sentences):
        if s:
            sep = "\n\n" if sentence.newpar else "\n"
            pieces.append(sep)
            pos += len(sep)
        # surface tokens: multi-word token lines, and words not inside one
        surface: list[tuple[_Word, list[_Word]]] = []
        inside_until = 0
        for row in sentence.rows:
            m = _ID.match(row.id)
            assert m is not None
            if m.group(3) is not None:
                set_aside["CoNLL-U empty node(s) (no text of their own)"] += 1
                continue
            if m.group(2) is not None:
                surface.append((row, []))
                inside_until = int(m.group(2))
                continue
            if int(m.group(1)) <= inside_until and surface:
                surface[-1][1].append(row)
            else:
                surface.append((row, [row]))
        first_token = len(tokens)
        sentence_start = pos
        if sentence.text is not None:
            at = 0
            for token, _ in surface:
                found_at = sentence.text.find(token.form, at)
                if found_at < 0 or sentence.text[at:found_at].strip():
                    return Problem(
                        name,
                        f"the form {token.form!r} is not next in the sentence's # text",
                        token.line,
                    )
                tokens.append([pos + found_at, pos + found_at + len(token.form)])
                at = found_at + len(token.form)
            sentence_text = sentence.text
        else:
            parts: list[str] = []
            at = 0
            for k, (token, _) in enumerate(surface):
                tokens.append([pos + at, pos + at + len(token.form)])
                parts.append(token.form)
                at += len(token.form)
                if k + 1 < len(surface) and token.misc.get("SpaceAfter") != "No":
                    parts.append(" ")
                    at += 1
            sentence_text = "".join(parts)
        pieces.append(sentence_text)
        sentences.append([sentence_start, sentence_start + len(sentence_text)])
        pos += len(sentence_text)
        # entities on words, mapped to their surface token
        words: list[tuple[_Word, int]] = [
            (word, first_token + k) for k, (_, ws) in enumerate(surface) for word in ws
        ]
        tags: list[str] = []
        for word, _ in words:
            tag = None
            if column is not None:
                tag = word.cols[column - 1 if column > 0 else 10 + column]
                tag = "O" if tag == "_" else tag
            else:
                tag = next((word.misc[k] for k in _NE_KEYS if k in word.misc), None)
            if tag is not None and not _TAG.match(tag):
                why = f"tag {tag!r} is not O, or B-, I-, E-, S- with a label"
                return Problem(name, why, word.line)
            tags.append(tag or "O")
        for label, i, j in entities(tags):
            found.append((unquote_label(label), words[i][1], words[j][1], words[i][0].line))
        for word, tok in words:
            for kind, eid, label in _mentions(word.misc.get("Entity", ""), etype_at):
                if kind == "open":
                    open_mentions[eid] = (label, tok, word.line)
                elif kind == "single":
                    found.append((label, tok, tok, word.line))
                elif eid in open_mentions:
                    lab, first, line = open_mentions.pop(eid)
                    found.append((lab, first, tok, line))
        kept_sentences.append(
            {"comments": sentence.comments, "words": ["\t".join(r.cols) for r in sentence.rows]}
        )
        kept["CoNLL-U word line(s) (lemma, POS, features, syntax)"] += len(sentence.rows)
    if open_mentions:
        eid, (_, _, line) = next(iter(open_mentions.items()))
        return Problem(name, f"Entity mention {eid!r} is opened but never closed", line)
    text = "".join(pieces)
    problem = check_text(text, name, doc.line)
    if problem:
        return problem
    spans: list[Span] = []
    for label, first, last, line in found:
        if not label:
            set_aside["Entity mention(s) without a type"] += 1
            continue
        if label not in scheme and not add_labels:
            return Problem(name, unknown_label(label, scheme), line)
        spans.append(
            Span(
                start=tokens[first][0],
                end=tokens[last][1],
                label=label,
                kind=kind_of(label, scheme),
                origin="import",
            )
        )
    meta = {**file_meta, "format": "conllu", "tokens": tokens, "sentences": sentences}
    meta["conllu"] = {"sentences": kept_sentences, **({"id": doc.doc_id} if doc.doc_id else {})}
    doc_id = f"{path.stem}-{number}"
    document = make_document(doc_id, text, path.name, meta)
    return Record(document, spans, name, doc.line, kept=kept, set_aside=set_aside)


def _mentions(value: str, etype_at: int) -> Iterator[tuple[str, str, str]]:
    """``(kind, eid, label)`` for each bracket in an ``Entity=`` value, in order: ``open``,
    ``close`` or ``single`` (opened and closed on this word)."""
    i = 0
    while i < len(value):
        if value[i] == "(":
            j = i + 1
            while j < len(value) and value[j] not in "()":
                j += 1
            parts = value[i + 1 : j].split("-")
            eid = parts[0]
            label = parts[etype_at] if len(parts) > etype_at else ""
            if j < len(value) and value[j] == ")":
                yield "single", eid, label
                j += 1
            else:
                yield "open", eid, label
            i = j
        elif value[i] == ")":
            i += 1
        else:
            j = i
            while j < len(value) and value[j] not in "()":
                j += 1
            if j < len(value) and value[j] == ")":
                yield "close", value[i:j].split("-")[0], ""
                j += 1
            i = j
