"""Every store the conformance suite runs on: ``SqlStore`` on three databases, ``DjangoStore`` on three.

``store_kind`` is session-scoped and parametrised: ``sql-sqlite``, ``sql-postgresql``,
``sql-mysql`` (a ``SqlStore`` on a database of its own) and ``django-sqlite``,
``django-postgresql``, ``django-mysql`` (a ``DjangoStore`` on a Django alias whose settings
point at a database of its own, for each of Django's backends). Each database is migrated
once; every table is emptied after each test. The server variants skip without
``KASIFY_TEST_POSTGRES_URL`` / ``KASIFY_TEST_MYSQL_URL`` (and fail under CI), as everywhere.

Django is configured here only when nothing configured it yet (running this directory
alone); when ``tests/adapters/django`` configured it, the suite adds aliases of its own
(``conformance_<backend>``) to the same settings, so the two never share a database.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.plugins import build_plugin_manager
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import server_database

SERVERS = {"postgresql": "KASIFY_TEST_POSTGRES_URL", "mysql": "KASIFY_TEST_MYSQL_URL"}
DJANGO_ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
}
KINDS = [f"sql-{backend}" for backend in DJANGO_ENGINES] + [f"django-{backend}" for backend in DJANGO_ENGINES]


class StoreUnderTest:
    """One store of the suite, and what a test needs around it."""

    def __init__(self, kind: str, store: SqlStore, end_thread: Callable[[], None]) -> None:
        self.kind = kind
        self.store = store
        #: Why concurrent writers cannot be tested on this store (None: they can).
        self.no_concurrent_writers: str | None = None
        #: Call at the end of a thread the test started (Django closes that thread's connection).
        self.end_thread = end_thread

    @property
    def backend(self) -> str:
        """The database kind: sqlite, postgresql or mysql."""
        return self.kind.split("-", 1)[1]

    def orders(self, *plugins: object, manage_inventory: bool = True) -> ko.Orders:
        """The service on this store (no entry points, default settings)."""
        return ko.Orders(
            self.store,
            settings=ko.Settings(manage_inventory=manage_inventory),
            plugins=build_plugin_manager(plugins, load_entrypoints=False),
        )

    def wipe(self) -> None:
        """Empty every kasify table."""
        with self.store.engine.begin() as conn:
            for table in reversed(self.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def _database_url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'conformance.sqlite3'}"
    else:
        yield from server_database(SERVERS[backend])


def _django_alias(backend: str, url: str) -> str:
    """A Django alias of our own pointing at *url* (Django configured first if nobody did)."""
    from django.conf import settings
    from django.db import connections

    alias = f"conformance_{backend}"
    parsed = sa.engine.make_url(url)
    config: dict[str, Any] = {"ENGINE": DJANGO_ENGINES[backend], "NAME": parsed.database}
    if backend != "sqlite":
        config.update(
            USER=parsed.username or "", PASSWORD=parsed.password or "",
            HOST=parsed.host or "", PORT=str(parsed.port or ""),
        )  # fmt: skip
    if backend == "sqlite" and _django_has_transaction_mode():
        # As docs/django.md asks of a host: writers take SQLite's lock up front, and queue.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    if not settings.configured:
        import django

        settings.configure(
            USE_TZ=True,
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        )
        django.setup()
    if backend == "mysql":
        try:
            import MySQLdb  # noqa: F401 - mysqlclient, which Django's MySQL backend prefers
        except ImportError:
            import pymysql

            pymysql.install_as_MySQLdb()
    settings.DATABASES[alias] = config
    # Django fills each alias's defaults (and wants a "default" beside it to do so).
    default = dict(connections.settings["default"])
    connections.settings[alias] = connections.configure_settings({"default": default, alias: config})[alias]
    return alias


def _django_has_transaction_mode() -> bool:
    import django

    return django.VERSION >= (5, 1)


@pytest.fixture(scope="session", params=KINDS)
def store_kind(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreUnderTest]:
    """Each store in turn, on a migrated database of its own."""
    flavour, backend = request.param.split("-", 1)
    if flavour == "django" and importlib.util.find_spec("django") is None:
        pytest.skip("the Django-connection store needs Django installed")
    urls = _database_url(backend, tmp_path_factory.mktemp(request.param))
    url = next(urls)
    store = SqlStore.from_url(url)
    migrate.upgrade(store)
    store.dispose()
    if flavour == "sql":
        under_test = StoreUnderTest(request.param, SqlStore.from_url(url), lambda: None)
    else:
        from django.db import connections

        from kasify_orders.adapters.django.store import DjangoStore

        alias = _django_alias(backend, url)
        under_test = StoreUnderTest(request.param, DjangoStore(alias), connections.close_all)
        if backend == "sqlite" and not _django_has_transaction_mode():
            under_test.no_concurrent_writers = "Django's SQLite queues writers from 5.1 (transaction_mode)"
    yield under_test
    under_test.store.dispose()
    if flavour == "django":
        from django.db import connections

        connections[alias].close()
    next(urls, None)


@pytest.fixture
def subject(store_kind: StoreUnderTest) -> Iterator[StoreUnderTest]:
    """The store of this variant; every table emptied afterwards."""
    yield store_kind
    store_kind.wipe()
