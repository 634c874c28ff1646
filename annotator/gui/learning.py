"""The window's side of learning from the annotators (ADR 0009), off the UI thread.

After each document marked done the memory of accepted spans is refreshed in a worker thread
(its own store connection); every ``learning/retrain_every`` documents done (QSettings, default
10, 0 turns it off) ``annotator train`` runs in a child process. Both report through queued
signals; the window rereads the open document when its suggestions changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from annotator.learn import BackgroundTraining, active_model, suggester_for_project_file
from annotator.store import Store
from annotator.suggest.memory import refresh_project_memory

log = logging.getLogger(__name__)

RETRAIN_EVERY_KEY = "learning/retrain_every"
DEFAULT_RETRAIN_EVERY = 10


def project_factory(path: Path, fallback: Callable[[], Any]) -> Callable[[], Any]:
    """A suggester factory that uses the project's retrained model once one is in use."""

    def make() -> Any:
        with Store.open_for_reading(path) as store:
            has_active = active_model(store) is not None
        return suggester_for_project_file(path) if has_active else fallback()

    return make


def trained_message(result: dict[str, Any]) -> str:
    """One status-bar line for a finished run (``annotator train --json``): the decision with
    both figures and their spread."""

    def figures(part: dict[str, Any] | None, what: str) -> str:
        if not part:
            return ""
        return (
            f"{what} {part['current']:.3f} -> {part['new']:.3f} "
            f"(gain {part['low']:+.3f} to {part['high']:+.3f})"
        )

    scores = "; ".join(
        f
        for f in (
            figures(result.get("project"), "held-back F1"),
            figures(result.get("general"), "general German"),
        )
        if f
    )
    if result.get("activated"):
        return f"Model {result['version']} in use: {scores}"
    return f"Model {result['version']} not used: {result.get('reason', 'worse')}. {scores}"


class Learning(QObject):
    memory_refreshed = Signal(list)  # ids of documents whose memory suggestions changed
    progress = Signal(int, str)  # percent, text, of a training run
    trained = Signal(bool, str)  # whether a new model is in use; one line for the status bar

    def __init__(
        self,
        path: Path,
        settings: QSettings | None = None,
        parent: QObject | None = None,
        *,
        annotator: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.annotator = annotator
        """Who works in the window now: training learns from that annotator's documents."""
        self.settings = settings
        self.done_since_training = 0
        self._lock = threading.Lock()
        self._refreshing = False
        self._again = False
        self.training = BackgroundTraining(
            path,
            on_progress=lambda f, text: self.progress.emit(round(f * 100), text),
            on_done=self._trained,
        )

    @property
    def retrain_every(self) -> int:
        if self.settings is None:
            return DEFAULT_RETRAIN_EVERY
        value = self.settings.value(RETRAIN_EVERY_KEY, DEFAULT_RETRAIN_EVERY)
        try:
            return max(0, int(value))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return DEFAULT_RETRAIN_EVERY

    def document_done(self) -> None:
        """Call after a document was marked done: refresh the memory, maybe start training."""
        self.refresh_memory()
        self.done_since_training += 1
        every = self.retrain_every
        if every and self.done_since_training >= every and not self.training.running:
            self.done_since_training = 0
            try:
                self.training.start(
                    annotator=self.annotator() if self.annotator is not None else None
                )
            except OSError as exc:
                self.trained.emit(False, f"Training could not start: {exc}")
                return
            self.progress.emit(0, "training started")

    def refresh_memory(self) -> None:
        """One refresh at a time; a request while one runs makes it run once more."""
        with self._lock:
            if self._refreshing:
                self._again = True
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="memory", daemon=True).start()

    def _refresh(self) -> None:
        while True:
            try:
                report = refresh_project_memory(self.path)
                if report.changed:
                    self.memory_refreshed.emit(report.changed)
            except Exception:  # the window must stay usable whatever the refresh meets
                log.exception("memory refresh failed")
            with self._lock:
                if not self._again:
                    self._refreshing = False
                    return
                self._again = False

    def _trained(self, result: dict[str, Any] | None, message: str) -> None:
        if result is None:
            self.trained.emit(False, message)
            return
        self.trained.emit(bool(result.get("activated")), trained_message(result))

    def stop(self) -> None:
        self.training.stop()
