"""In a real browser on the Django host: email the customer, see it on the timeline and at the SMTP server.

Django's own SMTP backend sends kasify's emails, to a real aiosmtpd server on loopback.
"""

from __future__ import annotations

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)

CUSTOMER = "ada@example.com"


def subjects(server: SmtpServer) -> list[str]:
    return [str(r.message["Subject"]) for r in server.inbox.to(CUSTOMER)]


def test_the_merchant_emails_the_customer_and_retries_a_failed_email(
    mail_server: SmtpServer, django_site: DjangoSite
) -> None:
    from playwright.sync_api import expect

    order = django_site.orders.place(new_order())
    page = django_site.page
    page.goto(f"{django_site.admin}/{order.id}/")

    page.locator("summary", has_text="Email customer").click()
    page.get_by_label("Subject").fill("Your engine ships on Monday")
    page.get_by_label("Message", exact=True).fill("Dear Ada,\n\nIt leaves on Monday.")
    page.get_by_role("button", name="Send email").click()

    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Message to the customer: Your engine ships on Monday")
    expect(timeline).to_contain_text(f"Message to the customer emailed to {CUSTOMER}")
    assert subjects(mail_server).count("Your engine ships on Monday") == 1
    assert "It leaves on Monday." in mail_server.inbox.to(CUSTOMER)[-1].text()

    mail_server.stop()
    page.locator("summary", has_text="Email customer").click()
    page.get_by_label("Template").fill("delay")
    page.get_by_role("button", name="Send email").click()
    failed = page.locator("[data-field=failed-email]")
    expect(failed).to_contain_text("Email not sent")
    expect(failed.locator("[data-field=email-error]")).to_contain_text("Reason:")

    mail_server.start()
    failed.get_by_role("button", name="Retry").click()
    expect(page.locator("[data-field=failed-email]")).to_have_count(0)
    assert subjects(mail_server).count(f"Your order #{order.number} is delayed") == 1
