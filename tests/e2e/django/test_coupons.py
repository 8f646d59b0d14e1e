"""On the Django host, in a real browser: sidebar → Coupons → one coupon of each type → an order uses one.

The test Django project has no shop of its own, so its "checkout" is what a host's checkout
view calls, ``get_orders().place(...)`` with the code the customer typed; the merchant then
finds the discount line on the order's page and the order on the coupon's page.
"""

from __future__ import annotations

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.test_coupons import create_each_type
from tests.helpers import new_order

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_merchant_creates_each_type_and_an_order_uses_one(django_site: DjangoSite) -> None:
    from playwright.sync_api import expect

    page = django_site.page
    create_each_type(page, django_site.admin)
    table = page.locator("table.coupons")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tr[data-coupon=SPRING15]")).to_contain_text("Percentage off 15%")

    order = django_site.orders.place(new_order(name="Coupon Cora", quantity=2, coupon_code="spring15"))

    table.get_by_role("link", name="SPRING15").click()
    expect(page.locator("[data-field=uses]")).to_have_text("1 / no limit")
    page.locator("table.orders").get_by_role("link", name=f"#{order.number}").click()
    totals = page.locator("dl.totals")
    expect(totals).to_contain_text("Discount (SPRING15)")
    expect(totals).to_contain_text("\N{MINUS SIGN}$7.50")  # 15% of 50.00

    page.goto(f"{django_site.admin}/coupons/SPRING15/")
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("status")).to_contain_text("Coupon SPRING15 disabled")
    expect(page.locator("[data-field=coupon-state]")).to_have_text("Disabled")
    assert django_site.orders.coupons.get("SPRING15").active is False
