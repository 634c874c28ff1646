"""The project store: the only module that speaks SQL.

One SQLite file per project (sqlite-utils over the standard library driver), in WAL mode with
foreign keys on and a busy timeout, so two processes on one file wait for each other instead of
failing. Every change that touches more than one row runs in one ``BEGIN IMMEDIATE`` transaction.

Model suggestions and annotators' decisions live in separate tables (see ADR 0001): suggestions are
keyed by model name and version and can be recomputed at will; decisions are per annotator and are
never touched by a model. Every decision change is also appended to ``history``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from annotator.errors import UserError
from annotator.model import (
    TITLE_KEYS,
    Argument,
    DocState,
    DocStatus,
    Document,
    LabelScheme,
    Relation,
    Span,
    SpanKind,
    SpanStatus,
    document_title,
)
from annotator.suggest.combine import combine_suggestions

APPLICATION_ID = 0x414E4E4F  # "ANNO": marks a SQLite file as an annotator project
LOCK_TIMEOUT_S = 30.0
"""How long a writer waits in all for another writer's lock before it gives up and says who holds
it; ``$ANNOTATOR_LOCK_TIMEOUT`` (seconds) or ``Store.open(lock_timeout=...)`` change it."""
BUSY_TIMEOUT_MS = int(LOCK_TIMEOUT_S * 1000)
SQLITE_HEADER = b"SQLite format 3\x00"
HOLDER_SUFFIX = "-writer"
"""Beside ``NAME``: ``NAME-writer``, a small JSON record of the process that last took the write
lock (command, pid, host, since), read by a writer that waited in vain."""

migrations = Migrations("annotator")


class StoreError(UserError):
    """A project file that cannot be used as it is (not a project, too new, damaged)."""


class StaleEditError(UserError):
    """Someone else changed this annotator's document since this session last read it."""


class DamagedError(StoreError):
    """The integrity check found damage; nothing was written."""


class LockTimeoutError(StoreError):
    """Another process held the project's write lock for longer than the lock timeout."""


def lock_timeout() -> float:
    """The lock timeout in seconds: ``$ANNOTATOR_LOCK_TIMEOUT``, else :data:`LOCK_TIMEOUT_S`."""
    raw = os.environ.get("ANNOTATOR_LOCK_TIMEOUT", "").strip()
    if not raw:
        return LOCK_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"ANNOTATOR_LOCK_TIMEOUT={raw!r} is not a number of seconds") from None
    if not value >= 0:
        raise UserError(f"ANNOTATOR_LOCK_TIMEOUT={raw!r} must be 0 or more seconds")
    return value


COMMAND = " ".join(["annotator", *sys.argv[1:2]]) if sys.argv and sys.argv[0] else "annotator"
"""What a lock-holder record names as the command; :func:`annotator.cli.main` sets it."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------------------------
# Schema. Append new migrations at the end; never edit an applied one.
# --------------------------------------------------------------------------------------------


_SCHEMA_0001 = """
        CREATE TABLE project (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE documents (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            length INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        );
        CREATE TRIGGER documents_immutable BEFORE UPDATE OF id, text, hash ON documents
        BEGIN SELECT RAISE(ABORT, 'document text is immutable'); END;

        CREATE TABLE annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL);

        CREATE TABLE suggestion_runs (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            origin TEXT NOT NULL,
            version TEXT NOT NULL,
            created TEXT NOT NULL,
            n_spans INTEGER NOT NULL,
            PRIMARY KEY (doc_id, origin, version)
        );
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL,
            origin TEXT NOT NULL,
            version TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            score REAL,
            FOREIGN KEY (doc_id, origin, version)
                REFERENCES suggestion_runs(doc_id, origin, version) ON DELETE CASCADE,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, origin, version, start, "end", label)
        );

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            origin TEXT NOT NULL,
            origin_version TEXT NOT NULL DEFAULT '',
            score REAL,
            created TEXT NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, annotator, start, "end", label)
        );
        CREATE INDEX decisions_by_annotator ON decisions(annotator, doc_id);

        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            head INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
            tail INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            UNIQUE (head, tail, role)
        );

        CREATE TABLE doc_states (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            status TEXT NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
            flagged INTEGER NOT NULL DEFAULT 0,
            comment TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator)
        );
        CREATE INDEX doc_states_by_status ON doc_states(annotator, status);

        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            annotator TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL
        );
        CREATE INDEX history_by_doc ON history(doc_id, annotator);
"""


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (``executescript`` would commit mid-transaction).

    Statements end with ``;`` at the end of a line; trigger bodies keep theirs inline.
    """
    return [s.strip() for s in re.split(r";\s*\n", script) if s.strip()]


@migrations()
def m0001_initial(db: Database) -> None:
    for statement in _statements(_SCHEMA_0001):
        db.execute(statement)


_SCHEMA_0002_GOLD = """
        CREATE TABLE gold_spans (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            reviewer TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, start, "end", label)
        );
        CREATE INDEX gold_spans_by_doc ON gold_spans(doc_id);

        CREATE TABLE review_states (
            doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'reviewed')),
            updated TEXT NOT NULL
        );
        CREATE INDEX review_states_by_status ON review_states(status);
"""


@migrations()
def m0002_gold(db: Database) -> None:
    """Gold spans (the adjudicated version, apart from annotators' work) and review states."""
    for statement in _statements(_SCHEMA_0002_GOLD):
        db.execute(statement)


_SCHEMA_0003_GOLD_RELATIONS = """
        CREATE TABLE gold_relations (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            head_start INTEGER NOT NULL,
            head_end INTEGER NOT NULL,
            head_label TEXT NOT NULL,
            role TEXT NOT NULL,
            tail_start INTEGER NOT NULL,
            tail_end INTEGER NOT NULL,
            tail_label TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            reviewer TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            UNIQUE (doc_id, head_start, head_end, head_label, role, tail_start, tail_end,
                    tail_label)
        );
        CREATE INDEX gold_relations_by_doc ON gold_relations(doc_id);
"""


@migrations()
def m0003_gold_relations(db: Database) -> None:
    """Gold arguments (relations between gold spans, named by the spans' keys, so that they
    survive a gold span being rewritten), accepted or turned down like gold spans."""
    for statement in _statements(_SCHEMA_0003_GOLD_RELATIONS):
        db.execute(statement)


SCHEMA_VERSION = len(migrations._migrations)


# --------------------------------------------------------------------------------------------
# Rows to domain objects
# --------------------------------------------------------------------------------------------


def _doc(row: sqlite3.Row | tuple[Any, ...]) -> Document:
    doc_id, text, hash_, source, meta = row
    return Document(id=doc_id, text=text, hash=hash_, source=source, meta=json.loads(meta))


def _span_dict(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "kind": span.kind.value,
        "status": span.status.value,
        "origin": span.origin,
        "origin_version": span.origin_version,
        "score": span.score,
    }


def _arg_dict(argument: Argument) -> dict[str, Any]:
    return {
        "trigger": list(argument.trigger),
        "role": argument.role,
        "filler": list(argument.filler),
        "status": argument.status.value,
    }


def _span_from_row(row: Sequence[Any]) -> Span:
    """A Span from (id, start, end, label, kind, status, origin, origin_version[, score])."""
    return Span(
        id=row[0],
        start=row[1],
        end=row[2],
        label=row[3],
        kind=SpanKind(row[4]),
        status=SpanStatus(row[5]),
        origin=row[6],
        origin_version=row[7],
        score=row[8] if len(row) > 8 else None,
    )


def _decision_row(doc_id: str, annotator: str, span: Span, created: str) -> tuple[Any, ...]:
    """The values of one decisions row, in the column order the INSERTs name."""
    return (
        doc_id,
        annotator,
        span.start,
        span.end,
        span.label,
        span.kind.value,
        span.status.value,
        span.origin,
        span.origin_version,
        span.score,
        created,
    )


