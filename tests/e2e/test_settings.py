"""Settings → Notifications in a real browser: set the alert address, place an order at the demo
checkout, and the new-order alert arrives at a real SMTP server on loopback at that address."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")
pytest.importorskip("aiosmtpd")

from kasify_orders.demo.shop import create_app
from tests.integration.notifications.conftest import Received, SmtpServer

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


def wait_for(smtp: SmtpServer, address: str, count: int = 1) -> list[Received]:
    """What *address* received, once it has *count* messages (the alert is sent after the commit)."""
    deadline = time.monotonic() + 10
    while len(smtp.inbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return smtp.inbox.to(address)


def test_the_alert_goes_to_the_address_saved_on_the_settings_page(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    smtp = SmtpServer()
    smtp.start()
    try:
        app = create_app(
            f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            seed_orders=False,
            config={
                "KASIFY_ORDERS_USE_HOST_MAIL": False,
                "KASIFY_ORDERS_SETTINGS": {
                    "store_name": "Kasify Demo Shop",
                    "from_email": "Kasify Demo Shop <orders@demo.example>",
                    "new_order_alert_emails": ["merchant@demo.example"],
                    "smtp_url": smtp.url,
                    "locked_settings": ["from_email"],
                },
            },
        )
        base = serve(app)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{base}/admin/orders/")
            page.locator("nav.sidebar").get_by_role("link", name="Settings").click()
            page.get_by_role("link", name="Notifications").click()
            expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
            expect(page.get_by_label("From address")).to_have_attribute("readonly", "")
            expect(page.locator("[data-locked=from_email]")).to_contain_text("Settings.locked_settings")

            page.get_by_label("New-order alert addresses").fill("owner@shop.example\nnope@")
            page.get_by_role("button", name="Save").click()
            expect(page.locator("#new_order_alert_emails-error")).to_contain_text("nope@")

            page.get_by_label("New-order alert addresses").fill("owner@shop.example")
            page.get_by_label("Cancellation notice").uncheck()
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Saved: New-order alert addresses, Emails sent."
            )

            page.get_by_label("Send to").fill("owner@shop.example")
            page.get_by_role("button", name="Send test email").click()
            expect(page.locator("[data-field=test-result]")).to_contain_text(
                "Delivered to owner@shop.example: the mail server accepted it."
            )
            (test_email,) = wait_for(smtp, "owner@shop.example")
            assert test_email.message["Subject"] == "Test email from Kasify Demo Shop"
            page.screenshot(path=str(artifacts / "settings-notifications.png"), full_page=True)

            page.goto(f"{base}/")  # the demo checkout, as a customer
            page.get_by_role("button", name="Add to cart").first.click()
            page.goto(f"{base}/checkout")
            page.fill("#name", "Grace Hopper")
            page.fill("#email", "grace@example.com")
            page.fill("#line1", "1 Navy Yard")
            page.fill("#city", "Arlington")
            page.fill("#postal_code", "22202")
            page.fill("#country", "US")
            page.get_by_role("button", name="Place order").click()
            expect(page.get_by_role("heading").first).to_contain_text("Thank")

            alerts = wait_for(smtp, "owner@shop.example", count=2)
            alert = alerts[-1]
            assert alert.message["Subject"].startswith("New order")
            assert smtp.inbox.to("merchant@demo.example") == []  # the code's address no longer gets it
            assert alert.message["From"] == "Kasify Demo Shop <orders@demo.example>"

            page.goto(f"{base}/admin/orders/settings/notifications/history")
            rows = page.locator("table.settings-history tbody tr")
            expect(rows).to_have_count(2)
            expect(page.locator("tr[data-field=new_order_alert_emails]")).to_contain_text(
                "merchant@demo.example"
            )
            expect(page.locator("tr[data-field=new_order_alert_emails]")).to_contain_text(
                "owner@shop.example"
            )
            expect(page.locator("tr[data-field=new_order_alert_emails]")).to_contain_text("staff:demo")
            page.screenshot(path=str(artifacts / "settings-history.png"), full_page=True)

            page.set_viewport_size({"width": 390, "height": 800})  # a phone: no sideways scrolling
            for path in ("settings", "settings/notifications", "settings/notifications/history"):
                page.goto(f"{base}/admin/orders/{path}")
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        finally:
            page.close()
    finally:
        smtp.stop()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "settings-notifications.png", DOCS / "settings.png")
    shutil.copyfile(artifacts / "settings-history.png", DOCS / "settings-history.png")
