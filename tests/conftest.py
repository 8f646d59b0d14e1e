"""Shared fixtures: every storage test runs on SQLite, PostgreSQL and MariaDB/MySQL.

PostgreSQL and MariaDB are reached through ``KASIFY_TEST_POSTGRES_URL`` and
``KASIFY_TEST_MYSQL_URL`` (``.ci/run`` exports both). Without them those variants skip
with a one-line reason, except under CI (``CI=true``), where a missing or unreachable
server fails the run instead: CI must never pass by skipping the real databases.

A test directory whose framework is not installed is left out of collection (``collect_ignore``),
and pytest's header names each one left out and what it lacks: a core-only environment (tox's
``core`` cells, no extra installed) runs everything else, proof that the core needs no framework.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.notifications.tables import EMAIL_TABLES
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import server_database, wipe

if TYPE_CHECKING:
    from tests.integration.notifications.conftest import SmtpServer  # here: that module imports this one

#: Test directories (relative to this one) and the modules each needs: its framework, its extra's libraries.
NEEDS = {
    "adapters/django": ("django",),
    "adapters/flask": ("flask", "flask_wtf"),
    "adapters/saleor": ("werkzeug", "joserfc", "graphql"),
    # The browser tests drive the Flask adapter; without Playwright they skip (fail under CI) themselves.
    "e2e": ("flask", "flask_wtf"),
    # The Django host's browser tests: Django, and werkzeug's server that `serve` runs it on.
    "e2e/django": ("django", "werkzeug"),
}
MISSING = {
    directory: missing
    for directory, modules in NEEDS.items()
    if (missing := [module for module in modules if importlib.util.find_spec(module) is None])
}
collect_ignore = list(MISSING)


def pytest_report_header() -> list[str]:
    """One line per test directory left out, and why: a skipped framework is never silent."""
    return [f"left out tests/{path}: {', '.join(missing)} not installed" for path, missing in MISSING.items()]


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
    EMAIL_TABLES.upgrade(store)  # the emails' ledger, by its own chain
    if "adapters/saleor" not in MISSING:  # the Saleor App's own tables, by its own chain
        from kasify_orders.adapters.saleor import SALEOR_TABLES

        SALEOR_TABLES.upgrade(store)
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


@pytest.fixture
def mail_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, running, whose inbox the test reads."""
    from tests.integration.notifications.conftest import SmtpServer  # here: that module imports this one

    server = SmtpServer()
    server.start()
    yield server
    server.stop()
