"""The review queue's agreement figures computed off the UI thread.

As the background suggestions do (:mod:`annotator.gui.suggestions`), a worker thread opens its own
:class:`annotator.store.Store` on the project file (an SQLite connection belongs to one thread)
and runs :meth:`annotator.review.queue.QueueAgreement.update` whenever the window asks; only the
documents whose annotators' work changed are computed again. Each new snapshot reaches the
window through a queued signal.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from annotator.review.queue import QueueAgreement
from annotator.store import Store

log = logging.getLogger(__name__)


class AgreementWorker(QObject):
    ready = Signal(object)  # a QueueSnapshot
    failed = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._cond = threading.Condition()
        self._wanted = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="agreement", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        """Bring the figures up to date (requests while one runs make one more run)."""
        with self._cond:
            self._wanted = True
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        queue = QueueAgreement()
        store = Store.open(self.path, create=False)
        try:
            while True:
                with self._cond:
                    while not self._wanted and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    self._wanted = False
                try:
                    snapshot = queue.update(store)
                except Exception as exc:  # the window must stay usable
                    log.exception("agreement failed")
                    self.failed.emit(f"Agreement could not be computed: {exc}")
                    continue
                if snapshot is not None:
                    self.ready.emit(snapshot)
        finally:
            store.close()
