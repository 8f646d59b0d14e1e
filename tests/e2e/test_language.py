"""A German shop in Berlin in a real browser (Flask): the order page in German, times on Berlin's clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("flask")

import flask

from kasify_orders.adapters.flask import EXTENSION, KasifyOrders
from tests.helpers import new_order


def berlin_time(moment: Any) -> str:
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%Y-%m-%d %H:%M ") + str(local.tzname())


def test_a_german_order_page_in_the_browser(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = flask.Flask("shop")
    app.config.update(
        SECRET_KEY="s",
        KASIFY_ORDERS_DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        KASIFY_ORDERS_LOAD_ENTRYPOINTS=False,
        KASIFY_ORDERS_USE_HOST_MAIL=False,
        KASIFY_ORDERS_LOCALE="de",
        KASIFY_ORDERS_TIMEZONE="Europe/Berlin",
    )
    KasifyOrders(app).authorize(lambda action, order: True)
    orders = app.extensions[EXTENSION].orders
    try:
        order = orders.place(new_order())
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{serve(app)}/admin/orders/{order.id}")
            expect(page.get_by_role("heading", name="Bestellung #1", exact=True)).to_be_visible()
            expect(page.get_by_role("heading", name="Bestellte Artikel")).to_be_visible()
            expect(page.locator("dd.grand")).to_have_text("55,00\xa0$")
            expect(page.locator("p.placed time")).to_have_text(berlin_time(order.created_at))
            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect(page.locator("nav.sidebar")).to_contain_text("Einstellungen")
            page.screenshot(path=str(artifacts / "order-detail-de.png"), full_page=True)
        finally:
            page.close()
    finally:
        orders.close()
