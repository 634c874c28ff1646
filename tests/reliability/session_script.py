"""A scripted annotator: many decisions through :class:`annotator.session.Session`.

Run as ``python -m tests.reliability.session_script DB ANNOTATOR --steps N --seed S``. After each
command has returned (and so is committed), it prints one acknowledgement line,
``ACK {"step": k, "action": ..., "doc": ..., "remove": [...], "add": [...]}``, and flushes stdout:
what a window would show once the command returned.

Step ``k`` is chosen by a random generator seeded with (seed, annotator, k) from the document's
state, so the same steps on the same state are the same decisions. Every step writes exactly one
history row in the transaction of its change, so ``--resume`` restarts at the step after the last
committed one (the number of this annotator's history rows) and a killed run, resumed, ends where
an uninterrupted run ends.

``--prepare`` builds the project first: the five seed articles plus synthetic model suggestions.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from annotator.corpus import import_paths
from annotator.model import DocStatus, Span, SpanKind
from annotator.session import ChangeSpans, ChangeState, Command, Session
from annotator.store import StaleEditError, Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MODEL = ("test-model", "1")
ENTITY_LABELS = ("PER", "ORG", "LOC", "MISC", "DATE")
EVENT_LABELS = ("MEETING", "VISIT", "PROTEST")
ACTIONS = ("accept", "reject", "add", "relabel", "resize", "delete", "accept_all", "status")


def words(text: str, limit: int = 400) -> list[tuple[int, int]]:
    """Offsets of the first ``limit`` whitespace-separated words (code points)."""
    out: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                out.append((start, i))
                start = None
                if len(out) >= limit:
                    break
        elif start is None:
            start = i
    if start is not None and len(out) < limit:
        out.append((start, len(text)))
    return out


def prepare(path: Path, *, n_suggestions: int = 40) -> list[str]:
    """The five seeds and ``n_suggestions`` deterministic model suggestions per document."""
    with Store.open(path) as store:
        import_paths(store, [SEEDS])
        doc_ids = store.document_ids(limit=5)
        results = []
        for doc_id in doc_ids:
            rng = random.Random(f"suggest:{doc_id}")
            ws = words(store.document(doc_id).text)
            spans = {}
            for start, end in rng.sample(ws, min(n_suggestions, len(ws))):
                label = rng.choice(ENTITY_LABELS)
                spans[(start, end, label)] = Span(
                    start=start, end=end, label=label, kind=SpanKind.ENTITY, score=rng.random()
                )
            results.append((doc_id, list(spans.values())))
        store.save_suggestions(results, origin=MODEL[0], version=MODEL[1])
        return doc_ids


def _label(rng: random.Random) -> str:
    return rng.choice(ENTITY_LABELS + EVENT_LABELS)


def choose(session: Session, doc_id: str, rng: random.Random) -> Command | None:
    """One random action on one document, built from its current state (None: nothing to do)."""
    state, spans = session.open(doc_id)
    text = session.store.document(doc_id).text
    action = rng.choice(ACTIONS)
    span = rng.choice(spans) if spans else None
    if action == "add" or span is None:
        start, end = rng.choice(words(text))
        return session.add(doc_id, start, end, _label(rng))
    if action == "accept":
        return session.accept(doc_id, span)
    if action == "reject":
        return session.reject(doc_id, span)
    if action == "relabel":
        return session.relabel(doc_id, span, _label(rng))
    if action == "resize":
        start = max(0, span.start + rng.randint(-3, 3))
        end = min(len(text), span.end + rng.randint(-3, 3))
        return session.resize(doc_id, span, start, end) if start < end else None
    if action == "delete":
        return session.delete(doc_id, span)
    if action == "accept_all":
        return session.accept_all(doc_id)
    status = rng.choice([s for s in DocStatus if s != state.status])
    return session.set_status(doc_id, status)


def describe(command: Command) -> dict[str, Any]:
    if isinstance(command, ChangeSpans):
        return {
            "action": command.text,
            "doc": command.doc_id,
            "remove": [[s.start, s.end, s.label] for s in command.remove],
            "add": [[s.start, s.end, s.label, s.status.value] for s in command.add],
        }
    assert isinstance(command, ChangeState)
    return {"action": command.text, "doc": command.doc_id, "status": command.after.status.value}


def committed_steps(store: Store, annotator: str) -> int:
    row = store.db.conn.execute(
        "SELECT count(*) FROM history WHERE annotator = ?", (annotator,)
    ).fetchone()
    return int(row[0])


def run(
    db: Path,
    annotator: str,
    *,
    steps: int,
    seed: int,
    resume: bool,
    docs: list[str] | None = None,
    limit_docs: int = 5,
) -> int:
    with Store.open(db, create=False) as store:
        session = Session(store, annotator)
        doc_ids = docs or store.document_ids(limit=limit_docs)
        first = committed_steps(store, annotator) if resume else 0
        for k in range(first, steps):
            rng = random.Random(f"{seed}:{annotator}:{k}")
            while True:
                doc_id = rng.choice(doc_ids)
                command = choose(session, doc_id, rng)
                if command is None:
                    continue
                try:
                    session.execute(command)
                except StaleEditError as exc:
                    # Another window of the same annotator wrote first: say so, reload, go on.
                    print(f"STALE {json.dumps({'step': k, 'doc': doc_id, 'error': str(exc)})}")
                    sys.stdout.flush()
                    continue
                break
            print(f"ACK {json.dumps({'step': k, **describe(command)}, ensure_ascii=False)}")
            sys.stdout.flush()
    print("DONE")
    sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("annotator")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--doc", action="append", help="work on these documents only")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.db)
    return run(
        args.db, args.annotator, steps=args.steps, seed=args.seed, resume=args.resume, docs=args.doc
    )


# ---- checks used by the tests ----------------------------------------------------------------


def acks(stdout: str) -> list[dict[str, Any]]:
    """The acknowledged steps in a (possibly cut off) output: complete ACK lines only."""
    out = []
    for line in stdout.splitlines(keepends=True):
        if line.startswith("ACK ") and line.endswith("\n"):
            out.append(json.loads(line[4:]))
    return out


def history_rows(conn: Any, annotator: str) -> list[dict[str, Any]]:
    keys = ("id", "doc_id", "action", "before", "after")
    rows = conn.execute(
        "SELECT id, doc_id, action, before, after FROM history WHERE annotator = ? ORDER BY id",
        (annotator,),
    ).fetchall()
    out = [dict(zip(keys, r, strict=True)) for r in rows]
    for row in out:
        row["before"] = json.loads(row["before"])
        row["after"] = json.loads(row["after"])
    return out


def matches(ack: dict[str, Any], row: dict[str, Any]) -> bool:
    """Does a history row record exactly the acknowledged change?"""
    if ack["doc"] != row["doc_id"] or ack["action"] != row["action"]:
        return False
    if "status" in ack:
        return bool(row["after"]["status"] == ack["status"])
    removed = [[s["start"], s["end"], s["label"]] for s in row["before"]]
    added = [[s["start"], s["end"], s["label"], s["status"]] for s in row["after"]]
    return removed == ack["remove"] and added == ack["add"]


def replay(
    rows: list[dict[str, Any]],
) -> tuple[dict[str, dict[tuple[int, int, str], str]], dict[str, str]]:
    """Decisions and statuses per document as the history says they must be."""
    spans: dict[str, dict[tuple[int, int, str], str]] = {}
    status: dict[str, str] = {}
    for row in rows:
        doc = spans.setdefault(row["doc_id"], {})
        if isinstance(row["after"], dict):
            status[row["doc_id"]] = row["after"]["status"]
            continue
        # The first touch makes a document in progress; later edits keep its status.
        status.setdefault(row["doc_id"], DocStatus.IN_PROGRESS.value)
        for s in row["before"]:
            doc.pop((s["start"], s["end"], s["label"]), None)
        for s in row["after"]:
            doc[(s["start"], s["end"], s["label"])] = s["status"]
    return spans, status


def stored(
    conn: Any, annotator: str
) -> tuple[dict[str, dict[tuple[int, int, str], str]], dict[str, str]]:
    spans: dict[str, dict[tuple[int, int, str], str]] = {}
    for doc_id, start, end, label, status in conn.execute(
        'SELECT doc_id, start, "end", label, status FROM decisions WHERE annotator = ?',
        (annotator,),
    ):
        spans.setdefault(doc_id, {})[(start, end, label)] = status
    states = dict(
        conn.execute("SELECT doc_id, status FROM doc_states WHERE annotator = ?", (annotator,))
    )
    return spans, states


def revisions_match_history(conn: Any, annotator: str) -> bool:
    """Each write bumps the document's revision once and appends one history row."""
    revisions = dict(
        conn.execute("SELECT doc_id, revision FROM doc_states WHERE annotator = ?", (annotator,))
    )
    counts = dict(
        conn.execute(
            "SELECT doc_id, count(*) FROM history WHERE annotator = ? GROUP BY doc_id",
            (annotator,),
        )
    )
    return revisions == counts


