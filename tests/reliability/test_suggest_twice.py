"""Two ``annotator suggest`` runs at the same moment share the documents: each document is done and
reported by one of them, and a run killed mid-way leaves no claim that blocks the next."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.store import CLAIM_PREFIX, Store

ROOT = Path(__file__).resolve().parents[2]
N_DOCS = 6000

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path, int]:
    import spacy

    model = tmp_path / "blank-de"
    spacy.blank("de").to_disk(model)
    seed = (ROOT / "seeds" / "000_3ceaf76258df9ab5.txt").read_text(encoding="utf-8")
    db = tmp_path / "project.db"
    with Store.open(db) as store:
        store.add_documents(
            Document(id=f"copy-{i}", text=f"{seed[(i * 7) % 900 :][:500]}\nKopie {i}")
            for i in range(N_DOCS)
        )
        n = store.count_documents()
    return db, model, n


def _suggest(db: Path, model: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "annotator.cli", "suggest", "--db", str(db)),
            *("--model", str(model), "--events", "--quiet"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _reported(out: str) -> tuple[int, int]:
    m = re.search(r"suggested (\d+) span\(s\) in (\d+) document\(s\)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def _runs(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        runs, spans = conn.execute(
            "SELECT count(*), coalesce(sum(n_spans), 0) FROM suggestion_runs"
        ).fetchone()
        stored = conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        claims = conn.execute(
            "SELECT count(*) FROM project WHERE key LIKE ?", (CLAIM_PREFIX + "%",)
        ).fetchone()[0]
        assert spans == stored
        return int(runs), int(stored), int(claims)
    finally:
        conn.close()


def test_two_suggest_runs_at_once_share_the_documents(project: tuple[Path, Path, int]) -> None:
    db, model, n = project
    first, second = _suggest(db, model), _suggest(db, model)
    outs = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err
        outs.append(_reported(out))
    runs, stored, claims = _runs(db)
    assert runs == n and claims == 0
    # Each document done and reported once: the two reports add up to the corpus, not twice it.
    assert sum(docs for _, docs in outs) == n
    assert sum(spans for spans, _ in outs) == stored
    assert all(docs > 0 for _, docs in outs), outs  # both worked (they ran at the same time)


def test_a_killed_run_leaves_no_claim_in_the_way(project: tuple[Path, Path, int]) -> None:
    db, model, n = project
    proc = _suggest(db, model)
    deadline = time.monotonic() + 300
    while _runs(db)[0] == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    done, _, claims = _runs(db)
    assert claims == 1 and done < n  # killed mid-way, holding a claim
    again = _suggest(db, model)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert _reported(out)[1] == n - done
    assert _runs(db)[0] == n and _runs(db)[2] == 0
