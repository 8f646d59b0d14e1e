"""Saleor returns: read from the order's RETURNED fulfillments, noted on kasify's timeline once.

The recorded Saleor 3.23.28 deliveries hold no return, so these bodies are **derived, not
recorded**: recorded order #1 (fulfilled, paid through a payment app) with a return fulfillment
added as Saleor's schema defines it (``Fulfillment``: id, status RETURNED or
REFUNDED_AND_RETURNED, lines { quantity orderLine { id } }), posted as the ``ORDER_UPDATED``
Saleor sends after ``orderFulfillmentReturnProducts`` (or as its ``ORDER_REFUNDED``).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from kasify_orders.adapters.saleor.parsing import parse
from kasify_orders.adapters.saleor.payloads import SaleorReturn
from tests.adapters.saleor.conftest import post_webhook, replay
from tests.adapters.saleor.fake_saleor import FakeSaleor
from tests.adapters.saleor.recorded import webhook
from tests.adapters.saleor.test_refunds_by_line import grant, kasify_order

RECORDED = webhook("order_refunded", number="1")  # Saleor order #1, fulfilled, refunded 10.00
TEE, MUG = (line["id"] for line in RECORDED.order["lines"])
RETURN_ID = "RnVsZmlsbG1lbnQ6Nw=="


def with_return(status: str, *lines: tuple[str, int], typename: str = "OrderUpdated", **order: Any) -> bytes:
    """Recorded order #1 with a return fulfillment of *lines* added (derived, not recorded)."""
    changed = copy.deepcopy(RECORDED.order)
    changed["fulfillments"].append(
        {
            "id": RETURN_ID,
            "status": status,
            "trackingNumber": "",
            "created": "2026-12-01T20:00:00+00:00",
            "metadata": [],
            "lines": [{"quantity": quantity, "orderLine": {"id": line}} for line, quantity in lines],
        }
    )
    changed.update(order)
    return json.dumps(
        {
            "__typename": typename,
            "issuedAt": "2026-12-01T20:00:00+00:00",
            "version": "3.23.28",
            "order": changed,
        }
    ).encode()


def returned_entries(order: ko.Order) -> list[tuple[str, dict[str, Any]]]:
    return [(entry.message, dict(entry.data)) for entry in order.timeline if entry.kind == "saleor_returned"]


def test_parsing_reads_returned_fulfillments_only() -> None:
    body = json.loads(with_return("REFUNDED_AND_RETURNED", (MUG, 1), (TEE, 2)))
    parsed = parse("ORDER_UPDATED", body)
    assert parsed.order.returns == (SaleorReturn(RETURN_ID, ((MUG, 1), (TEE, 2)), refunded=True),)
    assert parse("ORDER_REFUNDED", RECORDED.payload).order.returns == ()  # its fulfillment is FULFILLED
    empty = json.loads(with_return("RETURNED"))
    assert parse("ORDER_UPDATED", empty).order.returns == ()  # a return fulfillment with no lines


def test_a_return_in_saleor_is_noted_on_the_timeline_once(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, RECORDED)
    body = with_return("RETURNED", (MUG, 1))
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "returned"
    assert post_webhook(client, installed, "order_updated", body + b" ").json["outcome"] == "ignored"
    order = kasify_order(app, installed, RECORDED)
    assert returned_entries(order) == [
        (
            "Saleor: 1 x Mug returned",
            {"saleor_fulfillment_id": RETURN_ID, "lines": {"2": 1}, "refunded": False},
        )
    ]
    assert order.totals.refunded == Decimal("10.00")  # a return alone refunds nothing


def test_units_added_to_a_return_are_noted_with_what_it_holds_now(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, RECORDED)
    post_webhook(client, installed, "order_updated", with_return("RETURNED", (MUG, 1)))
    post_webhook(client, installed, "order_updated", with_return("RETURNED", (MUG, 1), (TEE, 1)))
    messages = [message for message, _ in returned_entries(kasify_order(app, installed, RECORDED))]
    assert messages == ["Saleor: 1 x Mug returned", "Saleor: 1 x Plain tee, 1 x Mug returned"]


def test_a_refunded_return_with_its_grant_is_a_refund_by_line_and_a_note(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, RECORDED)
    refunded = {"amount": 22.5, "currency": "USD"}  # the recorded 10.00, and the mug's 12.50
    body = with_return(
        "REFUNDED_AND_RETURNED",
        (MUG, 1),
        typename="OrderRefunded",
        totalRefunded=refunded,
        grantedRefunds=[grant("R3JhbnQ6NA==", "12.50", (MUG, 1))],
    )
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    order = kasify_order(app, installed, RECORDED)
    assert [(r.amount, dict(r.lines)) for r in order.refunds] == [
        (Decimal("10.00"), {}),
        (Decimal("12.50"), {2: 1}),
    ]
    assert [message for message, _ in returned_entries(order)] == ["Saleor: 1 x Mug returned and refunded"]


def test_order_updated_about_an_order_kasify_never_saw_places_nothing(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    body = with_return("RETURNED", (MUG, 1))
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "ignored"
    assert saleor_orders.list().items == ()