def acks_in_history(rows: list[dict[str, Any]], ack_list: list[dict[str, Any]]) -> bool:
    """Order aside: does each acknowledged change have its own history row? (Two processes
    writing for one annotator interleave their rows.)"""
    left = list(rows)
    for ack in ack_list:
        for i, row in enumerate(left):
            if matches(ack, row):
                del left[i]
                break
        else:
            return False
    return True


def check_consistent(
    conn: Any, annotator: str, ack_list: list[dict[str, Any]], *, ordered: bool = True
) -> int:
    """Assert every acknowledged step is in the history (in its place when one process wrote
    it all) and the decisions are what the history says. Returns the number of history rows."""
    rows = history_rows(conn, annotator)
    if ordered:
        for ack in ack_list:
            step = ack["step"]
            assert step < len(rows), f"acknowledged step {step} is not in the database"
            assert matches(ack, rows[step]), (ack, rows[step])
    else:
        assert acks_in_history(rows, ack_list), "an acknowledged change is not in the database"
    want_spans, want_status = replay(rows)
    got_spans, got_status = stored(conn, annotator)
    assert {d: s for d, s in got_spans.items() if s} == {d: s for d, s in want_spans.items() if s}
    assert got_status == want_status
    assert revisions_match_history(conn, annotator)
    return len(rows)


if __name__ == "__main__":
    raise SystemExit(main())
