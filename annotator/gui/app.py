"""Starting a window: the QApplication, settings, the annotator's name, screenshot mode.

:func:`run` starts either window (``review=True`` for the review window), so both share one
start-up: the application, the project file, the document check, the screenshot mode.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from annotator.errors import UserError
from annotator.gui import interaction
from annotator.gui.suggestions import SuggesterFactory, project_factory
from annotator.identity import remember_annotator, resolve_annotator
from annotator.store import Store

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from annotator.gui.main_window import MainWindow

WINDOW_SIZE = (1440, 880)


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns about every window it cannot resize for the desktop."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if kind != QtMsgType.QtDebugMsg:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def report_user_errors(previous: ExceptHook) -> ExceptHook:
    """The window's one catch of :class:`UserError` (the CLI has the other): an exception that
    leaves a slot reaches ``sys.excepthook``; a user error is shown in a dialog, anything else is
    a fault of the program and goes on to ``previous`` with its traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> object:
        if isinstance(exc, UserError):
            interaction.current().show_error("annotator", str(exc))
            return None
        return previous(kind, exc, tb)

    return hook


@contextmanager
def user_errors_shown() -> Iterator[None]:
    previous = sys.excepthook
    sys.excepthook = report_user_errors(previous)
    try:
        yield
    finally:
        sys.excepthook = previous


def run(
    db: Path,
    *,
    annotator: str | None = None,
    screenshot: Path | None = None,
    document: str | None = None,
    suggester: SuggesterFactory | Literal["project"] | None = "project",
    review: bool = False,
    uncertain_first: bool = False,
) -> int:
    """Start the annotate window (the review window with ``review``), or render it to
    ``screenshot`` and exit. In review, ``annotator`` is the reviewer's name.
    ``uncertain_first``: the next open document is the most uncertain one (Ctrl+U)."""
    if screenshot is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if suggester == "project":
        suggester = project_factory(db)
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import settings_for

    app = QApplication.instance() or QApplication(["annotator"])
    assert isinstance(app, QApplication)
    _quiet_offscreen_warnings()
    app.setOrganizationName("annotator")
    app.setApplicationName("annotator")
    settings = settings_for()
    # A screenshot never writes: the project is opened read-only and the suggestions it shows
    # are computed in memory (Store.save_suggestions on a read-only store).
    store = (
        Store.open_for_reading(db)
        if screenshot is not None
        else Store.open(db, create=False, verify=True)
    )
    try:
        if review:
            return _review(app, store, annotator, screenshot, document)
        if document is not None and not store.has_document_id(document):
            print(f"annotator gui: error: {db}: no document {document!r}", file=sys.stderr)
            return 2
        if document is None and screenshot is None:
            last = settings.value(f"last_document/{db.resolve()}", "")
            document = str(last) if last and store.has_document_id(str(last)) else None
        if screenshot is not None:
            name, _source = resolve_annotator(store, annotator)
            return _screenshot(app, store, name, screenshot, document, suggester)
        window = start_window(
            store, annotator, settings=settings, suggester=suggester, document=document
        )
        if uncertain_first:
            window.actions_by_name["uncertain_first"].setChecked(True)
        window.raise_()
        with user_errors_shown():
            return int(app.exec())
    finally:
        store.close()


def _review(
    app: QApplication,
    store: Store,
    reviewer: str | None,
    screenshot: Path | None,
    document: str | None,
) -> int:
    from annotator.gui.review_window import ReviewWindow
    from annotator.identity import clean_name, os_user_name
    from annotator.review.session import ReviewSession

    name = clean_name(reviewer) or os_user_name()  # no prompt, as in the annotate window
    if document is not None and not ReviewSession(store, name).is_reviewable(document):
        print(
            f"annotator gui: error: {document!r} is not reviewable (two annotators done)",
            file=sys.stderr,
        )
        return 2
    window = ReviewWindow(store, name, background=screenshot is None)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.open_first(document)
    if screenshot is None:
        with user_errors_shown():
            return int(app.exec())
    return save_screenshot(app, window, screenshot)


def start_window(
    store: Store,
    annotator: str | None,
    *,
    settings: QSettings | None,
    suggester: SuggesterFactory | None,
    document: str | None = None,
) -> MainWindow:
    """Show the annotate window at once, no prompt: the name is ``annotator`` (--annotator),
    else the project's last annotator, else the system user; it becomes the project's last."""
    from annotator.gui.main_window import MainWindow

    name, _source = resolve_annotator(store, annotator)
    remember_annotator(store, name)
    window = MainWindow(store, name, suggester=suggester, settings=settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.open_first(document)
    return window


def _screenshot(
    app: object,
    store: Store,
    name: str,
    target: Path,
    document: str | None,
    suggester: SuggesterFactory | None,
) -> int:
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow
    from annotator.gui.suggestions import suggest_now

    assert isinstance(app, QApplication)
    if document is None:
        ids = store.document_ids(limit=1)
        document = ids[0] if ids else None
    if document is not None and suggester is not None:
        if store.path is not None:  # the project's retrained model, as the window would use
            from annotator.gui.learning import project_factory

            suggester = project_factory(store.path, suggester)
        try:
            suggest_now(store, [document], suggester)
        except Exception as exc:  # the picture is still worth taking without suggestions
            print(f"annotator gui: suggestions unavailable: {exc}", file=sys.stderr)
    window = MainWindow(store, name, suggester=None)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.open_first(document)
    return save_screenshot(app, window, target)


def save_screenshot(app: QApplication, window: QWidget, target: Path) -> int:
    """Render a shown window to ``target`` (written to a temporary name, then moved), close it."""
    for _ in range(3):
        app.processEvents()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp.png")
    if not window.grab().save(str(tmp), "PNG"):
        print(f"annotator gui: error: cannot write {target}", file=sys.stderr)
        return 2
    os.replace(tmp, target)
    window.close()
    print(f"annotator gui: wrote {target}")
    return 0
