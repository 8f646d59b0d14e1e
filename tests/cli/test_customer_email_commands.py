"""``kasify-orders orders email-customer``, ``resend`` and ``retry-email``, made from the action registry."""

from __future__ import annotations

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

CUSTOMER = "ada@example.com"


def run(url: str, *args: str, smtp: str | None = None) -> Result:
    env = {"KASIFY_ORDERS_SMTP_URL": smtp} if smtp else {"KASIFY_ORDERS_SMTP_URL": ""}
    return CliRunner(env=env).invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_email_the_customer_resend_it_from_the_command_line(
    orders: ko.Orders, database_url: str, mail_server: SmtpServer
) -> None:
    order = orders.place(new_order())
    number = str(order.number)

    bad = run(database_url, "orders", "email-customer", number, "--template", "late", smtp=mail_server.url)
    assert bad.exit_code == 1 and "template" in bad.output and "delay" in bad.output
    assert orders.get(order.id) == order

    done = run(database_url, "orders", "email-customer", number, "--template", "delay", smtp=mail_server.url)
    assert done.exit_code == 0, done.output
    assert (
        f"Order #{order.number}: Your message to {CUSTOMER} is on the timeline and on its way" in done.output
    )
    assert orders.get(order.id).timeline[-1].kind == "customer_emailed"
    assert mail_server.inbox.received == []  # the command queues it; the outbox worker sends it
    delivered = run(database_url, "outbox", "run", smtp=mail_server.url)
    assert delivered.exit_code == 0, delivered.output
    assert [str(r.message["Subject"]) for r in mail_server.inbox.to(CUSTOMER)] == [
        f"Your order #{order.number} is delayed"
    ]

    again = run(database_url, "orders", "resend", number, "--kind", "customer_message", smtp=mail_server.url)
    assert again.exit_code == 0, again.output
    assert len(mail_server.inbox.to(CUSTOMER)) == 2


def test_without_a_mail_server_the_command_says_so_and_records_nothing(
    orders: ko.Orders, database_url: str
) -> None:
    order = orders.place(new_order())
    number = str(order.number)
    refused = run(database_url, "orders", "email-customer", number, "--subject", "Hi", "--body", "Yo")
    assert refused.exit_code == 1 and "emails are off" in refused.output
    assert orders.get(order.id) == order
    assert orders.store.outbox_items() == []

    retry = run(database_url, "orders", "retry-email", str(order.number), "--event-id", "f" * 32)
    assert retry.exit_code == 1 and "event_id" in retry.output
    assert orders.get(order.id) == order
