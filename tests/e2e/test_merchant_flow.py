"""A merchant, in a real browser, takes an order from Pending to shipped and partly refunded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.helpers import new_order


def test_merchant_confirms_ships_and_partly_refunds(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    from playwright.sync_api import expect

    sqlite_orders.place(new_order(name="Earlier Customer", email="earlier@example.com"))
    order = sqlite_orders.place(
        new_order(name="Playwright Pat", email="pat@example.com", note="Please pack the mug separately")
    )
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/admin/orders/")
        expect(page.get_by_role("heading", name="Orders")).to_be_visible()
        expect(page.get_by_role("link", name="Pending 2")).to_be_visible()
        page.screenshot(path=str(artifacts / "01-order-list.png"), full_page=True)

        page.get_by_role("link", name=f"#{order.number}", exact=True).click()
        expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
        expect(page.locator(".customer-note")).to_contain_text("Please pack the mug separately")

        page.get_by_role("button", name="Confirm payment").click()
        expect(page.get_by_role("status")).to_contain_text("Payment confirmed")
        expect(page.locator("[data-field=status]")).to_have_text("Processing")

        page.get_by_text("Mark as Shipped", exact=True).click()
        page.get_by_label("Tracking number").fill("1Z999AA10123456784")
        page.get_by_label("Carrier", exact=True).select_option("UPS")
        page.screenshot(path=str(artifacts / "02-mark-as-shipped.png"), full_page=True)
        page.get_by_role("button", name="Save").click()
        expect(page.locator("[data-field=status]")).to_have_text("Shipped")

        page.get_by_text("Issue Refund", exact=True).click()
        amount = page.get_by_label("Amount")
        expect(amount).to_have_value("55.00")  # pre-filled with the refundable balance
        amount.fill("10.00")
        page.get_by_label("Internal note").fill("Mug arrived chipped")
        page.get_by_role("button", name="Confirm Refund").click()

        expect(page.locator("[data-field=payment-status]")).to_have_text("Partially refunded")
        timeline = page.locator("ol.timeline")
        expect(timeline).to_contain_text("tracking number 1Z999AA10123456784")
        expect(timeline).to_contain_text("Refunded $10.00")
        expect(timeline).to_contain_text("staff:7")
        page.screenshot(path=str(artifacts / "03-partially-refunded.png"), full_page=True)

        page.get_by_role("link", name="Packing slip").click()
        expect(page.locator(".customer-note")).to_contain_text("Please pack the mug separately")
        page.screenshot(path=str(artifacts / "04-packing-slip.png"), full_page=True)
    finally:
        page.close()

    stored = sqlite_orders.get(order.id)
    assert stored.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED
    assert stored.shipment is not None and stored.shipment.tracking_number == "1Z999AA10123456784"


def test_a_failed_refund_shows_the_balance_next_to_the_form(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    from playwright.sync_api import expect

    order = sqlite_orders.confirm_payment(sqlite_orders.place(new_order()).id)
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page()
    try:
        page.goto(f"{base}/admin/orders/{order.id}")
        page.get_by_text("Issue Refund", exact=True).click()
        page.get_by_label("Amount").fill("99.00")
        page.get_by_role("button", name="Confirm Refund").click()
        expect(page.locator("#refund-amount-error")).to_have_text(
            "That is more than the refundable balance, which is $55.00."
        )
        page.screenshot(path=str(artifacts / "05-refund-error.png"), full_page=True)
    finally:
        page.close()
    assert sqlite_orders.get(order.id) == order
