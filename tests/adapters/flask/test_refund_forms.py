"""Refunding and cancelling from the merchant's pages and the API, on every database.

The refund and cancel forms carry a key made when the page is rendered, so the same
submission sent twice (a double click, a browser's retry) refunds once; the page offers
only what the order allows now.
"""

from __future__ import annotations

import re
from decimal import Decimal

import flask
from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import ADMIN, API, make_app
from tests.adapters.flask.test_pages import text
from tests.helpers import new_order
from tests.integration.test_refunds import Provider


def paid(orders: ko.Orders) -> ko.Order:
    return orders.confirm_payment(orders.place(new_order()).id)  # 55.00 USD


def form_fields(client: FlaskClient, order_id: str, action: str) -> dict[str, str]:
    """The hidden and default fields of one action's form, as the page renders them."""
    html = client.get(f"{ADMIN}/{order_id}").get_data(as_text=True)
    form = re.search(rf'<form method="post" action="[^"]*/{action}">(.*?)</form>', html, re.DOTALL)
    assert form is not None, f"no {action} form on the page"
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))
    checkboxes = re.findall(r'<input[^>]*name="([^"]+)" type="checkbox" value="on"( checked)?', form.group(1))
    for name, checked in checkboxes:
        if not checked:
            fields.pop(name, None)
    return fields


def test_a_refund_form_submitted_twice_refunds_once(client: FlaskClient, orders: ko.Orders) -> None:
    provider = Provider()
    orders.plugins.register(provider)
    order = paid(orders)
    fields = form_fields(client, order.id, "refund")
    assert len(fields["idempotency_key"]) == 32
    data = {**fields, "amount": "10.00", "note": "strap"}

    first = client.post(f"{ADMIN}/{order.id}/refund", data=data)
    again = client.post(f"{ADMIN}/{order.id}/refund", data=data)  # the same submission, again

    assert first.status_code == again.status_code == 303
    stored = orders.get(order.id)
    assert [r.amount for r in stored.refunds] == [Decimal("10.00")]
    assert stored.totals.refunded == Decimal("10.00") and provider.paid_out == Decimal("10.00")
    assert "Refunded $10.00." in text(client.get(again.headers["Location"]))
    assert form_fields(client, order.id, "refund")["idempotency_key"] != fields["idempotency_key"]


def test_a_fully_refunded_order_offers_no_refund(client: FlaskClient, orders: ko.Orders) -> None:
    order = paid(orders)
    orders.refund(order.id)
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Refunded" in page
    assert "Issue Refund" not in page and "Confirm Refund" not in page
    assert "Cancel" not in page  # a refunded order cannot be cancelled either
    assert "Add note" in page


def test_a_paid_order_offers_cancel_and_refund_as_one_action(client: FlaskClient, orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    order = paid(orders)
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Cancel and refund" in page and "Refund the balance of $55.00 to the customer" in page
    fields = form_fields(client, order.id, "cancel")
    assert fields["refund"] == "on" and fields["restock"] == "on"

    response = client.post(f"{ADMIN}/{order.id}/cancel", data={**fields, "reason": "customer asked"})
    assert response.status_code == 303
    assert "Order cancelled and $55.00 refunded; its items are back in stock." in text(
        client.get(response.headers["Location"])
    )
    again = client.post(f"{ADMIN}/{order.id}/cancel", data={**fields, "reason": "customer asked"})
    assert again.status_code == 303  # the same submission again: nothing more
    done = orders.get(order.id)
    assert done.status is ko.Status.CANCELLED and done.payment_status is ko.PaymentStatus.REFUNDED
    assert len(done.refunds) == 1 and orders.inventory.stock("TEE-RED-M") == 5
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Issue Refund" not in page and "Cancel and refund" not in page


def test_a_cancelled_paid_order_says_its_payment_is_not_refunded(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = paid(orders)
    fields = form_fields(client, order.id, "cancel")
    del fields["refund"]  # the merchant unticks "Refund the balance"
    assert client.post(f"{ADMIN}/{order.id}/cancel", data=fields).status_code == 303
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "This order is cancelled, but $55.00 of its payment has not been refunded." in page
    assert "Issue Refund" in page
    assert orders.get(order.id).payment_status is ko.PaymentStatus.PAID


def test_a_refund_the_provider_refuses_shows_as_failed(client: FlaskClient, orders: ko.Orders) -> None:
    provider = Provider()
    provider.errors.append(ko.RefundFailed("card expired"))
    orders.plugins.register(provider)
    order = paid(orders)
    fields = form_fields(client, order.id, "refund")
    response = client.post(f"{ADMIN}/{order.id}/refund", data={**fields, "amount": "10.00"})
    assert response.status_code == 502
    page = text(response)
    assert "The payment provider did not refund" in page and "card expired" in page
    assert "Refund of $10.00 failed: card expired" in page  # the timeline, in the pages' money
    assert "(failed: card expired)" in page  # the payment's refunds
    stored = orders.get(order.id)
    assert stored.totals.refundable == Decimal("55.00") and stored.payment_status is ko.PaymentStatus.PAID


def test_who_may_cancel_but_not_refund_is_offered_a_plain_cancel(orders: ko.Orders) -> None:
    app = make_app(orders, authorize=lambda action, order: action != "refund")
    order = paid(orders)
    with app.test_client() as client:
        page = text(client.get(f"{ADMIN}/{order.id}"))
        assert "Cancel order" in page and "Cancel and refund" not in page
        refused = client.post(
            f"{API}/{order.id}/cancel", json={"refund": True}, headers={"Content-Type": "application/json"}
        )
        assert refused.status_code == 403
    assert orders.get(order.id) == order


def test_the_api_cancels_and_refunds_in_one_call(app: flask.Flask, orders: ko.Orders) -> None:
    order = paid(orders)
    with app.test_client() as client:
        response = client.post(
            f"{API}/{order.id}/cancel",
            json={"reason": "customer asked", "refund": True, "expected_version": order.version},
            headers={"Idempotency-Key": "cancel-42"},
        )
        assert response.status_code == 200, response.json
        assert response.json["status"] == "cancelled" and response.json["payment_status"] == "refunded"
        assert (
            response.json["totals"]["refunded"] == "55.00" and response.json["totals"]["refundable"] == "0.00"
        )
        assert response.json["refunds"][0]["status"] == "settled"
        retried = client.post(
            f"{API}/{order.id}/cancel",
            json={"reason": "customer asked", "refund": True, "expected_version": order.version},
            headers={"Idempotency-Key": "cancel-42"},
        )
        assert retried.status_code == 200 and retried.json == response.json
