"""spaCy ``DocBin`` files, one per part, and a ``config.cfg`` that trains on them as written.

Entity spans go to ``doc.ents`` (no overlaps there: conflicts are resolved and reported), event
spans to ``doc.spans[spans_key]`` where they may overlap each other and the entities. Tokens come
from a blank German pipeline, the same tokenizer the config trains with.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.formats import Context, ExportReport, Item, Outputs
from annotator.formats.align import align_spans, blank, resolve_overlaps
from annotator.model import SpanKind

HEADER = (
    "# Written by annotator export. Train with:\n"
    "#   python -m spacy train config.cfg --paths.train train.spacy --paths.dev dev.spacy\n"
    "# Generated with spaCy's own init config (German, ner + spancat, efficiency).\n"
)
MAX_SUGGESTER_SIZE = 8


def write(items: Iterable[Item], out: Outputs, ctx: Context, report: ExportReport) -> None:
    from spacy.tokens import DocBin
    from spacy.tokens import Span as SpacySpan

    nlp = blank()
    key = ctx.options.spans_key
    strict = ctx.options.alignment == "strict"
    bins = {part: DocBin(store_user_data=False) for part in ctx.parts}
    longest_event = 1
    for part, doc, spans in items:
        report.count(part, spans)
        sdoc = nlp.make_doc(doc.text)
        entities = [s for s in spans if s.kind == SpanKind.ENTITY]
        events = [s for s in spans if s.kind == SpanKind.EVENT]
        ents = align_spans(sdoc, entities, doc_id=doc.id, strict=strict, report=report)
        ents = resolve_overlaps(ents, doc_id=doc.id, text=doc.text, report=report)
        evs = align_spans(sdoc, events, doc_id=doc.id, strict=strict, report=report)
        sdoc.ents = [SpacySpan(sdoc, a.start, a.end, label=a.span.label) for a in ents]
        sdoc.spans[key] = [SpacySpan(sdoc, a.start, a.end, label=a.span.label) for a in evs]
        for a in evs:
            longest_event = max(longest_event, a.end - a.start)
        bins[part].add(sdoc)
    if report.misaligned:
        return
    for part, docbin in bins.items():
        docbin.to_disk(out.path(f"{part}.spacy"))
    sizes = list(range(1, min(longest_event, MAX_SUGGESTER_SIZE) + 1))
    out.write_text("config.cfg", training_config(spans_key=key, suggester_sizes=sizes))


def training_config(*, spans_key: str = "sc", suggester_sizes: list[int] | None = None) -> str:
    """spaCy's own ``init config`` for German ner + spancat, with the spans key and short
    training defaults; ``paths.train``/``paths.dev`` point at the files next to it."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="de", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    config["components"]["spancat"]["spans_key"] = spans_key
    config["components"]["spancat"]["suggester"]["sizes"] = suggester_sizes or [1, 2, 3]
    weights = config["training"]["score_weights"]
    for name in [k for k in weights if k.startswith("spans_sc_")]:
        weights[f"spans_{spans_key}_{name.removeprefix('spans_sc_')}"] = weights.pop(name)
    training = config["training"]
    training["max_steps"] = 2000
    training["patience"] = 400
    training["eval_frequency"] = 100
    return HEADER + config.to_str()
