"""``annotator suggest --dask``: on a real local Dask cluster (two worker processes), the stored
suggestions equal a local run's, a run stopped half-way resumes, a finished corpus adds nothing,
and the store is written only by the client process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import distributed  # the [dask] extra, installed by make setup: missing, these fail (never skip)
import pytest

from annotator import cli
from annotator.corpus import import_paths
from annotator.errors import UserError
from annotator.store import CLAIM_PREFIX, Store
from annotator.suggest import RuleSuggester, builtin_suggester
from annotator.suggest.batch import suggest_corpus
from annotator.suggest.dask_batch import Scheduler, parse_scheduler, run_on_client

N_DOCS = 30
CLAIM_KEYS_SQL = f"SELECT key FROM project WHERE key LIKE '{CLAIM_PREFIX}%'"


class Stop(Exception):
    pass


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _corpus(tmp_path: Path, seeds_dir: Path, name: str, n: int = N_DOCS) -> Store:
    seeds = sorted(seeds_dir.glob("*.txt"))
    lines = [
        json.dumps({"id": f"d{i:02d}", "text": f"{seeds[i % len(seeds)].read_text()}\nKopie {i}"})
        for i in range(n)
    ]
    src = tmp_path / f"{name}.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store.open(tmp_path / f"{name}.db")
    import_paths(store, [src])
    return store


def _stored(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every stored suggestion row, per document id, as the project file holds it."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for row in store.db.conn.execute(
        'SELECT doc_id, origin, version, start, "end", label, kind, score FROM suggestions '
        'ORDER BY doc_id, origin, start, "end", label'
    ):
        out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def test_the_built_in_model_on_the_cluster_stores_what_a_local_run_stores(
    client: object, tmp_path: Path, seeds_dir: Path
) -> None:
    n = 10
    local = _corpus(tmp_path, seeds_dir, "local", n)
    remote = _corpus(tmp_path, seeds_dir, "remote", n)
    suggester = builtin_suggester(scheme=local.scheme)
    expected = suggest_corpus(local, suggester)
    seen: list[int] = []
    report = run_on_client(client, remote, suggester, chunk_size=3, progress=seen.append)
    assert report.documents == expected.documents == n
    assert report.spans == expected.spans > 0
    assert sorted(seen) == [1, 3, 3, 3]  # progress after each chunk, in any order
    assert _stored(remote) == _stored(local)
    assert remote.db.conn.execute(CLAIM_KEYS_SQL).fetchall() == []  # every claim released


def test_a_stopped_run_resumes_and_a_finished_corpus_adds_nothing(
    client: object, tmp_path: Path, seeds_dir: Path
) -> None:
    local, remote = _corpus(tmp_path, seeds_dir, "local"), _corpus(tmp_path, seeds_dir, "remote")
    rules = RuleSuggester(scheme=local.scheme)
    suggest_corpus(local, rules)
    done: list[int] = []

    def stop_after_two_chunks(n: int) -> None:
        done.append(n)
        if len(done) == 2:
            raise Stop

    with pytest.raises(Stop):
        run_on_client(client, remote, rules, chunk_size=5, progress=stop_after_two_chunks)
    first = remote.count_documents() - remote.count_documents_without_run(rules.name, rules.version)
    assert first == sum(done) == 10  # two chunks committed, nothing of the chunks in flight
    assert remote.db.conn.execute(CLAIM_KEYS_SQL).fetchall() == []
    rest = run_on_client(client, remote, rules, chunk_size=5)
    assert (rest.documents, rest.already) == (N_DOCS - first, first)
    assert _stored(remote) == _stored(local)
    again = run_on_client(client, remote, rules, chunk_size=5)
    assert (again.documents, again.spans, again.already) == (0, 0, N_DOCS)
    assert _stored(remote) == _stored(local)


def test_the_cli_runs_a_local_cluster(tmp_path: Path, seeds_dir: Path, capsys) -> None:
    _corpus(tmp_path, seeds_dir, "local", 4).close()
    _corpus(tmp_path, seeds_dir, "remote", 4).close()
    assert cli.main(["suggest", "--db", str(tmp_path / "local.db"), "--quiet"]) == 0
    args = ["suggest", "--db", str(tmp_path / "remote.db"), "--dask", "local:1", "--quiet"]
    assert cli.main(args) == 0
    assert "in 4 document(s)" in capsys.readouterr().out
    with Store.open(tmp_path / "local.db") as a, Store.open(tmp_path / "remote.db") as b:
        assert _stored(a) == _stored(b) != {}


def test_scheduler_parsing() -> None:
    assert parse_scheduler("local:3") == Scheduler(local_workers=3)
    assert parse_scheduler(" tcp://10.0.0.5:8786 ") == Scheduler(address="tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:x", "local:", "  "):
        with pytest.raises(UserError):
            parse_scheduler(bad)


def test_dask_and_n_process_are_refused_together(tmp_path: Path, capsys) -> None:
    Store.open(tmp_path / "p.db").close()
    args = ["suggest", "--db", str(tmp_path / "p.db"), "--dask", "local:2", "--n-process", "2"]
    assert cli.main(args) != 0
    assert "--dask and --n-process" in capsys.readouterr().err


def test_a_running_scheduler_is_reached_by_its_address(
    client: distributed.Client, tmp_path: Path, seeds_dir: Path
) -> None:
    from annotator.suggest.dask_batch import suggest_corpus_dask

    local = _corpus(tmp_path, seeds_dir, "local", 6)
    remote = _corpus(tmp_path, seeds_dir, "remote", 6)
    rules = RuleSuggester(scheme=local.scheme)
    suggest_corpus(local, rules)
    address = Scheduler(address=client.scheduler.address)
    report = suggest_corpus_dask(remote, rules, address, chunk_size=2)
    assert report.documents == 6
    assert _stored(remote) == _stored(local) != {}
