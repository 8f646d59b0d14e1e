"""In a real browser on the Django host: Settings → the alert address → an order → the alert arrives
at a real SMTP server on loopback (Django's SMTP email backend) at that address."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")

from django.test import override_settings

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.test_settings import DOCS, wait_for
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_the_alert_goes_to_the_address_saved_on_the_settings_page(
    django_site: DjangoSite, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    smtp = SmtpServer()
    smtp.start()
    smtp_backend = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp.port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    )
    try:
        with smtp_backend:
            page = django_site.page
            page.goto(f"{django_site.admin}/")
            page.get_by_role("navigation", name="Back office").get_by_role("link", name="Settings").click()
            page.get_by_role("link", name="Notifications").click()
            page.get_by_label("New-order alert addresses").fill("owner@django-shop.example")
            page.get_by_label("Store name").fill("Django Corner Shop")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Saved: Store name, New-order alert addresses."
            )
            expect(page.locator("header")).to_contain_text("Django Corner Shop")  # the header follows

            page.get_by_role("button", name="Send test email").click()  # to the alert address
            expect(page.locator("[data-field=test-result]")).to_contain_text(
                "Delivered to owner@django-shop.example"
            )
            page.screenshot(path=str(artifacts / "settings-notifications-django.png"), full_page=True)

            django_site.orders.place(new_order(name="Grace Hopper", email="grace@example.com"))
            alerts = wait_for(smtp, "owner@django-shop.example", count=2)
            assert alerts[0].message["Subject"] == "Test email from Django Corner Shop"
            assert alerts[1].message["Subject"].startswith("New order")
            assert "Django Corner Shop" in alerts[1].text()
            assert smtp.inbox.to("owner@shop.example") == []  # the code's alert address gets nothing

            page.goto(f"{django_site.admin}/settings/notifications/history/")
            expect(page.locator("tr[data-field=store_name]")).to_contain_text("Django Test Shop")
            expect(page.locator("tr[data-field=store_name]")).to_contain_text("Django Corner Shop")
    finally:
        smtp.stop()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "settings-notifications-django.png", DOCS / "settings-django.png")
