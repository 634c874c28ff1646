"""``annotator sync`` against a real PostgreSQL server: desktops syncing interleaved and at once,
nothing lost or duplicated, the agreement a file merge gives, a re-sync that changes nothing, a
sync killed half-way that converges, clashes kept on both sides, gold from reviewers."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from annotator.merge import merge
from annotator.model import Document, Span, SpanKind, SpanStatus
from annotator.review.agreement import agreement
from annotator.store import Store
from annotator.store.sync import sync
from tests.hub.helpers import annotate, corpus, desktop, everyone_work, history_rows, member_url

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from annotator.cli import main; sys.exit(main())"


def _hub_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM hub.{table}").fetchone()[0])  # type: ignore[index]
            for table in ("documents", "work", "gold", "history")
        } | {"seq": int(conn.execute("SELECT last_value FROM hub.change_seq").fetchone()[0])}  # type: ignore[index]


def _team(
    hub: str, tmp_path: Path, n: int, shared: list[Document]
) -> tuple[list[Store], list[Store], list[str]]:
    """``n`` desktops (annotator ``a00``... each) with the shared corpus and one document of
    their own whose id clashes with the others' (``extra``); and a shadow file of each that
    gets the same work but never syncs (for the file merge to compare with)."""
    desktops, shadows, urls = [], [], []
    for k in range(n):
        own = Document(id="extra", text=f"Rechner {k}: nur hier gibt es diesen Text.")
        desktops.append(desktop(tmp_path / f"d{k:02d}.db", [*shared, own]))
        shadows.append(desktop(tmp_path / f"shadow{k:02d}.db", [*shared, own]))
        urls.append(member_url(hub, f"a{k:02d}"))
    return desktops, shadows, urls


def _work_round(
    desktops: list[Store], shadows: list[Store], shared: list[Document], rnd: int, per: int
) -> int:
    made = 0
    for k, (store, shadow) in enumerate(zip(desktops, shadows, strict=True)):
        rng = random.Random(1000 * rnd + k)
        ids = [d.id for d in rng.sample(shared, per)] + (["extra"] if rnd == 0 else [])
        seed = 7919 * rnd + k
        made += annotate(store, f"a{k:02d}", ids, seed=seed)
        annotate(shadow, f"a{k:02d}", ids, seed=seed)
    return made


def _sync_all(desktops: list[Store], urls: list[str], *, at_once: bool) -> list[bool]:
    if not at_once:
        order = list(range(len(desktops)))
        random.Random(len(order)).shuffle(order)
        return [sync(desktops[k], urls[k]).changed for k in order]
    with ThreadPoolExecutor(max_workers=len(desktops)) as pool:
        return list(pool.map(lambda k: sync(desktops[k], urls[k]).changed, range(len(desktops))))


def _merged(tmp_path: Path, shadows: list[Store]) -> Store:
    """What `annotator merge` of every desktop's own file gives."""
    merged = Store.open(tmp_path / "merged.db")
    for shadow in shadows:
        shadow.close()
    merge(merged, [tmp_path / f"shadow{k:02d}.db" for k in range(len(shadows))])
    return merged


def _check_converged(desktops: list[Store], merged: Store) -> None:
    expected_work = everyone_work(merged)
    expected_agreement = agreement(merged).as_dict()
    first_history = history_rows(desktops[0])
    for store in desktops:
        assert everyone_work(store) == expected_work  # nothing lost, nothing more
        assert agreement(store).as_dict() == expected_agreement
        assert history_rows(store) == first_history
        hashes = [r[0] for r in store.db.conn.execute("SELECT hash FROM documents")]
        assert sorted(hashes) == sorted(
            r[0] for r in merged.db.conn.execute("SELECT hash FROM documents")
        )
    # every history entry exactly once: as many as the annotators wrote, each on their desktop
    own = sum(
        int(
            store.db.conn.execute(
                "SELECT count(*) FROM history WHERE annotator = ?", (f"a{k:02d}",)
            ).fetchone()[0]
        )
        for k, store in enumerate(desktops)
    )
    assert len(first_history) == own == len(set(first_history))


