"""The team hub: a PostgreSQL database that desktops sync their projects with (ADR 0022).

This module holds the hub's side: its schema (``hub.*``), the roles and the row-level security
policies that decide who may write what, and connecting. :mod:`annotator.store.sync` moves work
between a project file and the hub.

Who may do what is the database's business, not the desktop's: every annotator logs in with a
role of their own (``hub add-annotator``), members of the group role ``annotator_member``; a
reviewer's role is also a member of ``annotator_reviewer``. The table ``hub.members`` maps a
login role to an annotator name, and ``hub.me()`` is the name of the role that is logged in
(``session_user``, which no ``SET ROLE`` changes). The policies then say:

- ``hub.work`` (one annotator's work on one document): everyone reads; a row is inserted or
  updated only by the annotator it belongs to; nobody deletes.
- ``hub.gold`` (a document's gold and review state): everyone reads; only reviewers insert or
  update, and only under their own name.
- ``hub.history``: append-only; an entry is added by the person it names (gold entries by a
  reviewer).
- ``hub.documents``: append-only; the text must hash to its content hash (a CHECK).

Every insert or update takes the hub's change lock (a transaction-level advisory lock) and a new
number from ``hub.change_seq`` in a trigger, so change numbers are handed out in commit order: a
desktop that has read everything up to number N has missed nothing below it (its high-water mark).
psycopg (the ``[hub]`` extra) is imported only when a hub is used.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.errors import UserError

if TYPE_CHECKING:
    import psycopg

HUB_SCHEMA_VERSION = 1
MEMBER_ROLE = "annotator_member"
REVIEWER_ROLE = "annotator_reviewer"
CHANGE_LOCK = 0x414E4E4F48554221  # the advisory lock key of every change ("ANNOHUB!")
INSTALL_HINT = "pip install 'annotator[hub]'"


class HubError(UserError):
    """A hub that cannot be used as asked (unreachable, not set up, no rights)."""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise HubError(f"the team hub needs the PostgreSQL driver: {INSTALL_HINT}") from None
    return psycopg


def redact(url: str) -> str:
    """The URL with its password replaced, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection to the hub at ``url`` (``postgresql://ROLE:PASSWORD@HOST:PORT/DB``)."""
    psycopg = _psycopg()
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=20)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HubError(f"cannot connect to the hub {redact(url)}: {first}") from None


