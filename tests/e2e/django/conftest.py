"""The browser tests' Django host: the test Django project of tests/adapters/django, really served.

``django_site`` serves Django's own WSGI handler on a free localhost port (the ``serve``
fixture) over the variant's database, and opens a Chromium page signed in as a superuser
(Django's real session cookie, made by ``Client.force_login``). Its ``orders`` is the host's
``get_orders()``, so a test can set up and check what the pages did.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

pytest.importorskip("django")

# The test Django project's settings first: Django's models need them to import.
from tests.adapters.django.conftest import ADMIN, alias, host

# isort: split
from django.conf import settings
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from tests.integration.notifications.conftest import SmtpServer

__all__ = ["DjangoSite", "alias", "django_site", "host", "mail_server"]


@attrs.frozen
class DjangoSite:
    """A served Django host and a browser page signed in to it."""

    #: The server's root URL (``http://127.0.0.1:PORT``).
    base: str
    #: The merchant's pages' root URL (``…/admin/orders``).
    admin: str
    #: A Playwright page with the superuser's session.
    page: Any
    #: The host's ``Orders``.
    orders: ko.Orders
    #: The Django database alias this variant runs on.
    alias: str


@pytest.fixture
def django_site(monkeypatch: pytest.MonkeyPatch, host: str, serve: Any, browser: Any) -> Iterator[DjangoSite]:
    """The Django host served for real, with a Chromium page signed in as superuser ``admin``."""
    # Playwright's sync API keeps an event loop running in this thread; Django refuses database
    # calls from a thread with a running loop unless told this one is synchronous code (it is).
    # (``monkeypatch`` comes first so the variable outlives ``host``'s clean-up.)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with override_settings(ALLOWED_HOSTS=["127.0.0.1", "testserver"]):
        base = serve(WSGIHandler())
        user = User.objects.db_manager(host).create_superuser("admin", "admin@shop.example", "pw")
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        page = context.new_page()
        try:
            yield DjangoSite(base=base, admin=f"{base}{ADMIN}", page=page, orders=get_orders(), alias=host)
        finally:
            context.close()


@pytest.fixture
def mail_server(mail_server: SmtpServer) -> Iterator[SmtpServer]:
    """The loopback SMTP server, with Django's own SMTP backend sending kasify's emails to it."""
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": mail_server.port,
        "EMAIL_TIMEOUT": 5,
    }
    with override_settings(**smtp):
        yield mail_server
