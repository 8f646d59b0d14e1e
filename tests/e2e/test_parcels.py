"""A merchant, in a real browser, ships an order in two parcels and delivers them one by one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.helpers import new_order


def test_merchant_ships_two_parcels_and_delivers_each(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    from playwright.sync_api import expect

    cart = new_order(
        name="Parcel Pat",
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ],
    )
    order = sqlite_orders.confirm_payment(sqlite_orders.place(cart).id)
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{base}/admin/orders/{order.id}")
        expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()

        ship = page.locator("details").filter(has=page.get_by_text("Mark as Shipped", exact=True))
        page.get_by_text("Mark as Shipped", exact=True).click()
        ship.get_by_label("Tracking number").fill("1Z999AA10123456784")
        ship.get_by_label("Carrier", exact=True).select_option("UPS")
        tees = ship.get_by_label("T-shirt (Red / M), TEE (2 left)")
        expect(tees).to_have_value("2")  # everything left, until the merchant says otherwise
        tees.fill("0")
        page.screenshot(path=str(artifacts / "parcels-01-ship-the-mug.png"), full_page=True)
        ship.get_by_role("button", name="Save").click()
        expect(page.locator("[data-field=status]")).to_have_text("Processing")
        expect(page.locator("[data-field=fulfilment-status]")).to_have_text("Partially shipped")
        left = "Still to ship: 2 × T-shirt (Red / M)"  # noqa: RUF001
        expect(page.locator("[data-field=left-to-ship]")).to_contain_text(left)

        page.get_by_text("Mark as Shipped", exact=True).click()
        ship.get_by_label("Tracking number").fill("1Z999AA10123456785")
        ship.get_by_label("Carrier", exact=True).select_option("UPS")
        expect(ship.get_by_label("T-shirt (Red / M), TEE (2 left)")).to_have_value("2")
        ship.get_by_role("button", name="Save").click()
        expect(page.locator("[data-field=status]")).to_have_text("Shipped")
        parcels = page.locator("[data-field=parcels]")
        expect(parcels).to_contain_text("Parcel 1")
        expect(parcels.locator("[data-parcel='1']")).to_contain_text("1 × Mug")  # noqa: RUF001
        expect(parcels.locator("[data-parcel='2']")).to_contain_text("2 × T-shirt (Red / M)")  # noqa: RUF001
        expect(parcels.get_by_role("link", name="1Z999AA10123456784")).to_be_visible()
        page.screenshot(path=str(artifacts / "parcels-02-two-parcels.png"), full_page=True)

        page.get_by_role("button", name="Mark parcel 1 delivered").click()
        expect(page.locator("[data-field=status]")).to_have_text("Shipped")
        expect(page.get_by_role("button", name="Mark parcel 1 delivered")).to_have_count(0)
        page.get_by_role("button", name="Mark parcel 2 delivered").click()
        expect(page.locator("[data-field=status]")).to_have_text("Delivered")
        page.screenshot(path=str(artifacts / "parcels-03-delivered.png"), full_page=True)
    finally:
        page.close()

    stored = sqlite_orders.get(order.id)
    assert [(p.lines, p.tracking_number) for p in stored.shipments] == [
        ({2: 1}, "1Z999AA10123456784"),
        ({1: 2}, "1Z999AA10123456785"),
    ]
    assert all(p.delivered_at is not None for p in stored.shipments)