class Store:
    """A project file. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(
        self,
        db: Database,
        path: Path | None,
        *,
        read_only: bool = False,
        lock_timeout: float = LOCK_TIMEOUT_S,
    ) -> None:
        self.db = db
        self.path = path
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self._scheme: LabelScheme | None = None
        self._wrote_holder = False
        self._holder_stamp: tuple[int, int] | None = None  # (inode, mtime) of our last record
        self._preview: dict[str, dict[str, tuple[str, list[Span]]]] = {}
        """Read-only projects: suggestions computed for them, kept in memory only
        (document id -> origin -> (version, spans)); see :meth:`save_suggestions`."""

    # ---- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        scheme: LabelScheme | None = None,
        create: bool = True,
        verify: bool = False,
        lock_timeout: float | None = None,
    ) -> Store:
        """Open (and if needed create or migrate) a project file to write to it.

        ``path`` None opens a private in-memory project (tests, benchmarks). ``scheme`` sets the
        label scheme of a new project; an existing project keeps its own. ``verify`` runs SQLite's
        ``quick_check`` on an existing file first, read-only, and refuses a damaged file with
        :class:`DamagedError` before anything is written (the writing commands and the window
        ask for it). ``lock_timeout`` bounds the wait for another writer (see
        :data:`LOCK_TIMEOUT_S`).
        """
        timeout = lock_timeout_or_default(lock_timeout)
        if path is None:
            store = cls(Database(memory=True), None, lock_timeout=timeout)
        else:
            p = Path(path)
            exists = p.exists() and p.stat().st_size > 0
            if not exists and not create:
                raise StoreError(f"{p}: no such project file")
            if exists:
                _check_file(p)
                _check_header(p)
                _inspect(p, verify=verify)
                if not _writable(p):
                    raise StoreError(
                        f"{p}: read-only here (the file or its folder cannot be written), and "
                        "this command writes to the project; reading commands (stats, export, "
                        "agreement) work, or copy it to a writable folder"
                    )
            elif p.exists() and not p.is_file():
                raise StoreError(f"{p}: not a regular file")
            conn = sqlite3.connect(str(p), timeout=timeout, check_same_thread=False)
            store = cls(Database(conn), p, lock_timeout=timeout)
        store._configure()
        store._migrate(scheme)
        return store

    @classmethod
    def open_for_reading(cls, path: str | os.PathLike[str]) -> Store:
        """Open a project for a command that only reads it (stats, export, agreement, a
        screenshot): nothing is created, migrated or written, and a project on read-only media
        or in a read-only folder can be read (see :func:`_read_only_connection`).

        A project of an older schema is migrated first when it can be written (a backup is
        kept), since the queries speak the current schema.
        """
        p = Path(path)
        if not p.exists():
            raise StoreError(f"{p}: no such project file")
        _check_file(p)
        _check_header(p)
        conn = _read_only_connection(p)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{p}: damaged or not an SQLite file ({exc})") from exc
        try:
            _refuse_foreign(p, app_id, version, tables)
            if not tables:
                raise StoreError(f"{p}: an empty SQLite file, not an annotator project")
        except StoreError:
            conn.close()
            raise
        if version < SCHEMA_VERSION:
            conn.close()
            if not _writable(p):
                raise StoreError(
                    f"{p}: made by an older annotator (schema {version}) and read-only here; "
                    "copy it to a writable folder once so that it can be migrated"
                )
            return cls.open(p, create=False)
        store = cls(Database(conn), p, read_only=True)
        conn.execute("PRAGMA foreign_keys = ON")
        return store

    def _configure(self) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path is not None:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: not a usable project file ({exc})") from exc
            # FULL: a decision the window shows survives power loss too, not only a crash of
            # the app (NORMAL can lose the last commits); ~4 ms an accept, see ADR 0007.
            conn.execute("PRAGMA synchronous = FULL")

    def _migrate(self, scheme: LabelScheme | None) -> None:
        conn = self.db.conn
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = set(self.db.table_names())
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: damaged or not an SQLite file ({exc})") from exc
        _refuse_foreign(self.path, app_id, version, tables)
        pending = migrations.pending(self.db)
        if not pending:
            return
        if tables and self.path is not None:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            try:
                self.backup(backup)
            except StoreError as exc:
                raise StoreError(
                    f"{self.path}: {exc}, so the project was not migrated (schema {version}, "
                    f"this annotator needs {SCHEMA_VERSION}); nothing was changed"
                ) from None
        with self.transaction():
            # Apply inside one transaction together with the version stamp.
            for migration in pending:
                migration.fn(self.db)
                migrations.ensure_migrations_table(self.db)
                self.db.table(migrations.migrations_table).insert(
                    {"migration_set": migrations.name, "name": migration.name, "applied_at": now()}
                )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if not tables:
                chosen = scheme or LabelScheme.load()
                self.db.table("project").insert_all(
                    [
                        {"key": "scheme", "value": chosen.to_json()},
                        {"key": "created", "value": now()},
                    ]
                )

    def backup(self, target: Path) -> Path:
        """A consistent copy of the project (SQLite's online backup), written then renamed.

        A target that cannot be written (a folder of that name, a full disk, a read-only
        folder) is a :class:`StoreError` naming it; the temporary copy is removed."""
        tmp = target.with_name(target.name + ".tmp")
        if target.exists() and not target.is_file():
            raise StoreError(
                f"cannot write the backup {target}: a folder or other non-file is there"
            )
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
            os.replace(tmp, target)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot write the backup {target} ({exc})") from None
        return target

    def close(self) -> None:
        self.db.conn.close()
        if self._wrote_holder and self.path is not None:
            _remove_holder_record(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_check(self) -> str:
        return str(self.db.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def quick_check(self) -> str:
        """SQLite's ``quick_check``: "ok", or the first problem it found."""
        return str(self.db.conn.execute("PRAGMA quick_check").fetchone()[0])

    # ---- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction. Nested calls become savepoints of the outer one.

        ``BEGIN IMMEDIATE`` takes the write lock at the start, so a second writer waits (busy
        timeout) instead of failing half-way when it tries to upgrade a read lock.
        """
        conn = self.db.conn
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; this command cannot change it")
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        self._retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"))
        if self.path is not None:
            self._record_holder()
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                self._retry_locked(lambda: conn.execute("COMMIT"))
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _record_holder(self) -> None:
        """Leave the lock-holder record, unless the one there is still ours (same file, not
        rewritten by another writer since): a stat instead of a write on most transactions."""
        assert self.path is not None
        target = _holder_path(self.path)
        if self._holder_stamp is not None:
            try:
                st = target.stat()
            except OSError:
                st = None
            if st is not None and (st.st_ino, st.st_mtime_ns) == self._holder_stamp:
                return
        if _write_holder_record(self.path):
            self._wrote_holder = True
            try:
                st = target.stat()
                self._holder_stamp = (st.st_ino, st.st_mtime_ns)
            except OSError:
                self._holder_stamp = None

    def _retry_locked(self, fn: Any) -> Any:
        """Run ``fn`` (BEGIN IMMEDIATE, COMMIT), waiting for another writer's lock at most
        ``lock_timeout`` seconds in all, then raise :class:`LockTimeoutError` naming who holds
        it. SQLite's busy handler does the waiting; it is given the time that is left on each
        try, so its early "locked" returns cost no extra time."""
        conn = self.db.conn
        deadline = time.monotonic() + self.lock_timeout
        try:
            while True:
                try:
                    return fn()
                except sqlite3.OperationalError as exc:
                    if not is_locked_error(exc):
                        raise
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise LockTimeoutError(
                            lock_message(self.path, waited=self.lock_timeout)
                        ) from None
                    time.sleep(min(0.05, left))
                    conn.execute(f"PRAGMA busy_timeout = {max(1, int(left * 1000))}")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")

    # ---- the project -----------------------------------------------------------------------

    @property
    def scheme(self) -> LabelScheme:
        if self._scheme is None:
            row = self.db.conn.execute("SELECT value FROM project WHERE key = 'scheme'").fetchone()
            self._scheme = LabelScheme.model_validate_json(row[0])
        return self._scheme

    def set_scheme(self, scheme: LabelScheme) -> None:
        """Replace the project's label scheme (labels in use must stay)."""
        used = {
            r[0]
            for r in self.db.conn.execute(
                "SELECT DISTINCT label FROM decisions UNION SELECT DISTINCT label FROM suggestions "
                "UNION SELECT DISTINCT label FROM gold_spans"
            )
        }
        missing = sorted(used - set(scheme.names))
        if missing:
            raise ValueError(f"labels in use are missing from the new scheme: {', '.join(missing)}")
        with self.transaction():
            self.db.table("project").upsert({"key": "scheme", "value": scheme.to_json()}, pk="key")
        self._scheme = scheme

    # ---- documents -------------------------------------------------------------------------

    def add_documents(self, docs: Iterable[Document]) -> tuple[int, int]:
        """Insert documents not yet in the project (identity is the content hash).

        Returns (added, already there). Runs in the caller's transaction if there is one.
        """
        rows = [
            (d.id, d.text, d.hash, len(d.text), d.source, json.dumps(d.meta, ensure_ascii=False))
            for d in docs
        ]
        created = now()
        with self.transaction():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO documents (id, text, hash, length, source, meta, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                [(*r, created) for r in rows],
            )
            added = self.db.conn.total_changes - before
        return added, len(rows) - added

    def document(self, doc_id: str) -> Document:
        row = self.db.conn.execute(
            "SELECT id, text, hash, source, meta FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return _doc(row)

    def document_by_hash(self, hash_: str) -> Document | None:
        row = self.db.conn.execute(
            "SELECT id, text, hash, source, meta FROM documents WHERE hash = ?", (hash_,)
        ).fetchone()
        return None if row is None else _doc(row)

    def id_for_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for hash_, doc_id in self.db.conn.execute(
                f"SELECT hash, id FROM documents WHERE hash IN ({marks})", chunk
            ):
                out[hash_] = doc_id
        return out

    def existing_ids(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these document ids the project already has."""
        out: set[str] = set()
        for i in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM documents WHERE id IN ({marks})"
            out.update(r[0] for r in self.db.conn.execute(sql, chunk))
        return out

    def has_document_id(self, doc_id: str) -> bool:
        sql = "SELECT 1 FROM documents WHERE id = ?"
        return self.db.conn.execute(sql, (doc_id,)).fetchone() is not None

    def count_documents(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_ids(self, *, offset: int = 0, limit: int = -1) -> list[str]:
        """Document ids in import order, a page at a time (the list view fetches lazily)."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT id FROM documents ORDER BY seq LIMIT ? OFFSET ?", (limit, offset)
            )
        ]

    def iter_documents(self, *, batch: int = 500) -> Iterator[Document]:
        """Every document, streamed in import order without holding them all in memory."""
        last = 0
        while True:
            rows = self.db.conn.execute(
                "SELECT seq, id, text, hash, source, meta FROM documents WHERE seq > ? "
                "ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _doc(row[1:])
            last = rows[-1][0]

    # ---- annotators and document states ----------------------------------------------------

    def ensure_annotator(self, name: str) -> None:
        if self.read_only:
            return  # reading a person's view of a read-only project registers nobody
        # the INSERT opens an implicit transaction: commit it unless the caller had one open
        outer = self.db.conn.in_transaction
        self.db.conn.execute(
            "INSERT INTO annotators (name, created) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (name, now()),
        )
        if not outer:
            self.db.conn.commit()

    def annotators(self) -> list[str]:
        return [r[0] for r in self.db.conn.execute("SELECT name FROM annotators ORDER BY name")]

    def doc_state(self, doc_id: str, annotator: str) -> DocState:
        row = self.db.conn.execute(
            "SELECT status, flagged, comment, revision FROM doc_states "
            "WHERE doc_id = ? AND annotator = ?",
            (doc_id, annotator),
        ).fetchone()
        if row is None:
            return DocState(doc_id=doc_id, annotator=annotator)
        status, flagged, comment, revision = row
        return DocState(
            doc_id=doc_id,
            annotator=annotator,
            status=DocStatus(status),
            flagged=bool(flagged),
            comment=comment,
            revision=revision,
        )

    def doc_statuses(self, annotator: str, doc_ids: Sequence[str]) -> dict[str, DocStatus]:
        out: dict[str, DocStatus] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for doc_id, status in self.db.conn.execute(
                "SELECT doc_id, status FROM doc_states "
                f"WHERE annotator = ? AND doc_id IN ({marks})",
                [annotator, *chunk],
            ):
                out[doc_id] = DocStatus(status)
        return out

    def document_rows(
        self,
        annotator: str,
        *,
        statuses: Sequence[DocStatus] | None = None,
        contains: str = "",
        after: str | None = None,
        offset: int = 0,
        limit: int = -1,
        preview: int = 400,
    ) -> list[tuple[str, str, DocStatus]]:
        """(id, title, this annotator's status) in import order, a page at a time, filtered by
        status, by a substring of the text and to documents after ``after``. The title is
        :func:`annotator.model.document_title` of the meta title or the first ``preview``
        characters."""
        sql = (
            "SELECT d.id, substr(d.text, 1, ?), coalesce(s.status, 'todo'), "
            + ", ".join(f"json_extract(d.meta, '$.{key}')" for key in TITLE_KEYS)
            + " FROM documents d "
            "LEFT JOIN doc_states s ON s.doc_id = d.id AND s.annotator = ? WHERE 1"
        )
        params: list[Any] = [preview, annotator]
        if statuses is not None:
            sql += f" AND coalesce(s.status, 'todo') IN ({','.join('?' * len(statuses))})"
            params += [status.value for status in statuses]
        if contains:
            sql += " AND instr(d.text, ?) > 0"
            params.append(contains)
        if after is not None:
            sql += " AND d.seq > (SELECT seq FROM documents WHERE id = ?)"
            params.append(after)
        sql += " ORDER BY d.seq LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [
            (r[0], document_title(r[1], dict(zip(TITLE_KEYS, r[3:], strict=True))), DocStatus(r[2]))
            for r in self.db.conn.execute(sql, params)
        ]

    def document_index(self, doc_id: str) -> int:
        """Zero-based place of a document in import order."""
        row = self.db.conn.execute(
            "SELECT count(*) FROM documents WHERE seq < (SELECT seq FROM documents WHERE id = ?)",
            (doc_id,),
        ).fetchone()
        return int(row[0])

    def status_counts(self, annotator: str) -> dict[DocStatus, int]:
        """How many documents this annotator has in each status (untouched ones are todo)."""
        counts = dict.fromkeys(DocStatus, 0)
        for status, n in self.db.conn.execute(
            "SELECT status, count(*) FROM doc_states WHERE annotator = ? GROUP BY status",
            (annotator,),
        ):
            counts[DocStatus(status)] = n
        counts[DocStatus.TODO] += self.count_documents() - sum(counts.values())
        return counts

    def set_doc_state(
        self, state: DocState, *, expected_revision: int | None = None, action: str = "state"
    ) -> DocState:
        """Write one annotator's status, flag and comment for a document; returns the new state."""
        with self.transaction():
            self.ensure_annotator(state.annotator)
            before = self._bump_revision(state.doc_id, state.annotator, expected_revision)
            self.db.conn.execute(
                "UPDATE doc_states SET status = ?, flagged = ?, comment = ?, updated = ? "
                "WHERE doc_id = ? AND annotator = ?",
                (
                    state.status.value,
                    int(state.flagged),
                    state.comment,
                    now(),
                    state.doc_id,
                    state.annotator,
                ),
            )
            self._log(
                state.annotator,
                state.doc_id,
                action,
                before.model_dump(mode="json"),
                state.model_dump(mode="json"),
            )
            return state.model_copy(update={"revision": before.revision + 1})

    def _bump_revision(self, doc_id: str, annotator: str, expected: int | None) -> DocState:
        """Lock-step counter per (document, annotator): detects two windows editing one document."""
        before = self.doc_state(doc_id, annotator)
        if expected is not None and before.revision != expected:
            raise StaleEditError(
                f"document {doc_id} was changed for {annotator} elsewhere "
                f"(revision {before.revision}, this window had {expected}); reload it"
            )
        # The first touch makes a document "in progress"; later edits leave the status alone, so
        # that undoing an edit gives back exactly the state before it (an explicit "todo" stays).
        self.db.conn.execute(
            "INSERT INTO doc_states (doc_id, annotator, status, revision, updated) "
            "VALUES (?, ?, 'in_progress', 1, ?) "
            "ON CONFLICT(doc_id, annotator) DO UPDATE SET revision = revision + 1, "
            "updated = excluded.updated",
            (doc_id, annotator, now()),
        )
        return before

    # ---- suggestions -----------------------------------------------------------------------

    def has_suggestion_run(self, doc_id: str, origin: str, version: str) -> bool:
        if self._preview.get(doc_id, {}).get(origin, ("", []))[0] == version:
            return True
        return (
            self.db.conn.execute(
                "SELECT 1 FROM suggestion_runs WHERE doc_id = ? AND origin = ? AND version = ?",
                (doc_id, origin, version),
            ).fetchone()
            is not None
        )

    def documents_without_run(
        self, origin: str, version: str, *, batch: int = 500
    ) -> Iterator[Document]:
        """Documents this model version has not yet suggested for, streamed in import order."""
        last = 0
        while True:
            rows = self.db.conn.execute(
                "SELECT seq, id, text, hash, source, meta FROM documents d WHERE seq > ? "
                "AND NOT EXISTS (SELECT 1 FROM suggestion_runs r WHERE r.doc_id = d.id "
                "AND r.origin = ? AND r.version = ?) ORDER BY seq LIMIT ?",
                (last, origin, version, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _doc(row[1:])
            last = rows[-1][0]

    def count_documents_without_run(self, origin: str, version: str) -> int:
        return int(
            self.db.conn.execute(
                "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                "(SELECT 1 FROM suggestion_runs r "
                "WHERE r.doc_id = d.id AND r.origin = ? AND r.version = ?)",
                (origin, version),
            ).fetchone()[0]
        )

    def claim_documents(
        self, origin: str, version: str, owner: str, *, limit: int
    ) -> list[Document]:
        """Up to ``limit`` documents without a run of this model version that no other running
        ``suggest`` has claimed, claimed for ``owner`` in the same write transaction.

        Two runs at once thus share the work instead of both doing every document. A claim is one
        ``project`` row per running owner (``suggest-claim:OWNER``) holding the claimed documents;
        taking the next ones replaces the owner's earlier claim. Claims of a process that is gone
        (same host, pid not running; another host: older than :data:`CLAIM_TTL_S`) are dropped.
        """
        conn = self.db.conn
        with self.transaction():
            blocked: set[int] = set()
            for key, value in conn.execute(
                "SELECT key, value FROM project WHERE key LIKE ?", (CLAIM_PREFIX + "%",)
            ).fetchall():
                if key == CLAIM_PREFIX + owner:
                    continue
                claim = _parse_claim(value)
                if claim is None or _claim_stale(claim):
                    conn.execute("DELETE FROM project WHERE key = ?", (key,))
                elif claim["origin"] == origin and claim["version"] == version:
                    blocked.update(claim["seqs"])
            rows = conn.execute(
                "SELECT seq FROM documents d WHERE NOT EXISTS (SELECT 1 FROM suggestion_runs r "
                "WHERE r.doc_id = d.id AND r.origin = ? AND r.version = ?) ORDER BY seq LIMIT ?",
                (origin, version, limit + len(blocked)),
            ).fetchall()
            seqs = [r[0] for r in rows if r[0] not in blocked][:limit]
            claim = {
                "origin": origin,
                "version": version,
                "host": _HOST,
                "pid": os.getpid(),
                "claimed": time.time(),
                "seqs": seqs,
            }
            conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CLAIM_PREFIX + owner, json.dumps(claim)),
            )
        docs: list[Document] = []
        for i in range(0, len(seqs), 500):
            part = seqs[i : i + 500]
            marks = ",".join("?" * len(part))
            docs += [
                _doc(row)
                for row in conn.execute(
                    f"SELECT id, text, hash, source, meta FROM documents WHERE seq IN ({marks}) "
                    "ORDER BY seq",
                    part,
                )
            ]
        return docs

    def release_claim(self, owner: str) -> None:
        """Drop ``owner``'s claim (the run is over, or gave up)."""
        with self.transaction():
            self.db.conn.execute("DELETE FROM project WHERE key = ?", (CLAIM_PREFIX + owner,))

    def save_suggestions(
        self, results: Iterable[tuple[str, Sequence[Span]]], *, origin: str, version: str
    ) -> int:
        """Store one model version's suggestions for some documents, in one transaction.

        A document's run is written with its spans, so an interrupted batch resumes at the first
        document without a run and a rerun adds nothing.

        A read-only project (a screenshot, read-only media) keeps them in memory instead, as this
        origin's newest run, so that they can be shown; they are never written.
        """
        if self.read_only:
            n = 0
            for doc_id, spans in results:
                kept = [
                    s.model_copy(update={"origin": origin, "origin_version": version, "id": None})
                    for s in spans
                ]
                self._preview.setdefault(doc_id, {})[origin] = (version, kept)
                n += len(kept)
            return n
        created = now()
        n = 0
        with self.transaction():
            for doc_id, spans in results:
                cur = self.db.conn.execute(
                    "INSERT INTO suggestion_runs (doc_id, origin, version, created, n_spans) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (doc_id, origin, version, created, len(spans)),
                )
                if cur.rowcount == 0:
                    continue
                self.db.conn.executemany(
                    'INSERT INTO suggestions (doc_id, origin, version, start, "end", label, kind, '
                    "score) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [
                        (doc_id, origin, version, s.start, s.end, s.label, s.kind.value, s.score)
                        for s in spans
                    ],
                )
                n += len(spans)
        return n

    def suggestions(self, doc_id: str) -> list[Span]:
        """The current suggestions for a document: each origin's newest version, deduplicated
        by (start, end, label) keeping the best score, with the memory's vetoes and corrections
        applied (:func:`annotator.suggest.combine.combine_suggestions`)."""
        rows = self.db.conn.execute(
            'SELECT s.id, s.start, s."end", s.label, s.kind, s.origin, s.version, s.score '
            "FROM suggestions s JOIN ("
            "  SELECT origin, version FROM suggestion_runs r1 WHERE doc_id = ? AND created = ("
            "    SELECT max(created) FROM suggestion_runs r2 "
            "    WHERE r2.doc_id = r1.doc_id AND r2.origin = r1.origin)"
            ") cur ON cur.origin = s.origin AND cur.version = s.version "
            'WHERE s.doc_id = ? ORDER BY s.start, s."end"',
            (doc_id, doc_id),
        ).fetchall()
        preview = self._preview.get(doc_id, {})
        if preview:  # a read-only project's own newest runs replace the stored ones
            rows = [r for r in rows if r[5] not in preview]
            rows += [
                (None, s.start, s.end, s.label, s.kind.value, origin, version, s.score)
                for origin, (version, spans) in preview.items()
                for s in spans
            ]
        return combine_suggestions(
            [
                Span(
                    id=sid,
                    start=start,
                    end=end,
                    label=label,
                    kind=SpanKind(kind),
                    origin=origin,
                    origin_version=version,
                    score=score,
                    status=SpanStatus.SUGGESTED,
                )
                for sid, start, end, label, kind, origin, version, score in rows
            ]
        )

    # ---- learning from decisions (memory suggestions, retrained models; ADR 0009) -----------

    def decided_surfaces(
        self, *, annotator: str | None = None
    ) -> list[tuple[str, str, str, str, int]]:
        """(covered text, label, kind, status, number of decisions) over every annotator's
        decisions (or one annotator's): what the memory of accepted spans learns from."""
        sql = (
            'SELECT substr(d.text, x.start + 1, x."end" - x.start), x.label, x.kind, x.status, '
            "count(*) FROM decisions x JOIN documents d ON d.id = x.doc_id"
        )
        params: tuple[Any, ...] = ()
        if annotator is not None:
            sql += " WHERE x.annotator = ?"
            params = (annotator,)
        rows = self.db.conn.execute(sql + " GROUP BY 1, 2, 3, 4", params).fetchall()
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def suggestion_run_versions(self, origin: str) -> dict[str, set[str]]:
        """Every document's stored versions of one origin."""
        out: dict[str, set[str]] = {}
        for doc_id, version in self.db.conn.execute(
            "SELECT doc_id, version FROM suggestion_runs WHERE origin = ?", (origin,)
        ):
            out.setdefault(doc_id, set()).add(version)
        return out

    def delete_suggestion_runs(self, origin: str, doc_ids: Sequence[str]) -> None:
        """Forget one origin's suggestions (all versions) for some documents."""
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM suggestion_runs WHERE origin = ? AND doc_id = ?",
                [(origin, doc_id) for doc_id in doc_ids],
            )

    def unfinished_documents(self) -> list[str]:
        """Documents not yet done or skipped by every annotator (untouched ones included), in
        import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE (SELECT count(*) FROM doc_states s "
                "WHERE s.doc_id = d.id AND s.status IN ('done', 'skipped')) < "
                "max(1, (SELECT count(*) FROM annotators)) ORDER BY d.seq"
            )
        ]

    def untouched_documents(self) -> list[str]:
        """Documents on which nobody has decided anything or set a state, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM decisions x "
                "WHERE x.doc_id = d.id) AND NOT EXISTS (SELECT 1 FROM doc_states s "
                "WHERE s.doc_id = d.id) ORDER BY d.seq"
            )
        ]

    def project_value(self, key: str) -> str | None:
        """A setting of the project table (e.g. ``active_model``), None when unset."""
        row = self.db.conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_project_value(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---- decisions -------------------------------------------------------------------------

    def decisions(self, doc_id: str, annotator: str) -> list[Span]:
        rows = self.db.conn.execute(
            'SELECT id, start, "end", label, kind, status, origin, origin_version, score '
            'FROM decisions WHERE doc_id = ? AND annotator = ? ORDER BY start, "end", label',
            (doc_id, annotator),
        ).fetchall()
        return [_span_from_row(r) for r in rows]

    def replace_decisions(
        self,
        doc_id: str,
        annotator: str,
        *,
        remove: Sequence[Span] = (),
        add: Sequence[Span] = (),
        action: str,
        expected_revision: int | None = None,
        unlink: Sequence[Argument] = (),
        link: Sequence[Argument] = (),
    ) -> int:
        """Remove some decision rows and add others, atomically, with a history entry.

        Rows are matched by (start, end, label). Every added span must be accepted or rejected.
        ``unlink`` arguments are removed first, ``link`` arguments added last: both ends must
        then be accepted decisions of the annotator, the trigger an event. A removed span takes
        the arguments it is part of with it (list them in ``unlink`` to undo that exactly).
        Returns the document's new revision for this annotator.
        """
        for span in add:
            if span.status == SpanStatus.SUGGESTED:
                raise ValueError("a decision must be accepted or rejected, not suggested")
        created = now()
        with self.transaction():
            self.ensure_annotator(annotator)
            before = self._bump_revision(doc_id, annotator, expected_revision)
            if unlink:
                self._unlink(doc_id, annotator, unlink)
            self.db.conn.executemany(
                "DELETE FROM decisions WHERE doc_id = ? AND annotator = ? AND start = ? "
                'AND "end" = ? AND label = ?',
                [(doc_id, annotator, s.start, s.end, s.label) for s in remove],
            )
            self.db.conn.executemany(
                'INSERT INTO decisions (doc_id, annotator, start, "end", label, kind, status, '
                "origin, origin_version, score, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                'ON CONFLICT (doc_id, annotator, start, "end", label) DO UPDATE SET '
                "status = excluded.status, kind = excluded.kind, origin = excluded.origin, "
                "origin_version = excluded.origin_version, score = excluded.score",
                [_decision_row(doc_id, annotator, s, created) for s in add],
            )
            if link:
                self._link(doc_id, annotator, link)
            before_log: Any = [_span_dict(s) for s in remove]
            after_log: Any = [_span_dict(s) for s in add]
            if unlink or link:
                before_log = {"spans": before_log, "arguments": [_arg_dict(a) for a in unlink]}
                after_log = {"spans": after_log, "arguments": [_arg_dict(a) for a in link]}
            self._log(annotator, doc_id, action, before_log, after_log)
            return before.revision + 1

    def arguments(self, doc_id: str, annotator: str) -> list[Argument]:
        """The annotator's arguments of a document (relations, ends named by span keys)."""
        rows = self.db.conn.execute(
            'SELECT h.start, h."end", h.label, r.role, t.start, t."end", t.label '
            "FROM relations r JOIN decisions h ON h.id = r.head JOIN decisions t ON t.id = r.tail "
            'WHERE r.doc_id = ? AND r.annotator = ? ORDER BY h.start, h."end", h.label, r.role, '
            't.start, t."end"',
            (doc_id, annotator),
        ).fetchall()
        return [
            Argument(trigger=(r[0], r[1], r[2]), role=r[3], filler=(r[4], r[5], r[6])) for r in rows
        ]

    def _decision_ids(
        self, doc_id: str, annotator: str
    ) -> dict[tuple[int, int, str], tuple[int, str, str]]:
        return {
            (r[1], r[2], r[3]): (r[0], r[4], r[5])
            for r in self.db.conn.execute(
                'SELECT id, start, "end", label, kind, status FROM decisions '
                "WHERE doc_id = ? AND annotator = ?",
                (doc_id, annotator),
            )
        }

    def _unlink(self, doc_id: str, annotator: str, arguments: Sequence[Argument]) -> None:
        ids = self._decision_ids(doc_id, annotator)
        self.db.conn.executemany(
            "DELETE FROM relations WHERE doc_id = ? AND annotator = ? AND head = ? AND tail = ? "
            "AND role = ?",
            [
                (doc_id, annotator, ids[a.trigger][0], ids[a.filler][0], a.role)
                for a in arguments
                if a.trigger in ids and a.filler in ids
            ],
        )

    def _link(self, doc_id: str, annotator: str, arguments: Sequence[Argument]) -> None:
        ids = self._decision_ids(doc_id, annotator)
        rows = []
        for a in arguments:
            head, tail = ids.get(a.trigger), ids.get(a.filler)
            if head is None or tail is None or head[2] != "accepted" or tail[2] != "accepted":
                raise ValueError(
                    f"argument {a.role!r}: trigger and filler must be accepted spans of {annotator}"
                )
            if head[1] != "event":
                raise ValueError(f"argument {a.role!r}: its trigger {a.trigger[2]} is not an event")
            if a.trigger == a.filler:
                raise ValueError(f"argument {a.role!r}: a span cannot be its own argument")
            rows.append((doc_id, annotator, head[0], tail[0], a.role))
        self.db.conn.executemany(
            "INSERT INTO relations (doc_id, annotator, head, tail, role) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (head, tail, role) DO NOTHING",
            rows,
        )

    def relations(self, doc_id: str, annotator: str) -> list[Relation]:
        rows = self.db.conn.execute(
            "SELECT id, head, tail, role FROM relations WHERE doc_id = ? AND annotator = ?",
            (doc_id, annotator),
        ).fetchall()
        return [Relation(id=r[0], head=r[1], tail=r[2], role=r[3]) for r in rows]

    def add_relation(self, doc_id: str, annotator: str, relation: Relation) -> int:
        with self.transaction():
            cur = self.db.conn.execute(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?)",
                (doc_id, annotator, relation.head, relation.tail, relation.role),
            )
            self._log(annotator, doc_id, "relation", {}, relation.model_dump(mode="json"))
            return int(cur.lastrowid or 0)

    def add_relations_by_key(
        self,
        doc_id: str,
        annotator: str,
        relations: Sequence[tuple[tuple[int, int, str], tuple[int, int, str], str]],
        *,
        action: str = "relation",
    ) -> int:
        """Add relations between this annotator's decisions, named by (start, end, label).

        Both ends must be decisions of the annotator already; a relation that exists is left as it
        is. Returns how many were added. One history entry for all of them.
        """
        if not relations:
            return 0
        with self.transaction():
            ids = {
                (r[1], r[2], r[3]): r[0]
                for r in self.db.conn.execute(
                    'SELECT id, start, "end", label FROM decisions '
                    "WHERE doc_id = ? AND annotator = ?",
                    (doc_id, annotator),
                )
            }
            rows = []
            for head, tail, role in relations:
                if head not in ids or tail not in ids:
                    raise ValueError(
                        f"relation {role!r}: both spans must be decisions of {annotator}"
                    )
                rows.append((doc_id, annotator, ids[head], ids[tail], role))
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (head, tail, role) DO NOTHING",
                rows,
            )
            added = self.db.conn.total_changes - before
            self._log(
                annotator,
                doc_id,
                action,
                {},
                [{"head": list(h), "tail": list(t), "role": r} for h, t, r in relations],
            )
            return added

    def _log(self, annotator: str, doc_id: str, action: str, before: Any, after: Any) -> None:
        self.db.conn.execute(
            "INSERT INTO history (ts, annotator, doc_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                now(),
                annotator,
                doc_id,
                action,
                json.dumps(before, ensure_ascii=False),
                json.dumps(after, ensure_ascii=False),
            ),
        )

    def history(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, ts, annotator, doc_id, action, before, after FROM history"
        params: tuple[Any, ...] = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        rows = self.db.conn.execute(sql + " ORDER BY id", params).fetchall()
        keys = ("id", "ts", "annotator", "doc_id", "action", "before", "after")
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for entry in out:
            entry["before"] = json.loads(entry["before"])
            entry["after"] = json.loads(entry["after"])
        return out

    # ---- gold and review (review mode, ADR 0006) ---------------------------------------------
    # Gold is the adjudicated version of a document, kept apart from every annotator's work.
    # A gold row's ``source`` says where it came from ("agreed", "variant:anna,ben", "edit");
    # history entries of gold changes carry the reviewer's name and an action starting "gold: ".

    def gold_spans(self, doc_id: str, *, include_rejected: bool = False) -> list[Span]:
        """The document's gold spans; ``origin`` holds the row's source, ``origin_version`` its
        reviewer. Rejected rows (variants the reviewer turned down) only when asked."""
        sql = (
            'SELECT id, start, "end", label, kind, status, source, reviewer FROM gold_spans '
            "WHERE doc_id = ?"
        )
        if not include_rejected:
            sql += " AND status = 'accepted'"
        rows = self.db.conn.execute(sql + ' ORDER BY start, "end", label', (doc_id,)).fetchall()
        return [_span_from_row(r) for r in rows]

    def gold_provenance(self, doc_id: str) -> list[dict[str, Any]]:
        """Every gold row of a document with who put it there, from which variant, and when."""
        keys = ("start", "end", "label", "kind", "status", "reviewer", "source", "created")
        rows = self.db.conn.execute(
            'SELECT start, "end", label, kind, status, reviewer, source, created FROM gold_spans '
            'WHERE doc_id = ? ORDER BY start, "end", label',
            (doc_id,),
        ).fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def replace_gold(
        self,
        doc_id: str,
        reviewer: str,
        *,
        remove: Sequence[Span] = (),
        add: Sequence[Span] = (),
        action: str,
    ) -> None:
        """Remove some gold rows and add others (matched by start, end, label), atomically, with
        a history entry. Added spans are accepted or rejected; their ``origin`` is the source."""
        for span in add:
            if span.status == SpanStatus.SUGGESTED:
                raise ValueError("a gold span must be accepted or rejected, not suggested")
        created = now()
        with self.transaction():
            self.db.conn.executemany(
                'DELETE FROM gold_spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?',
                [(doc_id, s.start, s.end, s.label) for s in remove],
            )
            self.db.conn.executemany(
                'INSERT INTO gold_spans (doc_id, start, "end", label, kind, status, reviewer, '
                "source, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                'ON CONFLICT (doc_id, start, "end", label) DO UPDATE SET kind = excluded.kind, '
                "status = excluded.status, reviewer = excluded.reviewer, "
                "source = excluded.source, created = excluded.created",
                [
                    (
                        doc_id,
                        s.start,
                        s.end,
                        s.label,
                        s.kind.value,
                        s.status.value,
                        reviewer,
                        s.origin,
                        created,
                    )
                    for s in add
                ],
            )
            self._log(
                reviewer,
                doc_id,
                f"gold: {action}",
                [_span_dict(s) for s in remove],
                [_span_dict(s) for s in add],
            )

    def gold_arguments(self, doc_id: str, *, include_rejected: bool = False) -> list[Argument]:
        """The document's gold arguments; ``origin`` holds the row's source. Rejected rows (an
        argument the reviewer turned down) only when asked."""
        sql = (
            "SELECT head_start, head_end, head_label, role, tail_start, tail_end, tail_label, "
            "status, source FROM gold_relations WHERE doc_id = ?"
        )
        if not include_rejected:
            sql += " AND status = 'accepted'"
        rows = self.db.conn.execute(
            sql + " ORDER BY head_start, head_end, head_label, role, tail_start, tail_end",
            (doc_id,),
        ).fetchall()
        return [
            Argument(
                trigger=(r[0], r[1], r[2]),
                role=r[3],
                filler=(r[4], r[5], r[6]),
                status=SpanStatus(r[7]),
                origin=r[8],
            )
            for r in rows
        ]

    def replace_gold_arguments(
        self,
        doc_id: str,
        reviewer: str,
        *,
        remove: Sequence[Argument] = (),
        add: Sequence[Argument] = (),
        action: str,
    ) -> None:
        """Remove some gold arguments and add others (matched by their keys), atomically, with a
        history entry. An accepted argument needs both its spans accepted in gold."""
        created = now()
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM gold_relations WHERE doc_id = ? AND head_start = ? AND head_end = ? "
                "AND head_label = ? AND role = ? AND tail_start = ? AND tail_end = ? "
                "AND tail_label = ?",
                [(doc_id, *a.trigger, a.role, *a.filler) for a in remove],
            )
            if any(a.status == SpanStatus.ACCEPTED for a in add):
                gold = {s.key for s in self.gold_spans(doc_id)}
                for a in add:
                    if a.status == SpanStatus.ACCEPTED and not {a.trigger, a.filler} <= gold:
                        raise ValueError(
                            f"gold argument {a.role!r}: trigger and filler must be gold spans"
                        )
            for a in add:
                if a.status == SpanStatus.SUGGESTED:
                    raise ValueError("a gold argument must be accepted or rejected")
            self.db.conn.executemany(
                "INSERT INTO gold_relations (doc_id, head_start, head_end, head_label, role, "
                "tail_start, tail_end, tail_label, status, reviewer, source, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "status = excluded.status, reviewer = excluded.reviewer, "
                "source = excluded.source, created = excluded.created",
                [
                    (
                        doc_id,
                        *a.trigger,
                        a.role,
                        *a.filler,
                        a.status.value,
                        reviewer,
                        a.origin,
                        created,
                    )
                    for a in add
                ],
            )
            self._log(
                reviewer,
                doc_id,
                f"gold: {action}",
                {"arguments": [_arg_dict(a) for a in remove]},
                {"arguments": [_arg_dict(a) for a in add]},
            )

    def review_state(self, doc_id: str) -> tuple[str, str]:
        """(status, reviewer) of a document's review: status 'todo' or 'reviewed'."""
        row = self.db.conn.execute(
            "SELECT status, reviewer FROM review_states WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return ("todo", "") if row is None else (str(row[0]), str(row[1]))

    def set_review_state(self, doc_id: str, reviewer: str, status: str) -> None:
        if status not in ("todo", "reviewed"):
            raise ValueError(f"review status must be 'todo' or 'reviewed', not {status!r}")
        with self.transaction():
            before, _ = self.review_state(doc_id)
            self.db.conn.execute(
                "INSERT INTO review_states (doc_id, reviewer, status, updated) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(doc_id) DO UPDATE SET "
                "reviewer = excluded.reviewer, status = excluded.status, "
                "updated = excluded.updated",
                (doc_id, reviewer, status, now()),
            )
            self._log(reviewer, doc_id, f"gold: mark {status}", before, status)

    def reviewed_documents(self) -> list[str]:
        """Ids of the documents whose review is finished, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d JOIN review_states r ON r.doc_id = d.id "
                "WHERE r.status = 'reviewed' ORDER BY d.seq"
            )
        ]

    def documents_done_by(self, *, min_annotators: int = 2) -> dict[str, list[str]]:
        """Documents that at least ``min_annotators`` annotators marked done, in import order,
        each with those annotators' names (sorted): the review queue."""
        out: dict[str, list[str]] = {}
        for doc_id, names in self.db.conn.execute(
            "SELECT d.id, group_concat(s.annotator, char(31)) FROM documents d "
            "JOIN doc_states s ON s.doc_id = d.id WHERE s.status = 'done' "
            "GROUP BY d.id HAVING count(*) >= ? ORDER BY d.seq",
            (min_annotators,),
        ):
            out[doc_id] = sorted(names.split("\x1f"))
        return out

    # ---- copying annotators' work between project files (annotator merge) -------------------

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str]) -> Store:
        """Open another project file to read from it, without migrating or changing it."""
        p = Path(path)
        if not p.exists():
            raise StoreError(f"{p}: no such project file")
        _check_file(p)
        _check_header(p)
        conn = _read_only_connection(p)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{p}: damaged or not an SQLite file ({exc})") from exc
        if app_id != APPLICATION_ID:
            conn.close()
            raise StoreError(f"{p}: an SQLite file, but not an annotator project")
        if not 1 <= version <= SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{p}: schema {version}, this annotator knows 1 to {SCHEMA_VERSION}")
        return cls(Database(conn), p, read_only=True)

    def documents_with_work(self, annotator: str) -> list[str]:
        """Documents on which an annotator decided something or has a state, in import order."""
        return [
            r[0]
            for r in self.db.conn.execute(
                "SELECT d.id FROM documents d WHERE EXISTS (SELECT 1 FROM decisions x "
                "WHERE x.doc_id = d.id AND x.annotator = ?) OR EXISTS (SELECT 1 FROM doc_states s "
                "WHERE s.doc_id = d.id AND s.annotator = ?) ORDER BY d.seq",
                (annotator, annotator),
            )
        ]

    def work_history(self, doc_id: str, annotator: str) -> list[dict[str, Any]]:
        """An annotator's own history rows for a document (gold changes left out), raw."""
        keys = ("ts", "action", "before", "after")
        rows = self.db.conn.execute(
            "SELECT ts, action, before, after FROM history WHERE doc_id = ? AND annotator = ? "
            "AND action NOT LIKE 'gold: %' ORDER BY id",
            (doc_id, annotator),
        ).fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def copy_work(
        self,
        doc_id: str,
        annotator: str,
        *,
        decisions: Sequence[Span],
        state: DocState | None,
        relations: Sequence[tuple[tuple[int, int, str], tuple[int, int, str], str]],
        history: Sequence[dict[str, Any]],
    ) -> None:
        """Write an annotator's work on a document as it was in another file: decisions, state,
        relations (given by the keys of their head and tail spans) and history rows, verbatim.
        Runs in the caller's transaction if there is one."""
        created = now()
        with self.transaction():
            self.ensure_annotator(annotator)
            self.db.conn.executemany(
                'INSERT INTO decisions (doc_id, annotator, start, "end", label, kind, status, '
                "origin, origin_version, score, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [_decision_row(doc_id, annotator, s, created) for s in decisions],
            )
            if state is not None:
                self.db.conn.execute(
                    "INSERT INTO doc_states (doc_id, annotator, status, flagged, comment, "
                    "revision, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(doc_id, annotator) DO UPDATE SET status = excluded.status, "
                    "flagged = excluded.flagged, comment = excluded.comment, "
                    "revision = revision + 1, updated = excluded.updated",
                    (
                        doc_id,
                        annotator,
                        state.status.value,
                        int(state.flagged),
                        state.comment,
                        state.revision,
                        created,
                    ),
                )
            ids = {
                (r[1], r[2], r[3]): r[0]
                for r in self.db.conn.execute(
                    'SELECT id, start, "end", label FROM decisions WHERE doc_id = ? '
                    "AND annotator = ?",
                    (doc_id, annotator),
                )
            }
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, annotator, head, tail, role) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    (doc_id, annotator, ids[head], ids[tail], role)
                    for head, tail, role in relations
                    if head in ids and tail in ids
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO history (ts, annotator, doc_id, action, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (h["ts"], annotator, doc_id, h["action"], h["before"], h["after"])
                    for h in history
                ],
            )

    # ---- statistics ------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        conn = self.db.conn
        annotators: dict[str, dict[str, int]] = {}
        for name in self.annotators():
            annotators[name] = {status.value: 0 for status in DocStatus}
            annotators[name]["accepted"] = 0
            annotators[name]["rejected"] = 0
        for name, status, n in conn.execute(
            "SELECT annotator, status, count(*) FROM doc_states GROUP BY annotator, status"
        ):
            annotators.setdefault(name, {})[status] = n
        for name, status, n in conn.execute(
            "SELECT annotator, status, count(*) FROM decisions GROUP BY annotator, status"
        ):
            annotators.setdefault(name, {})[status] = n
        for counts in annotators.values():
            touched = sum(counts.get(s.value, 0) for s in DocStatus if s != DocStatus.TODO)
            counts["todo"] = max(0, self.count_documents() - touched)
        by_label: Counter[str] = Counter()
        for label, n in conn.execute(
            "SELECT label, count(*) FROM decisions WHERE status = 'accepted' GROUP BY label"
        ):
            by_label[label] = n
        suggested = conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        accepted = conn.execute(
            "SELECT count(*) FROM decisions WHERE status = 'accepted'"
        ).fetchone()[0]
        rejected = conn.execute(
            "SELECT count(*) FROM decisions WHERE status = 'rejected'"
        ).fetchone()[0]
        models = [
            {"origin": o, "version": v, "documents": n}
            for o, v, n in conn.execute(
                "SELECT origin, version, count(*) FROM suggestion_runs GROUP BY origin, version"
            )
        ]
        return {
            "documents": self.count_documents(),
            "characters": conn.execute("SELECT coalesce(sum(length), 0) FROM documents").fetchone()[
                0
            ],
            "annotators": annotators,
            "spans": {
                "suggested": suggested,
                "accepted": accepted,
                "rejected": rejected,
                "accepted_by_label": dict(sorted(by_label.items())),
            },
            "models": models,
        }


