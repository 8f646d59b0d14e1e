"""A Django host around kasify's app, on SQLite, PostgreSQL and MariaDB/MySQL in turn.

Django is configured once per process, with three database aliases: ``sqlite`` (a file),
``postgresql`` and ``mysql`` (Django's own ``django.db.backends.mysql`` engine). Each server
alias gets a database of our own on its server (``KASIFY_TEST_POSTGRES_URL``,
``KASIFY_TEST_MYSQL_URL``), created for the session and dropped after it; without the variable
that variant skips with a one-line reason, except under CI (``CI=true``), where it fails (see
``tests.helpers.server_database``). Django's MySQL backend imports ``MySQLdb``: where
mysqlclient is not installed, PyMySQL stands in for it (``pymysql.install_as_MySQLdb()``).

Each test runs against one alias: a router sends all of Django's own queries (users, sessions)
there, and ``KASIFY_ORDERS["DATABASE"]`` points kasify there too, so each variant is a whole
host on that database. Each is migrated with ``manage.py migrate``'s own code
(``call_command("migrate")``), which is how kasify's tables come to exist. Tests commit for
real (no wrapping transaction), so ``on_commit`` behaves as in production; every table is
emptied after each test.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("django")

import django
import sqlalchemy as sa
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.test.client import Client as ClientType

import kasify_orders as ko
from tests.helpers import server_database

ADMIN = "/admin/orders"
_SQLITE_DIR = Path(tempfile.mkdtemp(prefix="kasify-django-"))


class Router:
    """Sends every query of Django's own apps to the database of the running variant."""

    alias = "sqlite"

    def db_for_read(self, model: object, **hints: object) -> str:
        return Router.alias

    def db_for_write(self, model: object, **hints: object) -> str:
        return Router.alias

    def allow_relation(self, *objects: object, **hints: object) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db != "unsupported"


BASE_KASIFY = {
    "LOAD_ENTRYPOINTS": False,
    "SETTINGS": {"store_name": "Django Test Shop", "new_order_alert_emails": ["owner@shop.example"]},
}

try:
    import MySQLdb  # noqa: F401 - mysqlclient, which Django's MySQL backend prefers
except ImportError:  # mysqlclient cannot be built everywhere: PyMySQL stands in for it
    import pymysql

    pymysql.install_as_MySQLdb()

# The browser tests (tests/e2e, tests/e2e/django) drive Playwright's sync API, which keeps an
# event loop running in the main thread for the rest of the session; Django refuses database
# calls from a thread with a running loop unless told the code is synchronous, which ours is.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="kasify-django-tests",
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
        TIME_ZONE="UTC",  # as startproject writes it (Django's own default is America/Chicago)
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(_SQLITE_DIR / "default.sqlite3")},
            "sqlite": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(_SQLITE_DIR / "host.sqlite3")},
            "postgresql": {"ENGINE": "django.db.backends.postgresql", "NAME": "unset"},
            "mysql": {"ENGINE": "django.db.backends.mysql", "NAME": "unset"},
            "unsupported": {"ENGINE": "django.db.backends.dummy"},
        },
        DATABASE_ROUTERS=[f"{__name__}.Router"],
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "kasify_orders.adapters.django",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        ROOT_URLCONF="tests.adapters.django.urls",
        LOGIN_URL="/login/",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="Django Test Shop <orders@shop.example>",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        KASIFY_ORDERS=BASE_KASIFY,
    )
    django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402 - needs the settings above

from kasify_orders.adapters.django import get_orders  # noqa: E402
from kasify_orders.adapters.django.orders import store_for  # noqa: E402

#: The aliases on a database server, and the variable naming each server.
SERVERS = {"postgresql": "KASIFY_TEST_POSTGRES_URL", "mysql": "KASIFY_TEST_MYSQL_URL"}


def _use_server(alias: str) -> Iterator[str]:
    """Point the server *alias* at a fresh database of our own (dropped afterwards)."""
    urls = server_database(SERVERS[alias])
    url = sa.engine.make_url(next(urls))
    connections[alias].settings_dict.update(
        NAME=url.database, USER=url.username or "", PASSWORD=url.password or "",
        HOST=url.host or "", PORT=str(url.port or ""),
    )  # fmt: skip
    try:
        yield alias
    finally:
        connections[alias].close()
        next(urls, None)


@pytest.fixture(scope="session", params=["sqlite", *SERVERS])
def alias(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database alias, migrated with ``manage.py migrate`` (Django's tables and kasify's)."""
    if request.param in SERVERS:
        databases: Iterator[str] = _use_server(request.param)
        name = next(databases)
    else:
        databases, name = iter(()), "sqlite"
    Router.alias = name
    call_command("migrate", database=name, verbosity=0)
    yield name
    connections[name].close()
    next(databases, None)


@pytest.fixture
def host(alias: str) -> Iterator[str]:
    """The variant's alias, with kasify pointed at it; every table emptied afterwards."""
    Router.alias = alias
    mail.outbox = []
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": alias}):
        yield alias
        wipe(alias)


def wipe(alias: str) -> None:
    """Empty kasify's tables and the users and groups on *alias*."""
    store = store_for(alias)
    with store.engine.begin() as conn:
        for table in reversed(store.tables.metadata.sorted_tables):
            conn.execute(table.delete())
    store.dispose()
    User.objects.using(alias).all().delete()
    Group.objects.using(alias).all().delete()


@pytest.fixture
def orders(host: str) -> ko.Orders:
    """``get_orders()``: the host's ``Orders`` on the variant's database."""
    return get_orders()


def make_user(alias: str, name: str, *, staff: bool) -> User:
    return User.objects.db_manager(alias).create_user(name, f"{name}@shop.example", "pw", is_staff=staff)


@pytest.fixture
def staff(host: str) -> User:
    return make_user(host, "grace", staff=True)


@pytest.fixture
def client(host: str) -> Client:
    """A browser-like client that really checks CSRF tokens."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def staff_client(client: Client, staff: User) -> Client:
    client.force_login(staff)
    return client


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page_text(response: Any) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body.replace("&#39;", "'").replace("&amp;", "&"))


def csrf_token(client: ClientType, order_id: str) -> str:
    """The CSRF token the order page hands out (in its forms)."""
    found = _TOKEN.search(client.get(f"{ADMIN}/{order_id}/").content.decode())
    assert found is not None, "no form on the order page"
    return found.group(1)


def post_action(
    client: ClientType, order: ko.Order, action: str, *, token: str | None = None, **fields: str
) -> Any:
    """Submit an action's form as the order page does (CSRF token and version included)."""
    if token is None:
        token = csrf_token(client, order.id)
    data = {"csrfmiddlewaretoken": token, "version": str(order.version), **fields}
    return client.post(f"{ADMIN}/{order.id}/{action}/", data)
