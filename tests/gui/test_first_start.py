"""The window starts without a prompt; the name follows the rule and is remembered per project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator import identity
from annotator.corpus import import_paths
from annotator.store import Store
from tests.conftest import SEEDS
from tests.gui.conftest import Answers


@pytest.fixture
def system_user(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "erika")
    return "erika"


def _start(qtbot: Any, store: Store, tmp_path: Path, annotator: str | None) -> Any:
    from annotator.gui.app import start_window
    from annotator.gui.main_window import settings_for

    window = start_window(
        store, annotator, settings=settings_for(tmp_path / "s.ini"), suggester=None
    )
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window


def test_first_start_shows_the_first_article_as_the_system_user(
    qtbot: Any, project: Store, tmp_path: Path, answers: Answers, system_user: str
) -> None:
    window = _start(qtbot, project, tmp_path, None)
    first = project.document_ids(limit=1)[0]
    assert answers.asked_name == 0
    assert window.session.annotator == system_user
    assert window.doc.doc_id == first
    assert window.article.toPlainText() == project.document(first).text
    assert system_user in window.who.text()
    assert project.project_value(identity.LAST_ANNOTATOR) == system_user


def test_the_option_then_the_projects_last_annotator(
    qtbot: Any, project: Store, tmp_path: Path, answers: Answers, system_user: str
) -> None:
    first = _start(qtbot, project, tmp_path, "Berta")
    assert first.session.annotator == "Berta"
    first.close()
    again = _start(qtbot, project, tmp_path, None)
    assert again.session.annotator == "Berta"
    assert answers.asked_name == 0


def test_a_name_changed_in_the_window_stays_in_its_project(
    qtbot: Any, suggested: Store, tmp_path: Path, answers: Answers, system_user: str
) -> None:
    window = _start(qtbot, suggested, tmp_path, None)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.article.setFocus()
    answers.name = "Carla"
    qtbot.keyClick(
        window.article,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert answers.asked_name == 1 and answers.shown_name == system_user
    assert window.session.annotator == "Carla"
    assert "Carla" in window.who.text()
    assert suggested.project_value(identity.LAST_ANNOTATOR) == "Carla"
    doc_id = window.doc.doc_id
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # accept the selected suggestion
    assert suggested.decisions(doc_id, "Carla")
    assert not suggested.decisions(doc_id, system_user)
    window.close()
    # The next start of this project is Carla's; another project does not know her.
    assert _start(qtbot, suggested, tmp_path, None).session.annotator == "Carla"
    with Store.open(tmp_path / "other.db") as other:
        import_paths(other, [SEEDS])
        assert _start(qtbot, other, tmp_path, None).session.annotator == system_user


def test_cancelling_the_prompt_keeps_the_name(
    qtbot: Any, project: Store, tmp_path: Path, answers: Answers, system_user: str
) -> None:
    window = _start(qtbot, project, tmp_path, "Berta")
    answers.name = None
    window.do_change_annotator()
    assert window.session.annotator == "Berta"
    assert project.project_value(identity.LAST_ANNOTATOR) == "Berta"


def test_the_change_is_in_the_menu_and_the_help_sheet(
    qtbot: Any, project: Store, tmp_path: Path, answers: Answers
) -> None:
    from annotator.gui.help import help_rows

    window = _start(qtbot, project, tmp_path, None)
    action = window.actions_by_name["change_annotator"]
    assert action.shortcut().toString() == "Ctrl+Shift+N"
    menu_texts = [a.text() for m in window.menuBar().actions() for a in m.menu().actions()]
    assert action.text() in menu_texts
    rows = help_rows(window.scheme, window.actions_by_name)
    assert any(keys == "Ctrl+Shift+N" and "annotator" in what for _, keys, what in rows)
