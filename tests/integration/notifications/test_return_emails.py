"""The "return received" email and a return's refund email, through a real SMTP server, on each database."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.helpers import tee_and_mug
from tests.integration.notifications.conftest import SmtpServer

CUSTOMER = "ada@example.com"


def subjects(smtp: SmtpServer, word: str) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.inbox.to(CUSTOMER) if word in r.message["Subject"]]


def test_receiving_a_return_emails_what_arrived_and_its_refund_emails_the_refund(
    shop: ko.Orders, smtp: SmtpServer
) -> None:
    order = shop.confirm_payment(shop.place(tee_and_mug(email=CUSTOMER)).id)
    order = shop.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    opened = shop.returns.open(order.id, lines={1: 1}, reason="too small")
    assert subjects(smtp, "return") == []  # opening tells the merchant's team only
    made = opened.returns[0]
    shop.returns.receive(made.id, restock=False)
    (mail,) = [r for r in smtp.inbox.to(CUSTOMER) if "return" in r.message["Subject"]]
    assert mail.message["Subject"] == f"Analytical Engines: your return for order #{order.number} arrived"
    assert "1 x T-shirt (Red / M)" in mail.text() and "Mug" not in mail.text()
    assert "T-shirt" in mail.html()
    sent = shop.get(order.id).timeline[-1]
    assert (sent.kind, sent.data["kind"]) == ("email_sent", "return_received")

    shop.returns.refund(made.id, note="internal: size swap")
    (refund_mail,) = [r for r in smtp.inbox.to(CUSTOMER) if "refund" in r.message["Subject"].lower()]
    assert "$25.00" in refund_mail.text() and "internal" not in refund_mail.text()
    assert len(subjects(smtp, "return")) == 1  # the refund sends no second "return received"


def test_a_refused_receipt_sends_nothing(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.confirm_payment(shop.place(tee_and_mug(email=CUSTOMER)).id)
    order = shop.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    made = shop.returns.open(order.id, lines={2: 1}, reason="broken").returns[0]
    shop.returns.close(made.id)
    with pytest.raises(ko.ValidationError) as refused:
        shop.returns.receive(made.id)
    assert refused.value.errors[0].path == "status"
    assert subjects(smtp, "return") == []
