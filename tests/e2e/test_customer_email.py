"""A merchant, in a real browser, writes to a customer, resends it, and retries an email that failed.

The Flask pages, on SQLite, mail through a real SMTP server on loopback (aiosmtpd): each
message is looked for in what that server received.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer, shop_settings

CUSTOMER = "ada@example.com"


def subjects(server: SmtpServer) -> list[str]:
    return [str(r.message["Subject"]) for r in server.inbox.to(CUSTOMER)]


def test_merchant_emails_the_customer_resends_and_retries_a_failed_email(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path, mail_server: SmtpServer
) -> None:
    from playwright.sync_api import expect

    settings = shop_settings(mail_server.url, smtp_timeout_seconds=2.0)
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as orders:
        order = orders.confirm_payment(orders.place(new_order()).id)
        base = serve(make_app(orders, authorize=lambda action, o: True))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.goto(f"{base}/admin/orders/{order.id}")
            page.locator("summary", has_text="Email customer").click()
            page.get_by_label("Subject").fill("Your engine ships on Monday")
            body = "Dear Ada,\n\nThe engine leaves our workshop on Monday."
            page.get_by_label("Message", exact=True).fill(body)
            page.get_by_role("button", name="Send email").click()

            expect(page.get_by_role("status")).to_contain_text(f"Email to {CUSTOMER} sent")
            timeline = page.locator("ol.timeline")
            expect(timeline).to_contain_text("Message to the customer: Your engine ships on Monday")
            expect(timeline).to_contain_text(f"Message to the customer emailed to {CUSTOMER}")
            assert subjects(mail_server).count("Your engine ships on Monday") == 1
            sent = mail_server.inbox.to(CUSTOMER)[-1]
            assert "The engine leaves our workshop on Monday." in sent.text()

            # The "delay" template writes the message when subject and body are left blank.
            page.locator("summary", has_text="Email customer").click()
            page.get_by_label("Template").fill("delay")
            page.get_by_role("button", name="Send email").click()
            expect(page.get_by_role("status")).to_contain_text("sent")
            assert subjects(mail_server)[-1] == f"Your order #{order.number} is delayed"

            # Resend, beside the first message on the timeline: a second copy.
            first = timeline.locator("li", has_text=f"Message to the customer emailed to {CUSTOMER}").last
            first.get_by_role("button", name="Resend").click()
            expect(page.get_by_role("status")).to_contain_text("Sent again")
            resent = f"Message to the customer resent to {CUSTOMER}"
            expect(page.locator("ol.timeline")).to_contain_text(resent)
            assert subjects(mail_server).count("Your engine ships on Monday") == 2

            # The mail server goes away: the next message fails, and says why, on the timeline.
            mail_server.stop()
            page.locator("summary", has_text="Email customer").click()
            page.get_by_label("Subject").fill("Tracking to follow")
            page.get_by_label("Message", exact=True).fill("We will send the tracking number tomorrow.")
            page.get_by_role("button", name="Send email").click()
            expect(page.get_by_role("status")).to_contain_text("could not be sent yet")
            failed = page.locator("[data-field=failed-email]")
            expect(failed).to_have_count(1)
            expect(failed).to_contain_text("Email not sent")
            expect(failed.locator("[data-field=email-error]")).to_contain_text("Connection")
            page.locator("summary", has_text="Email customer").click()  # the form, for the picture
            page.screenshot(path=str(artifacts / "customer-emails.png"), full_page=True)

            mail_server.start()
            failed.get_by_role("button", name="Retry").click()
            expect(page.get_by_role("status")).to_contain_text("Trying the email again")
            expect(page.locator("[data-field=failed-email]")).to_have_count(0)
            expect(page.locator("ol.timeline")).to_contain_text("Asked to try the failed email again")
            assert subjects(mail_server).count("Tracking to follow") == 1
        finally:
            page.close()
        kinds = [e.kind for e in orders.get(order.id).timeline]
        assert kinds.count("customer_emailed") == 3
        assert orders.store.outbox_items() == []
