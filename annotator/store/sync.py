"""Sync a project file with the team hub (``annotator sync URL``; ADR 0022).

A desktop keeps working on its own project file, offline as ever; a sync pushes the work of the
annotator it logs in as (decisions, document state, arguments, history; gold and review states
too when that role is a reviewer) and the project's documents, then pulls everything the hub has
that this file lacks: documents (matched by content hash, as ``annotator merge`` matches them)
and every annotator's work and the gold.

The unit that moves is one annotator's **work** on one document (what ``merge`` compares:
decisions, document state, arguments), or one document's gold, as a canonical JSON text with its
SHA-256 digest. This file remembers, per unit, the hub revision and digest it last pushed or
pulled (table ``hub_synced``), and four **high-water marks** per hub and direction (table
``hub_marks``): how far it has read the hub's change numbers, and how far its own history and
documents have been pushed.

- **Idempotent**: a unit whose digest equals the hub's is not written; history entries are
  unique on the hub and checked here before they are added. A second sync writes nothing.
- **Resumable**: every batch is one PostgreSQL transaction; the marks and synced revisions of a
  batch are committed here after it, in one SQLite transaction with what was pulled. A sync that
  is killed redoes at most one batch, and redoing it changes nothing.
- **Many desktops at once**: the hub hands out change numbers under its change lock in commit
  order (:mod:`annotator.store.hub`), so reading "everything after my mark" misses nothing.
- **Never overwrites**: a unit changed on both sides since this file last synced it (the same
  annotator on two desktops, or another annotator's work edited here) is left as it is on both
  sides and reported as a clash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.model import (
    DocStatus,
    Document,
    LabelScheme,
    Span,
    SpanError,
    SpanKind,
    SpanStatus,
    check_span,
    content_hash,
)
from annotator.store import Store, now
from annotator.store.hub import HubError, connect, read_info

if TYPE_CHECKING:
    import psycopg

WORK, GOLD = "work", "gold"
BATCH = 500
"""Units (or documents, or history entries x 10) per hub transaction."""

_LOCAL_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hub_synced (hub TEXT NOT NULL, kind TEXT NOT NULL, "
    "doc_id TEXT NOT NULL, annotator TEXT NOT NULL, revision INTEGER NOT NULL, "
    "digest TEXT NOT NULL, PRIMARY KEY (hub, kind, doc_id, annotator))",
    "CREATE TABLE IF NOT EXISTS hub_marks (hub TEXT NOT NULL, name TEXT NOT NULL, "
    "value INTEGER NOT NULL, PRIMARY KEY (hub, name))",
)

Progress = Callable[[str, int], None]
"""Called with what was just done ("pushed work", "pulled documents"...) and how many."""


@dataclass
class SyncReport:
    annotator: str = ""
    reviewer: bool = False
    pushed: dict[str, int] = field(default_factory=dict)
    pulled: dict[str, int] = field(default_factory=dict)
    clashes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Units from the hub that do not fit this project (a span outside its text, a label the
    scheme lacks, a damaged record): not stored, one line each."""
    notes: list[str] = field(default_factory=list)

    def add(self, side: dict[str, int], what: str, n: int) -> None:
        if n:
            side[what] = side.get(what, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.pushed or self.pulled)

    def summary(self) -> str:
        def part(side: dict[str, int]) -> str:
            return ", ".join(f"{n} {what}" for what, n in side.items()) or "nothing"

        who = f"{self.annotator} (reviewer)" if self.reviewer else self.annotator
        lines = [*self.notes]
        lines += [f"not taken from the hub: {r}" for r in self.refused[:20]]
        if len(self.refused) > 20:
            lines.append(f"... and {len(self.refused) - 20} more not taken")
        lines += [f"clash: {c}" for c in self.clashes[:20]]
        if len(self.clashes) > 20:
            lines.append(f"... and {len(self.clashes) - 20} more clash(es)")
        lines.append(f"synced as {who}: pushed {part(self.pushed)}; pulled {part(self.pulled)}")
        return "\n".join(lines)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def _is_key(value: Any) -> bool:
    """A span key as JSON: [start, end, label]."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], int)
        and isinstance(value[1], int)
        and isinstance(value[2], str)
    )


def problem_with(kind: str, content: str, dig: str, text: str, scheme: LabelScheme) -> str | None:
    """Why a unit from the hub cannot be stored here (None: it can): a digest that does not
    match, a record of the wrong shape, a span outside the text or not in the scheme."""
    if digest(content) != dig:
        return "its digest does not match its content"
    try:
        unit = json.loads(content)
        rows = unit["decisions"] if kind == WORK else unit["spans"]
        for row in rows:  # the columns local_work and local_gold write
            if kind == WORK:
                fits = (
                    len(row) == 9
                    and all(isinstance(x, str) for x in (row[5], row[6], row[8]))
                    and (row[7] is None or isinstance(row[7], int | float))
                )
            else:
                fits = len(row) == 8 and all(isinstance(x, str) for x in row[5:])
            if not fits:
                return "a span of the wrong shape"
            start, end, label, span_kind, status = row[:5]
            span = Span(start=start, end=end, label=label, kind=SpanKind(span_kind), status=status)
            if span.status == SpanStatus.SUGGESTED:
                return f"span {start}-{end} is neither accepted nor rejected"
            check_span(span, text, scheme)
        if kind == WORK:
            state = unit["state"]
            if state is not None:
                DocStatus(state[0])
                if (
                    len(state) != 3
                    or not isinstance(state[1], bool)
                    or not isinstance(state[2], str)
                ):
                    return "a document state of the wrong shape"
            for head, role, tail in unit["arguments"]:
                if not (isinstance(role, str) and _is_key(head) and _is_key(tail)):
                    return "an argument of the wrong shape"
        else:
            for row in unit["arguments"]:
                if len(row) != 11 or row[7] not in ("accepted", "rejected"):
                    return "a gold argument of the wrong shape"
            if unit["review"] is not None and unit["review"][1] not in ("todo", "reviewed"):
                return "a review state of the wrong shape"
    except SpanError as exc:
        return str(exc)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return f"a damaged record ({type(exc).__name__})"
    return None


# ---- the project's side ---------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def local_work(store: Store, doc_ids: Sequence[str], annotator: str) -> dict[str, str]:
    """The canonical content of an annotator's work on each of these documents (documents
    without any work are left out)."""
    conn = store.db.conn
    decisions: dict[str, list[list[Any]]] = {}
    states: dict[str, list[Any]] = {}
    arguments: dict[str, list[list[Any]]] = {}
    for part in _chunks(list(doc_ids), 400):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            'SELECT doc_id, start, "end", label, kind, status, origin, origin_version, score, '
            f"created FROM decisions WHERE annotator = ? AND doc_id IN ({marks}) "
            'ORDER BY doc_id, start, "end", label',
            [annotator, *part],
        ):
            decisions.setdefault(row[0], []).append(list(row[1:]))
        for row in conn.execute(
            "SELECT doc_id, status, flagged, comment FROM doc_states "
            f"WHERE annotator = ? AND doc_id IN ({marks})",
            [annotator, *part],
        ):
            states[row[0]] = [row[1], bool(row[2]), row[3]]
        for row in conn.execute(
            'SELECT r.doc_id, h.start, h."end", h.label, r.role, t.start, t."end", t.label '
            "FROM relations r JOIN decisions h ON h.id = r.head JOIN decisions t ON t.id = r.tail "
            f"WHERE r.annotator = ? AND r.doc_id IN ({marks})",
            [annotator, *part],
        ):
            arguments.setdefault(row[0], []).append(
                [[row[1], row[2], row[3]], row[4], [row[5], row[6], row[7]]]
            )
    out: dict[str, str] = {}
    for doc_id in doc_ids:
        if doc_id not in decisions and doc_id not in states:
            continue
        out[doc_id] = canonical(
            {
                "decisions": decisions.get(doc_id, []),
                "state": states.get(doc_id),
                "arguments": sorted(arguments.get(doc_id, [])),
            }
        )
    return out


def local_gold(store: Store, doc_ids: Sequence[str]) -> dict[str, str]:
    """The canonical content of each document's gold (spans, arguments, review state)."""
    conn = store.db.conn
    spans: dict[str, list[list[Any]]] = {}
    arguments: dict[str, list[list[Any]]] = {}
    review: dict[str, list[Any]] = {}
    for part in _chunks(list(doc_ids), 400):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            'SELECT doc_id, start, "end", label, kind, status, reviewer, source, created '
            f'FROM gold_spans WHERE doc_id IN ({marks}) ORDER BY doc_id, start, "end", label',
            part,
        ):
            spans.setdefault(row[0], []).append(list(row[1:]))
        for row in conn.execute(
            "SELECT doc_id, head_start, head_end, head_label, role, tail_start, tail_end, "
            "tail_label, status, reviewer, source, created FROM gold_relations "
            f"WHERE doc_id IN ({marks})",
            part,
        ):
            arguments.setdefault(row[0], []).append(list(row[1:]))
        for row in conn.execute(
            "SELECT doc_id, reviewer, status, updated FROM review_states "
            f"WHERE doc_id IN ({marks})",
            part,
        ):
            review[row[0]] = list(row[1:])
    out: dict[str, str] = {}
    for doc_id in doc_ids:
        if doc_id not in spans and doc_id not in arguments and doc_id not in review:
            continue
        out[doc_id] = canonical(
            {
                "spans": spans.get(doc_id, []),
                "arguments": sorted(arguments.get(doc_id, [])),
                "review": review.get(doc_id),
            }
        )
    return out


