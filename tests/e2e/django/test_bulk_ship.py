"""In a real browser on the Django host: upload a CSV, see the preview's bad row, apply, rerun."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.e2e.django.conftest import DjangoSite
from tests.helpers import new_order

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_the_merchant_ships_orders_from_a_csv_file(django_site: DjangoSite) -> None:
    from playwright.sync_api import expect

    orders = django_site.orders
    ada = orders.confirm_payment(orders.place(new_order(name="Ada Lovelace")).id)
    grace = orders.confirm_payment(orders.place(new_order(name="Grace Hopper")).id)
    csv = (
        "order #;Tracking Company;TRACKING NUMBER\n"  # Shopify-ish names, semicolons
        f"{ada.number};UPS;1Z999AA10123456784\n"
        f"{grace.number};DHL;x\n"
    ).encode()
    page = django_site.page
    page.goto(f"{django_site.admin}/")
    page.get_by_role("link", name="Mark orders shipped from a CSV file").click()

    def preview() -> None:
        page.get_by_label("CSV file").set_input_files(
            files=[{"name": "parcels.csv", "mimeType": "text/csv", "buffer": csv}]
        )
        page.get_by_role("button", name="Preview").click()

    preview()
    expect(page.locator("[data-field=summary]")).to_contain_text(
        "1 to ship, 0 with nothing to do, 1 with problems"
    )
    expect(page.locator("tr[data-line='3']")).to_contain_text("Tracking number: must be 4-64 letters")
    page.get_by_role("button", name="Ship 1 order").click()

    expect(page.locator("[data-field=summary]")).to_have_text(
        "1 shipped, 0 with nothing to do, 1 skipped, 0 failed."
    )
    assert orders.get(ada.id).status is ko.Status.SHIPPED
    assert orders.get(grace.id).status is ko.Status.PROCESSING

    page.get_by_role("link", name="Upload another file").click()
    preview()  # the same file again: nothing to do
    expect(page.locator("[data-field=summary]")).to_contain_text(
        "0 to ship, 1 with nothing to do, 1 with problems"
    )
    expect(page.get_by_text("There is nothing to ship in this file.")).to_be_visible()
