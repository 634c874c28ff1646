"""The project's active model is confined to its models folder (``<db>.models/``): a record
pointing anywhere else, or not ours, is refused in one line before anything is loaded; a missing
or damaged active model falls back to the built-in one with a warning or refuses clearly, and
``annotator train --use-builtin`` is the way back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator.learn import (
    ACTIVE_MODEL_KEY,
    ActiveModelError,
    active_model,
    models_dir,
    set_active_model,
)
from annotator.model import Document
from annotator.store import Store
from annotator.suggest.combine import current_suggestions


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project.db"
    with Store.open(path) as store:
        store.add_documents([Document(id="d1", text="Putin traf Lukaschenko in Minsk.")])
    return path


def _record(project: Path, value: str) -> None:
    with Store.open(project, create=False) as store:
        store.set_project_value(ACTIVE_MODEL_KEY, value)


def _suggest(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from annotator import cli

    code = cli.main(["suggest", "--db", str(project), "--quiet"])
    out = capsys.readouterr()
    return code, out.out, out.err


def _fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text('{"name": "x", "version": "1"}', encoding="utf-8")
    return folder


OUTSIDE = {
    "an absolute path elsewhere": lambda p: str(_fake_model(p.parent / "elsewhere" / "v001")),
    "a relative path climbing out": lambda p: f"{p.name}.models/../../{p.parent.name}/x",
    "the models folder itself": lambda p: f"{p.name}.models",
    "a symlink inside pointing out": lambda p: _symlink_out(p),
    "the root folder": lambda p: "/",
}


def _symlink_out(project: Path) -> str:
    target = _fake_model(project.parent / "outside-model")
    root = project.with_name(project.name + ".models")
    root.mkdir(exist_ok=True)
    (root / "v009").symlink_to(target, target_is_directory=True)
    return f"{project.name}.models/v009"


@pytest.mark.parametrize("case", list(OUTSIDE))
def test_an_active_model_outside_the_models_folder_is_refused_in_one_line(
    project: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(project, json.dumps({"version": "v001", "path": OUTSIDE[case](project)}))
    code, _, err = _suggest(project, capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "outside the project's models folder" in lines[0]
    assert "annotator train --use-builtin" in lines[0]
    with Store.open(project, create=False) as store:
        assert current_suggestions(store, "d1") == []  # nothing suggested from anywhere


BAD_RECORDS = ["{not json", "[]", '"v001"', '{"version": "v001"}', '{"path": 5, "version": "v"}']


@pytest.mark.parametrize("raw", BAD_RECORDS)
def test_a_record_that_is_not_ours_is_one_line(
    project: Path, raw: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(project, raw)
    code, _, err = _suggest(project, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "active model record" in err and "Traceback" not in err


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(
        st.text(max_size=40),
        st.builds(
            json.dumps,
            st.dictionaries(
                st.sampled_from(["path", "version", "x"]),
                st.one_of(
                    st.none(),
                    st.integers(),
                    st.text(max_size=30),
                    st.lists(st.integers(), max_size=2),
                ),
            ),
        ),
    )
)
@example(raw='{"path": "\\n", "version": 0}')  # a control character in the path (found so)
def test_any_record_gives_a_model_inside_the_folder_none_or_one_line(
    tmp_path_factory: pytest.TempPathFactory, raw: str
) -> None:
    path = tmp_path_factory.mktemp("r") / "project.db"
    with Store.open(path) as store:
        store.set_project_value(ACTIVE_MODEL_KEY, raw)
        try:
            found = active_model(store)
        except ActiveModelError as exc:
            assert "\n" not in str(exc)
            return
        if found is not None:
            assert found[1].resolve().is_relative_to(models_dir(store).resolve())


def test_a_missing_active_model_falls_back_to_the_built_in_one_with_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.learn import active_model_warning

    _record(project, json.dumps({"version": "v003", "path": f"{project.name}.models/v003"}))
    with Store.open(project, create=False) as store:
        assert active_model(store) is None
        warning = active_model_warning(store)
    assert warning is not None and "v003 is missing" in warning and "built-in" in warning


def test_a_damaged_active_model_refuses_clearly(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _fake_model(project.with_name(project.name + ".models") / "v002")
    (folder / "config.cfg").write_text("[nlp\nbroken", encoding="utf-8")
    _record(project, json.dumps({"version": "v002", "path": f"{project.name}.models/v002"}))
    code, _, err = _suggest(project, capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "cannot load the project's retrained model v002" in lines[0], err
    assert "--use-builtin" in lines[0]


def test_train_use_builtin_forgets_the_record(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    _record(project, json.dumps({"version": "v1", "path": "/"}))
    assert cli.main(["train", "--db", str(project), "--use-builtin"]) == 0
    with Store.open(project, create=False) as store:
        assert active_model(store) is None


def test_a_model_outside_the_folder_cannot_be_put_into_use(project: Path, tmp_path: Path) -> None:
    elsewhere = _fake_model(tmp_path / "elsewhere")
    inside = _fake_model(project.with_name(project.name + ".models") / "v001")
    with Store.open(project, create=False) as store:
        with pytest.raises(ActiveModelError, match="outside the project's models folder"):
            set_active_model(store, "v1", elsewhere)
        set_active_model(store, "v001", inside)
        assert active_model(store) == ("v001", project.parent / f"{project.name}.models" / "v001")
    shutil.rmtree(inside)
