"""Talking to the customer: "Email customer", "Resend" and "Retry", through real SMTP, on every database."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from kasify_orders import notifications
from kasify_orders.registry.talking import failure_is_open, resend_values, retry_values
from kasify_orders.web.timeline_view import timeline_items
from tests.helpers import new_order
from tests.integration.notifications.conftest import Connect, Received, SmtpServer, shop_settings

CUSTOMER = "ada@example.com"


def text(received: Received) -> str:
    """The plain-text part with its line ends as written (SMTP carries CRLF)."""
    return received.text().replace("\r\n", "\n")


def subjects_to(smtp: SmtpServer, address: str = CUSTOMER) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.inbox.to(address)]


def test_emailing_the_customer_records_it_and_sends_it_once(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(new_order())
    before = len(smtp.inbox.received)

    done = shop.email_customer(
        order.id, subject="About your engine", body="Dear Ada,\r\n\r\nIt ships Monday.", actor="staff:7"
    )

    written, sent = shop.get(order.id).timeline[-2:]
    assert (written.kind, written.actor, written.message) == (
        "customer_emailed",
        "staff:7",
        "Message to the customer: About your engine",
    )
    assert (written.data["subject"], written.data["body"]) == (
        "About your engine",
        "Dear Ada,\n\nIt ships Monday.",
    )
    assert done.timeline[-1] == written  # the action returns the order with its entry
    assert (sent.kind, sent.data["kind"], sent.data["to"]) == ("email_sent", "customer_message", CUSTOMER)
    assert sent.data["message_key"] == written.data["message_key"]
    (received,) = smtp.inbox.received[before:]
    assert received.to == CUSTOMER and received.message["Subject"] == "About your engine"
    assert text(received).startswith("Dear Ada,\n\nIt ships Monday.\n")
    assert "<p>Dear Ada,</p>" in received.html() and "<p>It ships Monday.</p>" in received.html()
    assert received.message["Reply-To"] == "help@engines.example"

    assert shop.deliver_pending(retry_now=True) == 0  # nothing left in the outbox: sent once
    assert len(smtp.inbox.received) == before + 1
    (marker,) = [m for m in notifications.sent_emails(shop, order.id) if m.kind == "customer_message"]
    assert (marker.state.value, marker.attempts, marker.recipient) == ("sent", 1, CUSTOMER)


def test_the_delay_template_fills_a_blank_subject_and_body(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(new_order())

    shop.email_customer(order.id, template="delay")
    shop.email_customer(order.id, subject="A short wait", template="delay")

    first, second = smtp.inbox.received[-2:]
    assert first.message["Subject"] == f"Your order #{order.number} is delayed"
    assert text(first).startswith("Hello Ada Lovelace,\n\nWe are sorry: your order")
    assert "Thank you for your patience" in text(first)
    assert second.message["Subject"] == "A short wait"  # what the merchant typed wins
    assert text(second) == text(first)
    assert shop.get(order.id).timeline[-2].data["template"] == "delay"


@pytest.mark.parametrize(
    "case",
    [
        ("", "", None, ["subject", "body"]),
        ("Line\nbreak", "Fine.", None, ["subject"]),
        ("x" * 201, "Fine.", None, ["subject"]),
        ("Fine", "x" * 5001, None, ["body"]),
        ("Fine", "Bell\x07", None, ["body"]),
        ("", "", "dela", ["template", "subject", "body"]),
    ],
)
def test_a_bad_message_names_each_field_and_leaves_nothing_behind(
    shop: ko.Orders, smtp: SmtpServer, case: tuple[str, str, str | None, list[str]]
) -> None:
    subject, body, template, fields = case
    order = shop.place(new_order())
    before = shop.get(order.id)
    received = len(smtp.inbox.received)

    with pytest.raises(ko.ValidationError) as caught:
        shop.email_customer(order.id, subject=subject, body=body, template=template)

    assert [error.path for error in caught.value.errors] == fields
    if template:
        assert "did you mean 'delay'" in caught.value.errors[0].message
    after = shop.get(order.id)
    assert (after.timeline, after.version) == (before.timeline, before.version)  # no timeline entry
    assert shop.store.outbox_items() == []  # no outbox row
    assert len(smtp.inbox.received) == received  # no email


def test_without_emails_a_message_is_refused_and_nothing_is_recorded(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    with pytest.raises(ko.notifications.EmailsNotConfigured, match="emails are off"):
        orders.email_customer(order.id, subject="Hello", body="Anyone?")
    assert orders.get(order.id).timeline == order.timeline
    assert orders.store.outbox_items() == []


def test_resend_sends_a_second_copy_of_that_message_and_says_so(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(new_order())
    shop.email_customer(order.id, subject="First", body="One.")
    shop.email_customer(order.id, subject="Second", body="Two.")
    first_sent = next(
        e
        for e in shop.get(order.id).timeline
        if e.kind == "email_sent" and e.data["kind"] == "customer_message"
    )
    values = resend_values(shop.get(order.id), first_sent)
    assert values == {"kind": "customer_message", "message_key": first_sent.data["message_key"]}

    assert shop.resend_notification(
        order.id, values["kind"], message_key=values["message_key"], actor="staff:7"
    ) == [CUSTOMER]

    assert subjects_to(smtp)[-3:] == ["First", "Second", "First"]
    again = smtp.inbox.to(CUSTOMER)[-1]
    assert text(again).startswith("One.")
    entry = shop.get(order.id).timeline[-1]
    assert (entry.kind, entry.actor, entry.data["resend"]) == ("email_sent", "staff:7", True)
    assert entry.message == f"Message to the customer resent to {CUSTOMER}"
    assert shop.resend_notification(order.id, "customer_message") == [CUSTOMER]  # the latest
    assert subjects_to(smtp)[-1] == "Second"
    with pytest.raises(ko.ValidationError) as caught:
        shop.resend_notification(order.id, "customer_message", message_key="f" * 32)
    assert [e.path for e in caught.value.errors] == ["message_key"]


def test_a_dead_email_shows_its_reason_and_retry_delivers_it(connect: Connect, smtp_down: SmtpServer) -> None:
    settings = shop_settings(
        smtp_down.url,
        max_dispatch_attempts=1,
        new_order_alert_emails=[],
        disabled_emails=["order_confirmation"],
    )
    orders = connect(settings)
    order = orders.place(new_order())
    orders.email_customer(order.id, subject="Your engine", body="It is ready.")

    (dead,) = orders.store.outbox_items(dead=True)
    assert dead.hook == "kasify_customer_emailed"
    now = orders.get(order.id)
    failed = next(e for e in now.timeline if e.kind == "email_failed")
    assert "ConnectionRefusedError" in failed.data["error"] and failed.data["event_id"] == dead.id
    assert [e.kind for e in now.timeline[-3:]] == ["customer_emailed", "email_failed", "delivery_failed"]
    assert failure_is_open(now, failed) and resend_values(now, failed) is None
    assert retry_values(now, failed) == {"event_id": dead.id}
    shown = next(item for item in timeline_items(now, [], url=str, may=bool, amount=str) if item.failed)
    assert shown.entry == failed and shown.dead and "ConnectionRefusedError" in (shown.reason or "")

    smtp_down.start()
    orders.retry_email(order.id, dead.id, actor="staff:7")

    assert subjects_to(smtp_down) == ["Your engine"]
    after = orders.get(order.id)
    assert [e.kind for e in after.timeline[-2:]] == ["email_retried", "email_sent"]
    assert after.timeline[-2].actor == "staff:7"
    assert not failure_is_open(after, failed) and retry_values(after, failed) is None
    assert not any(item.failed for item in timeline_items(after, [], url=str, may=bool, amount=str))
    assert orders.store.outbox_items() == []
    with pytest.raises(ko.ValidationError) as caught:  # nothing waits any more: nothing changes
        orders.retry_email(order.id, dead.id)
    assert [e.path for e in caught.value.errors] == ["event_id"]
    assert orders.get(order.id).timeline == after.timeline
    assert subjects_to(smtp_down) == ["Your engine"]


def test_retry_without_inline_delivery_makes_the_email_due_for_the_worker(
    connect: Connect, smtp_down: SmtpServer
) -> None:
    settings = shop_settings(
        smtp_down.url, max_dispatch_attempts=1, new_order_alert_emails=[], deliver_inline=False
    )
    orders = connect(settings)
    order = orders.place(new_order())
    orders.email_customer(order.id, template="delay")
    assert orders.deliver_pending() == 0  # the server is down: both emails die after one attempt
    dead = {item.hook: item for item in orders.store.outbox_items(dead=True)}
    assert set(dead) == {"kasify_order_placed", "kasify_customer_emailed"}
    smtp_down.start()

    orders.retry_email(order.id, dead["kasify_customer_emailed"].id)

    assert smtp_down.inbox.received == []  # the worker sends it
    assert orders.deliver_pending() == 1
    assert subjects_to(smtp_down) == [f"Your order #{order.number} is delayed"]
    (still,) = orders.store.outbox_items(dead=True)
    assert still.hook == "kasify_order_placed"  # only that event was revived
    with pytest.raises(ko.ValidationError):
        orders.retry_email(order.id, "not-an-event")
