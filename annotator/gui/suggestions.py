"""Model suggestions computed off the UI thread.

The window shows at once; a worker thread loads the suggester (spaCy and the model take seconds),
then computes suggestions for the documents the window asks for, newest request first. The worker
opens its own :class:`annotator.store.Store` on the project file (an SQLite connection belongs to
one thread), saves each document's suggestions, and signals the window, which rereads the
document if it is the open one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from annotator.store import Store
from annotator.suggest.batch import suggest_documents
from annotator.tokens import warm_up

log = logging.getLogger(__name__)

SuggesterFactory = Callable[[], Any]


def project_factory(path: Path) -> SuggesterFactory:
    """The one suggester factory of the window: the project's retrained model once one is in use,
    else the built-in model, always under the project's own label scheme (labels outside it are
    never suggested, so never stored or accepted)."""

    def make() -> Any:
        from annotator.learn import suggester_for_project_file

        return suggester_for_project_file(path)

    return make


def suggest_now(store: Store, doc_ids: list[str], factory: SuggesterFactory) -> int:
    """Compute and save suggestions for documents without a run of this suggester (blocking)."""
    return suggest_documents(store, factory(), doc_ids).spans


class SuggestionWorker(QObject):
    """Signals come from the worker thread; Qt queues them to the window's thread."""

    ready = Signal(str)  # a document has new suggestions saved
    busy = Signal(str)  # a status line while working ("" when idle)
    failed = Signal(str)  # the suggester cannot be used; one line

    def __init__(self, path: Path, factory: SuggesterFactory, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self.factory = factory
        self._wanted: list[str] = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="suggestions", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, doc_ids: list[str]) -> None:
        """Suggestions for these documents, the first one first (put ahead of older requests)."""
        with self._cond:
            self._wanted = [*doc_ids, *(d for d in self._wanted if d not in doc_ids)]
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        self.busy.emit("Loading the suggestion model…")
        try:
            # spaCy first, under the tokenizer's lock: two threads importing spaCy at once trip
            # over its circular imports, and the first new span then needs no import either.
            warm_up()
            suggester = self.factory()
        except Exception as exc:  # any failure to load must leave the window usable
            log.warning("suggestions unavailable: %s", exc)
            self.failed.emit(f"Suggestions unavailable: {exc}")
            return
        store = Store.open(self.path, create=False)
        try:
            while True:
                with self._cond:
                    while not self._wanted and not self._stop:
                        self.busy.emit("")
                        self._cond.wait()
                    if self._stop:
                        return
                    doc_id = self._wanted.pop(0)
                if store.has_suggestion_run(doc_id, suggester.name, suggester.version):
                    continue
                self.busy.emit(f"Computing suggestions ({suggester.name})…")
                try:
                    suggest_documents(store, suggester, [doc_id])
                except Exception as exc:
                    log.exception("suggestions failed for %s", doc_id)
                    self.failed.emit(f"Suggestions failed for {doc_id}: {exc}")
                    continue
                self.ready.emit(doc_id)
        finally:
            store.close()
