"""Each parcel's own shipping email, through a real SMTP server on loopback, on each database."""

from __future__ import annotations

from decimal import Decimal

import kasify_orders as ko
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

UPS_1, UPS_2, UPS_3 = "1Z999AA10123456784", "1Z999AA10123456785", "1Z999AA10123456786"


def test_each_parcel_emails_its_own_lines_and_link_and_a_correction_names_that_parcel(
    shop: ko.Orders, smtp: SmtpServer
) -> None:
    cart = new_order(
        email="ada@example.com",
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ],
    )
    order = shop.confirm_payment(shop.place(cart).id)
    first = shop.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={1: 1, 2: 1})
    second = shop.mark_shipped(order.id, tracking_number=UPS_2, carrier="ups")
    mails = [r for r in smtp.inbox.to("ada@example.com") if "shipped" in r.message["Subject"]]
    assert [r.message["Subject"] for r in mails] == [
        f"Analytical Engines: 2 of 3 items of order #{order.number} have shipped",
        f"Analytical Engines: 3 of 3 items of order #{order.number} have shipped",
    ]
    one, two = mails
    link_1, link_2 = first.shipments[0].tracking_url, second.shipments[1].tracking_url
    assert link_1 and link_2
    assert "1 x T-shirt (Red / M)" in one.text() and "1 x Mug" in one.text() and link_1 in one.text()
    assert "The rest follows in another parcel" in one.text() and UPS_2 not in one.text()
    assert "1 x T-shirt (Red / M)" in two.text() and "Mug" not in two.text() and link_2 in two.html()
    assert UPS_1 not in two.text() and "The rest follows" not in two.text()

    shop.update_tracking(order.id, tracking_number=UPS_3, shipment_id=first.shipments[0].id)
    (correction,) = [r for r in smtp.inbox.to("ada@example.com") if "new tracking" in r.message["Subject"]]
    assert UPS_3 in correction.text() and UPS_1 in correction.text() and UPS_2 not in correction.text()


def test_an_order_shipped_in_one_parcel_emails_as_it_always_did(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.confirm_payment(shop.place(new_order(email="ada@example.com")).id)
    shop.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups")
    (mail,) = [r for r in smtp.inbox.to("ada@example.com") if "shipped" in r.message["Subject"]]
    assert mail.message["Subject"] == f"Analytical Engines: order #{order.number} has shipped"
    assert "is on its way with UPS" in mail.text() and "In this parcel" not in mail.text()
