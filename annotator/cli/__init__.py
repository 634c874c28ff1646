"""The command line: ``annotator COMMAND [options]``.

Thin: it parses arguments and calls plain functions. Each CLI command lives in its own module of
this package (``annotator.cli.import_``, ``annotator.cli.export``...) with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; ``COMMANDS`` lists them in the order
``--help`` shows them. A :class:`~annotator.errors.UserError` is caught once, in :func:`main`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from annotator import __version__
from annotator.errors import UserError

COMMANDS: tuple[str, ...] = (
    "import_",
    "suggest",
    "stats",
    "gui",
    "agreement",
    "export",
    "merge",
    "train",
    "sync",
    "hub",
)
"""Modules of ``annotator.cli``; each module adds one subcommand."""

DEFAULT_DB = "annotator.db"


__all__ = ["COMMANDS", "UserError", "annotator_name", "build_parser", "default_db", "main"]


def annotator_name(raw: str) -> str:
    """argparse type of every ``--annotator``: the name as stored (white space squeezed and
    trimmed, control characters out, see :func:`annotator.identity.clean_name`), so that
    ``" anna "`` and ``"anna"`` are one annotator; a blank name is an error."""
    from annotator.identity import clean_name

    name = clean_name(raw)
    if name is None:
        raise argparse.ArgumentTypeError("an annotator name cannot be blank")
    return name


def default_db() -> Path:
    return Path(os.environ.get("ANNOTATOR_DB") or DEFAULT_DB)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"annotator.cli.{name}") for name in COMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label entity and event spans in a text corpus, with model suggestions, "
        "review and exports that spaCy trains on.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--db",
            type=Path,
            default=None,
            help=f"project file (default: $ANNOTATOR_DB, else ./{DEFAULT_DB})",
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = default_db()
    from annotator import store
    from annotator.store import connection

    connection.COMMAND = f"annotator {args.command}"

    try:
        return int(args._run(args))
    except UserError as exc:
        for line in exc.report(args.command):
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"annotator {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (``annotator agreement | head``): not an error of
        # ours. Point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except sqlite3.OperationalError as exc:
        if not store.is_locked_error(exc):
            return _database_error(args, exc)
        # A statement outside Store.transaction waited the whole busy timeout.
        timeout = store.lock_timeout()
        print(
            f"annotator {args.command}: error: {store.lock_message(args.db, waited=timeout)}",
            file=sys.stderr,
        )
        return 2
    except sqlite3.DatabaseError as exc:
        return _database_error(args, exc)


def _database_error(args: argparse.Namespace, exc: sqlite3.DatabaseError) -> int:
    # Damage SQLite only finds when a query reaches the bad page; the transaction rolled back.
    print(
        f"annotator {args.command}: error: {args.db}: cannot use the project file ({exc}); "
        "nothing was changed (restore a backup if it is damaged)",
        file=sys.stderr,
    )
    return 2


def gui_main() -> int:
    """Entry point of the ``annotator-gui`` launcher: the window on the default project."""
    return main(["gui", *sys.argv[1:]])
