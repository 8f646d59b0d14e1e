"""The order page's talking to the customer, the same on every host: compose, resend, retry.

A host's test module subclasses :class:`CustomerEmailPagesContract` and gives it a ``site``
(a :class:`~tests.adapters.contract.MerchantSite` over its test client), the ``orders`` its
pages serve, and ``mail_server``: the real SMTP server on loopback (aiosmtpd) the host's mail
goes to, running at the start of each test (a test stops and starts it to make mail fail).
"""

from __future__ import annotations

import re

import kasify_orders as ko
from tests.adapters.contract import Answer, MerchantSite
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

__all__ = ["CustomerEmailPagesContract"]

CUSTOMER = "ada@example.com"


def _placed(orders: ko.Orders) -> ko.Order:
    """A new order as stored once its emails went out (they add timeline entries)."""
    return orders.get(orders.place(new_order()).id)


def _act(site: MerchantSite, order: ko.Order, action: str, **fields: str) -> Answer:
    return site.post(site.action_url(order.id, action), {"version": str(order.version), **fields})


def _subjects(server: SmtpServer) -> list[str]:
    return [str(r.message["Subject"]) for r in server.inbox.to(CUSTOMER)]


class CustomerEmailPagesContract:
    """Email customer, Resend and Retry through the host's pages (subclass it as ``Test...``)."""

    def test_email_customer_composes_sends_once_and_shows_it_on_the_timeline(
        self, site: MerchantSite, orders: ko.Orders, mail_server: SmtpServer
    ) -> None:
        order = _placed(orders)
        page = site.get(site.order_url(order.id)).text
        assert "Email customer" in page and "Subject" in page and "Template" in page

        answer = _act(site, order, "email_customer", subject="About your order", body="It ships Monday.")

        assert answer.status in {302, 303}
        assert _subjects(mail_server)[-1] == "About your order"
        assert _subjects(mail_server).count("About your order") == 1
        page = site.get(site.order_url(order.id)).text
        assert f"Email to {CUSTOMER} sent: it is on the timeline." in page
        assert "Message to the customer: About your order" in page
        assert f"Message to the customer emailed to {CUSTOMER}" in page
        assert orders.store.outbox_items() == []

    def test_the_delay_template_fills_the_message(
        self, site: MerchantSite, orders: ko.Orders, mail_server: SmtpServer
    ) -> None:
        order = _placed(orders)

        answer = _act(site, order, "email_customer", subject="", body="", template="delay")

        assert answer.status in {302, 303}
        delayed = mail_server.inbox.to(CUSTOMER)[-1]
        assert delayed.message["Subject"] == f"Your order #{order.number} is delayed"
        assert "Thank you for your patience" in delayed.text()

    def test_a_bad_message_is_explained_beside_its_field_and_leaves_nothing(
        self, site: MerchantSite, orders: ko.Orders, mail_server: SmtpServer
    ) -> None:
        order = _placed(orders)
        received = len(mail_server.inbox.received)

        answer = _act(site, order, "email_customer", subject="", body="", template="urgent")

        assert answer.status == 400
        assert "Must not be blank." in answer.text  # beside the subject and the body
        assert "Is not a known template" in answer.text and "delay" in answer.text
        assert orders.get(order.id) == order  # no timeline entry
        assert orders.store.outbox_items() == []
        assert len(mail_server.inbox.received) == received

    def test_resend_beside_a_sent_email_sends_a_second_copy_and_says_so(
        self, site: MerchantSite, orders: ko.Orders, mail_server: SmtpServer
    ) -> None:
        order = _placed(orders)
        orders.email_customer(order.id, subject="Hello again", body="Thanks!")
        order = orders.get(order.id)
        page = site.get(site.order_url(order.id)).text
        assert page.count("Resend") >= 2  # beside the confirmation and beside the message

        answer = _act(site, order, "resend_notification", kind="customer_message", message_key="")

        assert answer.status in {302, 303}
        assert _subjects(mail_server).count("Hello again") == 2
        page = site.get(site.order_url(order.id)).text
        assert "Sent again: the copy is on the timeline." in page
        assert f"Message to the customer resent to {CUSTOMER}" in page

    def test_a_failed_email_stands_out_with_its_reason_and_retry_sends_it(
        self, site: MerchantSite, orders: ko.Orders, mail_server: SmtpServer
    ) -> None:
        order = _placed(orders)
        mail_server.stop()
        failing = _act(site, order, "email_customer", subject="Your parcel", body="Soon.")
        assert failing.status in {302, 303}
        (waiting,) = [i for i in orders.store.outbox_items() if i.hook == "kasify_customer_emailed"]

        page = site.get(site.order_url(order.id)).text
        assert "the email could not be sent yet: the timeline says why, and Retry sends it." in page
        assert "Email not sent" in page
        assert re.search(r"Reason: .*(ConnectionRefused|Connection refused|SMTP)", page)
        assert "Retry" in page

        mail_server.start()
        answer = _act(site, orders.get(order.id), "retry_email", event_id=waiting.id)

        assert answer.status in {302, 303}
        assert _subjects(mail_server).count("Your parcel") == 1
        page = site.get(site.order_url(order.id)).text
        assert "Trying the email again" in page
        assert "Email not sent" not in page
        assert f"Message to the customer emailed to {CUSTOMER}" in page

        again = _act(site, orders.get(order.id), "retry_email", event_id=waiting.id)
        assert again.status == 400 and "Nothing waits to be retried" in again.text
        assert _subjects(mail_server).count("Your parcel") == 1
