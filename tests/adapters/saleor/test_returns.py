"""Saleor returns: read from the order's RETURNED fulfillments, followed as kasify returns once.

The recorded Saleor 3.23.28 deliveries hold no return, so these bodies are **derived, not
recorded**: recorded order #1 (fulfilled, paid through a payment app; kasify learns it from its
recorded ``ORDER_FULFILLED`` and ``ORDER_REFUNDED``, so it is shipped here) with a return fulfillment
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
#: Order #1 as kasify learns it: its recorded ORDER_FULFILLED (shipped here) and ORDER_REFUNDED.
SHIPPED = (webhook("order_fulfilled", number="1"), RECORDED)
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


def returns_of(order: ko.Order) -> list[tuple[dict[int, int], str, ko.ReturnStatus, bool]]:
    return [(dict(r.lines), r.reason, r.status, r.restocked) for r in order.returns]


def test_parsing_reads_returned_fulfillments_only() -> None:
    body = json.loads(with_return("REFUNDED_AND_RETURNED", (MUG, 1), (TEE, 2)))
    parsed = parse("ORDER_UPDATED", body)
    assert parsed.order.returns == (SaleorReturn(RETURN_ID, ((MUG, 1), (TEE, 2)), refunded=True),)
    assert parse("ORDER_REFUNDED", RECORDED.payload).order.returns == ()  # its fulfillment is FULFILLED
    empty = json.loads(with_return("RETURNED"))
    assert parse("ORDER_UPDATED", empty).order.returns == ()  # a return fulfillment with no lines


def test_a_return_in_saleor_is_a_received_kasify_return_once(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, *SHIPPED)
    body = with_return("RETURNED", (MUG, 1))
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "returned"
    order = kasify_order(app, installed, RECORDED)
    assert returns_of(order) == [({2: 1}, "Returned in Saleor", ko.ReturnStatus.RECEIVED, False)]
    assert [(entry.kind, entry.actor) for entry in order.timeline[-2:]] == [
        ("return_opened", "saleor"),
        ("return_received", "saleor"),
    ]
    assert returned_entries(order) == []  # kasify followed: no note
    assert order.totals.refunded == Decimal("10.00")  # a return alone refunds nothing
    # The same delivery again, and another carrying the same return: nothing more.
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "duplicate"
    assert post_webhook(client, installed, "order_updated", body + b" ").json["outcome"] == "ignored"
    assert kasify_order(app, installed, RECORDED) == order


def test_units_added_to_a_return_later_open_a_return_of_those_units_only(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, *SHIPPED)
    post_webhook(client, installed, "order_updated", with_return("RETURNED", (MUG, 1)))
    post_webhook(client, installed, "order_updated", with_return("RETURNED", (MUG, 1), (TEE, 1)))
    post_webhook(client, installed, "order_updated", with_return("RETURNED", (MUG, 1), (TEE, 1)))
    assert returns_of(kasify_order(app, installed, RECORDED)) == [
        ({2: 1}, "Returned in Saleor", ko.ReturnStatus.RECEIVED, False),
        ({1: 1}, "Returned in Saleor", ko.ReturnStatus.RECEIVED, False),
    ]


def test_a_refunded_return_with_its_grant_is_a_refunded_return_and_one_refund(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, *SHIPPED)
    refunded = {"amount": 22.5, "currency": "USD"}  # the recorded 10.00, and the mug's 12.50
    body = with_return(
        "REFUNDED_AND_RETURNED",
        (MUG, 1),
        typename="OrderRefunded",
        totalRefunded=refunded,
        grantedRefunds=[grant("R3JhbnQ6NA==", "12.50", (MUG, 1))],
    )
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    assert post_webhook(client, installed, "order_refunded", body + b" ").json["outcome"] == "duplicate"
    order = kasify_order(app, installed, RECORDED)
    assert [(r.amount, dict(r.lines), r.reference) for r in order.refunds] == [
        (Decimal("10.00"), {}, order.refunds[0].reference),
        (Decimal("12.50"), {2: 1}, "R3JhbnQ6NA=="),
    ]
    (made,) = order.returns
    assert (dict(made.lines), made.status, made.refund_id) == (
        {2: 1},
        ko.ReturnStatus.REFUNDED,
        order.refunds[1].id,
    )
    assert order.totals.refunded == Decimal("22.50") and returned_entries(order) == []


def test_a_grant_announced_with_its_return_is_the_return_s_refund_before_the_refund_event(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, *SHIPPED)
    refunded = {"amount": 22.5, "currency": "USD"}
    fields: dict[str, Any] = {
        "totalRefunded": refunded,
        "grantedRefunds": [grant("R3JhbnQ6NA==", "12.50", (MUG, 1))],
    }
    updated = with_return("REFUNDED_AND_RETURNED", (MUG, 1), **fields)
    assert post_webhook(client, installed, "order_updated", updated).json["outcome"] == "returned"
    later = with_return("REFUNDED_AND_RETURNED", (MUG, 1), typename="OrderRefunded", **fields)
    post_webhook(client, installed, "order_refunded", later)
    order = kasify_order(app, installed, RECORDED)
    assert [(r.amount, dict(r.lines)) for r in order.refunds] == [
        (Decimal("10.00"), {}),
        (Decimal("12.50"), {2: 1}),
    ]
    assert [r.status for r in order.returns] == [ko.ReturnStatus.REFUNDED]
    assert order.totals.refunded == Decimal("22.50")


def test_a_return_beyond_what_kasify_shipped_is_noted_and_nothing_else(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    replay(client, installed, *SHIPPED)
    before = kasify_order(app, installed, RECORDED)
    body = with_return("RETURNED", (MUG, 2))  # kasify shipped one mug
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "returned"
    assert post_webhook(client, installed, "order_updated", body + b" ").json["outcome"] == "ignored"
    order = kasify_order(app, installed, RECORDED)
    assert order.returns == () and order.refunds == before.refunds
    ((message, data),) = returned_entries(order)
    assert message.startswith("Saleor: 2 x Mug returned, which kasify cannot take as a return (")
    assert message.endswith("); nothing changed here")
    assert {key: data[key] for key in ("saleor_fulfillment_id", "lines", "refunded")} == {
        "saleor_fulfillment_id": RETURN_ID,
        "lines": {"2": 2},
        "refunded": False,
    }


def test_order_updated_about_an_order_kasify_never_saw_places_nothing(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    body = with_return("RETURNED", (MUG, 1))
    assert post_webhook(client, installed, "order_updated", body).json["outcome"] == "ignored"
    assert saleor_orders.list().items == ()
