"""The customer's emails show the host's tax: confirmation, refund and order updated, through real SMTP."""

from __future__ import annotations

from decimal import Decimal

import attrs

import kasify_orders as ko
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

D = Decimal


def taxed(email: str, *, included: bool = False) -> ko.NewOrder:
    """Two T-shirts at 25.00 taxed 9.50, shipping 5.00 taxed 0.95."""
    cart = new_order(email=email)
    return attrs.evolve(
        cart,
        lines=[attrs.evolve(cart.lines[0], tax=D("9.50"))],
        shipping_tax=D("0.95"),
        prices_include_tax=included,
    )


def mails(smtp: SmtpServer, to: str, word: str) -> list[tuple[str, str]]:
    found = [(r.text(), r.html()) for r in smtp.inbox.to(to) if word in r.message["Subject"]]
    return [(text.replace("\r\n", "\n"), html) for text, html in found]


def test_the_confirmation_adds_the_tax_or_says_the_total_includes_it(
    shop: ko.Orders, smtp: SmtpServer
) -> None:
    shop.confirm_payment(shop.place(taxed("ada@example.com")).id)
    shop.confirm_payment(shop.place(taxed("bob@example.com", included=True)).id)
    ((text, html),) = mails(smtp, "ada@example.com", "confirm")
    assert "Shipping: $5.00\nTax: $10.45\nTotal: $65.45\n\nShipping to:" in text and "incl. tax" not in text
    assert ">Tax</td>" in html and "$10.45" in html
    ((text, html),) = mails(smtp, "bob@example.com", "confirm")
    assert "Total: $55.00 (incl. tax $10.45)\n" in text and "Tax:" not in text
    assert ">incl. tax</td>" in html


def test_the_refund_and_the_order_updated_emails_show_the_tax(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.confirm_payment(shop.place(taxed("ada@example.com")).id)
    shop.refund(order.id, lines={1: 1}, shipping=True)
    ((text, html),) = mails(smtp, "ada@example.com", "refund")
    assert "- 1 x T-shirt (Red / M): $29.75" in text and "- Shipping: $5.95" in text
    assert "Order total: $65.45 (incl. tax $10.45)" in text and ">incl. tax</td>" in html
    other = shop.confirm_payment(shop.place(taxed("bob@example.com")).id)
    shop.edit(other.id, set_quantity={1: 3})
    ((text, _html),) = mails(smtp, "bob@example.com", "updated")
    assert "Tax: $15.20\nTotal: $95.20\n" in text