_SCHEMA = f"""
CREATE SCHEMA hub;
CREATE TABLE hub.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE hub.members (
    role name PRIMARY KEY,
    annotator text NOT NULL UNIQUE,
    created timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE hub.change_seq;

CREATE FUNCTION hub.me() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, hub
    AS $$ SELECT annotator FROM hub.members WHERE role = session_user $$;
CREATE FUNCTION hub.change_lock() RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $$ SELECT {CHANGE_LOCK}::bigint $$;
CREATE FUNCTION hub.is_reviewer() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT pg_has_role(session_user, '{REVIEWER_ROLE}', 'MEMBER') $$;

-- Every change: the change lock (held to commit), then a change number; a new revision on update.
CREATE FUNCTION hub.stamp() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, hub AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({CHANGE_LOCK});
    NEW.seq := nextval('hub.change_seq');
    IF TG_OP = 'UPDATE' THEN
        NEW.revision := OLD.revision + 1;
        NEW.updated := now();
    ELSIF TG_TABLE_NAME IN ('work', 'gold') THEN
        NEW.revision := 1;
        NEW.updated := now();
    END IF;
    RETURN NEW;
END $$;

CREATE TABLE hub.documents (
    hash text PRIMARY KEY,
    id text NOT NULL,
    text text NOT NULL,
    source text NOT NULL DEFAULT '',
    meta text NOT NULL DEFAULT '{{}}',
    added_by text NOT NULL,
    seq bigint NOT NULL,
    CHECK (hash = encode(sha256(convert_to(text, 'UTF8')), 'hex'))
);
CREATE INDEX documents_by_seq ON hub.documents (seq);
CREATE TRIGGER documents_stamp BEFORE INSERT ON hub.documents
    FOR EACH ROW EXECUTE FUNCTION hub.stamp();

CREATE TABLE hub.work (
    doc_hash text NOT NULL REFERENCES hub.documents (hash),
    annotator text NOT NULL,
    content text NOT NULL,
    digest text NOT NULL,
    revision integer NOT NULL,
    seq bigint NOT NULL,
    updated timestamptz NOT NULL,
    PRIMARY KEY (doc_hash, annotator)
);
CREATE INDEX work_by_seq ON hub.work (seq);
CREATE TRIGGER work_stamp BEFORE INSERT OR UPDATE ON hub.work
    FOR EACH ROW EXECUTE FUNCTION hub.stamp();

CREATE TABLE hub.gold (
    doc_hash text PRIMARY KEY REFERENCES hub.documents (hash),
    reviewer text NOT NULL,
    content text NOT NULL,
    digest text NOT NULL,
    revision integer NOT NULL,
    seq bigint NOT NULL,
    updated timestamptz NOT NULL
);
CREATE INDEX gold_by_seq ON hub.gold (seq);
CREATE TRIGGER gold_stamp BEFORE INSERT OR UPDATE ON hub.gold
    FOR EACH ROW EXECUTE FUNCTION hub.stamp();

CREATE TABLE hub.history (
    seq bigint PRIMARY KEY,
    doc_hash text NOT NULL REFERENCES hub.documents (hash),
    annotator text NOT NULL,
    ts text NOT NULL,
    action text NOT NULL,
    before text NOT NULL,
    after text NOT NULL
);
CREATE UNIQUE INDEX history_once ON hub.history
    (doc_hash, annotator, ts, action, md5(before), md5(after));
CREATE TRIGGER history_stamp BEFORE INSERT ON hub.history
    FOR EACH ROW EXECUTE FUNCTION hub.stamp();

ALTER TABLE hub.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub.work ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub.gold ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub.history ENABLE ROW LEVEL SECURITY;

-- (SELECT f()): evaluated once per statement, not once per row.
CREATE POLICY read ON hub.documents FOR SELECT USING (true);
CREATE POLICY add ON hub.documents FOR INSERT WITH CHECK (added_by = (SELECT hub.me()));

CREATE POLICY read ON hub.work FOR SELECT USING (true);
CREATE POLICY add_own ON hub.work FOR INSERT WITH CHECK (annotator = (SELECT hub.me()));
CREATE POLICY change_own ON hub.work FOR UPDATE
    USING (annotator = (SELECT hub.me())) WITH CHECK (annotator = (SELECT hub.me()));

CREATE POLICY read ON hub.gold FOR SELECT USING (true);
CREATE POLICY add_as_reviewer ON hub.gold FOR INSERT
    WITH CHECK ((SELECT hub.is_reviewer()) AND reviewer = (SELECT hub.me()));
CREATE POLICY change_as_reviewer ON hub.gold FOR UPDATE
    USING ((SELECT hub.is_reviewer()))
    WITH CHECK ((SELECT hub.is_reviewer()) AND reviewer = (SELECT hub.me()));

CREATE POLICY read ON hub.history FOR SELECT USING (true);
CREATE POLICY add_own ON hub.history FOR INSERT WITH CHECK (
    annotator = (SELECT hub.me()) AND (action NOT LIKE 'gold: %' OR (SELECT hub.is_reviewer())));

REVOKE ALL ON SCHEMA hub FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA hub FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA hub FROM PUBLIC;
GRANT USAGE ON SCHEMA hub TO {MEMBER_ROLE};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA hub TO {MEMBER_ROLE};
GRANT USAGE ON SEQUENCE hub.change_seq TO {MEMBER_ROLE};
GRANT SELECT ON hub.meta, hub.members TO {MEMBER_ROLE};
GRANT SELECT, INSERT ON hub.documents, hub.history TO {MEMBER_ROLE};
GRANT SELECT, INSERT, UPDATE ON hub.work TO {MEMBER_ROLE};
GRANT SELECT ON hub.gold TO {MEMBER_ROLE};
GRANT INSERT, UPDATE ON hub.gold TO {REVIEWER_ROLE};
"""


def _statements(script: str) -> list[str]:
    """Split the schema at ``;`` ending a line outside ``$$`` bodies."""
    out: list[str] = []
    current: list[str] = []
    inside = False
    for line in script.splitlines():
        if line.strip().startswith("--") and not inside:
            continue
        current.append(line)
        inside ^= line.count("$$") % 2 == 1
        if not inside and line.rstrip().endswith(";"):
            out.append("\n".join(current).strip())
            current = []
    if "\n".join(current).strip():
        out.append("\n".join(current).strip())
    return out


@dataclass
class HubInfo:
    id: str
    version: int
    members: dict[str, str]  # role -> annotator


def _group_roles(cur: Any) -> None:
    for role in (MEMBER_ROLE, REVIEWER_ROLE):
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE ROLE "{role}" NOLOGIN')
    cur.execute(f'GRANT "{MEMBER_ROLE}" TO "{REVIEWER_ROLE}"')


