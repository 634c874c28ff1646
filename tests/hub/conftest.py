"""One throwaway PostgreSQL server for the hub tests; a fresh hub database for each test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg  # the [hub] extra, installed by make setup: missing, these tests fail (never skip)
import pytest

from tests.hub.pg_server import Server, start_server

_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg() -> Iterator[Server]:
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def hub_db(pg: Server) -> str:
    """The admin's URL of a new, empty database (the hub is not set up yet)."""
    name = f"hub{next(_numbers)}"
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg.url(db=name)


@pytest.fixture
def hub(hub_db: str) -> str:
    """The admin's URL of a hub that is set up (schema, group roles, policies)."""
    from annotator.store.hub import init_hub

    init_hub(hub_db)
    return hub_db