def test_two_desktops_syncing_interleaved_with_their_work(hub: str, tmp_path: Path) -> None:
    shared = corpus(300)
    two, shadows, urls = _team(hub, tmp_path, 2, shared)
    for rnd in range(3):
        _work_round(two, shadows, shared, rnd, per=60)
        _sync_all(two, urls, at_once=False)
    _sync_all(two, urls, at_once=False)  # the last round's work of the first reaches the other
    _check_converged(two, _merged(tmp_path, shadows))
    before = _hub_counts(hub)
    assert before["work"] == len(everyone_work(two[0]))
    assert _sync_all(two, urls, at_once=False) == [False, False]  # a re-sync changes nothing
    assert _hub_counts(hub) == before


PER = 12
"""Documents each of the twenty annotates per round."""


def test_twenty_desktops_syncing_at_the_same_moment(hub: str, tmp_path: Path) -> None:
    shared = corpus(150, seed=20)
    many, shadows, urls = _team(hub, tmp_path, 20, shared)
    for rnd in range(2):  # work, then all twenty sync at once (threads), twice
        _work_round(many, shadows, shared, rnd, per=PER)
        _sync_all(many, urls, at_once=True)
    _sync_all(many, urls, at_once=True)
    _check_converged(many, _merged(tmp_path, shadows))
    counts = _hub_counts(hub)
    units = sum(len(s.documents_with_work(f"a{k:02d}")) for k, s in enumerate(many))
    assert counts["work"] == len(everyone_work(many[0])) == units > 20 * PER
    assert _sync_all(many, urls, at_once=True) == [False] * 20
    assert _hub_counts(hub) == counts


def test_agreement_after_sync_equals_a_file_merge(hub: str, tmp_path: Path) -> None:
    shared = corpus(120, seed=3)
    desktops, shadows, urls = _team(hub, tmp_path, 4, shared)
    for rnd in range(2):
        _work_round(desktops, shadows, shared, rnd, per=70)  # overlapping: agreement to compute
        _sync_all(desktops, urls, at_once=True)
    _sync_all(desktops, urls, at_once=True)
    merged = _merged(tmp_path, shadows)
    report = agreement(merged)
    assert report.documents > 10 and len(report.annotators) == 4
    _check_converged(desktops, merged)


def test_the_same_annotator_on_two_desktops_clashes_instead_of_overwriting(
    hub: str, tmp_path: Path
) -> None:
    docs = corpus(5)
    url = member_url(hub, "anna")
    laptop, office = desktop(tmp_path / "l.db", docs), desktop(tmp_path / "o.db", docs)
    annotate(laptop, "anna", ["doc000000"], seed=1)
    sync(laptop, url)
    sync(office, url)  # the office gets the laptop's work
    annotate(laptop, "anna", ["doc000000"], seed=2, done=False)
    annotate(office, "anna", ["doc000000"], seed=3, done=False)
    laptop_work, office_work = everyone_work(laptop), everyone_work(office)
    assert laptop_work != office_work
    pushed = sync(laptop, url).pushed
    assert pushed["work"] == 1 and pushed["history entries"] == 1  # the second round's add
    report = sync(office, url)
    assert len(report.clashes) == 2  # pushing refused, pulling kept its own
    assert everyone_work(office) == office_work
    assert "work" not in sync(laptop, url).pulled  # the laptop keeps its own work as well
    assert everyone_work(laptop) == laptop_work


def test_gold_goes_from_a_reviewer_to_everyone_with_its_history(hub: str, tmp_path: Path) -> None:
    docs = corpus(3)
    rita = member_url(hub, "rita", reviewer=True)
    anna = member_url(hub, "anna")
    review, desk = desktop(tmp_path / "r.db", docs), desktop(tmp_path / "a.db", docs)
    gold = Span(start=0, end=4, label="MISC", kind=SpanKind.ENTITY, status=SpanStatus.ACCEPTED)
    review.replace_gold("doc000001", "rita", add=[gold], action="accept")
    review.set_review_state("doc000001", "rita", "reviewed")
    desk.replace_gold("doc000002", "anna", add=[gold], action="accept")  # anna is no reviewer
    assert sync(review, rita).pushed == {"document(s)": 3, "gold": 1, "history entries": 2}
    report = sync(desk, anna)
    assert "gold" not in report.pushed
    assert any("not a reviewer" in note for note in report.notes)
    assert report.pulled["gold"] == 1
    assert [s.key for s in desk.gold_spans("doc000001")] == [gold.key]
    assert desk.review_state("doc000001") == ("reviewed", "rita")
    assert [h["action"] for h in desk.history("doc000001")] == [
        "gold: accept",
        "gold: mark reviewed",
    ]
    assert [s.key for s in desk.gold_spans("doc000002")] == [gold.key]  # her own stays here


