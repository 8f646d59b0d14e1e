"""``POST /orders/{id}/edit`` through Flask's test client, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import flask
from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import API, make_app
from tests.helpers import new_order

PROBLEM = "application/problem+json"


def test_an_edit_in_json_out_with_the_order_as_edited(client: FlaskClient, orders: ko.Orders) -> None:
    orders.inventory.track("CAP", 1, name="Cap")
    order = orders.confirm_payment(orders.place(new_order(sku="TEE", quantity=2)).id)
    body = {
        "set_quantity": {"1": 3},
        "add_lines": [{"sku": "CAP", "name": "Cap", "quantity": 1, "unit_price": "12.00"}],
        "shipping_address": {
            "line1": "2 Mill Lane",
            "city": "York",
            "postal_code": "YO1 7HH",
            "country": "GB",
        },
        "note": "customer called",
        "expected_version": order.version,
    }
    done = client.post(f"{API}/{order.id}/edit", json=body)
    assert done.status_code == 200, done.json
    assert [(line["id"], line["quantity"]) for line in done.json["lines"]] == [(1, 3), (2, 1)]
    assert done.json["totals"]["paid"] == "55.00" and done.json["totals"]["amount_due"] == "37.00"
    assert done.json["shipping_address"]["city"] == "York"
    assert done.json["timeline"][-1]["kind"] == "edited" and done.json["timeline"][-1]["actor"] == "staff:7"
    assert done.json == ko.unstructure(orders.get(order.id))
    assert orders.inventory.stock("CAP") == 0


def test_bad_fields_short_stock_and_a_shipped_order_are_problems(
    client: FlaskClient, orders: ko.Orders
) -> None:
    orders.inventory.track("TEE", 2, name="T-shirt")
    order = orders.place(new_order(sku="TEE", quantity=2))
    url = f"{API}/{order.id}/edit"
    bad = client.post(
        url,
        json={
            "set_quantity": {"7": 1},
            "add_lines": [{"sku": "", "name": "X", "quantity": 0, "unit_price": "1"}],
        },
    )
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    paths = {error["path"] for error in bad.json["errors"]}
    assert paths == {"set_quantity[7]", "add_lines[0].sku", "add_lines[0].quantity"}
    unknown = client.post(url, json={"quantities": {"1": 3}})
    assert unknown.status_code == 422
    nothing = client.post(url, json={})
    assert nothing.status_code == 422 and "nothing to change" in nothing.json["detail"]
    short = client.post(url, json={"set_quantity": {"1": 3}})
    assert short.status_code == 409 and short.json["name"] == "T-shirt" and short.json["available"] == 0
    assert orders.get(order.id) == order
    orders.confirm_payment(order.id)
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    late = client.post(url, json={"set_quantity": {"1": 1}})
    assert late.status_code == 409 and "cannot edit" in late.json["detail"]


def test_the_host_decides_who_may_edit(orders: ko.Orders) -> None:
    asked: list[str] = []

    def authorize(permission: str, order: ko.Order | None) -> bool:
        asked.append(permission)
        return permission != "edit_order"

    app: flask.Flask = make_app(orders, authorize=authorize)
    order = orders.place(new_order())
    with app.test_client() as client:
        refused = client.post(f"{API}/{order.id}/edit", json={"set_quantity": {"1": 5}})
    assert refused.status_code == 403 and "edit_order" in asked
    assert orders.get(order.id).lines[0].quantity == 2


def test_the_openapi_document_describes_the_edit(client: FlaskClient) -> None:
    document = client.get(f"{API}/openapi.json").json
    (path,) = [path for path in document["paths"] if path.endswith("/{order_id}/edit")]
    operation = document["paths"][path]["post"]
    assert operation["operationId"] == "editOrder" and operation["x-kasify-permission"] == "edit_order"
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {
        "shipping_address",
        "set_quantity",
        "add_lines",
        "remove_lines",
        "note",
        "expected_version",
    }
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    assert {"paid", "amount_due", "refund_due"} <= set(
        document["components"]["schemas"]["Totals"]["properties"]
    )
