"""Returns through the JSON API and its OpenAPI document (Flask), on every database."""

from __future__ import annotations

from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import API
from tests.helpers import tee_and_mug


def shipped(orders: ko.Orders) -> ko.Order:
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    return orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")


def test_the_api_opens_receives_and_refunds_a_return(client: FlaskClient, orders: ko.Orders) -> None:
    order = shipped(orders)
    opened = client.post(f"{API}/{order.id}/returns", json={"lines": {"1": 1}, "reason": "too small"})
    assert opened.status_code == 201, opened.get_json()
    (made,) = opened.get_json()["returns"]
    assert made["lines"] == {"1": 1} and made["status"] == "open" and made["reason"] == "too small"
    received = client.post(
        f"{API}/{order.id}/returns/receive", json={"return_id": made["id"], "restock": True}
    )
    assert received.status_code == 200, received.get_json()
    assert received.get_json()["returns"][0]["status"] == "received"
    refunded = client.post(f"{API}/{order.id}/returns/refund", json={"return_id": made["id"]})
    assert refunded.status_code == 200, refunded.get_json()
    body = refunded.get_json()
    assert body["returns"][0]["status"] == "refunded" and body["totals"]["refunded"] == "25.00"
    assert body["returns"][0]["refund_id"] == body["refunds"][0]["id"]


def test_the_api_names_the_bad_fields(client: FlaskClient, orders: ko.Orders) -> None:
    order = shipped(orders)
    too_many = client.post(f"{API}/{order.id}/returns", json={"lines": {"1": 3}, "reason": "x"})
    assert too_many.status_code == 422
    assert [e["path"] for e in too_many.get_json()["errors"]] == ["lines[1]"]
    no_reason = client.post(f"{API}/{order.id}/returns", json={"lines": {"1": 1}})
    assert no_reason.status_code in {400, 422} and "reason" in str(no_reason.get_json())
    made = orders.returns.open(order.id, lines={2: 1}, reason="broken").returns[0]
    early = client.post(f"{API}/{order.id}/returns/refund", json={"return_id": made.id})
    assert early.status_code == 422 and early.get_json()["errors"][0]["path"] == "status"
    unknown = client.post(f"{API}/{order.id}/returns/close", json={"return_id": "nope"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["path"] == "return_id"
    assert orders.get(order.id).returns[0].status is ko.ReturnStatus.OPEN


def test_the_document_describes_the_return_routes_and_the_orders_returns(client: FlaskClient) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    for path in ("returns", "returns/receive", "returns/refund", "returns/close"):
        assert f"/{{order_id}}/{path}" in "".join(document["paths"]), path
    schemas = document["components"]["schemas"]
    assert schemas["Order"]["properties"]["returns"]["items"] == {"$ref": "#/components/schemas/Return"}
    assert schemas["Return"]["properties"]["status"]["enum"] == ["open", "received", "refunded", "closed"]
    assert "returns" not in schemas["OrderSummary"]["properties"]
