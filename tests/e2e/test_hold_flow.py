"""A merchant, in a real browser, puts an order on hold with a reason, finds it under On hold, releases it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.helpers import new_order


def test_merchant_holds_an_order_for_an_address_check_and_releases_it(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    from playwright.sync_api import expect

    order = sqlite_orders.confirm_payment(sqlite_orders.place(new_order(name="Held Harriet")).id)
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/admin/orders/{order.id}")
        page.locator("summary", has_text="Put on hold").click()
        page.get_by_label("Reason").first.fill("Address check: the flat number is missing")
        page.screenshot(path=str(artifacts / "10-put-on-hold.png"), full_page=True)
        page.get_by_role("button", name="Put on hold").click()

        expect(page.get_by_role("status")).to_contain_text("The order is on hold")
        expect(page.locator("[data-field=status]")).to_have_text("On hold")
        timeline = page.locator("ol.timeline")
        expect(timeline).to_contain_text("Put on hold: Address check: the flat number is missing")
        expect(timeline).to_contain_text("staff:7")
        expect(page.get_by_text("Mark as Shipped", exact=True)).to_have_count(0)

        page.goto(f"{base}/admin/orders/")
        page.get_by_role("link", name="On hold 1").click()
        expect(page.locator("table.orders")).to_contain_text("Held Harriet")
        page.screenshot(path=str(artifacts / "11-on-hold-tab.png"), full_page=True)

        page.get_by_role("link", name=f"#{order.number}", exact=True).click()
        page.get_by_role("button", name="Release hold").click()
        expect(page.locator("[data-field=status]")).to_have_text("Processing")
        expect(page.locator("ol.timeline")).to_contain_text("Released from hold")
    finally:
        page.close()
    assert sqlite_orders.get(order.id).status is ko.Status.PROCESSING
