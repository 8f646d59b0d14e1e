"""Talking to the customer, pure: the message's checks, the delay template, the timeline's buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

import kasify_orders as ko
from kasify_orders import actions
from kasify_orders.customer_messages import email_customer
from kasify_orders.events import CustomerEmailed
from kasify_orders.model import TimelineEvent
from kasify_orders.registry import MERCHANT_ACTIONS, Widget
from kasify_orders.registry.talking import failure_is_open, resend_values, retry_values
from kasify_orders.web.timeline_view import timeline_items
from tests.helpers import new_order

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def placed() -> ko.Order:
    return actions.place(new_order(), None, order_id="a" * 32, at=AT, actor=None).order


def test_a_message_is_one_timeline_entry_and_one_event() -> None:
    order = placed()
    change = email_customer(
        order,
        subject=" Hello ",
        body="Line one\r\nLine two",
        template=None,
        message_key="k1",
        at=AT,
        actor="staff:7",
    )
    (entry,) = change.entries
    assert (entry.kind, entry.actor, entry.message) == (
        "customer_emailed",
        "staff:7",
        "Message to the customer: Hello",
    )
    assert entry.data == {
        "subject": "Hello",
        "body": "Line one\nLine two",
        "template": None,
        "message_key": "k1",
        "to": "ada@example.com",
    }
    assert change.events == (CustomerEmailed("Hello", "Line one\nLine two", "k1"),)
    assert change.order.timeline[-1] == entry


def test_the_delay_template_fills_only_what_is_blank() -> None:
    order = attrs.evolve(placed(), number=1042)
    filled = email_customer(order, subject="", body="", template="delay", message_key="k", at=AT, actor=None)
    assert filled.entries[0].data["subject"] == "Your order #1042 is delayed"
    assert filled.entries[0].data["body"].startswith("Hello Ada Lovelace,\n\nWe are sorry: your order #1042")
    mine = email_customer(
        order, subject="Soon", body="", template="delay", message_key="k", at=AT, actor=None
    )
    assert mine.entries[0].data["subject"] == "Soon"
    assert mine.entries[0].data["body"] == filled.entries[0].data["body"]


@pytest.mark.parametrize(
    "case",
    [
        ("", "", None, ["subject", "body"]),
        ("a\nb", "ok", None, ["subject"]),
        ("ok", "x" * 5001, None, ["body"]),
        ("", "", "delya", ["template", "subject", "body"]),
    ],
)
def test_every_bad_field_is_named(case: tuple[str, str, str | None, list[str]]) -> None:
    subject, body, template, paths = case
    with pytest.raises(ko.ValidationError) as caught:
        email_customer(
            placed(), subject=subject, body=body, template=template, message_key="k", at=AT, actor=None
        )
    assert [error.path for error in caught.value.errors] == paths


def _email(kind: str, event: str, **data: object) -> TimelineEvent:
    return TimelineEvent(
        kind,
        AT,
        None,
        kind,
        {"kind": "order_confirmation", "to": "ada@example.com", "event_id": event, **data},
    )


def test_resend_is_beside_sent_emails_and_retry_beside_an_open_failure_only() -> None:
    failed_once = _email("email_failed", "e1", error="SMTP down")
    sent = _email("email_sent", "e1")
    failed_again = _email("email_failed", "e2", error="550 no such user")
    order = attrs.evolve(placed(), timeline=(failed_once, sent, failed_again))

    assert resend_values(order, sent) == {"kind": "order_confirmation", "message_key": ""}
    assert not failure_is_open(order, failed_once) and retry_values(order, failed_once) is None
    assert failure_is_open(order, failed_again) and retry_values(order, failed_again) == {"event_id": "e2"}
    assert resend_values(order, failed_again) is None

    failed_resend = _email("email_failed", "e3", error="down", resend=True)
    order = attrs.evolve(order, timeline=(*order.timeline, failed_resend))
    assert retry_values(order, failed_resend) is None  # no outbox event: resend it instead
    assert resend_values(order, failed_resend) == {"kind": "order_confirmation", "message_key": ""}

    items = timeline_items(order, [], url=str, may=bool, amount=str)
    assert [(item.entry.data.get("event_id"), item.failed, item.reason) for item in items[:3]] == [
        ("e3", True, "down"),
        ("e2", True, "550 no such user"),
        ("e1", False, None),
    ]


def test_the_buttons_are_registry_actions_with_hidden_fields() -> None:
    for name, fields in {"resend_notification": ["kind", "message_key"], "retry_email": ["event_id"]}.items():
        spec = MERCHANT_ACTIONS[name]
        assert spec.placement == "entry" and spec.for_entry is not None
        assert [f.name for f in spec.fields] == fields
        assert {f.widget for f in spec.fields} == {Widget.HIDDEN}
    write = MERCHANT_ACTIONS["email_customer"]
    assert (write.api_path, write.api_status, write.cli_name, write.placement) == (
        "emails",
        201,
        "email-customer",
        "actions",
    )
    assert [f.name for f in write.fields] == ["subject", "body", "template"]
    assert write.field("template").suggestions is not None and list(
        write.field("template").suggestions()
    ) == ["delay"]
    assert write.statuses == frozenset(ko.Status)
