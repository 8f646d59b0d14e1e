"""docs/django-testing.md's examples, run as written by Django's own test runner (``manage.py test``)
in a project of their own, whose ``default`` database is SQLite, PostgreSQL or MariaDB in turn.

Each ``python`` block of the page that starts with ``# test_<name>.py`` is written to that file;
Django's ``DiscoverRunner`` creates the test database with ``migrate`` (kasify's tables too) and
runs them. Every example test must pass, and all of them must have run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

import kasify_orders
from tests.adapters.django.conftest import SERVERS
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "django-testing.md"
_BLOCK = re.compile(r"```python\n(# (test_\w+)\.py\n.*?)```", re.DOTALL)

SETTINGS = """\
try:
    import MySQLdb  # noqa: F401
except ImportError:
    import pymysql

    pymysql.install_as_MySQLdb()

SECRET_KEY = "docs"
USE_TZ = True
DATABASES = {{"default": {database!r}}}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "kasify_orders.adapters.django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "docs_urls"
LOGIN_URL = "login"
DEFAULT_FROM_EMAIL = "Doc Shop <orders@shop.example>"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
KASIFY_ORDERS = {{
    "LOAD_ENTRYPOINTS": False,
    "SETTINGS": {{"store_name": "Doc Shop", "new_order_alert_emails": ["owner@shop.example"]}},
}}
"""

URLS = """\
from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path("admin/orders/", include("kasify_orders.adapters.django.urls")),
    path("login/", LoginView.as_view(), name="login"),
]
"""


def examples() -> dict[str, str]:
    """The page's test modules: ``{"test_checkout": source}``."""
    return {name: source for source, name in _BLOCK.findall(PAGE.read_text())}


def database(variant: str) -> dict[str, object]:
    """The ``default`` database of the example project; Django's test runner makes its own test database."""
    if variant == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": "docs.sqlite3"}
    base = os.environ.get(SERVERS[variant])
    if not base:
        unavailable(f"set {SERVERS[variant]} to run the {variant} variant")
    url = sa.engine.make_url(base)
    return {
        "ENGINE": f"django.db.backends.{variant}",
        "NAME": url.database or "",
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.host or "",
        "PORT": str(url.port or ""),
        "TEST": {"NAME": f"kasify_docs_{uuid.uuid4().hex[:10]}"},
    }


def test_the_page_has_its_examples() -> None:
    assert set(examples()) == {"test_checkout", "test_commits", "test_merchant_pages"}


@pytest.mark.parametrize("variant", ["sqlite", *SERVERS])
def test_the_examples_pass_under_djangos_test_runner(variant: str, tmp_path: Path) -> None:
    modules = examples()
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(source)
    (tmp_path / "docs_settings.py").write_text(SETTINGS.format(database=database(variant)))
    (tmp_path / "docs_urls.py").write_text(URLS)
    env = {
        **os.environ,
        # The examples import the kasify-orders these tests import (the worktree's, or tox's install).
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(kasify_orders.__file__).parents[1])]),
        "DJANGO_SETTINGS_MODULE": "docs_settings",
    }
    run = subprocess.run(
        [sys.executable, "-m", "django", "test", "--noinput", "-v", "2", *modules],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    expected = sum(source.count("\n    def test_") for source in modules.values())
    assert f"Ran {expected} tests" in report, report
    assert re.search(r"^OK$", report, re.MULTILINE), report
