"""In a real browser on Flask: upload a CSV, see the preview's bad row, apply, get one email per order.

Also the carrier select: "Other…" reveals its text field, and the typed carrier is the one shipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")
pytest.importorskip("aiosmtpd")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer, shop_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


@pytest.fixture
def shop(tmp_path: Path, mail_server: SmtpServer) -> Iterator[ko.Orders]:
    """A shop on SQLite that emails through *mail_server*."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with ko.Orders.connect(url, settings=shop_settings(mail_server.url), load_entrypoints=False) as orders:
        yield orders


def paid(orders: ko.Orders, name: str) -> ko.Order:
    order = orders.place(new_order(name=name, email=f"{name.split(maxsplit=1)[0].lower()}@example.com"))
    return orders.confirm_payment(order.id)


def shipping_emails(server: SmtpServer) -> list[str]:
    return [
        str(r.message["Subject"]) for r in server.inbox.received if "has shipped" in str(r.message["Subject"])
    ]


def preview(page: Any, csv: bytes) -> None:
    """Choose the file and ask for its preview."""
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "parcels.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="Preview").click()


def test_merchant_ships_orders_from_a_csv_file(
    browser: Any, serve: Any, artifacts: Path, shop: ko.Orders, mail_server: SmtpServer
) -> None:
    from playwright.sync_api import expect

    ada, grace, alan = (paid(shop, name) for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing"))
    unpaid = shop.place(new_order(name="Katherine Johnson", email="kj@example.com"))
    csv = (
        "Order number,Carrier,Tracking number\n"
        f"{ada.number},UPS,1Z999AA10123456784\n"
        f"{grace.number},Royal Mail,AB123456789GB\n"
        f"{alan.number},Evri,H01HYA0012345678\n"
        f"{unpaid.number},UPS,1Z999AA10123456785\n"
        "4242,DHL,JD014600006281230704\n"
    ).encode()
    base = serve(make_app(shop, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/admin/orders/")
        page.get_by_role("link", name="Mark orders shipped from a CSV file").click()
        expect(page.get_by_role("heading", name="Mark orders shipped from a file")).to_be_visible()
        preview(page, csv)
        second_tab = browser.new_page(viewport={"width": 1280, "height": 900})
        second_tab.goto(f"{base}/admin/orders/bulk-ship")
        preview(second_tab, csv)  # the same file, previewed in another tab too

        expect(page.locator("[data-field=summary]")).to_contain_text(
            "parcels.csv: 3 to ship, 0 with nothing to do, 2 with problems (skipped)."
        )
        expect(page.locator("tr[data-line='5']")).to_contain_text(
            "is not paid yet: confirm its payment first"
        )
        expect(page.locator("tr[data-line='6']")).to_contain_text("there is no order #4242")
        expect(page.locator("tr[data-line='4']")).to_contain_text("Not a listed carrier: no tracking link")
        assert shipping_emails(mail_server) == []  # the preview changed nothing
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "bulk-ship.png"), full_page=True)
        page.screenshot(path=str(artifacts / "bulk-ship-preview.png"), full_page=True)

        page.get_by_role("button", name="Ship 3 orders").click()
        expect(page.locator("[data-field=summary]")).to_have_text(
            "3 shipped, 0 with nothing to do, 2 skipped, 0 failed."
        )
        page.screenshot(path=str(artifacts / "bulk-ship-result.png"), full_page=True)
        assert len(shipping_emails(mail_server)) == 3
        parcel = shop.get(grace.id).shipment
        assert parcel is not None  # the whole order in one parcel
        assert parcel.lines == {line.id: line.quantity for line in shop.get(grace.id).lines}
        assert parcel == ko.Shipment(
            parcel.id,
            parcel.lines,
            "royal_mail",
            "AB123456789GB",
            "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB",
            parcel.shipped_at,
        )

        # The other tab's preview submitted too (a double submit): nothing ships twice.
        second_tab.get_by_role("button", name="Ship 3 orders").click()
        expect(second_tab.locator("[data-field=summary]")).to_have_text(
            "0 shipped, 3 with nothing to do, 2 skipped, 0 failed."
        )
        expect(second_tab.locator("tr[data-line='2']")).to_contain_text(
            "Already shipped with this tracking number"
        )
        second_tab.close()
        assert len(shipping_emails(mail_server)) == 3

        page.set_viewport_size({"width": 390, "height": 800})  # a phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.close()


def test_other_carrier_reveals_its_field_and_ships_with_the_typed_name(
    browser: Any, serve: Any, shop: ko.Orders, mail_server: SmtpServer
) -> None:
    from playwright.sync_api import expect

    order = paid(shop, "Hedy Lamarr")
    base = serve(make_app(shop, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/admin/orders/{order.id}")
        page.get_by_text("Mark as Shipped", exact=True).click()
        carrier = page.get_by_label("Carrier", exact=True)
        other = page.get_by_label("Other carrier’s name")  # noqa: RUF001
        expect(carrier.locator("option")).to_have_count(9)  # "Select…", seven carriers, "Other…"
        expect(other).to_be_hidden()
        carrier.select_option("other")
        expect(other).to_be_visible()
        other.fill("Evri")
        page.get_by_label("Tracking number").fill("H01HYA0012345678")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("[data-field=status]")).to_have_text("Shipped")
        shipment = shop.get(order.id).shipment
        assert shipment is not None and shipment.carrier == "Evri"
        # Edit tracking shows the custom carrier as "Other…" with its name typed in.
        page.get_by_text("Edit tracking", exact=True).click()
        expect(page.locator("#update_tracking-carrier")).to_have_value("other")
        expect(page.locator("#update_tracking-carrier-other")).to_have_value("Evri")
        assert len(shipping_emails(mail_server)) == 1
    finally:
        page.close()
