"""The connection to a project file: opening (and refusing) files, migrations, transactions,
the write lock and its holder record, backups.

One SQLite file per project (sqlite-utils over the standard library driver), in WAL mode with
foreign keys on and a busy timeout, so two processes on one file wait for each other instead of
failing. Every change that touches more than one row runs in one ``BEGIN IMMEDIATE`` transaction
(:meth:`StoreBase.transaction`); the aggregates' modules beside this one only write inside it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlite_utils import Database

from annotator.errors import UserError
from annotator.model import LabelScheme, Span
from annotator.store import schema

LOCK_TIMEOUT_S = 30.0
"""How long a writer waits in all for another writer's lock before it gives up and says who holds
it; ``$ANNOTATOR_LOCK_TIMEOUT`` (seconds) or ``Store.open(lock_timeout=...)`` change it."""


BUSY_TIMEOUT_MS = int(LOCK_TIMEOUT_S * 1000)


SQLITE_HEADER = b"SQLite format 3\x00"


HOLDER_SUFFIX = "-writer"
"""Beside ``NAME``: ``NAME-writer``, a small JSON record of the process that last took the write
lock (command, pid, host, since), read by a writer that waited in vain."""


class StoreError(UserError):
    """A project file that cannot be used as it is (not a project, too new, damaged)."""


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


class StoreBase:
    """The connection to one project file and what every aggregate needs of it: the transaction,
    the read-only flag, the path. :class:`annotator.store.Store` composes the aggregates on it."""

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

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        scheme: LabelScheme | None = None,
        create: bool = True,
        verify: bool = False,
        lock_timeout: float | None = None,
    ) -> Self:
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
    def open_for_reading(cls, path: str | os.PathLike[str], *, migrate: bool = True) -> Self:
        """Open a project for a command that only reads it (stats, export, agreement, a
        screenshot, the other file of ``annotator merge``): nothing is created or written, and a
        project on read-only media or in a read-only folder can be read (see
        :func:`_read_only_connection`).

        A project of an older schema is migrated first when it can be written (a backup is
        kept), since the queries speak the current schema. ``migrate`` False reads it as it is
        instead, never changing the file (``annotator merge`` reads only the tables every schema
        has).
        """
        p = Path(path)
        conn, version = _open_to_read(p)
        if version < schema.SCHEMA_VERSION and migrate:
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
        pending = schema.migrations.pending(self.db)
        if not pending:
            return
        if tables and self.path is not None:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            try:
                self.backup(backup)
            except StoreError as exc:
                raise StoreError(
                    f"{self.path}: {exc}, so the project was not migrated (schema {version}, "
                    f"this annotator needs {schema.SCHEMA_VERSION}); nothing was changed"
                ) from None
        with self.transaction():
            # Apply inside one transaction together with the version stamp.
            for migration in pending:
                migration.fn(self.db)
                schema.migrations.ensure_migrations_table(self.db)
                self.db.table(schema.migrations.migrations_table).insert(
                    {
                        "migration_set": schema.migrations.name,
                        "name": migration.name,
                        "applied_at": now(),
                    }
                )
            conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
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

    def __enter__(self) -> Self:
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


def _open_to_read(p: Path) -> tuple[sqlite3.Connection, int]:
    """A read-only connection to an annotator project and its schema version; a missing, foreign,
    empty, too new or unreadable file is refused (and its connection closed)."""
    if not p.exists():
        raise StoreError(f"{p}: no such project file")
    _check_file(p)
    _check_header(p)
    conn = _read_only_connection(p)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
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
    return conn, int(version)


def _refuse_foreign(path: Path | None, app_id: int, version: int, tables: set[str]) -> None:
    if tables and app_id != schema.APPLICATION_ID:
        raise StoreError(
            f"{path}: an SQLite file, but not an annotator project "
            f"(tables: {', '.join(sorted(tables)[:5])})"
        )
    if version > schema.SCHEMA_VERSION:
        raise StoreError(
            f"{path}: made by a newer annotator (schema {version}, this one knows "
            f"{schema.SCHEMA_VERSION}); upgrade annotator to open it"
        )