def init_hub(url: str) -> HubInfo:
    """Create the hub's schema, group roles and policies in the database at ``url`` (connect as
    its owner or a superuser). A hub that is already set up is left as it is."""
    psycopg = _psycopg()
    with connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'hub'")
        if cur.fetchone() is None:
            try:
                _group_roles(cur)
                for statement in _statements(_SCHEMA):
                    cur.execute(statement)
                cur.execute(
                    "INSERT INTO hub.meta (key, value) VALUES ('id', %s), ('version', %s)",
                    (str(uuid.uuid4()), str(HUB_SCHEMA_VERSION)),
                )
                db = cur.execute("SELECT current_database()").fetchone()
                assert db is not None
                cur.execute(
                    psycopg.sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                        psycopg.sql.Identifier(db[0]), psycopg.sql.Identifier(MEMBER_ROLE)
                    )
                )
            except psycopg.errors.InsufficientPrivilege as exc:
                raise HubError(
                    f"{redact(url)}: cannot set up the hub ({_first_line(exc)}); connect as the "
                    "database's owner with the right to create roles"
                ) from None
        conn.commit()
    return hub_info(url)


def hub_info(url: str) -> HubInfo:
    with connect(url) as conn:
        return read_info(conn, url)


def read_info(conn: psycopg.Connection[Any], url: str) -> HubInfo:
    psycopg = _psycopg()
    try:
        with conn.cursor() as cur:
            meta = dict(cur.execute("SELECT key, value FROM hub.meta").fetchall())
            members = dict(cur.execute("SELECT role, annotator FROM hub.members").fetchall())
    except psycopg.errors.UndefinedTable:
        conn.rollback()
        raise HubError(
            f"{redact(url)}: not an annotator hub (no hub schema); set it up with "
            "`annotator hub init URL`"
        ) from None
    version = int(meta.get("version", "0"))
    if version != HUB_SCHEMA_VERSION:
        raise HubError(
            f"{redact(url)}: hub schema {version}, this annotator speaks {HUB_SCHEMA_VERSION}"
        )
    return HubInfo(id=meta["id"], version=version, members=members)


def role_for(name: str) -> str:
    """A login role name for an annotator name: lower case letters, digits and ``_``."""
    slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "annotator"
    if slug[0].isdigit():
        slug = "a_" + slug
    return slug[:63]


@dataclass
class NewMember:
    annotator: str
    role: str
    password: str | None
    reviewer: bool


def add_member(
    url: str,
    annotator: str,
    *,
    role: str | None = None,
    reviewer: bool = False,
    password: str | None = None,
) -> NewMember:
    """Create (or update) the login role of an annotator and map it to the annotator's name.

    A new role gets ``password`` or a random one (returned, to be passed on to the person).
    ``reviewer`` makes the role a member of the reviewer role as well. An annotator name that is
    already mapped to another role is an error: a name is one person."""
    psycopg = _psycopg()
    sql = psycopg.sql
    role = role or role_for(annotator)
    with connect(url) as conn, conn.cursor() as cur:
        read_info(conn, url)
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
        row = cur.execute(
            "SELECT role FROM hub.members WHERE annotator = %s", (annotator,)
        ).fetchone()
        if row is not None and row[0] != role:
            raise HubError(f"annotator {annotator!r} already logs in as role {row[0]!r}")
        row = cur.execute("SELECT annotator FROM hub.members WHERE role = %s", (role,)).fetchone()
        if row is not None and row[0] != annotator:
            raise HubError(f"role {role!r} is already annotator {row[0]!r}")
        exists = cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        ident = sql.Identifier(role)
        try:
            if exists is None:
                password = password or secrets.token_urlsafe(18)
                cur.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password))
                )
            elif password is not None:
                cur.execute(
                    sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password))
                )
            cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(MEMBER_ROLE), ident))
            if reviewer:
                cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(REVIEWER_ROLE), ident))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise HubError(
                f"{redact(url)}: cannot create the role {role!r} ({_first_line(exc)}); connect "
                "as a role that may create roles"
            ) from None
        cur.execute(
            "INSERT INTO hub.members (role, annotator) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (role, annotator),
        )
        conn.commit()
    return NewMember(annotator, role, password, reviewer)


def sync_url(admin_url: str, member: NewMember) -> str:
    """The URL ``member`` syncs with: the admin's URL with their role and password."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(admin_url)
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    auth = quote(member.role, safe="")
    if member.password is not None:
        auth += ":" + quote(member.password, safe="")
    return urlunsplit((parts.scheme, f"{auth}@{host}{port}", parts.path, parts.query, ""))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
