"""The "order updated" email, through a real SMTP server on loopback, on each database."""

from __future__ import annotations

from decimal import Decimal

import kasify_orders as ko
from tests.helpers import new_order
from tests.integration.notifications.conftest import Connect, SmtpServer, shop_settings

CUSTOMER = "ada@example.com"


def cart() -> ko.NewOrder:
    return new_order(
        email=CUSTOMER,
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ],
    )


def updates(smtp: SmtpServer) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.inbox.to(CUSTOMER) if "updated" in r.message["Subject"]]


def test_an_edit_emails_the_new_lines_and_the_amount_due(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.confirm_payment(shop.place(cart()).id)
    cap = ko.NewLine(sku="CAP", name="Cap", quantity=1, unit_price=Decimal("12.00"))
    edited = shop.edit(order.id, remove_lines=[2], add_lines=[cap], set_quantity={1: 3})
    assert edited.totals.amount_due == Decimal("29.00")
    (mail,) = [r for r in smtp.inbox.to(CUSTOMER) if "updated" in r.message["Subject"]]
    assert mail.message["Subject"] == f"Analytical Engines: order #{order.number} updated"
    text = mail.text()
    assert "T-shirt (Red / M) x 3" in text and "Cap x 1" in text and "Mug" not in text
    assert "Amount due: $29.00" in text and "To be refunded" not in text
    assert "Amount due" in mail.html() and "$29.00" in mail.html()
    sent = shop.get(order.id).timeline[-1]
    assert (sent.kind, sent.data["kind"], sent.data["to"]) == ("email_sent", "order_updated", CUSTOMER)


def test_an_edit_down_emails_the_difference_to_be_refunded(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.confirm_payment(shop.place(cart()).id)
    shop.edit(order.id, set_quantity={1: 1})
    (mail,) = [r for r in smtp.inbox.to(CUSTOMER) if "updated" in r.message["Subject"]]
    assert "To be refunded: $25.00" in mail.text() and "Amount due" not in mail.text()
    # Refused edits send nothing.
    try:
        shop.edit(order.id, set_quantity={1: 1})
    except ko.ValidationError:
        pass
    assert len(updates(smtp)) == 1


def test_the_merchant_may_turn_the_email_off(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url, disabled_emails={"order_updated"}))
    order = shop.place(cart())
    edited = shop.edit(order.id, set_quantity={2: 2})
    assert edited.totals.total == Decimal("71.00")
    assert updates(smtp) == []
    assert [r.message["Subject"] for r in smtp.inbox.to(CUSTOMER) if "confirmed" in r.message["Subject"]]


def test_the_update_can_be_resent(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(cart())
    shop.edit(order.id, set_quantity={2: 2})
    assert shop.resend_notification(order.id, "order_updated", actor="staff:1") == [CUSTOMER]
    assert len(updates(smtp)) == 2
