"""Qt stays out of the domain, the store, the formats, review logic and suggesters."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"
QT_ALLOWED = ("gui/", "cli/gui.py")


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_qt_outside_the_gui() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if not str(path.relative_to(PACKAGE)).startswith(QT_ALLOWED)
        and {"PySide6", "shiboken6"} & _imports(path)
    ]
    assert offenders == []


def test_the_check_sees_qt_where_it_is() -> None:
    assert "PySide6" in _imports(PACKAGE / "gui" / "main_window.py")


def test_domain_modules_do_not_import_spacy_at_module_level() -> None:
    """Heavy imports are lazy: the CLI and the window start without loading spaCy."""
    names = ["model.py", "session.py", "corpus.py", "cli/__init__.py", "suggest/base.py"]
    names += [f"store/{path.name}" for path in sorted((PACKAGE / "store").glob("*.py"))]
    for name in names:
        assert "spacy" not in _imports(PACKAGE / name, top_level_only=True), name
    assert "spacy" in _imports(PACKAGE / "suggest" / "pipelines.py")


def test_the_store_imports_no_suggester() -> None:
    """The suggestion combination rules live above the store: it returns what it stored."""
    for path in sorted((PACKAGE / "store").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not {m for m in imported if m.startswith("annotator.suggest")}, path.name
