"""Email customer, Resend and Retry through the JSON API (made from the registry), mail through aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator

import flask
import pytest

import kasify_orders as ko
from tests.adapters.flask.conftest import API, make_app
from tests.helpers import new_order, wipe
from tests.integration.notifications.conftest import SmtpServer, shop_settings

PROBLEM = "application/problem+json"
CUSTOMER = "ada@example.com"


@pytest.fixture
def shop(database_url: str, mail_server: SmtpServer) -> Iterator[ko.Orders]:
    settings = shop_settings(mail_server.url, smtp_timeout_seconds=2.0, max_dispatch_attempts=1)
    connected = ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False)
    with connected:
        yield connected
    wipe(database_url)


def api(orders: ko.Orders) -> flask.testing.FlaskClient:
    return make_app(orders, authorize=lambda action, order: True).test_client()


def test_email_resend_and_retry_with_json_in_and_out(shop: ko.Orders, mail_server: SmtpServer) -> None:
    client = api(shop)
    order = shop.place(new_order())
    url = f"{API}/{order.id}"

    done = client.post(f"{url}/emails", json={"subject": "Hello", "body": "Your engine is ready."})
    assert done.status_code == 201
    assert done.json["timeline"][-1]["kind"] == "email_sent"  # it went out inline
    written = next(e for e in done.json["timeline"] if e["kind"] == "customer_emailed")
    assert written["data"]["subject"] == "Hello"
    assert [str(r.message["Subject"]) for r in mail_server.inbox.to(CUSTOMER)][-1] == "Hello"

    again = client.post(f"{url}/emails/resend", json={"kind": "customer_message"})
    assert again.status_code == 200 and again.json["timeline"][-1]["data"]["resend"] is True

    mail_server.stop()
    client.post(f"{url}/emails", json={"template": "delay"})
    (dead,) = shop.store.outbox_items(dead=True)
    mail_server.start()
    retried = client.post(f"{url}/emails/retry", json={"event_id": dead.id})
    assert retried.status_code == 200
    assert [e["kind"] for e in retried.json["timeline"][-2:]] == ["email_retried", "email_sent"]


def test_bad_input_and_no_mail_are_problem_details(shop: ko.Orders, orders: ko.Orders) -> None:
    order = shop.get(shop.place(new_order()).id)  # with its emails' entries
    bad = api(shop).post(
        f"{API}/{order.id}/emails", json={"subject": "Hi\nthere", "body": "", "template": "x"}
    )
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert [e["path"] for e in bad.json["errors"]] == ["template", "subject", "body"]
    assert shop.get(order.id) == order and shop.store.outbox_items() == []

    missing = api(shop).post(f"{API}/{order.id}/emails/retry", json={})
    assert missing.status_code == 422  # event_id is required

    off = api(orders).post(f"{API}/{order.id}/emails", json={"subject": "Hi", "body": "There."})
    assert off.status_code == 503 and off.mimetype == PROBLEM
    assert off.json["type"].endswith("emails-not-configured")
    assert orders.get(order.id) == order
