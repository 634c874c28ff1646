"""A folder of files replaced in one step: written aside, then swapped in (no Qt, no SQL).

An export is many files that belong together (``train.spacy`` beside ``dev.spacy`` and the
``config.cfg`` that names them). :class:`StagedFolder` writes them all into a hidden sibling folder
of the target and then puts that folder in the target's place with one rename, so the target is
always either the whole earlier export or the whole new one:

* On Linux the swap is ``renameat2(RENAME_EXCHANGE)``: the two folders trade places in one step
  and the old one is then deleted under the hidden name. There is no moment without a target.
* Elsewhere (or on a file system that cannot exchange) the old folder is renamed to a hidden
  backup name, the new one renamed into place, the backup deleted. A kill between the two renames
  leaves no target but a complete backup; the next run into the same folder puts it back.

Every run first clears what killed runs into the same target left behind (hidden folders named
after the target, whose process is gone), so no temporaries pile up.

Each written folder holds a manifest, :data:`MANIFEST`, listing its files. Only a folder with a
manifest (an earlier export) is replaced; an empty folder is filled; any other folder, or one with
files the manifest does not list, is refused unless ``force``. A folder holding a protected path
(the project file itself) is refused always.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotator.errors import UserError

MANIFEST = ".annotator-export.json"
"""The file that marks a folder as written by us and lists its files."""
KEEP = frozenset({".gitkeep"})
"""Files an empty folder may hold; they are carried over into the new folder."""
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class FolderError(UserError):
    """The folder cannot be written or replaced; the message is one line."""


def _describe(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    return f"{what}: {exc.filename}" if exc.filename else what


# --------------------------------------------------------------------------------------------
# The steps, one function each (tests inject faults at every one of them)
# --------------------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc_name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _rename(src: Path, dst: Path) -> None:
    os.rename(src, dst)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path, files: Iterable[str]) -> None:
    """Make the files below ``root`` durable before they are swapped in.

    On Linux one ``syncfs`` of the file system (2,000 small files: ~1 s against ~12 s for an
    ``fsync`` each); elsewhere an ``fsync`` per file and folder.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            fd = os.open(root, os.O_RDONLY)
        except OSError:
            pass
        else:
            try:
                if libc.syncfs(fd) == 0:
                    return
            finally:
                os.close(fd)
    for rel in files:
        _fsync_file(root / rel)
    for dirpath, _dirs, _names in os.walk(root):
        _fsync_dir(Path(dirpath))


# --------------------------------------------------------------------------------------------
# Reading a folder
# --------------------------------------------------------------------------------------------


def files_under(root: Path) -> list[str]:
    """Every file below ``root``, as sorted ``/``-separated relative paths."""
    out: list[str] = []
    for dirpath, _dirs, names in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        out.extend((rel / name).as_posix() for name in names)
    return sorted(out)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of an earlier export, or None when the folder has none (or a broken one)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    return data


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------------------------
# The staged folder
# --------------------------------------------------------------------------------------------


