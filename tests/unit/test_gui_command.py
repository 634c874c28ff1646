"""`annotator gui` says what is missing instead of letting Qt abort the process."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from annotator.cli import gui


def _args(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        db=tmp_path / "p.db", annotator="anna", document=None, screenshot=None, review=False
    )


def test_missing_x11_library_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        gui, "X11_LIBRARIES", {"libc.so.6": "libc6", "libannotator-none.so.9": "libnone9"}
    )
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert gui.missing_x11_packages() == ["libnone9"]
    assert gui.run(_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "apt-get install libnone9" in err
    assert "libc6" not in err


def test_no_display_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert gui.run(_args(tmp_path)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "xvfb-run" in err and "--screenshot" in err
