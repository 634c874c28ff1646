"""The files the application ships: label scheme, event patterns, gazetteers, the built-in model.

They live inside the package so that an editable install, a wheel and an sdist all find them the
same way (ADR 0010). Read them only through :func:`resource_path`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """The file system path of a shipped resource, e.g. ``resource_path("model-de")``.

    spaCy loads a pipeline from a directory, so the resources must be real files: setuptools
    installs wheels unpacked, and a zipped import of the package is not supported.
    """
    root = files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(f"annotator's resources are not on the file system ({root!r})")
    return root.joinpath(*parts)
