"""Test set-up shared by every tier.

Qt runs offscreen; HOME, XDG folders and QSettings point into a temporary folder so that no test
reads or writes the developer's own settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-test-home-")
os.environ["HOME"] = _HOME
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, ".config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, ".local", "share")
os.environ.pop("ANNOTATOR_DB", None)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def store() -> Iterator[Store]:  # noqa: F821
    """An in-memory project with the built-in label scheme."""
    from annotator.store import Store

    s = Store.open(None)
    yield s
    s.close()


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:  # noqa: F821
    """A project file on disk holding the five seed articles."""
    from annotator.corpus import import_paths
    from annotator.store import Store

    s = Store.open(tmp_path / "project.db")
    import_paths(s, [SEEDS])
    yield s
    s.close()
