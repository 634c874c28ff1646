"""Loading spaCy pipelines once: the built-in model, any other pipeline, and the rule add-ons.

Pipelines are cached per process, keyed by what was asked for (model path or package name, plus
the add-ons and the hash of their pattern files), so the GUI can ask for one document's
suggestions many times without reloading. Loading is thread-safe: the GUI loads off the UI thread.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.resources import resource_path

if TYPE_CHECKING:
    from spacy.language import Language

BUILTIN_MODEL_PATH = resource_path("model-de")
CURATED_RULER_LABEL_SCORE = 0.95

_CACHE: dict[tuple[str, str, str], Language] = {}
_LOCK = threading.Lock()


def register_components() -> None:
    """Make our spaCy factories (``name_hints``, ``event_triggers``, ``entity_confidence``,
    ``trigger_spancat``) known to spaCy."""
    import annotator.suggest.confidence
    import annotator.suggest.events
    import annotator.suggest.hints
    import annotator.suggest.triggers  # noqa: F401


def file_digest(*paths: Path) -> str:
    """SHA-256 over files (a directory counts as all its files, sorted by relative path)."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def resolve_model(model: str | Path) -> Path | None:
    """The directory of a pipeline given as a path, or None for an installed package name."""
    path = Path(model).expanduser()
    if path.exists():
        return path.resolve()
    if isinstance(model, Path) or "/" in str(model) or str(model).startswith("."):
        raise FileNotFoundError(f"no spaCy pipeline at {model}")
    return None


def load_pipeline(
    model: str | Path,
    *,
    events: Path | bool = False,
    ruler: Path | bool = False,
) -> Language:
    """The pipeline ``model`` (a directory or an installed package name), loaded once per process.

    ``events`` adds the lookup lemmatizer and the ``event_triggers`` component with the patterns of
    that file (True: ``annotator/resources/event_patterns.jsonl``). ``ruler`` adds an entity ruler
    after the model with the names of that file (True: ``annotator/resources/gazetteers/
    curated.tsv``); it only fills gaps and never overrides an entity the model found.
    """
    from annotator.suggest.events import EVENT_PATTERNS_PATH
    from annotator.suggest.gazetteer import CURATED_PATH

    path = resolve_model(model)
    events_path = EVENT_PATTERNS_PATH if events is True else (Path(events) if events else None)
    ruler_path = CURATED_PATH if ruler is True else (Path(ruler) if ruler else None)
    key = (
        str(path) if path is not None else str(model),
        f"{events_path}:{file_digest(events_path)}" if events_path else "",
        f"{ruler_path}:{file_digest(ruler_path)}" if ruler_path else "",
    )
    with _LOCK:
        nlp = _CACHE.get(key)
        if nlp is None:
            nlp = _build(str(path) if path is not None else str(model), events_path, ruler_path)
            _CACHE[key] = nlp
        return nlp


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def _build(model: str, events_path: Path | None, ruler_path: Path | None) -> Language:
    import spacy

    register_components()
    nlp = spacy.load(model)
    if ruler_path is not None:
        add_curated_ruler(nlp, ruler_path)
    if events_path is not None:
        add_event_triggers(nlp, events_path)
    return nlp


def add_curated_ruler(nlp: Language, path: Path) -> None:
    from annotator.suggest.gazetteer import read_curated

    after = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe(
        "entity_ruler", name="curated_ruler", after=after, config={"overwrite_ents": False}
    )
    patterns = [
        {"label": label, "pattern": [{"ORTH": word} for word in form.split()]}
        for form, label in read_curated(path)
    ]
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]


def add_event_triggers(nlp: Language, path: Path) -> None:
    from annotator.suggest.events import read_patterns
    from annotator.suggest.lemmas import lemma_lookups

    if "lemmatizer" not in nlp.pipe_names:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize(lookups=lemma_lookups(nlp.lang or ""))  # type: ignore[attr-defined]
    triggers = nlp.add_pipe("event_triggers")
    triggers.add_patterns(read_patterns(path))  # type: ignore[attr-defined]
