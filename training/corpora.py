"""Readers for the German NER corpora of ``../shared/data/ner-de/`` beyond GermEval and Europarl.

Every reader yields :class:`training.prepare.Sentence` with BIO tags over PER, LOC, ORG, MISC,
mapped as the model card says (``MAPPING`` below is the one place that decides it):

* Smart Data: ``person`` -> PER, ``location*`` -> LOC, ``organization*`` -> ORG; dates, numbers,
  triggers, ``org-position`` and the other non-name types -> O. Documents are split into lines,
  tokenised with spaCy's German tokenizer; the original spacing is kept.
* MobIE: the same mapping over its fine CoNLL labels.
* HIPE-2022 (NewsEye, SoNAR): NE-COARSE-LIT; ``pers`` -> PER, ``loc`` -> LOC, ``org`` -> ORG,
  ``prod`` -> MISC, ``time`` -> O. Sentences end at ``EndOfSentence``.
* Europeana Newspapers: PER, LOC, ORG (tag typos such as ``B-PEr`` fixed, stray lines skipped); one
  token stream, cut into sentences at ``.``/``!``/``?`` (at most 60 tokens).
* Sturm letters: ``pers`` -> PER, ``place`` -> LOC, ``date`` -> O.
* LER (court decisions): PER, RR, AN -> PER; LD, ST, STR, LDS -> LOC; ORG, UN, INN, GRT -> ORG;
  MRK -> MISC; laws, regulations, case law and literature -> O.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from training.prepare import Sentence

SMARTDATA_LABELS = {"person": "PER", "location": "LOC", "organization": "ORG"}
HIPE_LABELS = {
    "pers": "PER",
    "per": "PER",
    "loc": "LOC",
    "org": "ORG",
    "prod": "MISC",
    "humanprod": "MISC",
}
STURM_LABELS = {"pers": "PER", "place": "LOC"}
LER_LABELS = {
    **{k: "PER" for k in ("PER", "RR", "AN")},
    **{k: "LOC" for k in ("LD", "ST", "STR", "LDS")},
    **{k: "ORG" for k in ("ORG", "UN", "INN", "GRT")},
    "MRK": "MISC",
}
LER_COURTS = ("bag", "bfh", "bgh", "bpatg", "bsg", "bverfg", "bverwg")


def fine_label(raw: str) -> str | None:
    """Smart Data and MobIE types: ``location-city`` -> LOC, ``organization-company`` -> ORG."""
    return SMARTDATA_LABELS.get(raw.split("-", 1)[0]) if raw != "org-position" else None


def _read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def smartdata_documents(path: Path) -> list[dict[str, Any]]:
    """The documents of one Smart Data file (JSON objects one after another, not one per line)."""
    raw = _read_gz(path)
    decoder, i = json.JSONDecoder(), 0
    docs: list[dict[str, Any]] = []
    while True:
        while i < len(raw) and raw[i].isspace():
            i += 1
        if i >= len(raw):
            return docs
        doc, i = decoder.raw_decode(raw, i)
        docs.append(doc)


def smartdata_source(doc: dict[str, Any]) -> str:
    """``news``, ``rss`` or ``tweet``."""
    marker = 'featureName="source" featureValue="'
    raw = doc.get("raw") or ""
    return raw.split(marker, 1)[1].split('"', 1)[0] if marker in raw else "unknown"


def smartdata_entities(doc: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Character spans mapped to our labels; nested or overlapping mentions: the longer wins."""
    spans = []
    for mention in doc["conceptMentions"]["array"] or ():
        label = fine_label(mention["type"])
        if label:
            spans.append((mention["span"]["start"], mention["span"]["end"], label))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return sorted(kept)


def text_sentences(
    text: str, spans: list[tuple[int, int, str]], source: str, tokenizer: Any
) -> Iterator[Sentence]:
    """One Sentence per non-empty line of ``text``, tokenised by spaCy, original spacing kept."""
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = line.index(stripped[0])
        doc = tokenizer(stripped)
        base = start + lead
        tags = ["O"] * len(doc)
        for s, e, label in spans:
            if s < base or e > base + len(stripped):
                continue
            char_span = doc.char_span(s - base, e - base, alignment_mode="expand")
            if char_span is None or any(
                tags[i] != "O" for i in range(char_span.start, char_span.end)
            ):
                continue
            tags[char_span.start] = f"B-{label}"
            for i in range(char_span.start + 1, char_span.end):
                tags[i] = f"I-{label}"
        words = [t.text for t in doc]
        yield Sentence(words, tags, source, spaces=[bool(t.whitespace_) for t in doc])


