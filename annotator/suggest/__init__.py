"""Suggesters: texts in, suggested spans out (see ADR 0003 for the built-in model).

Importing this package is cheap: spaCy and the models load on first use and are cached.
"""

from __future__ import annotations

from annotator.suggest.base import LabelMapError, Suggester, load_label_map
from annotator.suggest.pipelines import BUILTIN_MODEL_PATH, clear_cache, load_pipeline
from annotator.suggest.spacy_suggester import (
    BUILTIN_NAME,
    CombinedSuggester,
    RuleSuggester,
    SpacySuggester,
    builtin_suggester,
)

__all__ = [
    "BUILTIN_MODEL_PATH",
    "BUILTIN_NAME",
    "CombinedSuggester",
    "LabelMapError",
    "RuleSuggester",
    "SpacySuggester",
    "Suggester",
    "builtin_suggester",
    "clear_cache",
    "load_label_map",
    "load_pipeline",
]
