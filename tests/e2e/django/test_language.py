"""A German shop in Berlin in a real browser on the Django host: the order page in German."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kasify_orders.adapters.django import get_orders
from tests.adapters.django.conftest import BASE_KASIFY
from tests.e2e.django.conftest import DjangoSite
from tests.e2e.test_language import berlin_time
from tests.helpers import new_order

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_a_german_order_page_in_the_browser(django_site: DjangoSite) -> None:
    from playwright.sync_api import expect

    german = {**BASE_KASIFY, "DATABASE": django_site.alias, "LOCALE": "de", "TIMEZONE": "Europe/Berlin"}
    with override_settings(KASIFY_ORDERS=german):
        order = get_orders().place(new_order())
        page = django_site.page
        page.goto(f"{django_site.admin}/{order.id}/")
        expect(page.get_by_role("heading", name="Bestellung #1", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Bestellte Artikel")).to_be_visible()
        expect(page.locator("dd.grand")).to_have_text("55,00\xa0$")
        expect(page.locator("p.placed time")).to_have_text(berlin_time(order.created_at))
        expect(page.locator("html")).to_have_attribute("lang", "de")
