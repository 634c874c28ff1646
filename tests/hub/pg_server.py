"""A throwaway PostgreSQL server on 127.0.0.1 for the hub's tests (and benchmarks/hub_bench.py).

``initdb`` in a temporary folder, ``pg_ctl`` on a free port, password logins (scram) over TCP
only, stopped and removed afterwards. The server binaries are looked up on PATH, then in
Debian's ``/usr/lib/postgresql/<version>/bin``; ``$ANNOTATOR_PG_BIN`` names the folder
explicitly. ``make test`` (and so ``.ci/run``) installs Debian's ``postgresql`` package when
they are missing; a machine without them fails these tests with that advice, it never skips.
PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user (or
``nobody``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ADMIN = "hubadmin"
ADMIN_PASSWORD = "admin-secret"  # a throwaway server on loopback


def server_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``."""
    explicit = os.environ.get("ANNOTATOR_PG_BIN")
    candidates: list[Path] = [Path(explicit)] if explicit else []
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).resolve().parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += debian
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise RuntimeError(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH nor in "
        "/usr/lib/postgresql/*/bin: `make test` installs Debian's postgresql package as root "
        "(apt-get install postgresql), or set ANNOTATOR_PG_BIN to their folder"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@dataclass
class Server:
    folder: Path
    port: int
    bin: Path
    user: str | None

    def url(self, role: str = ADMIN, password: str = ADMIN_PASSWORD, db: str = "postgres") -> str:
        return f"postgresql://{role}:{password}@127.0.0.1:{self.port}/{db}"

    def _cmd(self, *args: str) -> list[str]:
        if self.user is None:
            return list(args)
        return ["runuser", "-u", self.user, "--", *args]

    def start(self) -> None:
        data, log = self.folder / "data", self.folder / "server.log"
        pwfile = self.folder / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            self._cmd(
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-U",
                ADMIN,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=reject",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"
            ),
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server:
    folder = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
    server = Server(folder=folder, port=_free_port(), bin=server_bin(), user=_run_as())
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        detail = (exc.stderr or b"").decode(errors="replace").strip()
        if log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {detail}") from None
    return server