def read_smartdata(
    path: Path, *, sources: tuple[str, ...] | None = None, tokenizer: Any
) -> Iterator[tuple[dict[str, Any], list[Sentence]]]:
    for doc in smartdata_documents(path):
        kind = smartdata_source(doc)
        if sources is not None and kind not in sources:
            continue
        sentences = list(
            text_sentences(
                doc["text"]["string"], smartdata_entities(doc), f"smartdata-{kind}", tokenizer
            )
        )
        yield doc, sentences


def _bio_columns(
    lines: list[str], *, token_col: int, tag_col: int, mapping: Any, source: str
) -> Iterator[Sentence]:
    """Blank-line separated CoNLL-style sentences; ``mapping(raw_label) -> label | None``."""
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*lines, ""]:
        if not line.strip() or line.startswith("-DOCSTART-"):
            if tokens:
                yield Sentence(tokens, repair_bio(tags), source)
            tokens, tags = [], []
            continue
        cols = line.split("\t") if "\t" in line else line.split(" ")
        if len(cols) <= max(token_col, tag_col if tag_col >= 0 else -tag_col - 1):
            continue
        tokens.append(cols[token_col])
        tags.append(map_tag(cols[tag_col].strip(), mapping))
    return


def map_tag(raw: str, mapping: Any) -> str:
    if raw in ("O", "", "_") or "-" not in raw:
        return "O"
    prefix, label = raw.split("-", 1)
    mapped = mapping(label)
    return f"{prefix.upper()}-{mapped}" if mapped and prefix.upper() in ("B", "I") else "O"


def repair_bio(tags: list[str]) -> list[str]:
    """An I- that does not continue an entity of its label starts one."""
    out: list[str] = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or out[i - 1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


def read_mobie(path: Path) -> Iterator[Sentence]:
    yield from _bio_columns(
        _read_gz(path).splitlines(), token_col=0, tag_col=-1, mapping=fine_label, source="mobie"
    )


def read_sturm(path: Path) -> Iterator[Sentence]:
    yield from _bio_columns(
        _read_gz(path).splitlines(), token_col=0, tag_col=-1, mapping=STURM_LABELS.get,
        source="sturm",
    )  # fmt: skip


def read_ler(path: Path) -> Iterator[Sentence]:
    yield from _bio_columns(
        _read_gz(path).splitlines(), token_col=0, tag_col=-1, mapping=LER_LABELS.get,
        source="legal",
    )  # fmt: skip


def read_hipe(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    tags: list[str] = []
    spaces: list[bool] = []
    for line in _read_gz(path).splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("TOKEN\t"):
            continue
        cols = line.split("\t")
        if len(cols) < 10:
            continue
        tokens.append(cols[0])
        tags.append(map_tag(cols[1], lambda label: HIPE_LABELS.get(label.lower())))
        misc = cols[9]
        spaces.append("NoSpaceAfter" not in misc)
        if "EndOfSentence" in misc or ("EndOfLine" in misc and len(tokens) > 80):
            yield Sentence(tokens, repair_bio(tags), "hipe", spaces=spaces)
            tokens, tags, spaces = [], [], []
    if tokens:
        yield Sentence(tokens, repair_bio(tags), "hipe", spaces=spaces)


def read_europeana(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    tags: list[str] = []
    for line in _read_gz(path).splitlines():
        cols = line.split()
        if len(cols) != 2:
            continue
        tokens.append(cols[0])
        tags.append(
            map_tag(cols[1].upper(), lambda lab: lab if lab in ("PER", "LOC", "ORG") else None)
        )
        at_end = (cols[0] in (".", "!", "?") and len(tokens) >= 5) or len(tokens) >= 60
        if at_end and not tags[-1].startswith("I-"):
            yield Sentence(tokens, repair_bio(tags), "europeana")
            tokens, tags = [], []
    if tokens:
        yield Sentence(tokens, repair_bio(tags), "europeana")
