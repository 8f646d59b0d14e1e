"""Shared fixtures: every storage test runs on SQLite, PostgreSQL and MariaDB/MySQL.

PostgreSQL and MariaDB are reached through ``KASIFY_TEST_POSTGRES_URL`` and
``KASIFY_TEST_MYSQL_URL`` (``.ci/run`` exports both). Without them those variants skip
with a one-line reason, except under CI (``CI=true``), where a missing or unreachable
server fails the run instead: CI must never pass by skipping the real databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import wipe

BACKENDS = {
    "sqlite": None,
    "postgresql": "KASIFY_TEST_POSTGRES_URL",
    "mysql": "KASIFY_TEST_MYSQL_URL",
}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run every database)", pytrace=False)
    pytest.skip(reason)


def _server_database(env: str) -> Iterator[str]:
    """Create a database of our own on the server named by *env*; drop it afterwards."""
    base = os.environ.get(env)
    if not base:
        _unavailable(f"set {env} to run the {env.split('_')[2].lower()} variant")
    url = sa.engine.make_url(base)
    name = f"kasify_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable(f"{env}: cannot reach {url.render_as_string()}: {error.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if url.get_backend_name() == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        admin.dispose()


@pytest.fixture(scope="session", params=list(BACKENDS))
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind, shared by the session."""
    env = BACKENDS[request.param]
    if env is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'kasify.sqlite3'}"
        urls: Iterator[str] = iter([url])
    else:
        urls = _server_database(env)
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
