from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import cli


def _commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)  # type: ignore[attr-defined]


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert {"import", "stats"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as exit_info:
            cli.main([name, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: annotator {name}" in out
        assert "--db" in out
        module = next(m for m in cli._modules() if name == m.NAME)
        assert len(module.HELP) > 20
        assert module.HELP.split()[0] in out


def test_import_and_stats_in_process(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.db"
    assert cli.main(["import", str(seeds_dir), "--db", str(db)]) == 0
    assert "imported 5 new document(s)" in capsys.readouterr().out
    assert cli.main(["stats", "--json", "--db", str(db)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 5
    assert set(stats) >= {"documents", "annotators", "spans"}


def test_user_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Minsk"}\n{broken\n', encoding="utf-8")
    env = {**os.environ, "ANNOTATOR_DB": str(tmp_path / "p.db")}
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: {bad}:2: not valid JSON" in result.stderr
    assert "nothing was imported" in result.stderr
    stats = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(stats.stdout)["documents"] == 0


def test_console_script_entry_point(tmp_path: Path, seeds_dir: Path) -> None:
    exe = Path(sys.executable).with_name("annotator")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    db = tmp_path / "p.db"
    subprocess.run(
        [str(exe), "import", str(seeds_dir), "--db", str(db)], check=True, capture_output=True
    )
    out = subprocess.run(
        [str(exe), "stats", "--db", str(db)], check=True, capture_output=True, text=True
    ).stdout
    assert out.startswith("5 documents")


def test_stats_on_missing_project_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["stats", "--db", str(tmp_path / "nope.db")]) == 2
    assert "no such project file" in capsys.readouterr().err
