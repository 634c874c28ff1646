"""Crash safety: a real ``annotator import`` and a scripted annotation session, each killed with
SIGKILL at random moments, leave a sound project, and rerunning finishes the job."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability import session_script as script

ROOT = Path(__file__).resolve().parents[2]
N_DOCS = 20_000
N_STEPS = 600

pytestmark = pytest.mark.slow


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _corpus(path: Path) -> dict[str, str]:
    """20,000 short documents with distinct texts, some with astral characters and CRLF."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N_DOCS):
            seed = seeds[i % len(seeds)]
            start = (i * 37) % (len(seed) - 400)
            text = f"{seed[start : start + 300]}\r\nKopie {i} 🇩🇪 𝔄"
            texts[f"doc-{i:05d}"] = text
            fh.write(json.dumps({"id": f"doc-{i:05d}", "text": text}, ensure_ascii=False) + "\n")
    return texts


def _import(corpus: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "import", str(corpus), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _documents(db: Path) -> dict[str, tuple[str, str, int]]:
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "documents" not in tables:
            return {}
        return {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute("SELECT id, text, hash, length FROM documents")
        }
    finally:
        conn.close()


def test_import_killed_at_random_moments_is_all_or_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    texts = _corpus(corpus)
    # One uninterrupted run tells how long an import takes here, so the kills land inside it.
    started = time.monotonic()
    full = _import(corpus, tmp_path / "reference.db")
    assert full.wait(timeout=120) == 0, full.stderr.read() if full.stderr else ""
    duration = time.monotonic() - started

    rng = random.Random(8)
    killed_while_running = 0
    outcomes = []
    for run in range(5):
        db = tmp_path / f"killed-{run}.db"
        proc = _import(corpus, db)
        time.sleep(rng.uniform(0.2, 1.15) * duration)
        if proc.poll() is None:
            killed_while_running += 1
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if db.exists() and db.stat().st_size > 0:
            assert _integrity(db) == "ok"
        docs = _documents(db) if db.exists() else {}
        outcomes.append(len(docs))
        assert len(docs) in (0, N_DOCS), f"half an import: {len(docs)} documents"

        rerun = _import(corpus, db)
        _out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        assert "Traceback" not in err
        assert _integrity(db) == "ok"
        docs = _documents(db)
        assert len(docs) == N_DOCS
        for doc_id, text in texts.items():
            stored_text, hash_, length = docs[doc_id]
            assert stored_text == text
            assert length == len(text)
            assert hash_ == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # Otherwise the test proved nothing about interrupted imports.
    assert killed_while_running >= 3, (outcomes, duration)


def _session(db: Path, *, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.session_script",
            str(db),
            "anna",
            "--steps",
            str(N_STEPS),
            "--seed",
            str(seed),
            "--resume",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_annotation_session_killed_at_random_moments_loses_no_acknowledged_decision(
    tmp_path: Path,
) -> None:
    seed = 3
    reference = tmp_path / "reference.db"
    script.prepare(reference)
    assert script.run(reference, "anna", steps=N_STEPS, seed=seed, resume=False) == 0
    conn = sqlite3.connect(reference)
    want = script.stored(conn, "anna")
    conn.close()

    db = tmp_path / "project.db"
    script.prepare(db)
    rng = random.Random(seed)
    acknowledged: list[dict[str, object]] = []
    cut_short = 0
    for _ in range(4):
        proc = _session(db, seed=seed)
        # Kill after a random number of acknowledged steps (plus a random few milliseconds, so
        # the kill lands anywhere inside the next step), not after a wall-clock delay: on a fast
        # machine a delay can outlast the whole script.
        assert proc.stdout is not None
        seen: list[str] = []
        for _ in range(rng.randint(5, 80)):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
        time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is None:
            cut_short += 1
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        acknowledged += script.acks("".join(seen) + out)
        assert _integrity(db) == "ok"
        conn = sqlite3.connect(db)
        try:
            script.check_consistent(conn, "anna", acknowledged)  # type: ignore[arg-type]
        finally:
            conn.close()
    assert cut_short >= 2, "the kills came after the script had finished"
    assert acknowledged, "nothing was acknowledged before the kills"

    proc = _session(db, seed=seed)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("DONE")
    acknowledged += script.acks(out)
    conn = sqlite3.connect(db)
    try:
        assert script.check_consistent(conn, "anna", acknowledged) == N_STEPS  # type: ignore[arg-type]
        # The resumed runs end exactly where one uninterrupted run ends.
        assert script.stored(conn, "anna") == want
    finally:
        conn.close()
    assert _integrity(db) == "ok"
