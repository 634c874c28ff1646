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


def test_a_missing_scheme_file_is_one_line_naming_it(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "labels.json"
    db = tmp_path / "p.db"
    code = cli.main(["import", str(seeds_dir), "--db", str(db), "--scheme", str(missing)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"annotator import: error: {missing}")
    assert not db.exists()  # nothing was created


def test_every_error_a_person_can_fix_is_a_user_error_from_one_module() -> None:
    """One hierarchy: what the CLI catches once (and what the formats raise without knowing the
    CLI) derives from annotator.errors.UserError."""
    from annotator.errors import StaleEditError, UserError
    from annotator.folders import FolderError
    from annotator.formats import ExportError
    from annotator.formats.reading import InputError
    from annotator.formats.registry import UnknownFormat
    from annotator.learn import TrainError
    from annotator.merge import MergeError
    from annotator.model import ArgumentError, SchemeError, SpanError
    from annotator.store import StoreError
    from annotator.suggest.base import LabelMapError

    fixable = [ArgumentError, ExportError, FolderError, InputError, LabelMapError, MergeError]
    fixable += [SchemeError, SpanError, StaleEditError, StoreError, TrainError, UnknownFormat]
    assert [e.__name__ for e in fixable if not issubclass(e, UserError)] == []


def test_the_cli_prints_what_a_user_error_reports_with_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = ['{"text": "Minsk"}', "{broken", "{also broken"]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = cli.main(["import", str(bad), "--db", str(tmp_path / "p.db")])
    err = capsys.readouterr().err.splitlines()
    broken = [n for n, line in enumerate(lines, 1) if not line.endswith("}")]
    assert code == 1
    assert [line.split(":")[2] for line in err[:-1]] == [str(n) for n in broken]
    assert err[-1] == (
        f"annotator import: {len(broken)} problem(s); nothing was imported "
        "(--skip-bad imports the good documents)"
    )