def _write_work(store: Store, doc_id: str, annotator: str, content: str) -> None:
    """Replace an annotator's work on a document by ``content`` (inside a transaction)."""
    conn = store.db.conn
    work = json.loads(content)
    store.ensure_annotator(annotator)
    row = conn.execute(
        "SELECT revision FROM doc_states WHERE doc_id = ? AND annotator = ?", (doc_id, annotator)
    ).fetchone()
    conn.execute("DELETE FROM relations WHERE doc_id = ? AND annotator = ?", (doc_id, annotator))
    conn.execute("DELETE FROM decisions WHERE doc_id = ? AND annotator = ?", (doc_id, annotator))
    conn.execute("DELETE FROM doc_states WHERE doc_id = ? AND annotator = ?", (doc_id, annotator))
    conn.executemany(
        'INSERT INTO decisions (doc_id, annotator, start, "end", label, kind, status, origin, '
        "origin_version, score, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, annotator, *d) for d in work["decisions"]],
    )
    state = work["state"]
    revision = (row[0] if row else 0) + 1  # an open window of this annotator sees a stale edit
    if state is not None:
        conn.execute(
            "INSERT INTO doc_states (doc_id, annotator, status, flagged, comment, revision, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc_id, annotator, state[0], int(state[1]), state[2], revision, now()),
        )
    if work["arguments"]:
        ids = {
            (r[1], r[2], r[3]): r[0]
            for r in conn.execute(
                'SELECT id, start, "end", label FROM decisions WHERE doc_id = ? AND annotator = ?',
                (doc_id, annotator),
            )
        }
        conn.executemany(
            "INSERT INTO relations (doc_id, annotator, head, tail, role) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [
                (doc_id, annotator, ids[tuple(h)], ids[tuple(t)], role)
                for h, role, t in work["arguments"]
                if tuple(h) in ids and tuple(t) in ids
            ],
        )


