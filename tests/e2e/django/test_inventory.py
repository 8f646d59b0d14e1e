"""In a real browser on the Django host: Inventory → set a SKU's stock → an order that would oversell
is refused with the product's name, and the SKU's page shows its history with the order's number."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.e2e.django.conftest import DjangoSite
from tests.helpers import new_order

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)

SKU = "TEE-RED-M"


def test_set_stock_then_an_order_that_would_oversell_is_refused_by_name(django_site: DjangoSite) -> None:
    from playwright.sync_api import expect

    orders = django_site.orders
    page = django_site.page
    page.goto(f"{django_site.admin}/")
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Track a SKU").click()
    page.get_by_label("SKU").fill(SKU)
    page.get_by_label("Product name (optional)").fill("Organic T-shirt")
    page.get_by_label("Units in stock").fill("5")
    page.get_by_role("button", name="Start tracking").click()
    expect(page.get_by_role("status")).to_contain_text("Now tracking TEE-RED-M: 5 in stock.")

    setting = page.locator("form", has=page.get_by_role("heading", name="Set stock"))
    setting.get_by_label("Units in stock now").fill("1")
    setting.get_by_label("Reason").fill("recount")
    setting.get_by_role("button", name="Set stock").click()
    expect(page.locator("[data-stock]")).to_have_text("1")

    with pytest.raises(ko.OutOfStock, match=r"^Organic T-shirt \(TEE-RED-M\) is out of stock: 2 requested"):
        orders.place(new_order(sku=SKU, quantity=2))
    order = orders.place(new_order(sku=SKU, quantity=1))
    page.reload()
    expect(page.locator("[data-stock]")).to_have_text("0")
    newest = page.locator("table.stock-history tbody tr").first
    expect(newest).to_contain_text("Order placed")
    newest.get_by_role("link", name=f"#{order.number}").click()
    expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
    assert [m.kind for m in orders.inventory.history(SKU)] == [
        ko.StockKind.PLACED,
        ko.StockKind.SET,
        ko.StockKind.TRACKED,
    ]
    assert orders.inventory.history(SKU)[1].actor is not None  # the signed-in superuser
