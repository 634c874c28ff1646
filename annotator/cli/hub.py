"""``annotator hub init|add-annotator``: set up a team hub on a PostgreSQL database."""

from __future__ import annotations

import argparse

from annotator.cli import annotator_name
from annotator.errors import UserError

NAME = "hub"
HELP = (
    "Set up the team hub on a PostgreSQL database (as its owner): `hub init URL` creates the "
    "schema, roles and row-level security policies; `hub add-annotator URL NAME [--reviewer]` "
    "gives an annotator a login role that can write only their own work (a reviewer's also "
    "gold) and prints the URL they sync with."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    init = sub.add_parser("init", help="create the hub's schema, roles and policies")
    init.add_argument("url", metavar="URL", help="the database, as its owner")
    add = sub.add_parser("add-annotator", help="a login role for an annotator (or reviewer)")
    add.add_argument("url", metavar="URL", help="the database, as a role that may create roles")
    add.add_argument("name", type=annotator_name, metavar="NAME", help="the annotator's name")
    add.add_argument("--role", help="the login role's name (default: from NAME)")
    add.add_argument("--password", help="the role's password (default: a random one, printed)")
    add.add_argument("--reviewer", action="store_true", help="may also write gold")


def run(args: argparse.Namespace) -> int:
    from annotator.store.hub import add_member, init_hub, redact, sync_url

    if args.hub_command == "init":
        info = init_hub(args.url)
        print(
            f"hub {info.id} ready at {redact(args.url)}; add annotators with "
            "`annotator hub add-annotator URL NAME`"
        )
        return 0
    if args.hub_command == "add-annotator":
        member = add_member(
            args.url, args.name, role=args.role, reviewer=args.reviewer, password=args.password
        )
        what = "reviewer" if member.reviewer else "annotator"
        print(f"{what} {member.annotator!r} logs in as role {member.role!r}")
        url = sync_url(args.url, member)
        if member.password is not None:
            print(f"they sync with: annotator sync {url}")
        else:
            print(f"the role was there: its password is unchanged (--password sets one); {url}")
        return 0
    raise UserError(f"unknown hub action {args.hub_command!r}")
