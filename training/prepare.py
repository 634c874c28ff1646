"""Convert the German NER TSV files into spaCy DocBins for training and evaluation.

Sources (see ``../shared/data/ner-de/README.md``):

* ``germeval2014-dev.tsv``: GermEval 2014, outer column only, BIO. ``OTH`` becomes ``MISC``;
  ``*deriv`` and ``*part`` are not entities (O).
* ``europarl-train.tsv`` / ``europarl-dev.tsv``: CoNLL-style IOB1. A ``MISC`` span whose words
  are all lower-case (a nationality adjective) becomes O.

The split is deterministic, by the position of a sentence in the GermEval file (0-based):

* ``i % 10 == 9``  -> held-out test (never seen in training or model selection),
* ``i % 10 == 4``  -> dev (model selection during ``spacy train``),
* everything else -> train, together with all of ``europarl-train.tsv``.

``europarl-dev.tsv`` is held out for testing as well, and so are the odd-position news documents of
the Smart Data test file (``test-smartdata``; the even ones join the dev part). ``--mix`` adds the
other corpora of ``training/corpora.py`` to the training part with a weight each
(``--mix smartdata=1,mobie=1``; see :func:`parse_mix`). Sentences become one Doc each; the text
is rebuilt from tokens with a light detokenizer (no space before closing punctuation), so it
looks like running text while the gold tokens stay intact.

Augmentation (training part only, ``--augment N``, seeded): each GermEval training sentence with
a PER or LOC entity gets N copies in which every PER and LOC mention is replaced (mention
replacement, Dai and Adel 2020): half the time by another mention of the same label from the
training sentences, half the time by a name from the word lists (Faker first and last names,
GeoNames cities, German country names). The model sees more names in the same contexts and learns
to use the context and the hints rather than memorising the few names of the data.

Usage: ``python -m training.prepare [--data DIR] [--out training/corpus] [--augment N]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ner-de"
DEFAULT_OUT = ROOT / "training" / "corpus"
LABELS = ("PER", "LOC", "ORG", "MISC")

NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "'s"}
NO_SPACE_AFTER = {"(", "[", "{"}


@dataclass(frozen=True)
class Sentence:
    tokens: list[str]
    tags: list[str]  # BIO over LABELS
    source: str
    spaces: list[bool] | None = None  # None: rebuilt by the detokenizer

    def spans(self) -> list[tuple[int, int, str]]:
        """Entity token spans (start, end, label) from the BIO tags."""
        out: list[tuple[int, int, str]] = []
        start, label = -1, ""
        for i, tag in enumerate([*self.tags, "O"]):
            if start >= 0 and not tag.startswith("I-"):
                out.append((start, i, label))
                start = -1
            if tag.startswith("B-"):
                start, label = i, tag[2:]
        return out


def spaces_for(tokens: list[str]) -> list[bool]:
    spaces = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        spaces.append(
            nxt is not None and nxt not in NO_SPACE_BEFORE and token not in NO_SPACE_AFTER
        )
    return spaces


def _germeval_label(raw: str) -> str:
    if raw == "O" or raw.endswith("deriv") or raw.endswith("part"):
        return "O"
    prefix, label = raw.split("-", 1)
    return f"{prefix}-{'MISC' if label == 'OTH' else label}"


def read_germeval(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#\t") or line.startswith("# "):
            continue
        if not line.strip():
            if tokens:
                # an I- after an O (the B- was a deriv/part) starts an entity of its own
                fixed = [
                    "B-" + t[2:]
                    if t.startswith("I-") and (i == 0 or tags[i - 1][2:] != t[2:])
                    else t
                    for i, t in enumerate(tags)
                ]
                yield Sentence(tokens, fixed, "germeval")
            tokens, tags = [], []
            continue
        cols = line.split("\t")
        tokens.append(cols[1])
        tags.append(_germeval_label(cols[2]))


def read_europarl(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    raw: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if tokens:
                yield Sentence(tokens, _iob1_to_bio(tokens, raw), "europarl")
            tokens, raw = [], []
            continue
        cols = line.split("\t")
        tokens.append(cols[0])
        raw.append(cols[-1])


def _iob1_to_bio(tokens: list[str], raw: list[str]) -> list[str]:
    bio: list[str] = []
    prev = "O"
    for tag in raw:
        if tag == "O":
            bio.append("O")
        else:
            prefix, label = tag.split("-", 1)
            starts = prefix == "B" or prev == "O" or prev.split("-", 1)[1] != label
            bio.append(("B-" if starts else "I-") + label)
        prev = tag
    # lower-case MISC spans are nationality adjectives: not entities in our scheme
    sentence = Sentence(tokens, bio, "europarl")
    for start, end, label in sentence.spans():
        words = [t for t in tokens[start:end] if any(c.isalpha() for c in t)]
        if label == "MISC" and all(w == w.lower() for w in words):
            for i in range(start, end):
                bio[i] = "O"
    return bio


def to_doc(sentence: Sentence, vocab: object) -> object:
    from spacy.tokens import Doc, Span

    spaces = sentence.spaces if sentence.spaces is not None else spaces_for(sentence.tokens)
    doc = Doc(vocab, words=sentence.tokens, spaces=spaces)  # type: ignore[arg-type]
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in sentence.spans()]
    doc.user_data["set"] = sentence.source.split("-", 1)[0]  # germeval, smartdata, ...
    return doc


EXTRA_CORPORA = ("smartdata", "mobie", "hipe", "europeana", "sturm", "legal")
DEFAULT_MIX: dict[str, float] = {}
"""Weight per extra corpus: a fraction (< 1) samples that share of its sentences (seeded), a whole
number (>= 1) repeats it that many times; a corpus not named is left out. Filled in by the
experiments written down in the model card."""


def parse_mix(text: str) -> dict[str, float]:
    """``"smartdata=1,legal=0.3"`` -> ``{"smartdata": 1.0, "legal": 0.3}``."""
    mix: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition("=")
        if name not in EXTRA_CORPORA:
            raise SystemExit(f"--mix: unknown corpus {name!r} (known: {', '.join(EXTRA_CORPORA)})")
        mix[name] = float(weight or 1)
    return mix


def extra_corpus(data: Path, name: str, tokenizer: object) -> list[Sentence]:
    """The training sentences of one extra corpus (held-out parts excluded)."""
    from training import corpora

    if name == "smartdata":
        out = [
            s
            for _d, ss in corpora.read_smartdata(
                data / "smartdata" / "v1_20180119_train.json.gz", tokenizer=tokenizer
            )
            for s in ss
        ]
        out += [
            s
            for _d, ss in corpora.read_smartdata(
                data / "smartdata" / "v1_20180119_test.json.gz",
                sources=("rss", "tweet"),
                tokenizer=tokenizer,
            )
            for s in ss
        ]
        return out  # fmt: skip
    if name == "mobie":
        return [
            s
            for p in ("train", "dev")
            for s in corpora.read_mobie(data / "mobie" / f"{p}.conll2003.gz")
        ]
    if name == "hipe":
        return [s for f in sorted((data / "hipe").glob("*.tsv.gz")) for s in corpora.read_hipe(f)]
    if name == "europeana":
        return [
            s
            for f in sorted((data / "europeana").glob("*.bio.gz"))
            for s in corpora.read_europeana(f)
        ]
    if name == "sturm":
        return [
            s for f in sorted((data / "sturm").glob("*.conll.gz")) for s in corpora.read_sturm(f)
        ]
    if name == "legal":
        # only the sentences with a name: most of the court text marks laws and case references
        return [
            s
            for c in corpora.LER_COURTS
            for s in corpora.read_ler(data / "legal" / f"{c}.conll.gz")
            if s.spans()
        ]
    raise ValueError(name)


def weighted(sentences: list[Sentence], weight: float, *, seed: int) -> list[Sentence]:
    if weight >= 1:
        return sentences * int(weight)
    rng = random.Random(seed)
    return [s for s in sentences if rng.random() < weight]


def smartdata_news(data: Path, tokenizer: object) -> tuple[list[Sentence], list[Sentence]]:
    """The news documents of the Smart Data test file: even positions dev, odd held-out test."""
    from training import corpora

    dev: list[Sentence] = []
    test: list[Sentence] = []
    news = corpora.read_smartdata(
        data / "smartdata" / "v1_20180119_test.json.gz", sources=("news",), tokenizer=tokenizer
    )
    for i, (_doc, sentences) in enumerate(news):
        (test if i % 2 else dev).extend(sentences)
    return dev, test


def split(
    data: Path, *, mix: dict[str, float] | None = None, seed: int = 0
) -> dict[str, list[Sentence]]:
    import spacy

    tokenizer = spacy.blank("de").tokenizer
    parts: dict[str, list[Sentence]] = {
        "train": [],
        "dev": [],
        "test-germeval": [],
        "test-europarl": [],
        "test-smartdata": [],
    }
    for i, sentence in enumerate(read_germeval(data / "germeval2014-dev.tsv")):
        part = {9: "test-germeval", 4: "dev"}.get(i % 10, "train")
        parts[part].append(sentence)
    parts["train"].extend(read_europarl(data / "europarl-train.tsv"))
    parts["test-europarl"].extend(read_europarl(data / "europarl-dev.tsv"))
    dev, test = smartdata_news(data, tokenizer)
    parts["dev"].extend(dev)
    parts["test-smartdata"].extend(test)
    for name, weight in (DEFAULT_MIX if mix is None else mix).items():
        if weight > 0:
            parts["train"].extend(weighted(extra_corpus(data, name, tokenizer), weight, seed=seed))
    return parts


AUGMENT_LABELS = ("PER", "LOC")


def _lexicon_names(rng: random.Random) -> dict[str, list[list[str]]]:
    """Replacement names from the word lists, as token lists, per label."""
    from annotator.suggest.gazetteer import _country_names, _faker_names, _geonames

    faker = _faker_names()
    firsts = sorted(n for n, kinds in faker.items() if "first" in kinds)
    lasts = sorted(n for n, kinds in faker.items() if "last" in kinds)
    people = [[rng.choice(firsts), rng.choice(lasts)] for _ in range(4000)]
    people += [[rng.choice(lasts)] for _ in range(2000)]
    places = sorted(
        n for n in _geonames() | _country_names()
        if n.isascii() or any(c in n for c in "äöüßÄÖÜ")
    )  # fmt: skip
    places = [p for p in places if p[:1].isupper() and 3 <= len(p) <= 25]
    return {"PER": people, "LOC": [p.split() for p in places]}


def augment(sentences: list[Sentence], copies: int, *, seed: int = 0) -> list[Sentence]:
    """Mention-replaced copies of the sentences that have a PER or LOC entity."""
    rng = random.Random(seed)
    mentions: dict[str, list[list[str]]] = {label: [] for label in AUGMENT_LABELS}
    for sentence in sentences:
        for start, end, label in sentence.spans():
            if label in mentions:
                mentions[label].append(sentence.tokens[start:end])
    lexicon = _lexicon_names(rng)
    out: list[Sentence] = []
    for sentence in sentences:
        spans = [s for s in sentence.spans() if s[2] in AUGMENT_LABELS]
        if not spans:
            continue
        for _ in range(copies):
            tokens: list[str] = []
            tags: list[str] = []
            cursor = 0
            for start, end, label in spans:
                tokens += sentence.tokens[cursor:start]
                tags += sentence.tags[cursor:start]
                pool = mentions[label] if rng.random() < 0.5 else lexicon[label]
                new = list(rng.choice(pool))
                tokens += new
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(new) - 1)
                cursor = end
            tokens += sentence.tokens[cursor:]
            tags += sentence.tags[cursor:]
            out.append(Sentence(tokens, tags, sentence.source + "-augmented"))
    return out


def main(argv: list[str] | None = None) -> int:
    import spacy
    from spacy.tokens import DocBin

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--augment", type=int, default=0, help="mention-replaced copies")
    parser.add_argument(
        "--mix", default=None, help="extra corpora with weights, e.g. smartdata=1,legal=0.3"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("de")
    stats: dict[str, dict[str, int]] = {}
    parts = split(args.data, mix=parse_mix(args.mix) if args.mix is not None else None)
    if args.augment:
        germeval = [s for s in parts["train"] if s.source == "germeval"]
        parts["train"] = parts["train"] + augment(germeval, args.augment)
    for name, sentences in parts.items():
        # the dev part keeps each Doc's set: model selection weighs the sets equally
        docbin = DocBin(store_user_data=name == "dev")
        counts: Counter[str] = Counter()
        for sentence in sentences:
            doc = to_doc(sentence, nlp.vocab)
            docbin.add(doc)  # type: ignore[arg-type]
            counts.update(ent.label_ for ent in doc.ents)  # type: ignore[attr-defined]
        docbin.to_disk(args.out / f"{name}.spacy")
        stats[name] = {"sentences": len(sentences), **dict(sorted(counts.items()))}
    json.dump(stats, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
