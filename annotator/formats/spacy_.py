"""spaCy ``DocBin`` files, one per part, and a ``config.cfg`` that trains on them as written.

Entity spans go to ``doc.ents`` (no overlaps there: conflicts are resolved and reported), event
spans to ``doc.spans[spans_key]`` where they may overlap each other and the entities. Tokens come
from a blank pipeline of the project's language (``ExportOptions.lang``), the same tokenizer the
config trains with; a document whose input kept its own tokens goes out on them.

Event arguments go two ways: the filler spans to ``doc.spans["args"]`` (:data:`ARGS_KEY`),
labelled with their role, and every argument to ``doc.user_data["annotator_arguments"]``
(:data:`ARGUMENTS_KEY`) as ``{"trigger": [start, end, label], "role": role, "argument":
[start, end, label]}`` in character offsets of ``doc.text`` (read back with
:func:`arguments_of`). An argument whose filler could not be put on tokens is in the user data
only.

The config holds the components the data can train: ``ner`` when entity spans were written,
``spancat`` when event spans were, both when both were. A component without a single example
would stop ``spacy train`` and ``spacy debug data`` (``E143: Labels for component ... not
initialized``).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from annotator.formats import DEFAULT_LANG, Context, ExportError, ExportReport, Item, Outputs
from annotator.formats.align import align_spans, blank, make_doc, resolve_overlaps
from annotator.model import SpanKind

ARGS_KEY = "args"
ARGUMENTS_KEY = "annotator_arguments"
MAX_SUGGESTER_SIZE = 8
MODEL_FOLDER = "model"
"""Where the printed ``spacy train`` command writes the trained pipeline, inside the export."""


def check_lang(lang: str) -> None:
    """Refuse a language code spaCy has no tokenizer for."""
    from spacy.util import get_lang_class

    try:
        get_lang_class(lang)
    except (ImportError, KeyError, ValueError):
        raise ExportError(
            f"spaCy has no language {lang!r}; give an ISO code it knows (de, en, es, nl, ...) "
            "with --lang"
        ) from None


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    from spacy.tokens import DocBin
    from spacy.tokens import Span as SpacySpan

    lang = ctx.options.lang or DEFAULT_LANG
    check_lang(lang)
    nlp = blank(lang)
    key = ctx.options.spans_key
    strict = ctx.options.alignment == "strict"
    bins = {part: DocBin(store_user_data=True) for part in ctx.parts}
    longest_event = 1
    kinds: set[SpanKind] = set()
    for part, doc, spans in items:
        report.count(part, spans)
        tokens = doc.meta.get("tokens") if isinstance(doc.meta, dict) else None
        sdoc = make_doc(nlp, doc.text, tokens if isinstance(tokens, list) else None)
        entities = [s for s in spans if s.kind == SpanKind.ENTITY]
        events = [s for s in spans if s.kind == SpanKind.EVENT]
        ents = align_spans(sdoc, entities, doc_id=doc.id, strict=strict, report=report)
        ents = resolve_overlaps(ents, doc_id=doc.id, text=doc.text, report=report)
        evs = align_spans(sdoc, events, doc_id=doc.id, strict=strict, report=report)
        sdoc.ents = [SpacySpan(sdoc, a.start, a.end, label=a.span.label) for a in ents]
        sdoc.spans[key] = [SpacySpan(sdoc, a.start, a.end, label=a.span.label) for a in evs]
        arguments = ctx.arguments(doc.id)
        if arguments:
            exported = {s.key for s in spans}
            arguments = [x for x in arguments if x.trigger in exported and x.filler in exported]
            on_tokens = {
                a.span.key: (a.start, a.end)
                for a in align_spans(
                    sdoc,
                    [s for s in spans if s.kind == SpanKind.ENTITY],
                    doc_id=doc.id,
                    strict=False,
                    report=ExportReport(format="spacy", out=Path(".")),
                )
                + evs
            }
            sdoc.spans[ARGS_KEY] = [
                SpacySpan(sdoc, *on_tokens[x.filler], label=x.role)
                for x in arguments
                if x.filler in on_tokens
            ]
            sdoc.user_data[ARGUMENTS_KEY] = [
                {"trigger": list(x.trigger), "role": x.role, "argument": list(x.filler)}
                for x in arguments
            ]
        if ents:
            kinds.add(SpanKind.ENTITY)
        if evs:
            kinds.add(SpanKind.EVENT)
        for a in evs:
            longest_event = max(longest_event, a.end - a.start)
        bins[part].add(sdoc)
    if report.misaligned:
        return
    for part, docbin in bins.items():
        docbin.to_disk(out.path(f"{part}.spacy"))
    sizes = list(range(1, min(longest_event, MAX_SUGGESTER_SIZE) + 1))
    pipeline = components(kinds)
    out.write_text(
        "config.cfg",
        training_config(spans_key=key, suggester_sizes=sizes, lang=lang, pipeline=pipeline),
    )


def arguments_of(sdoc: object) -> list[tuple[tuple[int, int, str], str, tuple[int, int, str]]]:
    """The arguments an export put into a spaCy Doc: (trigger, role, argument), each end as
    (start, end, label) in character offsets."""
    data = getattr(sdoc, "user_data", {}).get(ARGUMENTS_KEY, [])
    return [
        ((t[0], t[1], t[2]), x["role"], (a[0], a[1], a[2]))
        for x in data
        for t, a in [(x["trigger"], x["argument"])]
    ]


def components(kinds: set[SpanKind]) -> list[str]:
    """The trainable components for the kinds of spans written: ``ner`` for entities,
    ``spancat`` for events. With no span at all: ``ner`` (``spacy train`` then says that it has
    no labels; there is nothing to learn from)."""
    out = []
    if SpanKind.ENTITY in kinds or not kinds:
        out.append("ner")
    if SpanKind.EVENT in kinds:
        out.append("spancat")
    return out


def training_config(
    *,
    spans_key: str = "sc",
    suggester_sizes: list[int] | None = None,
    lang: str = "de",
    pipeline: Sequence[str] = ("ner", "spancat"),
) -> str:
    """spaCy's own ``init config`` for ``lang`` and ``pipeline`` (``ner``, ``spancat`` or both),
    with the spans key and short training defaults; ``paths.train``/``paths.dev`` point at the
    files next to it."""
    from spacy.cli.init_config import init_config

    config = init_config(lang=lang, pipeline=list(pipeline), optimize="efficiency", gpu=False)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    if "spancat" in pipeline:
        config["components"]["spancat"]["spans_key"] = spans_key
        config["components"]["spancat"]["suggester"]["sizes"] = suggester_sizes or [1, 2, 3]
        weights = config["training"]["score_weights"]
        for name in [k for k in weights if k.startswith("spans_sc_")]:
            weights[f"spans_{spans_key}_{name.removeprefix('spans_sc_')}"] = weights.pop(name)
    training = config["training"]
    training["max_steps"] = 2000
    training["patience"] = 400
    training["eval_frequency"] = 100
    header = (
        "# Written by annotator export. Train with:\n"
        "#   python -m spacy train config.cfg --paths.train train.spacy "
        f"--paths.dev dev.spacy --output {MODEL_FOLDER}\n"
        f"# Generated with spaCy's own init config (language {lang!r}, "
        f"{' + '.join(pipeline)}, efficiency).\n"
    )
    return header + config.to_str()


def training_command(out: Path, parts: Iterable[str], *, python: str | None = None) -> str:
    """The shell command that trains on the export in ``out`` as written: every path quoted,
    the trained pipeline going to ``out/model``. Without a dev part the training part is used
    for both (give ``--split 80/20`` to hold one out)."""
    names = set(parts)
    train = "train" if "train" in names else "all"
    dev = "dev" if "dev" in names else train
    words = [
        python or sys.executable,
        "-m",
        "spacy",
        "train",
        str(out / "config.cfg"),
        "--paths.train",
        str(out / f"{train}.spacy"),
        "--paths.dev",
        str(out / f"{dev}.spacy"),
        "--output",
        str(out / MODEL_FOLDER),
    ]
    return shlex.join(words)
