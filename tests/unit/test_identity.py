"""The annotator's name: --annotator, else the project's last annotator, else the system user."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import identity
from annotator.identity import (
    clean_name,
    os_user_name,
    remember_annotator,
    resolve_annotator,
)
from annotator.store import Store


@pytest.fixture
def system_user(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "erika")
    return "erika"


def test_the_option_wins(store: Store, system_user: str) -> None:
    remember_annotator(store, "Berta")
    assert resolve_annotator(store, "  Carla ") == ("Carla", "option")


def test_else_the_projects_last_annotator(store: Store, system_user: str) -> None:
    remember_annotator(store, "Berta")
    assert resolve_annotator(store, None) == ("Berta", "project")
    assert resolve_annotator(store, "   ") == ("Berta", "project")  # a blank option is none


def test_else_the_system_user(store: Store, system_user: str) -> None:
    assert store.project_value(identity.LAST_ANNOTATOR) is None
    assert resolve_annotator(store, None) == (system_user, "system")


def test_a_name_chosen_in_one_project_is_not_used_in_another(
    tmp_path: Path, system_user: str
) -> None:
    with Store.open(tmp_path / "a.db") as a:
        remember_annotator(a, "Berta")
    with Store.open(tmp_path / "b.db") as b:
        assert resolve_annotator(b, None) == (system_user, "system")
    with Store.open(tmp_path / "a.db", create=False) as a:  # and A keeps its own
        assert resolve_annotator(a, None) == ("Berta", "project")


def test_system_names_are_sanitised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "  dom\\hans müller\n")
    assert os_user_name() == "dom-hans-müller"

    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(identity.getpass, "getuser", no_user)
    assert os_user_name() == identity.FALLBACK


def test_blank_names_are_refused(store: Store) -> None:
    assert clean_name(" \t\n") is None
    assert clean_name("a\x00b  c") == "ab c"
    with pytest.raises(ValueError):
        remember_annotator(store, "  ")
