"""Who may do what on the hub, tested by trying: connected as one annotator, writing another's
work, gold without the reviewer role, history rewrites, a text under a wrong hash: refused by
PostgreSQL itself (roles and row-level security), not by the desktop."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from annotator.cli import main
from annotator.model import content_hash
from annotator.store import Store
from annotator.store.hub import HubError, add_member, hub_info, init_hub
from annotator.store.sync import Sync, canonical, digest, sync
from tests.hub.helpers import annotate, corpus, desktop, member_url
from tests.hub.pg_server import Server

TEXT = "Anna traf Ben in Minsk."
WORK = canonical({"decisions": [], "state": ["done", False, ""], "arguments": []})


@pytest.fixture
def team(hub: str) -> dict[str, str]:
    """URLs of anna, ben (annotators) and rita (reviewer); one document and ben's work on it."""
    urls = {
        "anna": member_url(hub, "anna"),
        "ben": member_url(hub, "ben"),
        "rita": member_url(hub, "rita", reviewer=True),
    }
    with psycopg.connect(urls["ben"], autocommit=True) as ben:
        ben.execute(
            "INSERT INTO hub.documents (hash, id, text, added_by, seq) VALUES (%s, 'd1', %s, "
            "'ben', 0)",
            (content_hash(TEXT), TEXT),
        )
        ben.execute(
            "INSERT INTO hub.work (doc_hash, annotator, content, digest, revision, seq, updated) "
            "VALUES (%s, 'ben', %s, %s, 0, 0, now())",
            (content_hash(TEXT), WORK, digest(WORK)),
        )
    return urls


def _refused(url: str, sql: str, params: tuple[object, ...] = ()) -> str:
    with psycopg.connect(url, autocommit=True) as conn, pytest.raises(psycopg.Error) as info:
        conn.execute(sql, params)
    return str(info.value)