def test_a_killed_sync_converges_when_run_again(hub: str, tmp_path: Path) -> None:
    docs = corpus(1500, seed=5)
    url = member_url(hub, "anna")
    path = tmp_path / "anna.db"
    store = desktop(path, docs)
    annotate(store, "anna", [d.id for d in docs], seed=9)
    store.close()
    shutil.copy(path, tmp_path / "copy.db")  # the same desktop, for what a clean sync gives
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CLI, "sync", url, "--db", str(path), "--batch", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    seen = []
    for line in child.stdout:
        seen.append(line)
        if "pushed work" in line:
            child.send_signal(signal.SIGKILL)  # mid-push: later batches not yet sent
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, seen
    half = _hub_counts(hub)
    assert 0 < half["work"] < len(docs)
    with Store.open(path) as again:
        report = sync(again, url)
        assert report.pushed["work"] == len(docs) - half["work"]
        assert not report.clashes
        assert not sync(again, url).changed
        done = _hub_counts(hub)
        assert done["work"] == len(docs) and done["documents"] == len(docs)
        assert done["history"] == len(history_rows(again))  # each entry once
        with Store.open(tmp_path / "copy.db") as clean:
            assert everyone_work(again) == everyone_work(clean)
            assert history_rows(again) == history_rows(clean)


def test_work_that_does_not_fit_is_not_taken_from_the_hub(hub: str, tmp_path: Path) -> None:
    """RLS keeps eve to her own rows, but her rows may still be nonsense: a span past the end of
    its text, a label the scheme lacks, an entity label on an event, a damaged record, a digest
    that lies. None of it is stored; each is one line; her valid work arrives."""
    from annotator.model import content_hash
    from annotator.store.sync import canonical, digest

    docs = corpus(7)
    eve, anna = member_url(hub, "eve"), member_url(hub, "anna")
    mallory = desktop(tmp_path / "eve.db", docs)
    annotate(mallory, "eve", [docs[0].id], seed=1)
    sync(mallory, eve)  # documents and one valid unit
    text = docs[1].text

    def row(start: int, end: int, label: str, kind: str = "entity") -> list[object]:
        return [start, end, label, kind, "accepted", "manual", "", None, "2026-01-01"]

    bad = {
        1: {"decisions": [row(0, len(text) + 5, "PER")], "state": None, "arguments": []},
        2: {"decisions": [row(0, 4, "NOPE")], "state": None, "arguments": []},
        3: {"decisions": [row(0, 4, "PER", "event")], "state": None, "arguments": []},
        4: {"decisions": [[0, 4]], "state": None, "arguments": []},
    }
    with psycopg.connect(eve, autocommit=True) as conn:
        for i, unit in bad.items():
            content = canonical(unit)
            conn.execute(
                "INSERT INTO hub.work (doc_hash, annotator, content, digest, revision, seq, "
                "updated) VALUES (%s, 'eve', %s, %s, 0, 0, now())",
                (content_hash(docs[i].text), content, digest(content)),
            )
        lying = canonical({"decisions": [], "state": None, "arguments": []})
        for i, content, dig in ((5, "{not json", digest("{not json")), (6, lying, "x")):
            conn.execute(
                "INSERT INTO hub.work (doc_hash, annotator, content, digest, revision, seq, "
                "updated) VALUES (%s, 'eve', %s, %s, 0, 0, now())",
                (content_hash(docs[i].text), content, dig),
            )
    store = desktop(tmp_path / "anna.db", docs)
    report = sync(store, anna)
    assert report.pulled["work"] == 1  # eve's valid unit
    assert len(report.refused) == len(bad) + 2
    assert any("ends after the text" in r for r in report.refused)
    assert any("unknown label 'NOPE'" in r for r in report.refused)
    assert any("is an entity label, not event" in r for r in report.refused)
    assert any("span of the wrong shape" in r for r in report.refused)
    assert any("damaged record" in r for r in report.refused)
    assert any("digest does not match" in r for r in report.refused)
    assert store.documents_with_work("eve") == [docs[0].id]
    again = sync(store, anna)
    assert not again.changed and not again.refused  # read once, not again and again
