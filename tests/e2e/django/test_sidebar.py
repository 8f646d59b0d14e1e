"""In a real browser on the Django host: the sidebar leads to the orders and folds into a menu on a phone."""

from __future__ import annotations

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.helpers import new_order

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_the_sidebar_opens_the_orders_and_folds_into_a_menu_on_a_phone(django_site: DjangoSite) -> None:
    from playwright.sync_api import expect

    order = django_site.orders.place(new_order(name="Ada Lovelace"))
    page = django_site.page
    page.goto(f"{django_site.admin}/{order.id}/")

    sidebar = page.get_by_role("navigation", name="Back office")
    sidebar.get_by_role("link", name="Orders").click()
    expect(page.locator("table.orders")).to_contain_text("Ada Lovelace")

    page.set_viewport_size({"width": 390, "height": 800})
    expect(sidebar).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(sidebar.get_by_role("link", name="Orders")).to_be_visible()
