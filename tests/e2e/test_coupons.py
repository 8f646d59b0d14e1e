"""A merchant, in a real browser on the demo shop: Coupons in the sidebar, a coupon of each type, a checkout.

The help page's four types: percentage off, fixed amount off, free shipping, and a minimum order
value (here a fixed amount off orders of at least $40). A customer checks out with it at the demo
shop, and the merchant finds the discount line on the order's page and the order on the coupon's.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"

#: code, type, value, minimum, currency: one coupon of each of the help page's four types.
COUPONS = [
    ("SPRING15", "Percentage off", "15", "", ""),
    ("FIVEOFF", "Fixed amount off", "5.00", "", "USD"),
    ("SHIPFREE", "Free shipping", "", "", ""),
    ("BIG10", "Fixed amount off", "10.00", "40.00", "USD"),
]


def create_each_type(page: Any, admin: str) -> None:
    """From the back office's home (*admin*), open Coupons in the sidebar and create the four coupons."""
    from playwright.sync_api import expect

    page.goto(f"{admin}/")
    page.locator("nav.sidebar").get_by_role("link", name="Coupons").click()
    expect(page.get_by_role("heading", name="Coupons")).to_be_visible()
    for code, kind, value, minimum, currency in COUPONS:
        page.get_by_role("link", name="Create coupon").first.click()
        page.get_by_label("Code").fill(code)
        page.get_by_label("Type").select_option(label=kind)
        page.get_by_label("Discount value").fill(value)
        page.get_by_label("Minimum order value (optional)").fill(minimum)
        page.get_by_label("Currency (optional)").fill(currency)
        page.get_by_role("button", name="Create coupon").click()
        expect(page.get_by_role("status")).to_have_text(f"Coupon {code} created.")
        page.get_by_role("link", name="All coupons").click()


def test_merchant_creates_each_type_and_a_checkout_uses_one(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from kasify_orders.demo import create_app

    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}", seed_orders=False)
    base = serve(app)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        # A bad input first: explained beside its field, nothing stored.
        page.goto(f"{base}/admin/orders/coupons/new")
        page.get_by_label("Code").fill("HALF OFF")
        page.get_by_label("Discount value").fill("150")
        page.get_by_role("button", name="Create coupon").click()
        expect(page.locator("#coupon-code-error")).to_contain_text("letters, digits, '-' or '_'")
        expect(page.locator("#coupon-value-error")).to_have_text(
            "A percentage must be more than 0 and at most 100, got 150."
        )
        expect(page.get_by_label("Discount value")).to_have_attribute("aria-invalid", "true")
        page.screenshot(path=str(artifacts / "coupons-bad-input.png"), full_page=True)

        create_each_type(page, f"{base}/admin/orders")
        table = page.locator("table.coupons")
        expect(table.locator("tbody tr")).to_have_count(4)
        expect(table.locator("tr[data-coupon=BIG10]")).to_contain_text(
            "Fixed amount off $10.00 $40.00 0 / no limit"
        )
        expect(table.locator("tr[data-coupon=SHIPFREE]")).to_contain_text("Free shipping Shipping")
        page.screenshot(path=str(artifacts / "coupons.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 800})  # a phone: each row a card, no sideways scroll
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "coupons-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        # The customer: two T-shirts ($50) at the demo shop, with the minimum-order coupon.
        page.goto(f"{base}/")
        add = page.get_by_role("button", name="Add to cart").first
        add.click()
        page.goto(f"{base}/")
        page.get_by_role("button", name="Add to cart").first.click()
        page.get_by_role("link", name="Checkout").click()
        for label, value in [
            ("Full name", "Coupon Cora"),
            ("Email", "cora@example.com"),
            ("Address", "1 Market Street"),
            ("City", "Springfield"),
            ("Postal code", "12345"),
            ("Country code (e.g. GB, US)", "US"),
            ("Coupon code (try SAVE20, TENOFF or SHIPFREE)", "big10"),
        ]:
            page.get_by_label(label).fill(value)
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("heading", name="Thank you, Coupon Cora!")).to_be_visible()

        # The merchant: the coupon's page lists the order; the order shows the discount line.
        page.goto(f"{base}/admin/orders/coupons/BIG10")
        expect(page.locator("[data-field=uses]")).to_have_text("1 / no limit")
        orders_table = page.locator("table.orders")
        expect(orders_table).to_contain_text("Coupon Cora")
        page.screenshot(path=str(artifacts / "coupon-detail.png"), full_page=True)
        orders_table.get_by_role("link").first.click()
        totals = page.locator("dl.totals")
        expect(totals).to_contain_text("Discount (BIG10)")
        expect(totals).to_contain_text("\N{MINUS SIGN}$10.00")
        expect(totals).to_contain_text("$45.00")  # 50.00 + 5.00 shipping - 10.00
    finally:
        page.close()

    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "coupons.png", DOCS / "coupons.png")
    orders = app.extensions["kasify_orders"].orders
    assert isinstance(orders, ko.Orders)
    assert [c.code for c in orders.coupons.all()] == ["BIG10", "FIVEOFF", "SHIPFREE", "SPRING15"]
    assert orders.coupons.get("BIG10").times_used == 1
