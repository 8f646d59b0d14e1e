"""The refund email of a refund by line lists what it refunded, through a real SMTP server."""

from __future__ import annotations

from decimal import Decimal

import kasify_orders as ko
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer


def test_a_refund_by_line_emails_its_lines_quantities_and_shipping(shop: ko.Orders, smtp: SmtpServer) -> None:
    cart = new_order(
        email="ada@example.com",
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ],
    )
    order = shop.confirm_payment(shop.place(cart).id)
    shop.refund(order.id, lines={1: 1}, shipping=True, note="seam torn, keep quiet")
    shop.refund(order.id, Decimal("3.00"))
    mails = [r for r in smtp.inbox.to("ada@example.com") if "refund" in r.message["Subject"]]
    assert [r.message["Subject"] for r in mails] == [
        f"Analytical Engines: refund of $30.00 for order #{order.number}",
        f"Analytical Engines: refund of $3.00 for order #{order.number}",
    ]
    by_line, by_amount = mails
    text, html = by_line.text(), by_line.html()
    assert "This refund covers:" in text
    assert "- 1 x T-shirt (Red / M): $25.00" in text and "- Shipping: $5.00" in text
    assert "Mug" not in text and "seam torn" not in text
    assert "1 &times; T-shirt (Red / M): $25.00" in html and "Shipping: $5.00" in html
    assert "This refund covers" not in by_amount.text() and "Remaining balance: $30.00" in by_amount.text()