def _write_gold(store: Store, doc_id: str, content: str) -> None:
    conn = store.db.conn
    gold = json.loads(content)
    conn.execute("DELETE FROM gold_relations WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM gold_spans WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM review_states WHERE doc_id = ?", (doc_id,))
    conn.executemany(
        'INSERT INTO gold_spans (doc_id, start, "end", label, kind, status, reviewer, source, '
        "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, *s) for s in gold["spans"]],
    )
    conn.executemany(
        "INSERT INTO gold_relations (doc_id, head_start, head_end, head_label, role, tail_start, "
        "tail_end, tail_label, status, reviewer, source, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, *a) for a in gold["arguments"]],
    )
    if gold["review"] is not None:
        conn.execute(
            "INSERT INTO review_states (doc_id, reviewer, status, updated) VALUES (?, ?, ?, ?)",
            (doc_id, *gold["review"]),
        )


class _Local:
    """This project's bookkeeping for one hub: synced units and high-water marks."""

    def __init__(self, store: Store, hub_id: str) -> None:
        self.store, self.hub = store, hub_id
        with store.transaction():
            for statement in _LOCAL_SCHEMA:
                store.db.conn.execute(statement)

    def mark(self, name: str) -> int:
        row = self.store.db.conn.execute(
            "SELECT value FROM hub_marks WHERE hub = ? AND name = ?", (self.hub, name)
        ).fetchone()
        return int(row[0]) if row else 0

    def has_mark(self, name: str) -> bool:
        return (
            self.store.db.conn.execute(
                "SELECT 1 FROM hub_marks WHERE hub = ? AND name = ?", (self.hub, name)
            ).fetchone()
            is not None
        )

    def set_mark(self, name: str, value: int) -> None:
        self.store.db.conn.execute(
            "INSERT INTO hub_marks (hub, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT (hub, name) DO UPDATE SET value = excluded.value",
            (self.hub, name, value),
        )

    def synced(
        self, kind: str, doc_ids: Sequence[str], annotator: str
    ) -> dict[str, tuple[int, str]]:
        out: dict[str, tuple[int, str]] = {}
        for part in _chunks(list(doc_ids), 400):
            marks = ",".join("?" * len(part))
            for doc_id, revision, dig in self.store.db.conn.execute(
                "SELECT doc_id, revision, digest FROM hub_synced WHERE hub = ? AND kind = ? "
                f"AND annotator = ? AND doc_id IN ({marks})",
                [self.hub, kind, annotator, *part],
            ):
                out[doc_id] = (revision, dig)
        return out

    def record(self, kind: str, rows: Iterable[tuple[str, str, int, str]]) -> None:
        """(doc_id, annotator, revision, digest) of units now equal on both sides."""
        self.store.db.conn.executemany(
            "INSERT INTO hub_synced (hub, kind, doc_id, annotator, revision, digest) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hub, kind, doc_id, annotator) DO UPDATE SET "
            "revision = excluded.revision, digest = excluded.digest",
            [(self.hub, kind, d, a, r, g) for d, a, r, g in rows],
        )


