"""Taxes shown where money is: the order page and list (English and German), the JSON API, the CLI.

On SQLite, PostgreSQL and MariaDB (the ``orders`` fixture).
"""

from __future__ import annotations

import re
from decimal import Decimal

import attrs
import flask
from click.testing import CliRunner
from flask.testing import FlaskClient

import kasify_orders as ko
from kasify_orders.adapters.flask import EXTENSION
from kasify_orders.cli import main
from tests.adapters.flask.conftest import ADMIN, API
from tests.adapters.flask.test_language import german_shop, smtp  # noqa: F401 - fixtures
from tests.helpers import new_order

D = Decimal


def taxed(*, included: bool = False) -> ko.NewOrder:
    """Two T-shirts at 25.00 taxed 9.50, shipping 5.00 taxed 0.95: exclusive total 65.45."""
    cart = new_order()
    return attrs.evolve(
        cart,
        lines=[attrs.evolve(cart.lines[0], tax=D("9.50"))],
        shipping_tax=D("0.95"),
        prices_include_tax=included,
    )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_order_page_adds_the_tax_above_the_total_or_says_it_is_included(
    client: FlaskClient, orders: ko.Orders
) -> None:
    added = orders.place(taxed())
    included = orders.place(taxed(included=True))
    untaxed = orders.place(new_order())
    page = text(client.get(f"{ADMIN}/{added.id}").get_data(as_text=True))
    assert "Shipping $5.00 Tax $10.45 Total $65.45" in page and "incl. tax" not in page
    page = text(client.get(f"{ADMIN}/{included.id}").get_data(as_text=True))
    assert "Total $55.00 incl. tax $10.45" in page and " Tax $" not in page
    page = text(client.get(f"{ADMIN}/{untaxed.id}").get_data(as_text=True))
    assert "Tax" not in page and "incl. tax" not in page
    listing = text(client.get(f"{ADMIN}/").get_data(as_text=True))
    assert listing.count("incl. tax $10.45") == 2 and "$65.45 incl. tax $10.45" in listing


def test_the_json_api_and_its_schema_carry_the_tax(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(taxed())
    body = client.get(f"{API}/{order.id}").get_json()
    assert body["totals"]["tax"] == "10.45" and body["totals"]["shipping_tax"] == "0.95"
    assert body["totals"]["prices_include_tax"] is False and body["totals"]["total"] == "65.45"
    assert body["lines"][0]["tax"] == "9.50"
    schema = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    assert {"tax", "shipping_tax", "prices_include_tax"} <= set(schema["Totals"]["required"])
    assert schema["Totals"]["properties"]["prices_include_tax"]["type"] == "boolean"
    assert "tax" in schema["Line"]["required"]


def test_the_cli_shows_the_tax(orders: ko.Orders, database_url: str) -> None:
    added = orders.place(taxed())
    included = orders.place(taxed(included=True))
    shown = CliRunner().invoke(main, ["--url", database_url, "orders", "show", str(added.number)])
    assert "Tax 10.45  Total 65.45 USD" in shown.output
    shown = CliRunner().invoke(main, ["--url", database_url, "orders", "show", str(included.number)])
    assert "Total 55.00 USD (incl. tax 10.45)" in shown.output and "  Tax" not in shown.output


def test_a_german_page_says_steuer(german_shop: flask.Flask) -> None:  # noqa: F811 - the fixture
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    added = orders.place(taxed())
    included = orders.place(taxed(included=True))
    with german_shop.test_client() as client:
        page = text(client.get(f"{ADMIN}/{added.id}").get_data(as_text=True))
        other = text(client.get(f"{ADMIN}/{included.id}").get_data(as_text=True))
        listing = text(client.get(f"{ADMIN}/").get_data(as_text=True))
    assert "Steuer 10,45" in page and "inkl. Steuer 10,45" in other and "inkl. Steuer" in listing


def test_an_edits_timeline_lists_the_tax_old_to_new_in_german_too(german_shop: flask.Flask) -> None:  # noqa: F811
    orders: ko.Orders = german_shop.extensions[EXTENSION].orders
    order = orders.place(taxed())
    edited = orders.edit(order.id, set_quantity={1: 3})  # the line's 9.50 scaled to 14.25
    assert edited.totals.tax == D("15.20")
    entry = edited.timeline[-1]
    assert entry.message == (
        "Order edited: Quantity of T-shirt: 2 → 3; Tax: 10.45 → 15.20 USD; Total: 65.45 → 95.20 USD"
    )
    moved = orders.edit(order.id, shipping_address=ko.Address("2 Mill Lane", "York", "YO1 7HH", "GB"))
    assert [change["change"] for change in moved.timeline[-1].data["changes"]] == ["address"]
    with german_shop.test_client() as client:
        page = text(client.get(f"{ADMIN}/{order.id}").get_data(as_text=True))
    assert (
        "Bestellung geändert: Menge von T-shirt: 2 → 3; Steuer: 10,45 $ → 15,20 $;"
        " Gesamt: 65,45 $ → 95,20 $" in page.replace("\xa0", " ")
    )
