"""The window catches user errors once: a UserError leaving a slot is shown in a dialog; a fault
of the program keeps its traceback (goes on to the previous excepthook)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

from annotator.errors import UserError
from annotator.formats import ExportError
from annotator.gui.app import report_user_errors, user_errors_shown


def _raised(exc: BaseException) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_a_user_error_is_shown_and_a_fault_goes_on_with_its_traceback(answers: Any) -> None:
    passed_on: list[BaseException] = []
    hook = report_user_errors(lambda kind, exc, tb: passed_on.append(exc))

    hook(*_raised(ExportError("out/: not an export folder")))
    assert answers.errors == ["out/: not an export folder"] and passed_on == []

    fault = ValueError("internal")
    hook(*_raised(fault))
    assert passed_on == [fault] and len(answers.errors) == 1


def test_the_hook_is_in_place_while_the_window_runs_only(answers: Any) -> None:
    before = sys.excepthook
    with user_errors_shown():
        assert sys.excepthook is not before
        sys.excepthook(*_raised(UserError("the project is read-only")))
    assert sys.excepthook is before
    assert answers.errors == ["the project is read-only"]
