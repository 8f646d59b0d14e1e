"""Emails through the host's Flask-Mailman, set up as docs/flask.md says: its own backends, no smtp_url."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest

pytest.importorskip("flask_mailman")

import flask_mailman as mailman

import kasify_orders as ko
from kasify_orders.adapters.flask import EXTENSION, KasifyOrders
from kasify_orders.notifications import sent_emails
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

SENDER = "Analytical Engines <orders@engines.example>"
CUSTOMER = "ada@example.com"
ALERT = "boss@engines.example"
EMAILS_LOGGER = "kasify_orders.emails"


@pytest.fixture
def apps() -> Iterator[list[flask.Flask]]:
    """Apps the test builds; their ``Orders`` are closed afterwards."""
    built: list[flask.Flask] = []
    yield built
    for app in built:
        app.extensions[EXTENSION].orders.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def shop(apps: list[flask.Flask], tmp_path: Path, mail_first: bool | None, **config: Any) -> flask.Flask:
    """A shop built as docs/flask.md says; ``Mail(app)`` before or after kasify (None: no Mail)."""
    app = flask.Flask("shop")
    app.config.update(
        {
            "SECRET_KEY": "s",
            "KASIFY_ORDERS_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            "KASIFY_ORDERS_LOAD_ENTRYPOINTS": False,
            "KASIFY_ORDERS_SETTINGS": {"store_name": "Analytical Engines", "new_order_alert_emails": [ALERT]},
            "MAIL_DEFAULT_SENDER": SENDER,
            **config,
        }
    )
    if mail_first:
        mailman.Mail(app)
    KasifyOrders(app)
    apps.append(app)
    if mail_first is False:
        mailman.Mail(app)
    return app


def kinds(orders: ko.Orders, order_id: str) -> list[str]:
    return [entry.kind for entry in orders.get(order_id).timeline]


def email_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    warned = [r for r in caplog.records if r.name == EMAILS_LOGGER and r.levelno == logging.WARNING]
    return [record.getMessage() for record in warned]


@pytest.mark.parametrize("mail_first", [True, False], ids=["mail-before-kasify", "mail-after-kasify"])
def test_placing_an_order_emails_through_flask_mailmans_locmem_backend(
    apps: list[flask.Flask], tmp_path: Path, mail_first: bool, caplog: pytest.LogCaptureFixture
) -> None:
    app = shop(apps, tmp_path, mail_first, MAIL_BACKEND="locmem")
    with app.app_context():
        orders = app.extensions[EXTENSION].orders
        order = orders.place(new_order(email=CUSTOMER))
        outbox = app.extensions["mailman"].outbox
    assert sorted(message.to for message in outbox) == [[f"Ada Lovelace <{CUSTOMER}>"], [ALERT]]
    assert {message.from_email for message in outbox} == {SENDER}  # MAIL_DEFAULT_SENDER
    (confirmation,) = [message for message in outbox if message.to != [ALERT]]
    assert f"#{order.number}" in confirmation.subject
    assert kinds(orders, order.id) == ["placed", "email_sent", "email_sent"]
    assert email_warnings(caplog) == []


@pytest.mark.parametrize("mail_first", [True, False], ids=["mail-before-kasify", "mail-after-kasify"])
def test_placing_an_order_emails_through_flask_mailmans_smtp_backend(
    apps: list[flask.Flask], tmp_path: Path, mail_first: bool, smtp: SmtpServer
) -> None:
    app = shop(apps, tmp_path, mail_first, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=10)
    with app.app_context():
        orders = app.extensions[EXTENSION].orders
        order = orders.place(new_order(email=CUSTOMER))
    (received,) = smtp.inbox.to(CUSTOMER)
    assert received.message["From"] == SENDER
    assert f"#{order.number}" in received.message["Subject"] and "$55.00" in received.text()
    assert len(smtp.inbox.to(ALERT)) == 1
    (marker,) = [m for m in sent_emails(orders, order.id) if m.recipient == CUSTOMER]
    assert received.message["Message-ID"].strip() == marker.message_id  # a retry would send the same one
    assert kinds(orders, order.id) == ["placed", "email_sent", "email_sent"]


def test_mail_set_up_after_the_first_app_context_still_turns_the_emails_on(
    apps: list[flask.Flask], tmp_path: Path
) -> None:
    app = shop(apps, tmp_path, None, MAIL_BACKEND="locmem")
    with app.app_context():
        pass  # e.g. db.create_all() in the factory, before Mail(app)
    mailman.Mail(app)
    with app.app_context():
        orders = app.extensions[EXTENSION].orders
        order = orders.place(new_order(email=CUSTOMER))
        assert len(app.extensions["mailman"].outbox) == 2
    assert kinds(orders, order.id) == ["placed", "email_sent", "email_sent"]


def test_without_flask_mailman_or_smtp_the_app_says_once_that_no_email_is_sent(
    apps: list[flask.Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = shop(apps, tmp_path, None)  # Flask-Mailman installed, but no Mail(app), no smtp_url
    for _ in range(3):
        with app.app_context():
            orders = app.extensions[EXTENSION].orders
    (warning,) = email_warnings(caplog)
    assert "sends no emails" in warning and "Mail(app)" in warning and "smtp_url" in warning
    order = orders.place(new_order())
    assert kinds(orders, order.id) == ["placed"]
    assert orders.store.outbox_items() == []  # nothing queued that could never be sent


def test_with_host_mail_turned_off_the_warning_comes_at_start_up(
    apps: list[flask.Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shop(apps, tmp_path, True, MAIL_BACKEND="locmem", KASIFY_ORDERS_USE_HOST_MAIL=False)
    (warning,) = email_warnings(caplog)  # before any app context
    assert "sends no emails" in warning


def test_without_a_from_address_the_app_says_so_at_start_up(
    apps: list[flask.Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = shop(apps, tmp_path, True, MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER=None)
    (warning,) = email_warnings(caplog)
    assert "'orders@localhost'" in warning and "MAIL_DEFAULT_SENDER" in warning
    with app.app_context():
        pass
    assert len(email_warnings(caplog)) == 1  # once


def test_settings_that_name_a_from_address_win_over_mail_default_sender(
    apps: list[flask.Flask], tmp_path: Path
) -> None:
    settings = {"store_name": "Engines", "from_email": "Engines <hello@engines.example>"}
    app = shop(apps, tmp_path, True, MAIL_BACKEND="locmem", KASIFY_ORDERS_SETTINGS=settings)
    assert app.extensions[EXTENSION].orders.settings.from_email == "Engines <hello@engines.example>"
    (tmp_path / "two").mkdir()
    app = shop(apps, tmp_path / "two", True, KASIFY_ORDERS_SETTINGS=ko.Settings(store_name="Engines"))
    assert app.extensions[EXTENSION].orders.settings.from_email == SENDER


def test_an_orders_the_host_built_gets_its_emails_through_flask_mailman_too(sqlite_orders: ko.Orders) -> None:
    app = flask.Flask("shop")
    app.config.update(SECRET_KEY="s", MAIL_BACKEND="locmem")
    KasifyOrders(app, orders=sqlite_orders)
    mailman.Mail(app)  # after kasify
    with app.app_context():
        order = sqlite_orders.place(new_order(email=CUSTOMER))
        (sent,) = app.extensions["mailman"].outbox
    assert sent.to == [f"Ada Lovelace <{CUSTOMER}>"]
    assert kinds(sqlite_orders, order.id) == ["placed", "email_sent"]
