"""Fixtures for the window tests: a seed project with suggestions, a window, a prompt stub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.model import Span
from annotator.store import Store

DOC = "002_c37c1a0bbaeb8b11"  # "Präsident Trump führt Telefongespräch mit ... Lukashenko ..."
PATTERNS = {"PER": r"Trump", "LOC": r"Belarus|Minsk", "NEGOTIATION": r"Gespräch\b"}


class Answers:
    """The interaction seam answered by the test."""

    def __init__(self) -> None:
        self.name: str | None = "tester"
        self.comment: str | None = "checked twice"
        self.errors: list[str] = []
        self.asked_name = 0

    def ask_name(self, current: str) -> str | None:
        self.asked_name += 1
        self.shown_name = current
        return self.name

    def ask_comment(self, current: str) -> str | None:
        return self.comment

    def show_error(self, title: str, message: str) -> None:
        self.errors.append(message)


def pattern_spans(text: str, store: Store) -> list[Span]:
    return [
        Span(
            start=m.start(),
            end=m.end(),
            label=label,
            kind=store.scheme.kind_of(label),
            origin="test-model",
            origin_version="1",
            score=0.75,
        )
        for label, pattern in PATTERNS.items()
        for m in re.finditer(pattern, text)
    ]


@pytest.fixture
def answers() -> Iterator[Answers]:
    from annotator.gui import interaction

    stub = Answers()
    old = interaction.install(stub)
    yield stub
    interaction.install(old)


@pytest.fixture
def suggested(project: Store) -> Store:
    """The seed project with test-model suggestions on every document."""
    project.save_suggestions(
        [(d.id, pattern_spans(d.text, project)) for d in project.iter_documents()],
        origin="test-model",
        version="1",
    )
    return project


def open_window(qtbot: Any, store: Store, doc_id: str | None, tmp_path: Path, **kw: Any) -> Any:
    from annotator.gui.main_window import MainWindow, settings_for

    window = MainWindow(store, "tester", settings=settings_for(tmp_path / "s.ini"), **kw)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_first(doc_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts only reach an active window
    window.article.setFocus()
    return window


@pytest.fixture
def window(qtbot: Any, suggested: Store, answers: Answers, tmp_path: Path) -> Any:
    return open_window(qtbot, suggested, DOC, tmp_path)


TRICKY = (
    "😀 Grüße aus 𝔅erlin\r\n"
    "\tNach dem Treffen\u0301 e\u0301tait klar: 👩‍👩‍👧 und\r\n\r\n"
    "\t\tLukaschenko sagte: <b>Treffen</b> am 12.\r\n"
)


@pytest.fixture
def store_with_tricky_text(project: Store) -> tuple[Store, str]:
    from annotator.model import Document

    doc = Document(id="tricky", text=TRICKY)
    project.add_documents([doc])
    return project, "tricky"