# ---- sync -----------------------------------------------------------------------------------


def _refused(exc: Exception, what: str) -> HubError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return HubError(f"the hub refused {what}: {first}")


class Sync:
    """One sync of a project with a hub, as the role of the connection."""

    def __init__(
        self,
        store: Store,
        conn: psycopg.Connection[Any],
        url: str,
        *,
        batch: int = BATCH,
        progress: Progress | None = None,
    ) -> None:
        import psycopg

        self.psycopg = psycopg
        conn.autocommit = True  # plain reads see the newest commits; batches: conn.transaction()
        self.store, self.conn, self.batch, self.progress = store, conn, batch, progress
        info = read_info(conn, url)
        row = conn.execute("SELECT hub.me(), hub.is_reviewer()").fetchone()
        if row is None or row[0] is None:
            user = conn.info.user
            raise HubError(
                f"the role {user!r} is not an annotator of this hub; the hub's owner adds it with "
                f"`annotator hub add-annotator NAME --role {user}`"
            )
        self.me: str = row[0]
        self.reviewer: bool = bool(row[1])
        self.local = _Local(store, info.id)
        self.report = SyncReport(annotator=self.me, reviewer=self.reviewer)

    def _tick(self, what: str, n: int) -> None:
        if self.progress and n:
            self.progress(what, n)

    # -- push ----------------------------------------------------------------------------

    def push_documents(self) -> None:
        conn = self.store.db.conn
        while True:
            mark = self.local.mark("push:documents")
            rows = conn.execute(
                "SELECT seq, id, text, hash, source, meta FROM documents WHERE seq > ? "
                "ORDER BY seq LIMIT ?",
                (mark, self.batch * 4),
            ).fetchall()
            if not rows:
                return
            good = [r for r in rows if content_hash(r[2]) == r[3]]
            if len(good) < len(rows):
                self.report.notes.append(
                    f"{len(rows) - len(good)} document(s) whose stored hash does not match the "
                    "text were not pushed"
                )
            there = {
                r[0]
                for r in self.conn.execute(
                    "SELECT hash FROM hub.documents WHERE hash = ANY(%s)", ([r[3] for r in good],)
                )
            }  # texts the hub has are not sent again (the INSERT below would skip them anyway)
            good = [r for r in good if r[3] not in there]
            added = 0
            if good:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    cur.execute(
                        "CREATE TEMP TABLE incoming_documents (hash text, id text, text text, "
                        "source text, meta text) ON COMMIT DROP"
                    )
                    with cur.copy(
                        "COPY incoming_documents (hash, id, text, source, meta) FROM STDIN"
                    ) as copy:
                        for _, doc_id, text, hash_, source, meta in good:
                            copy.write_row((hash_, doc_id, text, source, meta))
                    cur.execute(
                        "INSERT INTO hub.documents (hash, id, text, source, meta, added_by, seq) "
                        "SELECT hash, id, text, source, meta, %s, 0 FROM incoming_documents "
                        "ON CONFLICT (hash) DO NOTHING",
                        (self.me,),
                    )
                    added = cur.rowcount
            with self.store.transaction():
                self.local.set_mark("push:documents", rows[-1][0])
            self.report.add(self.report.pushed, "document(s)", added)
            self._tick("pushed documents", len(rows))

    def _hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _chunks(list(doc_ids), 400):
            marks = ",".join("?" * len(part))
            out.update(
                self.store.db.conn.execute(
                    f"SELECT id, hash FROM documents WHERE id IN ({marks})", part
                ).fetchall()
            )
        return out

    def _units_since(self, mark_name: str, annotator: str, *, gold: bool) -> tuple[list[str], int]:
        """Documents whose work (or gold) may have changed since the mark, and the new mark."""
        conn = self.store.db.conn
        top = int(conn.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0])
        like = "LIKE" if gold else "NOT LIKE"
        ids = {
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT doc_id FROM history WHERE id > ? AND id <= ? AND annotator = ? "
                f"AND action {like} 'gold: %'",
                (self.local.mark(mark_name), top, annotator),
            )
        }
        if not self.local.has_mark(mark_name):  # the first sync: everything there is
            if gold:
                ids.update(
                    r[0]
                    for r in conn.execute(
                        "SELECT doc_id FROM gold_spans UNION SELECT doc_id FROM gold_relations "
                        "UNION SELECT doc_id FROM review_states"
                    )
                )
            else:
                ids.update(self.store.documents_with_work(annotator))
        return sorted(self.store.existing_ids(sorted(ids))), top

    def push_work(self, annotator: str | None = None) -> None:
        """Push an annotator's work (default: the connection's own); the hub refuses anyone
        else's."""
        name = annotator or self.me
        doc_ids, top = self._units_since(f"push:work:{name}", name, gold=False)
        for part in _chunks(doc_ids, self.batch):
            contents = local_work(self.store, part, name)
            self._push_units(WORK, name, part, contents)
        with self.store.transaction():
            self.local.set_mark(f"push:work:{name}", top)

    def push_gold(self) -> None:
        doc_ids, top = self._units_since(f"push:gold:{self.me}", self.me, gold=True)
        if not self.reviewer:
            if doc_ids:
                self.report.notes.append(
                    f"gold of {len(doc_ids)} document(s) was not pushed: {self.me} is not a "
                    "reviewer of this hub"
                )
            return
        for part in _chunks(doc_ids, self.batch):
            self._push_units(GOLD, "", part, local_gold(self.store, part))
        with self.store.transaction():
            self.local.set_mark(f"push:gold:{self.me}", top)

    def _push_units(
        self, kind: str, annotator: str, doc_ids: Sequence[str], contents: dict[str, str]
    ) -> None:
        empty = canonical(
            {"decisions": [], "state": None, "arguments": []}
            if kind == WORK
            else {"spans": [], "arguments": [], "review": None}
        )
        synced = self.local.synced(kind, doc_ids, annotator)
        hashes = self._hashes(doc_ids)
        todo: list[tuple[str, str, str, int]] = []  # doc_id, content, digest, base revision
        for doc_id in doc_ids:
            content = contents.get(doc_id, empty)
            dig = digest(content)
            base, last = synced.get(doc_id, (0, ""))
            if dig == last:
                continue
            if not base and content == empty:
                continue  # nothing here, nothing there yet
            todo.append((doc_id, content, dig, base))
        if not todo:
            return
        table = "hub.work" if kind == WORK else "hub.gold"
        who = "annotator" if kind == WORK else "reviewer"
        key = "AND w.annotator = %(me)s" if kind == WORK else ""
        done: list[tuple[str, str, int, str]] = []
        inserts: list[str] = []
        updates: list[str] = []
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hub.change_lock())")
                cur.execute(
                    "CREATE TEMP TABLE incoming (doc_hash text, content text, digest text, "
                    "base integer) ON COMMIT DROP"
                )
                with cur.copy("COPY incoming (doc_hash, content, digest, base) FROM STDIN") as c:
                    for doc_id, content, dig, base in todo:
                        c.write_row((hashes[doc_id], content, dig, base))
                there = {
                    r[0]: (r[1], r[2])
                    for r in cur.execute(
                        f"SELECT i.doc_hash, w.revision, w.digest FROM incoming i JOIN {table} w "
                        f"ON w.doc_hash = i.doc_hash {key}",
                        {"me": annotator},
                    )
                }
                by_hash = {hashes[d]: d for d, *_ in todo}
                for doc_id, _, dig, base in todo:
                    h = hashes[doc_id]
                    if h not in there:
                        inserts.append(h)
                    elif there[h][1] == dig:  # already there (pushed by a killed sync)
                        done.append((doc_id, annotator, there[h][0], dig))
                    elif there[h][0] == base:
                        updates.append(h)
                    else:
                        what = f"{annotator}'s work" if kind == WORK else "gold"
                        self.report.clashes.append(
                            f"{what} on document {doc_id} changed both here and on the hub since "
                            "the last sync; both kept as they are"
                        )
                if updates:
                    cur.execute(
                        f"UPDATE {table} w SET content = i.content, digest = i.digest, "
                        f"{who} = %(me)s FROM incoming i WHERE w.doc_hash = i.doc_hash {key} "
                        "AND i.doc_hash = ANY(%(which)s) RETURNING w.doc_hash, w.revision, "
                        "w.digest",
                        {"me": annotator if kind == WORK else self.me, "which": updates},
                    )
                    done += [(by_hash[r[0]], annotator, r[1], r[2]) for r in cur.fetchall()]
                if inserts:
                    cur.execute(
                        f"INSERT INTO {table} (doc_hash, {who}, content, digest, revision, seq, "
                        "updated) SELECT doc_hash, %(me)s, content, digest, 0, 0, now() "
                        "FROM incoming WHERE doc_hash = ANY(%(which)s) "
                        "RETURNING doc_hash, revision, digest",
                        {"me": annotator if kind == WORK else self.me, "which": inserts},
                    )
                    done += [(by_hash[r[0]], annotator, r[1], r[2]) for r in cur.fetchall()]
        except self.psycopg.errors.InsufficientPrivilege as exc:
            what = f"{annotator}'s work" if kind == WORK else "gold"
            raise _refused(exc, f"{what} from {self.me}") from None
        with self.store.transaction():
            self.local.record(kind, done)
        written = len(updates) + len(inserts)  # not those a killed sync had already pushed
        self.report.add(self.report.pushed, "work" if kind == WORK else "gold", written)
        self._tick(f"pushed {kind}", written)

    def push_history(self) -> None:
        conn = self.store.db.conn
        gold = "" if self.reviewer else "AND h.action NOT LIKE 'gold: %'"
        while True:
            mark = self.local.mark(f"push:history:{self.me}")
            last = int(
                conn.execute(
                    "SELECT coalesce(max(id), ?) FROM (SELECT id FROM history WHERE id > ? "
                    "ORDER BY id LIMIT ?)",
                    (mark, mark, self.batch * 10),
                ).fetchone()[0]
            )
            if last == mark:
                return
            rows = conn.execute(
                "SELECT h.id, d.hash, h.ts, h.action, h.before, h.after FROM history h "
                "JOIN documents d ON d.id = h.doc_id WHERE h.id > ? AND h.id <= ? "
                f"AND h.annotator = ? {gold} ORDER BY h.id",
                (mark, last, self.me),
            ).fetchall()
            added = 0
            if rows:
                try:
                    with self.conn.transaction(), self.conn.cursor() as cur:
                        cur.execute(
                            "CREATE TEMP TABLE incoming_history (doc_hash text, ts text, "
                            "action text, before text, after text) ON COMMIT DROP"
                        )
                        with cur.copy(
                            "COPY incoming_history (doc_hash, ts, action, before, after) FROM STDIN"
                        ) as copy:
                            for _, h, ts, action, before, after in rows:
                                copy.write_row((h, ts, action, before, after))
                        cur.execute(
                            "INSERT INTO hub.history (seq, doc_hash, annotator, ts, action, "
                            "before, after) SELECT 0, doc_hash, %s, ts, action, before, after "
                            "FROM incoming_history ON CONFLICT DO NOTHING",
                            (self.me,),
                        )
                        added = cur.rowcount
                except self.psycopg.errors.InsufficientPrivilege as exc:
                    raise _refused(exc, f"history from {self.me}") from None
            with self.store.transaction():
                self.local.set_mark(f"push:history:{self.me}", last)
            self.report.add(self.report.pushed, "history entries", added)
            self._tick("pushed history", added)

    # -- pull ----------------------------------------------------------------------------

    def _fetch_documents(self, hashes: Sequence[str]) -> dict[str, str]:
        """Add the hub's documents with these hashes that this project lacks (inside the
        caller's transaction); return hash -> id here for all of them."""
        ids = self.store.id_for_hash(list(hashes))
        missing = [h for h in hashes if h not in ids]
        if not missing:
            return ids
        rows = self.conn.execute(
            "SELECT hash, id, text, source, meta FROM hub.documents WHERE hash = ANY(%s)",
            (missing,),
        ).fetchall()
        docs: list[Document] = []
        taken: set[str] = set()
        for hash_, doc_id, text, source, meta in rows:
            if content_hash(text) != hash_:
                continue  # the hub's CHECK makes this impossible; never trust it blindly
            if doc_id in taken or self.store.has_document_id(doc_id):
                doc_id = f"{doc_id}@{hash_[:8]}"
            taken.add(doc_id)
            docs.append(
                Document(id=doc_id, text=text, hash=hash_, source=source, meta=json.loads(meta))
            )
        if docs:
            conn = self.store.db.conn
            top = int(conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0])
            added, _ = self.store.add_documents(docs)
            self.report.add(self.report.pulled, "document(s)", added)
            if self.local.mark("push:documents") == top:  # all pushed before: these came
                self.local.set_mark(  # from the hub, and need not go back
                    "push:documents",
                    int(conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0]),
                )
        ids.update({d.hash: d.id for d in docs})
        return ids

    def pull_documents(self) -> None:
        while True:
            mark = self.local.mark("pull:documents")
            rows = self.conn.execute(
                "SELECT seq, hash FROM hub.documents WHERE seq > %s ORDER BY seq LIMIT %s",
                (mark, self.batch * 10),
            ).fetchall()
            if not rows:
                return
            with self.store.transaction():
                self._fetch_documents([r[1] for r in rows])
                self.local.set_mark("pull:documents", rows[-1][0])
            self._tick("pulled documents", len(rows))

    def _pull_units(self, kind: str) -> None:
        scheme = self.store.scheme
        table = "hub.work" if kind == WORK else "hub.gold"
        who = "annotator" if kind == WORK else "''"
        while True:
            mark = self.local.mark(f"pull:{kind}")
            rows = self.conn.execute(
                f"SELECT seq, doc_hash, {who}, content, digest, revision FROM {table} "
                "WHERE seq > %s ORDER BY seq LIMIT %s",
                (mark, self.batch),
            ).fetchall()
            if not rows:
                return
            written = 0
            with self.store.transaction():
                ids = self._fetch_documents(sorted({r[1] for r in rows}))
                by_annotator: dict[str, list[Any]] = {}
                for row in rows:
                    by_annotator.setdefault(row[2], []).append(row)
                for annotator, units in by_annotator.items():
                    doc_ids = [ids[r[1]] for r in units if r[1] in ids]
                    synced = self.local.synced(kind, doc_ids, annotator)
                    # what this project already has from the hub (its own pushes coming back,
                    # above all) needs no look at the project's rows: only the revision noted
                    done = [
                        (ids[r[1]], annotator, r[5], r[4])
                        for r in units
                        if r[1] in ids and synced.get(ids[r[1]], (0, None))[1] == r[4]
                    ]
                    seen = {d[0] for d in done}
                    units = [r for r in units if r[1] in ids and ids[r[1]] not in seen]
                    doc_ids = [ids[r[1]] for r in units]
                    here = (
                        local_work(self.store, doc_ids, annotator)
                        if kind == WORK
                        else local_gold(self.store, doc_ids)
                    )
                    for _, hash_, _, content, dig, revision in units:
                        doc_id = ids[hash_]
                        mine = digest(here[doc_id]) if doc_id in here else None
                        last = synced.get(doc_id, (0, None))[1]
                        if mine == dig:
                            done.append((doc_id, annotator, revision, dig))
                            continue
                        if mine is not None and mine != last:
                            what = f"{annotator}'s work" if kind == WORK else "gold"
                            self.report.clashes.append(
                                f"{what} on document {doc_id} changed both here and on the hub "
                                "since the last sync; this project keeps its own"
                            )
                            continue
                        problem = problem_with(
                            kind, content, dig, self.store.document(doc_id).text, scheme
                        )
                        if problem is not None:  # nothing invalid is stored, whoever sent it
                            what = f"{annotator}'s work" if kind == WORK else "gold"
                            self.report.refused.append(f"{what} on document {doc_id}: {problem}")
                            continue
                        if kind == WORK:
                            _write_work(self.store, doc_id, annotator, content)
                        else:
                            _write_gold(self.store, doc_id, content)
                        done.append((doc_id, annotator, revision, dig))
                        written += 1
                    self.local.record(kind, done)
                self.local.set_mark(f"pull:{kind}", rows[-1][0])
            self.report.add(self.report.pulled, "work" if kind == WORK else "gold", written)
            self._tick(f"pulled {kind}", written)

    def pull_history(self) -> None:
        conn = self.store.db.conn
        while True:
            mark = self.local.mark("pull:history")
            rows = self.conn.execute(
                "SELECT seq, doc_hash, annotator, ts, action, before, after FROM hub.history "
                "WHERE seq > %s ORDER BY seq LIMIT %s",
                (mark, self.batch * 10),
            ).fetchall()
            if not rows:
                return
            before = conn.total_changes
            with self.store.transaction():
                ids = self._fetch_documents(sorted({r[1] for r in rows}))
                conn.executemany(
                    "INSERT INTO history (ts, annotator, doc_id, action, before, after) "
                    "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM history WHERE "
                    "doc_id = ? AND annotator = ? AND ts = ? AND action = ? AND before = ? "
                    "AND after = ?)",
                    [
                        (ts, a, ids[h], action, b, af, ids[h], a, ts, action, b, af)
                        for _, h, a, ts, action, b, af in rows
                        if h in ids
                    ],
                )
                added = conn.total_changes - before
                self.local.set_mark("pull:history", rows[-1][0])
            self.report.add(self.report.pulled, "history entries", added)
            self._tick("pulled history", added)

    def unpushed(self) -> None:
        """Say which other annotators' work here is not on the hub (only they can push it)."""
        rows = self.store.db.conn.execute(
            "SELECT s.annotator, count(*) FROM doc_states s WHERE s.annotator <> ? AND NOT "
            "EXISTS (SELECT 1 FROM hub_synced h WHERE h.hub = ? AND h.kind = 'work' AND "
            "h.doc_id = s.doc_id AND h.annotator = s.annotator) GROUP BY s.annotator "
            "ORDER BY s.annotator",
            (self.me, self.local.hub),
        ).fetchall()
        for name, n in rows:
            self.report.notes.append(
                f"{name}'s work on {n} document(s) is not on the hub: only {name}'s own role "
                "can push it (annotator sync with their URL)"
            )

    def run(self) -> SyncReport:
        self.push_documents()
        self.push_work()
        self.push_gold()
        self.push_history()
        self.pull_documents()
        self._pull_units(WORK)
        self._pull_units(GOLD)
        self.pull_history()
        self.unpushed()
        return self.report


def sync(
    store: Store, url: str, *, batch: int = BATCH, progress: Progress | None = None
) -> SyncReport:
    """Push this desktop's work to the hub at ``url`` and pull everyone else's (see the module
    docstring); the role in ``url`` says whose work this desktop pushes."""
    with connect(url, autocommit=True) as conn:  # each batch: conn.transaction(), one commit
        return Sync(store, conn, url, batch=batch, progress=progress).run()
