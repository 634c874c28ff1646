"""The window's suggestions follow the project's own label scheme (one factory for all)."""

from __future__ import annotations

from pathlib import Path

from annotator.gui.suggestions import project_factory, suggest_now
from annotator.model import Document, LabelScheme
from annotator.store import Store
from annotator.suggest.combine import current_suggestions

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _project(tmp_path: Path) -> tuple[Path, str]:
    scheme = LabelScheme.model_validate(
        {
            "name": "people only",
            "labels": [
                {"name": "PER", "kind": "entity", "color": "#b03060", "key": "p"},
            ],
        }
    )
    text = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    db = tmp_path / "p.db"
    with Store.open(db, scheme=scheme) as store:
        store.add_documents([Document(id="d", text=text)])
    return db, text


def test_the_windows_suggestions_use_the_projects_scheme(tmp_path: Path) -> None:
    db, _ = _project(tmp_path)
    with Store.open(db) as store:
        suggest_now(store, ["d"], project_factory(db))
        labels = {s.label for s in current_suggestions(store, "d")}
    # The built-in model finds people in the seed article, and nothing else may come through:
    # without the project's scheme it also stores LOC, ORG and event labels here.
    assert labels == {"PER"}
