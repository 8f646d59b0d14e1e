"""Shared fixtures: every storage test runs on SQLite, PostgreSQL and MariaDB/MySQL.

PostgreSQL and MariaDB are reached through ``KASIFY_TEST_POSTGRES_URL`` and
``KASIFY_TEST_MYSQL_URL`` (``.ci/run`` exports both). Without them those variants skip
with a one-line reason, except under CI (``CI=true``), where a missing or unreachable
server fails the run instead: CI must never pass by skipping the real databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import server_database, wipe

BACKENDS = {
    "sqlite": None,
    "postgresql": "KASIFY_TEST_POSTGRES_URL",
    "mysql": "KASIFY_TEST_MYSQL_URL",
}


@pytest.fixture(scope="session", params=list(BACKENDS))
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind, shared by the session."""
    env = BACKENDS[request.param]
    if env is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'kasify.sqlite3'}"
        urls: Iterator[str] = iter([url])
    else:
        urls = server_database(env)
    url = next(urls)
    store = SqlStore.from_url(url)
    migrate.upgrade(store)
    store.dispose()
    yield url
    next(urls, None)


@pytest.fixture
def backend(database_url: str) -> str:
    """The database kind of this test's variant: sqlite, postgresql or mysql."""
    return sa.engine.make_url(database_url).get_backend_name()


@pytest.fixture
def orders(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` on an empty database (each kind in turn)."""
    with ko.Orders.connect(database_url, load_entrypoints=False, migrate=False) as connected:
        yield connected
    wipe(database_url)


@pytest.fixture
def sqlite_orders(tmp_path: Path) -> Iterator[ko.Orders]:
    """An ``Orders`` on a fresh SQLite file, for tests about the core rather than the database."""
    with ko.Orders.connect(f"sqlite:///{tmp_path / 'k.sqlite3'}", load_entrypoints=False) as connected:
        yield connected