def _ben_row(hub: str) -> tuple[object, ...]:
    with psycopg.connect(hub) as conn:
        row = conn.execute(
            "SELECT content, digest, revision FROM hub.work WHERE annotator = 'ben'"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_an_annotator_cannot_insert_or_rewrite_another_annotators_work(
    hub: str, team: dict[str, str]
) -> None:
    before = _ben_row(hub)
    h = content_hash(TEXT)
    forged = canonical({"decisions": [], "state": ["skipped", True, "forged"], "arguments": []})
    message = _refused(
        team["anna"],
        "INSERT INTO hub.work (doc_hash, annotator, content, digest, revision, seq, updated) "
        "VALUES (%s, 'ben', %s, %s, 0, 0, now()) ON CONFLICT (doc_hash, annotator) DO UPDATE "
        "SET content = excluded.content",
        (h, forged, digest(forged)),
    )
    assert "row-level security" in message
    # an UPDATE of ben's row finds nothing to update (his rows are not anna's to change) ...
    with psycopg.connect(team["anna"], autocommit=True) as anna:
        cur = anna.execute("UPDATE hub.work SET content = %s WHERE annotator = 'ben'", (forged,))
        assert cur.rowcount == 0
        # ... and she cannot hand her own row over to him either
        anna.execute(
            "INSERT INTO hub.work (doc_hash, annotator, content, digest, revision, seq, updated) "
            "VALUES (%s, 'anna', %s, %s, 0, 0, now())",
            (h, WORK, digest(WORK)),
        )
    assert "row-level security" in _refused(
        team["anna"], "UPDATE hub.work SET annotator = 'ben' WHERE annotator = 'anna'"
    )
    assert "permission denied" in _refused(team["anna"], "DELETE FROM hub.work")
    assert _ben_row(hub) == before
    # and the gold: only a reviewer, under their own name
    gold = canonical({"spans": [], "arguments": [], "review": None})
    insert_gold = (
        "INSERT INTO hub.gold (doc_hash, reviewer, content, digest, revision, seq, updated) "
        "VALUES (%s, %s, %s, %s, 0, 0, now())"
    )
    assert "permission denied" in _refused(team["anna"], insert_gold, (h, "anna", gold, "x"))
    assert "row-level security" in _refused(team["rita"], insert_gold, (h, "anna", gold, "x"))
    with psycopg.connect(team["rita"], autocommit=True) as rita:
        rita.execute(insert_gold, (h, "rita", gold, digest(gold)))


def test_history_is_append_only_and_each_adds_only_their_own(
    hub: str, team: dict[str, str]
) -> None:
    h = content_hash(TEXT)
    add = (
        "INSERT INTO hub.history (seq, doc_hash, annotator, ts, action, before, after) "
        "VALUES (0, %s, %s, '2026-01-01T00:00:00', %s, '[]', '[]')"
    )
    assert "row-level security" in _refused(team["anna"], add, (h, "ben", "add"))
    assert "row-level security" in _refused(team["anna"], add, (h, "anna", "gold: accept"))
    with psycopg.connect(team["anna"], autocommit=True) as anna:
        anna.execute(add, (h, "anna", "add"))
    with psycopg.connect(team["rita"], autocommit=True) as rita:
        rita.execute(add, (h, "rita", "gold: accept"))
    assert "permission denied" in _refused(team["anna"], "UPDATE hub.history SET action = 'x'")
    assert "permission denied" in _refused(team["rita"], "DELETE FROM hub.history")


def test_documents_must_hash_to_their_content_and_never_change(
    hub: str, team: dict[str, str]
) -> None:
    wrong = "Ein anderer Text."
    message = _refused(
        team["anna"],
        "INSERT INTO hub.documents (hash, id, text, added_by, seq) VALUES (%s, 'x', %s, 'anna', 0)",
        (content_hash(TEXT + "!"), wrong),
    )
    assert "check constraint" in message
    assert "permission denied" in _refused(team["anna"], "UPDATE hub.documents SET text = 'x'")


def test_a_role_cannot_pose_as_another_or_change_the_members(
    hub: str, team: dict[str, str]
) -> None:
    assert "permission denied" in _refused(
        team["anna"], "INSERT INTO hub.members (role, annotator) VALUES ('anna2', 'ben')"
    )
    assert "permission denied" in _refused(team["anna"], "SET ROLE ben")
    with psycopg.connect(team["anna"], autocommit=True) as anna:
        row = anna.execute("SELECT hub.me(), hub.is_reviewer()").fetchone()
    assert row == ("anna", False)


def test_a_desktop_pushing_another_annotators_work_is_refused(
    hub: str, team: dict[str, str], tmp_path: Path
) -> None:
    docs = corpus(4)
    store = desktop(tmp_path / "anna.db", docs)
    annotate(store, "ben", [d.id for d in docs], seed=1)  # ben worked on anna's desktop
    annotate(store, "anna", [d.id for d in docs[:2]], seed=2)
    report = sync(store, team["anna"])  # a sync pushes anna's only, and says so
    assert report.pushed["work"] == 2
    assert any("ben's work on 4 document(s) is not on the hub" in n for n in report.notes)
    before = _ben_row(hub)
    with psycopg.connect(team["anna"]) as conn:
        forced = Sync(store, conn, team["anna"])
        with pytest.raises(HubError, match="refused ben's work from anna"):
            forced.push_work("ben")
    assert _ben_row(hub) == before
    with psycopg.connect(hub) as conn:
        counts = dict(
            conn.execute("SELECT annotator, count(*) FROM hub.work GROUP BY 1").fetchall()
        )
    assert counts == {"anna": 2, "ben": 1}


def test_a_role_that_is_not_a_member_and_an_unset_hub_are_clear_errors(
    hub_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(tmp_path / "p.db")
    with pytest.raises(HubError, match="not an annotator hub"):
        sync(store, hub_db)
    init_hub(hub_db)
    init_hub(hub_db)  # twice: nothing changes
    info = hub_info(hub_db)
    with pytest.raises(HubError, match="is not an annotator of this hub"):
        sync(store, hub_db)  # the owner is nobody's annotator
    new = add_member(hub_db, "Zoë Müller", password="s3cret")
    assert new.role == "zo_m_ller" and hub_info(hub_db).members == {"zo_m_ller": "Zoë Müller"}
    assert hub_info(hub_db).id == info.id
    with pytest.raises(HubError, match="already logs in as role"):
        add_member(hub_db, "Zoë Müller", role="other")
    bad = hub_db.replace("admin-secret", "wrong")
    assert main(["sync", bad, "--db", str(tmp_path / "p.db")]) == 2
    err = capsys.readouterr().err
    assert "cannot connect to the hub" in err and "wrong" not in err  # the password stays out


def test_the_readmes_setup_with_plain_commands_and_an_owner_who_is_no_superuser(
    pg: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute("CREATE ROLE teamowner LOGIN CREATEROLE PASSWORD 'owner-pw'")
        conn.execute("CREATE DATABASE team OWNER teamowner")
    owner = pg.url(role="teamowner", password="owner-pw", db="team")
    assert main(["hub", "init", owner]) == 0
    assert "ready" in capsys.readouterr().out
    urls = {}
    for name, extra in (("olga", []), ("rolf", ["--reviewer"])):
        assert main(["hub", "add-annotator", owner, name, *extra]) == 0
        out = capsys.readouterr().out
        assert "owner-pw" not in out
        urls[name] = out.split("annotator sync ", 1)[1].split()[0]  # the URL it printed
    store = desktop(tmp_path / "olga.db", corpus(3))
    annotate(store, "olga", ["doc000001"], seed=4)
    store.close()
    assert main(["sync", urls["olga"], "--db", str(tmp_path / "olga.db"), "--quiet"]) == 0
    assert "synced as olga: pushed 3 document(s), 1 work" in capsys.readouterr().out
    with psycopg.connect(urls["rolf"], autocommit=True) as rolf:
        assert rolf.execute("SELECT hub.me(), hub.is_reviewer()").fetchone() == ("rolf", True)
        assert rolf.execute("SELECT count(*) FROM hub.work").fetchone() == (1,)
