"""A merchant ships an order in two parcels, prints one parcel's slip and delivers them one by one.

One flow, run in Chromium on the Flask host (tests/e2e/test_parcels.py) and on the Django host
(tests/e2e/django/test_parcels.py), so both serve the same parcel pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kasify_orders as ko
from tests.helpers import tee_and_mug

FIRST, SECOND = "1Z999AA10123456784", "1Z999AA10123456785"


def paid_tee_and_mug(orders: ko.Orders) -> ko.Order:
    """A paid order of 2 T-shirts (line 1) and a mug (line 2)."""
    return orders.confirm_payment(orders.place(tee_and_mug(name="Parcel Pat")).id)


def ship_two_parcels_and_deliver_each(
    page: Any, admin: str, orders: ko.Orders, shots: Path, prefix: str
) -> None:
    """Drive the order page of a fresh paid order through two parcels; check what is stored."""
    from playwright.sync_api import expect

    order = paid_tee_and_mug(orders)
    page.goto(f"{admin}/{order.id}")
    expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()

    ship = page.locator("details").filter(has=page.get_by_text("Mark as Shipped", exact=True))
    page.get_by_text("Mark as Shipped", exact=True).click()
    ship.get_by_label("Tracking number").fill(FIRST)
    ship.get_by_label("Carrier", exact=True).select_option("UPS")
    tees = ship.get_by_label("T-shirt (Red / M), TEE (2 left)")
    expect(tees).to_have_value("2")  # everything left, until the merchant says otherwise
    tees.fill("0")
    page.screenshot(path=str(shots / f"{prefix}parcels-01-ship-the-mug.png"), full_page=True)
    ship.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field=status]")).to_have_text("Processing")
    expect(page.locator("[data-field=fulfilment-status]")).to_have_text("Partially shipped")
    left = "Still to ship: 2 × T-shirt (Red / M)"  # noqa: RUF001
    expect(page.locator("[data-field=left-to-ship]")).to_contain_text(left)

    page.get_by_text("Mark as Shipped", exact=True).click()
    ship.get_by_label("Tracking number").fill(SECOND)
    ship.get_by_label("Carrier", exact=True).select_option("UPS")
    expect(ship.get_by_label("T-shirt (Red / M), TEE (2 left)")).to_have_value("2")
    ship.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field=status]")).to_have_text("Shipped")
    parcels = page.locator("[data-field=parcels]")
    expect(parcels).to_contain_text("Parcel 1")
    expect(parcels.locator("[data-parcel='1']")).to_contain_text("1 × Mug")  # noqa: RUF001
    expect(parcels.locator("[data-parcel='2']")).to_contain_text("2 × T-shirt (Red / M)")  # noqa: RUF001
    expect(parcels.get_by_role("link", name=FIRST)).to_be_visible()
    page.screenshot(path=str(shots / f"{prefix}parcels-02-two-parcels.png"), full_page=True)

    parcels.get_by_role("link", name="Packing slip of parcel 2").click()
    expect(page.get_by_text("Parcel 2 of 2")).to_be_visible()
    expect(page.locator("table.items tbody tr")).to_have_count(1)
    expect(page.locator("table.items")).to_contain_text("T-shirt")
    expect(page.get_by_text(f"tracking number {SECOND}")).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="Mark parcel 1 delivered").click()
    expect(page.locator("[data-field=status]")).to_have_text("Shipped")
    expect(page.get_by_role("button", name="Mark parcel 1 delivered")).to_have_count(0)
    page.get_by_role("button", name="Mark parcel 2 delivered").click()
    expect(page.locator("[data-field=status]")).to_have_text("Delivered")
    page.screenshot(path=str(shots / f"{prefix}parcels-03-delivered.png"), full_page=True)

    stored = orders.get(order.id)
    assert [(p.lines, p.tracking_number) for p in stored.shipments] == [({2: 1}, FIRST), ({1: 2}, SECOND)]
    assert all(p.delivered_at is not None for p in stored.shipments)