class StagedFolder:
    """Write a folder's new contents aside (:attr:`staging`), then :meth:`commit` them in one step.

    Use as a context manager: leaving the block by an exception deletes the staging folder and
    leaves the target as it was.
    """

    def __init__(
        self,
        target: Path,
        *,
        force: bool = False,
        protect: Iterable[Path | None] = (),
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.target = Path(os.path.abspath(target))
        self.force = force
        self.protect = [Path(os.path.abspath(p)) for p in protect if p is not None]
        self.meta = dict(meta or {})
        digest = hashlib.sha256(os.fsencode(self.target.name)).hexdigest()[:10]
        # Bounded length, whatever the target's name: an over-long name must fail as the target's
        # own name, not as ours.
        self._prefix = f".{self.target.name[:24]}~{digest}.annotator-export-"
        self.staging: Path | None = None
        self.replaced_foreign: list[str] = []

    # -- before writing ------------------------------------------------------------------------
    def begin(self) -> Path:
        """Clear leftovers of killed runs, check the target may be replaced, create the staging."""
        parent = self.target.parent
        if self.target == Path(self.target.anchor):
            raise FolderError(f"{self.target}: cannot export into the root of a file system")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolderError(f"{parent}: cannot create the folder ({_describe(exc)})") from None
        try:
            os.lstat(self.target)
        except FileNotFoundError:
            pass
        except OSError as exc:  # an over-long name, a path through a file, ...
            raise FolderError(f"{self.target}: cannot use as a folder ({_describe(exc)})") from None
        self.recover()
        self._check_target()
        name = f"{self._prefix}new-{os.getpid()}-{secrets.token_hex(4)}"
        staging = parent / name
        try:
            staging.mkdir()
        except OSError as exc:
            raise FolderError(
                f"{parent}: cannot write there ({_describe(exc)}); nothing was changed"
            ) from None
        self.staging = staging
        return staging

    def leftovers(self) -> list[Path]:
        """Hidden folders of earlier runs into this target (whatever their process)."""
        try:
            entries = list(self.target.parent.iterdir())
        except OSError:
            return []
        return sorted(p for p in entries if p.name.startswith(self._prefix))

    def recover(self) -> None:
        """Put back an old export a kill left under its backup name; delete dead runs' folders."""
        dead: list[Path] = []
        for path in self.leftovers():
            try:
                pid = int(path.name[len(self._prefix) :].split("-")[1])
            except (IndexError, ValueError):
                pid = 0
            if pid and _pid_alive(pid) and pid != os.getpid():
                continue  # another export into this folder is running now
            dead.append(path)
        backups = [p for p in dead if p.name[len(self._prefix) :].startswith("old-")]
        if not self.target.exists() and backups:
            newest = max(backups, key=lambda p: p.stat().st_mtime_ns)
            try:
                _rename(newest, self.target)
            except OSError as exc:
                raise FolderError(
                    f"{self.target}: cannot restore the earlier export from {newest.name} "
                    f"({_describe(exc)})"
                ) from None
            dead.remove(newest)
        for path in dead:
            _remove_tree(path)

    def _check_target(self) -> None:
        target = self.target
        if not target.exists() and not target.is_symlink():
            return
        if target.is_symlink() or not target.is_dir():
            raise FolderError(f"{target}: exists and is not a folder")
        for p in self.protect:
            if p == target or target in p.parents:
                raise FolderError(
                    f"{target}: holds the project file {p.name}; export into another folder"
                )
        cwd, home = Path(os.path.abspath(os.getcwd())), Path(os.path.abspath(Path.home()))
        if target in (cwd, home) or target in cwd.parents:
            where = "the current folder" if target == cwd or target in cwd.parents else "home"
            raise FolderError(f"{target}: holds {where}; export into a folder of its own")
        try:
            present = files_under(target)
        except OSError as exc:
            raise FolderError(f"{target}: cannot read the folder ({_describe(exc)})") from None
        manifest = read_manifest(target)
        if manifest is None:
            foreign = [f for f in present if f not in KEEP]
            if foreign and not self.force:
                raise FolderError(
                    f"{target}: the folder holds {len(foreign)} file(s) and is not an earlier "
                    f"export (no {MANIFEST}); choose an empty or new folder, or give --force "
                    "to replace it"
                )
            self.replaced_foreign = foreign
            return
        listed = {str(f) for f in manifest["files"]} | {MANIFEST}
        foreign = [f for f in present if f not in listed and f not in KEEP]
        if foreign and not self.force:
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            shown = ", ".join(foreign[:3]) + more
            raise FolderError(
                f"{target}: holds file(s) no export wrote ({shown}); move them away, "
                "or give --force to replace the folder with them"
            )
        self.replaced_foreign = foreign

    # -- the swap --------------------------------------------------------------------------------
    def commit(self) -> list[str]:
        """Write the manifest, make the files durable, put the staging folder in place.

        Returns the exported files (relative paths, without the manifest).
        """
        staging = self.staging
        if staging is None:
            raise RuntimeError("commit() before begin()")
        target = self.target
        for keep in KEEP:
            if (target / keep).is_file() and not (staging / keep).exists():
                shutil.copy2(target / keep, staging / keep)
        files = [f for f in files_under(staging) if f not in KEEP]
        manifest = {
            "written_by": "annotator export",
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            **self.meta,
            "files": files,
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        _sync_tree(staging, [*files, MANIFEST])
        if not target.exists():
            _rename(staging, target)
            old = None
        elif _exchange(staging, target):
            old = staging  # the staging name now holds the earlier export
        else:
            old = staging.with_name(staging.name.replace("new-", "old-", 1))
            _rename(target, old)
            try:
                _rename(staging, target)
            except OSError:
                _rename(old, target)
                raise
        self.staging = None
        # The new export is in place: what follows is clean-up, which the next run redoes.
        try:
            _fsync_dir(target.parent)
            if old is not None:
                _remove_tree(old)
        except OSError:
            pass
        return files

    def discard(self) -> None:
        if self.staging is not None:
            _remove_tree(self.staging)
            self.staging = None

    def __enter__(self) -> StagedFolder:
        self.begin()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.discard()