CLAIM_PREFIX = "suggest-claim:"
CLAIM_TTL_S = 6 * 3600
"""A claim from another host counts as abandoned after this long (its pid cannot be checked)."""
_HOST = socket.gethostname()


def _parse_claim(value: str) -> dict[str, Any] | None:
    try:
        claim = json.loads(value)
    except ValueError:
        return None
    keys = {"origin", "version", "host", "pid", "claimed", "seqs"}
    return claim if isinstance(claim, dict) and keys <= set(claim) else None


def _claim_stale(claim: dict[str, Any]) -> bool:
    """Whether the process behind a claim is gone."""
    if claim["host"] != _HOST:
        return bool(time.time() - float(claim["claimed"]) > CLAIM_TTL_S)
    try:
        os.kill(int(claim["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def _check_header(path: Path) -> None:
    """Refuse files that are not SQLite before SQLite touches them (no WAL files created)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the project file ({exc})") from exc
    if header != SQLITE_HEADER:
        raise StoreError(f"{path}: not an annotator project (not an SQLite database file)")


def _inspect(path: Path, *, verify: bool = False) -> None:
    """Look at an existing file read-only before opening it to write: a file that is refused
    must stay as it was (opening it for writing would switch it to WAL mode). Without a -wal
    file beside it the file holds all its content, and ``immutable`` reads it without creating
    -wal/-shm files (a read-only connection to a WAL-mode file would leave them behind).

    ``verify``: also run ``PRAGMA quick_check`` (b-tree structure, page and record formats, free
    list, NOT NULL and CHECK constraints; 0.35 s on a 420 MB project, integrity_check 0.76 s, see
    ``benchmarks/integrity_bench.py``) and refuse a damaged file."""
    wal = path.with_name(path.name + "-wal")
    query = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the project file ({exc})") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        _refuse_foreign(path, app_id, version, tables)
        if verify and tables:
            result = [str(r[0]) for r in conn.execute("PRAGMA quick_check(4)")]
            if result != ["ok"]:
                found = [r for r in result if not r.startswith("***")] or result
                raise DamagedError(damage_message(path, "; ".join(found[:2])))
    except sqlite3.DatabaseError as exc:
        if verify:
            raise DamagedError(damage_message(path, str(exc))) from None
        raise StoreError(f"{path}: damaged or not an SQLite file ({exc})") from exc
    finally:
        conn.close()


def damage_message(path: Path, problem: str) -> str:
    """One line: the file is damaged, nothing was written, how to recover."""
    backups = sorted(path.parent.glob(f"{path.name}.v*.bak"))
    restore = (
        f"or restore the automatic backup {backups[-1]}" if backups else "or restore a backup of it"
    )
    first = " ".join(problem.split()) or "unknown damage"
    recovered = path.with_name(path.stem + "-recovered.db")
    return (
        f"{path}: the project file is damaged ({first}); nothing was written. Recover what is "
        f'left with: sqlite3 {path} ".recover" | sqlite3 {recovered}, {restore}'
    )


def _check_file(path: Path) -> None:
    """A FIFO, a device or a folder given as the project: say so instead of blocking on it."""
    if path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise StoreError(f"{path}: {what}, not a project file")


def _writable(path: Path) -> bool:
    """Whether this process may write the project file and create files beside it (-wal,
    -shm). ``os.access`` also sees a read-only mount (EROFS), for root too."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that never writes the project, chosen by what the file system allows.

    - File and folder writable: an ordinary connection with ``PRAGMA query_only``, which SQLite
      refuses every write on; unlike ``mode=ro`` it removes the -wal/-shm files it needed when it
      closes last, so a read leaves nothing behind, and it sees other writers' commits.
    - Read-only file or folder (a read-only mount, a CD, a shared folder), no -wal beside it:
      ``mode=ro&immutable=1``. WAL mode needs a -shm file that cannot be created there (plain
      ``mode=ro`` fails with "attempt to write a readonly database"); nobody can be writing a
      file in such a folder, so reading it as unchanging is safe.
    - Read-only, with -wal and -shm beside it: ``mode=ro`` reads them.
    - Read-only, with a -wal but no -shm: refused, since ``immutable`` would ignore the commits
      in the -wal file.
    """
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    try:
        if _writable(path):
            conn = sqlite3.connect(str(path), check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return conn
        if wal.exists() and wal.stat().st_size > 0 and not shm.exists():
            raise StoreError(
                f"{path}: read-only here, and {wal.name} beside it holds commits that need a "
                f"{shm.name} file; copy both files to a writable folder and open it there"
            )
        query = "mode=ro" if wal.exists() and shm.exists() else "mode=ro&immutable=1"
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?{query}", uri=True, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the project file to read it ({exc})") from exc


def is_locked_error(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def lock_timeout_or_default(value: float | None) -> float:
    return lock_timeout() if value is None else value


def _holder_path(path: Path) -> Path:
    return path.with_name(path.name + HOLDER_SUFFIX)


def _write_holder_record(path: Path) -> bool:
    """Record this process as the one holding the write lock (best effort: a folder that
    cannot take the record only makes a waiting writer's message vaguer)."""
    record = {
        "command": COMMAND,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": now(),
    }
    target = _holder_path(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        return False
    return True


def _remove_holder_record(path: Path) -> None:
    target = _holder_path(path)
    try:
        record = json.loads(target.read_text(encoding="utf-8"))
        if record.get("pid") == os.getpid() and record.get("host") == socket.gethostname():
            target.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, OverflowError, ValueError):
        return False
    return True


def lock_message(path: Path | None, *, waited: float) -> str:
    """One line: how long we waited, who holds the write lock (as far as the record tells),
    and what to do."""
    head = f"{path}: the project is locked by another writer; waited {waited:g} s"
    tail = "try again when it has finished, or set ANNOTATOR_LOCK_TIMEOUT (seconds) to wait longer"
    if path is None:
        return f"{head}; {tail}"
    try:
        record = json.loads(_holder_path(path).read_text(encoding="utf-8"))
        command, pid = str(record["command"]), int(record["pid"])
        host, since = str(record["host"]), str(record["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"{head}; held by a program that left no record ({_holder_path(path).name}); {tail}"
    who = f"{command} (pid {pid} on {host}, writing since {since[:19].replace('T', ' ')} UTC)"
    if host == socket.gethostname() and not _pid_alive(pid):
        return (
            f"{head}; last taken by {who}, which is no longer running, so another program "
            f"holds it; {tail}"
        )
    return f"{head}; held by {who}; {tail}"


def _refuse_foreign(path: Path | None, app_id: int, version: int, tables: set[str]) -> None:
    if tables and app_id != APPLICATION_ID:
        raise StoreError(
            f"{path}: an SQLite file, but not an annotator project "
            f"(tables: {', '.join(sorted(tables)[:5])})"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: made by a newer annotator (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade annotator to open it"
        )
