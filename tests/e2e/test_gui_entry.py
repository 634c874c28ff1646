"""The window started as a person starts it: ``python -m annotator.cli gui`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.e2e


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"), **extra)
    env.pop("QT_QPA_PLATFORM", None)
    return env


def test_screenshot_of_a_seed_article(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    env = _env(tmp_path)
    imported = _run(["import", "--db", str(db), str(ROOT / "seeds")], env)
    assert imported.returncode == 0, imported.stderr
    png = tmp_path / "shot.png"
    done = _run(
        [
            "gui",
            "--db",
            str(db),
            "--annotator",
            "e2e",
            "--document",
            "002_c37c1a0bbaeb8b11",
            "--screenshot",
            str(png),
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000  # a window full of text, not an empty frame
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert (image.width(), image.height()) == (1440, 880)
    colours = {image.pixel(x, y) for x in range(0, 1440, 37) for y in range(0, 880, 29)}
    assert len(colours) > 20
    with Store.open(db, create=False) as store:
        assert "e2e" not in store.annotators()  # a screenshot never writes the project


def test_without_a_display_it_says_so(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    Store.open(db).close()
    done = _run(["gui", "--db", str(db)], _env(tmp_path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0] and "--screenshot" in lines[0]


def test_unknown_document_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    Store.open(db).close()
    done = _run(
        ["gui", "--db", str(db), "--document", "nope", "--screenshot", str(tmp_path / "x.png")],
        _env(tmp_path),
    )
    assert done.returncode == 2
    assert "nope" in done.stderr and "Traceback" not in done.stderr
