"""Suggesters over spaCy pipelines: any pipeline, the event rules, and the built-in German model.

Nothing here imports spaCy at module level; pipelines load on the first ``suggest`` (or
``load()``) and stay cached (:mod:`annotator.suggest.pipelines`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.model import LabelScheme, Span, SpanStatus
from annotator.suggest.base import Suggester
from annotator.suggest.pipelines import (
    BUILTIN_MODEL_PATH,
    file_digest,
    load_pipeline,
    resolve_model,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ENT_SCORES_KEY = "ent_scores"
"""The span group :mod:`annotator.suggest.confidence` writes (not imported here: no spaCy)."""
BUILTIN_NAME = "builtin-de"
EVENTS_NAME = "events-de"
NER_SCORE = 1.0
"""The score of an entity when the pipeline has no ``entity_confidence`` component (spaCy's
transition-based NER gives no confidence of its own)."""


class SpacySuggester:
    """Suggestions from a spaCy pipeline: ``doc.ents`` and the span groups of ``doc.spans``.

    ``label_map`` renames the pipeline's labels into the scheme (``{"GPE": "LOC"}``); a label the
    pipeline already shares with the scheme needs no entry. A label that ends up outside the
    scheme (or is mapped to ``""``) is dropped, and counted in :attr:`dropped`. The span kind comes
    from the scheme. Scores: entities get the confidence of the pipeline's ``entity_confidence``
    component (:mod:`annotator.suggest.confidence`), else :data:`NER_SCORE`; spans from a group
    get the group's ``attrs["scores"]`` (spancat and our rules set it), else 1.0.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        label_map: Mapping[str, str] | None = None,
        scheme: LabelScheme | None = None,
        name: str | None = None,
        span_keys: Sequence[str] | None = None,
        events: Path | bool = False,
        ruler: Path | bool = False,
    ) -> None:
        self.model = model
        self.label_map = dict(label_map or {})
        self.scheme = scheme if scheme is not None else LabelScheme.load()
        self.span_keys = tuple(span_keys) if span_keys is not None else None
        self.events = events
        self.ruler = ruler
        self.name = name or _default_name(model)
        self.dropped: Counter[str] = Counter()
        self._version: str | None = None

    # -- identity --------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """``<pipeline meta version>+<hash>`` of the model files, pattern files and label map."""
        if self._version is None:
            self._version = self._compute_version()
        return self._version

    def _compute_version(self) -> str:
        from annotator.suggest.events import EVENT_PATTERNS_PATH
        from annotator.suggest.gazetteer import CURATED_PATH

        files: list[Path] = []
        meta_path: Path | None = None
        path = None if str(self.model).startswith("blank:") else resolve_model(self.model)
        if str(self.model).startswith("blank:"):
            pass
        elif path is None:  # an installed package: spaCy knows where
            import spacy.util

            path = Path(spacy.util.get_package_path(str(self.model)))
            meta_path = next(path.glob("*/meta.json"), path / "meta.json")
            files = [meta_path.parent]
        else:
            meta_path = path / "meta.json"
            files = [path]
        meta: dict[str, Any] = {}
        if meta_path is not None and meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        for extra, default in ((self.events, EVENT_PATTERNS_PATH), (self.ruler, CURATED_PATH)):
            if extra:
                files.append(default if extra is True else Path(extra))
        mapped = json.dumps(sorted(self.label_map.items())).encode()
        digest = hashlib.sha256(file_digest(*files).encode() + mapped).hexdigest()
        return f"{meta.get('version', '0')}+{digest[:12]}"

    # -- work ------------------------------------------------------------------------------
    def load(self) -> Language:
        """The pipeline (loaded once per process and cached)."""
        return load_pipeline(self.model, events=self.events, ruler=self.ruler)

    def suggest(
        self, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        from annotator.long_texts import pipe_pieces

        nlp = self.load()
        version = self.version
        parts = pipe_pieces(nlp, texts, batch_size=batch_size, n_process=n_process)
        for text, pieces in zip(texts, parts, strict=True):
            spans: list[Span] = []
            for offset, doc in pieces:
                if doc.text != text[offset : offset + len(doc.text)]:
                    raise ValueError(
                        f"{self.name}: the pipeline changed the text; offsets would not fit it"
                    )
                spans += self.spans_of(doc, version=version, offset=offset)
            if len(pieces) > 1:
                spans.sort(key=lambda s: (s.start, s.end, s.label))
            yield spans

    def spans_of(self, doc: Doc, *, version: str | None = None, offset: int = 0) -> list[Span]:
        """The suggestions of one processed Doc, sorted by position; ``offset``: where the Doc's
        text starts in the document (a piece of a long one)."""
        version = version if version is not None else self.version
        found: dict[tuple[int, int, str], Span] = {}
        confidence = _entity_scores(doc)
        candidates: list[tuple[int, int, str, float]] = [
            (
                ent.start_char,
                ent.end_char,
                ent.label_,
                confidence.get((ent.start, ent.end, ent.label_), NER_SCORE),
            )
            for ent in doc.ents
        ]
        keys = self.span_keys if self.span_keys is not None else list(doc.spans)
        for key in keys:
            if key not in doc.spans or key == ENT_SCORES_KEY:
                continue
            group = doc.spans[key]
            scores = group.attrs.get("scores")
            for i, span in enumerate(group):
                score = float(scores[i]) if scores is not None and i < len(scores) else 1.0
                candidates.append((span.start_char, span.end_char, span.label_, score))
        for start, end, raw_label, score in candidates:
            label = self.label_map.get(raw_label, raw_label)
            scheme_label = self.scheme.get(label) if label else None
            if scheme_label is None or start >= end:
                self.dropped[raw_label] += 1
                continue
            start, end = start + offset, end + offset
            key3 = (start, end, label)
            if key3 in found and (found[key3].score or 0.0) >= score:
                continue
            found[key3] = Span(
                start=start,
                end=end,
                label=label,
                kind=scheme_label.kind,
                origin=self.name,
                origin_version=version,
                score=max(0.0, min(1.0, score)),
                status=SpanStatus.SUGGESTED,
            )
        return sorted(found.values(), key=lambda s: (s.start, s.end, s.label))


def _entity_scores(doc: Doc) -> dict[tuple[int, int, str], float]:
    """``(start token, end token, label) -> confidence`` from ``doc.spans["ent_scores"]``."""
    if ENT_SCORES_KEY not in doc.spans:
        return {}
    group = doc.spans[ENT_SCORES_KEY]
    scores = group.attrs.get("scores") or []
    return {
        (span.start, span.end, span.label_): float(score)
        for span, score in zip(group, scores, strict=False)
    }


class RuleSuggester(SpacySuggester):
    """Event triggers from lemma patterns (``annotator/resources/event_patterns.jsonl`` by default).

    Runs a blank German pipeline with the lookup lemmatizer and the ``event_triggers`` component.
    """

    def __init__(
        self,
        patterns: Path | str | None = None,
        *,
        scheme: LabelScheme | None = None,
        name: str = EVENTS_NAME,
    ) -> None:
        from annotator.suggest.events import EVENT_PATTERNS_PATH

        self.patterns_path = Path(patterns) if patterns is not None else EVENT_PATTERNS_PATH
        super().__init__(
            "blank:de", scheme=scheme, name=name, span_keys=("events",), events=self.patterns_path
        )

    def _compute_version(self) -> str:
        return f"rules+{file_digest(self.patterns_path)[:12]}"

    def load(self) -> Language:
        return load_pipeline("blank:de", events=self.patterns_path)


class CombinedSuggester:
    """Several suggesters as one: spans of all, in order; the first suggester wins a tie."""

    def __init__(self, *suggesters: Suggester, name: str | None = None) -> None:
        if not suggesters:
            raise ValueError("CombinedSuggester needs at least one suggester")
        self.suggesters = suggesters
        self.name = name or "+".join(s.name for s in suggesters)

    @property
    def version(self) -> str:
        return "+".join(s.version for s in self.suggesters)

    def suggest(
        self, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        streams = [
            s.suggest(texts, batch_size=batch_size, n_process=n_process) for s in self.suggesters
        ]
        name, version = self.name, self.version
        for per_text in zip(*streams, strict=True):
            merged: dict[tuple[int, int, str], Span] = {}
            for spans in per_text:
                for span in spans:
                    merged.setdefault(
                        span.key,
                        span.model_copy(update={"origin": name, "origin_version": version}),
                    )
            yield sorted(merged.values(), key=lambda s: (s.start, s.end, s.label))


def builtin_suggester(*, scheme: LabelScheme | None = None) -> SpacySuggester:
    """The shipped German entity model with the event patterns, in one spaCy pass."""
    return SpacySuggester(
        BUILTIN_MODEL_PATH,
        scheme=scheme,
        name=BUILTIN_NAME,
        events=True,
        ruler=BUILTIN_USES_RULER,
    )


BUILTIN_USES_RULER = False
"""Whether the curated entity ruler runs after the built-in model (see ADR 0003)."""


def _default_name(model: str | Path) -> str:
    text = str(model).rstrip("/")
    return Path(text).name if "/" in text else text
