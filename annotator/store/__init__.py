"""The project store: the only package that speaks SQL.

One SQLite file per project. :mod:`~annotator.store.connection` owns the connection (opening and
refusing files, transactions, the write lock, backups) and applies the migrations of
:mod:`~annotator.store.schema`; each other module holds one aggregate, what the project stores:

- :mod:`~annotator.store.project`: the label scheme and the project's settings;
- :mod:`~annotator.store.documents`: the immutable texts;
- :mod:`~annotator.store.states`: annotators and their document states;
- :mod:`~annotator.store.suggestions`: suggestion runs, batch claims, the memory's surfaces;
- :mod:`~annotator.store.decisions`: each annotator's decisions and arguments;
- :mod:`~annotator.store.history`: the append-only log of every change;
- :mod:`~annotator.store.gold`: gold spans and arguments, review states, the review queue;
- :mod:`~annotator.store.merge`: copying an annotator's work from another project file;
- :mod:`~annotator.store.stats`: counts over the whole project;
- :mod:`~annotator.store.hub` and :mod:`~annotator.store.sync`: the team hub on PostgreSQL and
  syncing a project with it (ADR 0022; imported only by ``annotator hub`` and ``annotator sync``).

Model suggestions and annotators' decisions live in separate tables (ADR 0001): suggestions are
keyed by model name and version and can be recomputed at will; decisions are per annotator and are
never touched by a model. Every decision change is also appended to ``history``.

Each aggregate is a mixin over :class:`~annotator.store.connection.StoreBase`; :class:`Store`
composes them, so a caller holds one object for one project file (ADR 0021).
"""

from __future__ import annotations

from annotator.errors import StaleEditError
from annotator.store.connection import (
    BUSY_TIMEOUT_MS,
    HOLDER_SUFFIX,
    LOCK_TIMEOUT_S,
    DamagedError,
    LockTimeoutError,
    StoreBase,
    StoreError,
    damage_message,
    is_locked_error,
    lock_message,
    lock_timeout,
    lock_timeout_or_default,
    now,
)
from annotator.store.decisions import DecisionsMixin
from annotator.store.documents import DocumentsMixin
from annotator.store.gold import GoldMixin
from annotator.store.history import HistoryMixin
from annotator.store.merge import MergeMixin
from annotator.store.project import ProjectMixin
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION
from annotator.store.states import StatesMixin
from annotator.store.stats import StatsMixin
from annotator.store.suggestions import CLAIM_PREFIX, CLAIM_TTL_S, SuggestionsMixin

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_MS",
    "CLAIM_PREFIX",
    "CLAIM_TTL_S",
    "HOLDER_SUFFIX",
    "LOCK_TIMEOUT_S",
    "SCHEMA_VERSION",
    "DamagedError",
    "LockTimeoutError",
    "StaleEditError",
    "Store",
    "StoreError",
    "damage_message",
    "is_locked_error",
    "lock_message",
    "lock_timeout",
    "lock_timeout_or_default",
    "now",
]


class Store(
    StatsMixin,
    MergeMixin,
    DecisionsMixin,
    GoldMixin,
    SuggestionsMixin,
    StatesMixin,
    DocumentsMixin,
    HistoryMixin,
    ProjectMixin,
    StoreBase,
):
    """A project file. Open with :meth:`open` (to write) or :meth:`open_for_reading`; use as a
    context manager to close it. Its methods come from the aggregates' mixins, one module each."""
