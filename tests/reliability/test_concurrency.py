"""Two writers on one project file: two annotators at once, a batch ``annotator suggest`` beside
an annotator, and one annotator in two windows (processes) on the same document."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.session import Session
from annotator.store import StaleEditError, Store
from tests.reliability import session_script as script

ROOT = Path(__file__).resolve().parents[2]
STEPS = 250

pytestmark = pytest.mark.slow


def _script(db: Path, annotator: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.session_script", str(db), annotator, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err, err
    assert out.rstrip().endswith("DONE")
    return out


def test_two_annotators_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    script.prepare(db)
    procs = {
        name: _script(db, name, "--steps", str(STEPS), "--seed", "11") for name in ("anna", "ben")
    }
    outputs = {name: _finish(proc) for name, proc in procs.items()}

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for name, out in outputs.items():
            acked = script.acks(out)
            assert len(acked) == STEPS
            assert script.check_consistent(conn, name, acked) == STEPS
        results = {name: script.stored(conn, name) for name in outputs}
    finally:
        conn.close()
    # Each annotator's work is exactly what the same steps give when working alone.
    for name in ("anna", "ben"):
        alone = tmp_path / f"{name}-alone.db"
        script.prepare(alone)
        script.run(alone, name, steps=STEPS, seed=11, resume=False)
        conn = sqlite3.connect(alone)
        try:
            assert script.stored(conn, name) == results[name]
        finally:
            conn.close()


def _model_runs(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        sql = "SELECT count(*) FROM suggestion_runs WHERE origin != 'test-model'"
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_batch_suggest_beside_an_annotator(tmp_path: Path) -> None:
    import spacy

    model = tmp_path / "blank-de"
    spacy.blank("de").to_disk(model)
    db = tmp_path / "project.db"
    script.prepare(db)
    seed_text = (ROOT / "seeds" / "000_3ceaf76258df9ab5.txt").read_text(encoding="utf-8")
    with Store.open(db) as store:
        store.add_documents(
            # Enough documents that the run is still writing when the annotator starts (the
            # event rules take ~1 ms a document).
            Document(id=f"copy-{i}", text=f"{seed_text[:600]}\nKopie {i}")
            for i in range(4000)
        )
        n_docs = store.count_documents()
    suggest = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "annotator.cli",
            "suggest",
            "--db",
            str(db),
            "--model",
            str(model),
            "--events",
            "--quiet",
            "--batch-size",
            "4",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Start annotating once the first batch of suggestions is in, so the two write at once.
    deadline = time.monotonic() + 240
    while _model_runs(db) == 0 and suggest.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    annotator = _script(db, "anna", "--steps", str(2 * STEPS), "--seed", "5")
    out = _finish(annotator)
    s_out, s_err = suggest.communicate(timeout=300)
    assert suggest.returncode == 0, s_err
    assert "locked" not in s_err and "Traceback" not in s_err
    assert "suggested" in s_out

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        acked = script.acks(out)
        assert len(acked) == 2 * STEPS
        script.check_consistent(conn, "anna", acked)
        assert _model_runs(db) == n_docs  # every document got its run, none twice
        # The writes really interleaved: anna decided between the model's first and last batch.
        first, last = conn.execute(
            "SELECT min(created), max(created) FROM suggestion_runs WHERE origin != 'test-model'"
        ).fetchone()
        between = conn.execute(
            "SELECT count(*) FROM history WHERE annotator = 'anna' AND ts > ? AND ts < ?",
            (first, last),
        ).fetchone()[0]
        assert between > 0
        # The model never wrote a decision, and anna's decisions stayed hers.
        origins = {r[0] for r in conn.execute("SELECT DISTINCT annotator FROM decisions")}
        assert origins == {"anna"}
    finally:
        conn.close()


_OTHER_WINDOW = """
import sys
from annotator.store import Store
from annotator.session import Session
with Store.open(sys.argv[1], create=False) as store:
    session = Session(store, "anna")
    state, spans = session.open(sys.argv[2])
    session.execute(session.add(sys.argv[2], 0, 3, "ORG"))
print("written")
"""


def test_same_annotator_in_two_processes_gets_a_stale_edit_error(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    doc_id = script.prepare(db)[0]
    with Store.open(db) as store:
        session = Session(store, "anna")
        _state, spans = session.open(doc_id)
        target = next(s for s in spans if s.start > 3)
        first = session.accept(doc_id, target)
        # The other window (another process) writes to the same document after we read it.
        other = subprocess.run(
            [sys.executable, "-c", _OTHER_WINDOW, str(db), doc_id],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert other.returncode == 0, other.stderr
        with pytest.raises(StaleEditError, match="changed for anna elsewhere"):
            session.execute(first)
        # Nothing of ours was written, the other window's write is intact.
        assert [(s.start, s.end, s.label) for s in store.decisions(doc_id, "anna")] == [
            (0, 3, "ORG")
        ]
        # After a reload the same edit goes through, on top of the other one.
        session.open(doc_id)
        assert session.execute(session.accept(doc_id, target))
        assert {(s.start, s.end, s.label) for s in store.decisions(doc_id, "anna")} == {
            (0, 3, "ORG"),
            target.key,
        }
        assert store.integrity_check() == "ok"


def test_same_annotator_racing_in_two_processes_overwrites_nothing(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    doc_id = script.prepare(db)[0]
    procs = [
        _script(db, "anna", "--steps", "200", "--seed", str(seed), "--doc", doc_id)
        for seed in (1, 2)
    ]
    outs = [_finish(p) for p in procs]
    acked = [a for out in outs for a in script.acks(out)]
    stale = sum(out.count("STALE ") for out in outs)
    conn = sqlite3.connect(db)
    try:
        # All 400 acknowledged changes are there, each once, and the decisions are what the
        # interleaved history says: no write silently replaced another.
        assert script.check_consistent(conn, "anna", acked, ordered=False) == 400
    finally:
        conn.close()
    assert stale >= 1, "the two processes never collided"
    stale_lines = [
        json.loads(line[6:])
        for out in outs
        for line in out.splitlines()
        if line.startswith("STALE ")
    ]
    assert all("changed for anna elsewhere" in s["error"] for s in stale_lines)
