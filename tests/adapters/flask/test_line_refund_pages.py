"""Refunding by line from Flask's order page, the JSON API and its document, on every database."""

from __future__ import annotations

import re
from decimal import Decimal

from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import ADMIN, API
from tests.adapters.flask.test_pages import text
from tests.adapters.flask.test_refund_forms import form_fields
from tests.helpers import new_order


def paid(orders: ko.Orders) -> ko.Order:
    """Two tees at 25.00 and a mug at 8.00, shipping 5.00: 63.00 USD."""
    orders.inventory.set_stock("TEE", 5)
    cart = new_order(
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ]
    )
    return orders.confirm_payment(orders.place(cart).id)


def test_the_refund_form_refunds_the_lines_ticked_with_shipping_and_restock(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = paid(orders)
    html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="[^"]*/refund">(.*?)</form>', html, re.DOTALL)
    assert form is not None
    for name in ("pick-line-1", "pick-line-2", "line-1", "line-2", "shipping", "restock", "amount"):
        assert f'name="{name}"' in form.group(1), name
    assert "Or refund by line" in form.group(1) and "Refund the shipping" in form.group(1)
    fields = form_fields(client, order.id, "refund")
    assert fields["line-1"] == "2" and "pick-line-1" not in fields  # offered, not ticked
    data = {**fields, "pick-line-1": "on", "line-1": "1", "line-2": "1", "shipping": "on", "restock": "on"}
    response = client.post(f"{ADMIN}/{order.id}/refund", data=data)
    assert response.status_code == 303
    assert "Refunded $30.00." in text(client.get(response.headers["Location"]))
    stored = orders.get(order.id)
    (made,) = stored.refunds  # the mug was not ticked: its quantity does not count
    assert made.lines == {1: 1} and made.shipping and made.restock and made.amount == Decimal("30.00")
    assert orders.inventory.stock("TEE") == 4  # 5 - 2 placed + 1 back

    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Refunded $30.00 for 1 x T-shirt, shipping" in page  # the timeline says what
    assert "Refund the shipping" not in page  # refunded once: not offered again
    raw = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert re.search(r'data-field="refunded-1">1 refunded<', raw)  # beside the line's quantity
    assert 'data-field="refunded-2"' not in raw
    again = form_fields(client, order.id, "refund")
    assert again["line-1"] == "1"  # one tee left to refund


def test_a_unit_refunded_already_is_refused_beside_the_lines(client: FlaskClient, orders: ko.Orders) -> None:
    order = paid(orders)
    orders.refund(order.id, lines={1: 1})
    fields = form_fields(client, order.id, "refund")
    data = {**fields, "pick-line-1": "on", "line-1": "2"}  # one tee left, two asked
    response = client.post(f"{ADMIN}/{order.id}/refund", data=data)
    assert response.status_code == 400
    assert "Line 1: Only 1 of 2 units is left to refund." in text(response)
    assert len(orders.get(order.id).refunds) == 1


def test_the_api_refunds_by_line_and_its_document_says_so(client: FlaskClient, orders: ko.Orders) -> None:
    order = paid(orders)
    response = client.post(
        f"{API}/{order.id}/refund", json={"lines": {"2": 1}, "shipping": True, "restock": False}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["refunds"][0]["lines"] == {"2": 1} and body["refunds"][0]["shipping"] is True
    assert body["totals"]["refunded"] == "13.00"
    refused = client.post(f"{API}/{order.id}/refund", json={"lines": {"2": 1}})
    assert refused.status_code == 422
    assert any(e["path"] == "lines[2]" for e in refused.get_json()["errors"]), refused.get_json()
    mixed = client.post(f"{API}/{order.id}/refund", json={"amount": "1.00", "lines": {"1": 1}})
    assert mixed.status_code == 422 and "amount" in {e["path"] for e in mixed.get_json()["errors"]}

    document = client.get(f"{API}/openapi.json").get_json()
    body_schema = document["components"]["schemas"]
    refund_body = next(
        s
        for name, s in body_schema.items()
        if "lines" in s.get("properties", {}) and "shipping" in s.get("properties", {})
    )
    assert refund_body["properties"]["restock"]["type"] == "boolean"
    assert body_schema["Refund"]["properties"]["lines"]["type"] == "object"
