"""In a real browser on the demo shop: Inventory → set a SKU's stock → a checkout that would oversell
is refused with the product's name, and nothing is placed.

Its screenshots (test-artifacts/inventory.png, inventory-sku.png) are docs/back-office's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from kasify_orders.demo import create_app

SKU = "TEE-RED-M"


def test_set_stock_in_the_back_office_then_a_checkout_that_would_oversell_is_refused_by_name(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    orders: ko.Orders = app.extensions["kasify_orders"].orders
    placed_before = sum(orders.count_by_status().values())
    for sku, units, name, low_at in [
        ("MUG-ENAMEL", 24, "Enamel mug", None),
        ("NOTE-A5", 3, "Dot-grid notebook", None),
        ("TOTE-CANVAS", 40, "Canvas tote", 10),
    ]:
        orders.inventory.set_stock(sku, units, name=name, low_stock_at=low_at, reason="delivery")
    base = serve(app)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/admin/orders/")
        page.get_by_role("navigation", name="Back office").get_by_role("link", name="Inventory").click()
        expect(page.get_by_role("heading", name="Inventory", exact=True)).to_be_visible()
        tracked = page.get_by_role("link", name=SKU, exact=True)
        if tracked.count() == 0:  # the demo may seed it tracked already
            page.get_by_role("link", name="Track a SKU").click()
            page.get_by_label("SKU").fill(SKU)
            page.get_by_label("Units in stock").fill("4")
            page.get_by_label("Reason (optional)").fill("first delivery")
            page.get_by_role("button", name="Start tracking").click()
        else:
            tracked.click()
        expect(page.get_by_role("heading", name=SKU)).to_be_visible()

        setting = page.locator("form", has=page.get_by_role("heading", name="Set stock"))
        setting.get_by_label("Units in stock now").fill("1")
        setting.get_by_label("Reason").fill("recount")
        setting.get_by_role("button", name="Set stock").click()
        expect(page.get_by_role("status")).to_contain_text(f"{SKU}: 1 in stock")
        expect(page.locator("[data-stock]")).to_have_text("1")
        history = page.locator("table.stock-history")
        expect(history.locator("tbody tr").first).to_contain_text("Stock set")
        expect(history.locator("tbody tr").first).to_contain_text("recount")
        expect(history.locator("tbody tr").first).to_contain_text("staff:demo")
        page.screenshot(path=str(artifacts / "inventory-sku.png"), full_page=True)

        adjusting = page.locator("form", has=page.get_by_role("heading", name="Add or remove units"))
        adjusting.get_by_label("Units to add (negative to remove)").fill("-5")
        adjusting.get_by_label("Reason").fill("sold at market")
        adjusting.get_by_role("button", name="Adjust stock").click()
        expect(page.locator("#adjust-delta-error")).to_have_text(
            "only 1 in stock: cannot remove 5 (at most 1)"
        )
        expect(page.locator("[data-stock]")).to_have_text("1")

        page.get_by_role("link", name="← Inventory").click()
        expect(page.locator("table.inventory")).to_contain_text("Canvas tote")
        page.screenshot(path=str(artifacts / "inventory.png"), full_page=True)
        page.get_by_role("link", name="Low stock").click()
        low = page.locator("table.inventory")
        expect(low).to_contain_text(SKU)
        expect(low).to_contain_text("Dot-grid notebook")
        expect(low).not_to_contain_text("Canvas tote")
        page.set_viewport_size({"width": 390, "height": 800})
        for url in (page.url, f"{base}/admin/orders/inventory/{SKU}"):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        page.set_viewport_size({"width": 1280, "height": 900})

        for _ in range(2):  # two red tees into the cart
            page.goto(f"{base}/")
            page.locator("section.product", has_text=SKU).get_by_role("button", name="Add to cart").click()
        page.goto(f"{base}/checkout")
        for label, value in {
            "Full name": "Ada Lovelace",
            "Email": "ada@example.com",
            "Address": "12 St James's Sq",
            "City": "London",
            "Postal code": "SW1Y 4JH",
            "Country code (e.g. GB, US)": "GB",
        }.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Organic T-shirt (TEE-RED-M) is out of stock: 2 requested, 1 available"
        )
    finally:
        page.close()

    assert sum(orders.count_by_status().values()) == placed_before
    assert orders.inventory.stock(SKU) == 1
