"""Both stores for every test that touches the database: SQLite (a file in the test's folder) and a real
PostgreSQL (bench.pgserver: initdb + pg_ctl in a temporary folder, one server per test session, i.e. per
xdist worker).

Fixtures (registered by tests/conftest.py):
  backend          "sqlite" | "postgresql", parametrized: a test asking for it runs once on each
  store_url        a fresh, empty store at the newest schema on that backend (a database per test on
                   PostgreSQL, made by CREATE DATABASE … TEMPLATE of a migrated template: ~0.1 s)
  workspace_store_url  what a test workspace's [store] url holds: None (its own sohoa.db) or a PostgreSQL db
  module_store_url the same for module-scoped fixtures (one per module and backend)
  pg_server        the session's server
  pg_database      a factory of fresh PostgreSQL databases, for tests about PostgreSQL itself (several
                   workstations on one store, pg_dump): they run once, not parametrized
  new_database     a factory: a fresh database URL (blank=True: no schema, for migration tests)

The server is started only when a PostgreSQL test runs. No test is skipped for lack of a server: without
the binaries the fixture fails with the install hint (Debian's `postgresql` package).
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.pgserver import TempPostgres
from store.engine import sqlite_url

BACKENDS = ("sqlite", "postgresql")
TEMPLATE = "sohoa_template"
_names = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{next(_names)}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:
    from store.db import Store

    server = TempPostgres().start()
    try:
        server.create_database(TEMPLATE)
        Store(server.url(TEMPLATE)).close()  # the template holds the schema at head
        yield server
    finally:
        server.stop()


def _pg_database(server: TempPostgres, blank: bool = False) -> tuple[str, str]:
    name = _unique("t")
    return name, server.create_database(name, "template0" if blank else TEMPLATE)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def new_database(backend, request, tmp_path) -> Iterator[Callable[..., str]]:
    """Fresh database URLs on this test's backend; each dropped after the test."""
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None

    def make(blank: bool = False) -> str:
        if server is None:
            return sqlite_url(tmp_path / f"{_unique('db')}.db")
        name, url = _pg_database(server, blank)
        made.append(name)
        return url

    yield make
    for name in made:
        server.drop_database(name)


@pytest.fixture
def pg_database(request) -> Iterator[Callable[..., str]]:
    """Fresh PostgreSQL database URLs, for the tests that are about PostgreSQL itself (several processes
    or workstations on one store, pg_dump): not parametrized, they run once, on the real server."""
    server = request.getfixturevalue("pg_server")
    made: list[str] = []

    def make(blank: bool = False) -> str:
        name, url = _pg_database(server, blank)
        made.append(name)
        return url

    yield make
    for name in made:
        server.drop_database(name)


@pytest.fixture
def store_url(new_database) -> str:
    return new_database()


@pytest.fixture
def workspace_store_url(backend, new_database) -> str | None:
    """What a test workspace's sohoa.toml names: None on SQLite (the workspace's own sohoa.db, the default
    configuration), a fresh database on PostgreSQL."""
    return new_database() if backend == "postgresql" else None


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path_factory.mktemp("store") / "sohoa.db")
        return
    server = request.getfixturevalue("pg_server")
    name, url = _pg_database(server)
    yield url
    server.drop_database(name)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])
