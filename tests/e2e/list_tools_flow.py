"""The order list's tools in a real browser, the same steps on every host (Flask and Django).

Filter by country and sort by total, keep the view in the URL (a reload shows the same), confirm
payment on a selection, print the packing slips of everything matching, export a selection and
the filter as CSV, and read the list at 390 px without sideways scrolling. Given *shots*, it
saves the filtered and sorted list, the selection with the bulk bar and the phone layout there
(docs/back-office/orders-list.md shows the Flask run's).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import kasify_orders as ko
from tests.helpers import new_order

#: A country the demo's seeds never ship to, so the filter shows exactly this test's orders.
COUNTRY = "NZ"


def _csv_ids(download: Any, into: Path) -> list[str]:
    path = into / download.suggested_filename
    download.save_as(path)
    with path.open(newline="", encoding="utf-8") as file:
        return [row["id"] for row in csv.DictReader(file)]


def filter_select_confirm_print_export(
    page: Any, admin: str, orders: ko.Orders, tmp_path: Path, shots: Path | None = None
) -> None:
    """Run the whole flow on the list at *admin*; *orders* is the host's, to place and check.

    *shots*: a folder to save ``orders-list.png``, ``orders-list-selection.png`` and
    ``orders-list-phone.png`` in (None: no screenshots).
    """
    from playwright.sync_api import expect

    def shoot(name: str) -> None:
        if shots is not None:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    cheap = orders.place(new_order(country=COUNTRY))
    dear = orders.place(new_order(country=COUNTRY, unit_price="90.00"))
    orders.place(new_order(country="GB"))

    page.goto(f"{admin}/")
    page.get_by_label("Country").fill(COUNTRY)
    page.get_by_label("Sort").select_option("total_desc")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("[data-field=matching]")).to_have_text("2 matching orders")
    page.reload()  # a bookmark of the view shows the same
    assert f"country={COUNTRY}" in page.url and "sort=total_desc" in page.url
    expect(page.get_by_label("Country")).to_have_value(COUNTRY)
    expect(page.locator("[data-field=matching]")).to_have_text("2 matching orders")
    numbers = page.locator("table.orders tbody tr td:nth-child(2) a").all_inner_texts()
    assert numbers == [f"#{dear.number}", f"#{cheap.number}"]  # the dearest first
    view = page.url
    shoot("orders-list")

    page.get_by_label(f"Select order #{dear.number}").check()
    page.get_by_label(f"Select order #{cheap.number}").check()
    page.get_by_label("Action").select_option("confirm_payment")
    shoot("orders-list-selection")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("2 confirmed, 0 refused.")).to_be_visible()
    assert {orders.get(o.id).payment_status for o in (cheap, dear)} == {ko.PaymentStatus.PAID}

    page.goto(view)
    page.get_by_label("Select all matching the filter").check()
    page.get_by_label("Action").select_option("packing_slips")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".slip-page")).to_have_count(2)
    slips = " ".join(page.locator(".slip-page").all_inner_texts())
    assert f"Order #{dear.number} " in slips and f"Order #{cheap.number} " in slips

    page.goto(view)
    page.get_by_label(f"Select order #{cheap.number}").check()
    page.get_by_label("Action").select_option("export")
    with page.expect_download() as chosen:
        page.get_by_role("button", name="Apply to selected").click()
    assert _csv_ids(chosen.value, tmp_path) == [cheap.id]

    with page.expect_download() as everything:
        page.get_by_role("link", name="Export CSV").click()
    assert sorted(_csv_ids(everything.value, tmp_path)) == sorted([cheap.id, dear.id])

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(view)  # the filtered view: its form, the bulk bar and the rows, stacked
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    shoot("orders-list-phone")
    page.goto(f"{admin}/")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
