"""The project file's schema: its migrations in order, and the two marks that say a SQLite file is
an annotator project (``PRAGMA application_id``) and which schema it has (``PRAGMA user_version``).

Append new migrations at the end; never edit an applied one. Opening a project to write applies
the pending ones in one transaction (:meth:`annotator.store.connection.StoreBase.open`).
"""

from __future__ import annotations

import re

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

APPLICATION_ID = 0x414E4E4F  # "ANNO": marks a SQLite file as an annotator project


migrations = Migrations("annotator")


_SCHEMA_0001 = """
        CREATE TABLE project (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE documents (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            length INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        );
        CREATE TRIGGER documents_immutable BEFORE UPDATE OF id, text, hash ON documents
        BEGIN SELECT RAISE(ABORT, 'document text is immutable'); END;

        CREATE TABLE annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL);

        CREATE TABLE suggestion_runs (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            origin TEXT NOT NULL,
            version TEXT NOT NULL,
            created TEXT NOT NULL,
            n_spans INTEGER NOT NULL,
            PRIMARY KEY (doc_id, origin, version)
        );
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL,
            origin TEXT NOT NULL,
            version TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            score REAL,
            FOREIGN KEY (doc_id, origin, version)
                REFERENCES suggestion_runs(doc_id, origin, version) ON DELETE CASCADE,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, origin, version, start, "end", label)
        );

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            origin TEXT NOT NULL,
            origin_version TEXT NOT NULL DEFAULT '',
            score REAL,
            created TEXT NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, annotator, start, "end", label)
        );
        CREATE INDEX decisions_by_annotator ON decisions(annotator, doc_id);

        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            head INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
            tail INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            UNIQUE (head, tail, role)
        );

        CREATE TABLE doc_states (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            status TEXT NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
            flagged INTEGER NOT NULL DEFAULT 0,
            comment TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator)
        );
        CREATE INDEX doc_states_by_status ON doc_states(annotator, status);

        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            annotator TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL
        );
        CREATE INDEX history_by_doc ON history(doc_id, annotator);
"""


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (``executescript`` would commit mid-transaction).

    Statements end with ``;`` at the end of a line; trigger bodies keep theirs inline.
    """
    return [s.strip() for s in re.split(r";\s*\n", script) if s.strip()]


@migrations()
def m0001_initial(db: Database) -> None:
    for statement in _statements(_SCHEMA_0001):
        db.execute(statement)


_SCHEMA_0002_GOLD = """
        CREATE TABLE gold_spans (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('entity', 'event')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            reviewer TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (doc_id, start, "end", label)
        );
        CREATE INDEX gold_spans_by_doc ON gold_spans(doc_id);

        CREATE TABLE review_states (
            doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'reviewed')),
            updated TEXT NOT NULL
        );
        CREATE INDEX review_states_by_status ON review_states(status);
"""


@migrations()
def m0002_gold(db: Database) -> None:
    """Gold spans (the adjudicated version, apart from annotators' work) and review states."""
    for statement in _statements(_SCHEMA_0002_GOLD):
        db.execute(statement)


_SCHEMA_0003_GOLD_RELATIONS = """
        CREATE TABLE gold_relations (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            head_start INTEGER NOT NULL,
            head_end INTEGER NOT NULL,
            head_label TEXT NOT NULL,
            role TEXT NOT NULL,
            tail_start INTEGER NOT NULL,
            tail_end INTEGER NOT NULL,
            tail_label TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            reviewer TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            UNIQUE (doc_id, head_start, head_end, head_label, role, tail_start, tail_end,
                    tail_label)
        );
        CREATE INDEX gold_relations_by_doc ON gold_relations(doc_id);
"""


@migrations()
def m0003_gold_relations(db: Database) -> None:
    """Gold arguments (relations between gold spans, named by the spans' keys, so that they
    survive a gold span being rewritten), accepted or turned down like gold spans."""
    for statement in _statements(_SCHEMA_0003_GOLD_RELATIONS):
        db.execute(statement)


SCHEMA_VERSION = len(migrations._migrations)
