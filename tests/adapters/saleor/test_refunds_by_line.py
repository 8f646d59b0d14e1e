"""Refunds by line between kasify and Saleor: granted with their lines, and Saleor's grants recorded by line.

Saleor's bodies are the ones a real Saleor 3.23.28 sent (``recorded.py``). Those deliveries
carry no ``grantedRefunds`` (the subscription did not ask for them then), so the bodies with
granted refunds are **derived, not recorded**: a recorded body with ``grantedRefunds`` added
as Saleor's schema defines it (``OrderGrantedRefund``: id, amount, status,
shippingCostsIncluded, lines { quantity orderLine { id } }) and its ``totalRefunded`` set to
match.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from tests.adapters.saleor.conftest import post_webhook, replay
from tests.adapters.saleor.fake_saleor import FakeSaleor
from tests.adapters.saleor.recorded import Delivery, webhook
from tests.adapters.saleor.test_events import FULLY_PAID, SALEOR_ID, SALEOR_ORDER, only_order

STAFF = "staff:7"
D = Decimal
BEANIE, SOCKS = (line["id"] for line in SALEOR_ORDER["lines"])


def money(amount: str) -> dict[str, Any]:
    return {"amount": float(amount), "currency": "USD"}


def grant(
    grant_id: str,
    amount: str,
    *lines: tuple[str, int],
    shipping: bool = False,
    status: str = "SUCCESS",
    reason: str = "",
) -> dict[str, Any]:
    """A granted refund as ``KasifyOrder`` asks for it (``OrderGrantedRefund`` in Saleor's schema)."""
    return {
        "id": grant_id,
        "status": status,
        "reason": reason,
        "shippingCostsIncluded": shipping,
        "amount": money(amount),
        "lines": [{"quantity": quantity, "orderLine": {"id": line}} for line, quantity in lines],
    }


def derived(order: dict[str, Any], typename: str, refunded: str, *grants: dict[str, Any]) -> bytes:
    """A body derived from a recorded order: *grants* added, ``totalRefunded`` set to *refunded*."""
    changed = copy.deepcopy(order)
    changed["grantedRefunds"] = list(grants)
    changed["totalRefunded"] = money(refunded)
    return json.dumps(
        {
            "__typename": typename,
            "issuedAt": "2026-12-01T20:00:00+00:00",
            "version": "3.23.28",
            "order": changed,
        }
    ).encode()


def kasify_order(app: SaleorApp, saleor: FakeSaleor, delivery: Delivery) -> ko.Order:
    link = app.installations.link_for_saleor(saleor.api_url, delivery.order["id"])
    assert link is not None
    return app.orders.get(link.order_id)


@pytest.fixture
def paid_2087(client: Client, installed: FakeSaleor, saleor_orders: ko.Orders) -> ko.Order:
    """Saleor order #2087 (a free-shipping voucher), paid by card, known to both sides."""
    installed.add_order(SALEOR_ORDER)
    assert (
        post_webhook(client, installed, "order_fully_paid", FULLY_PAID).json["outcome"] == "payment_confirmed"
    )
    installed.calls.clear()
    return only_order(saleor_orders)


@pytest.fixture
def paid_8(client: Client, app: SaleorApp, installed: FakeSaleor) -> tuple[Delivery, ko.Order]:
    """Recorded Saleor order #8 (voucher SAVE5, paid through a payment app), placed and paid."""
    paid = webhook("order_fully_paid", number="8")
    installed.add_order(paid.order)
    replay(client, installed, paid)
    installed.calls.clear()
    return paid, kasify_order(app, installed, paid)


# -- kasify -> Saleor ------------------------------------------------------------------------------


def test_a_refund_by_line_is_granted_with_its_lines_and_kasifys_amount(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    """kasify shares the free-shipping voucher over the lines: 1 beanie is 21.82 here, 24.00 to Saleor.

    The grant carries kasify's amount (what the merchant was shown and kasify records) and the
    lines, so Saleor knows which units are refunded.
    """
    order = saleor_orders.refund(
        paid_2087.id, lines={1: 1}, note="hole", idempotency_key="form-1", actor=STAFF
    )
    refund = order.refunds[-1]
    [variables] = installed.calls_named("KasifyGrantRefund")
    assert variables["amount"] == "21.82"
    assert variables["lines"] == [{"id": BEANIE, "quantity": 1}]
    assert variables["shipping"] is False
    [saleor_grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    assert saleor_grant["amount"]["amount"] == 21.82  # not Saleor's 24.00 (unitPrice x quantity)
    assert [(line["orderLine"]["id"], line["quantity"]) for line in saleor_grant["lines"]] == [(BEANIE, 1)]
    assert (refund.status, refund.reference, refund.lines) == (
        ko.RefundStatus.SETTLED,
        saleor_grant["id"],
        {1: 1},
    )
    assert order.totals.refunded == D("21.82")


def test_a_refund_of_a_line_and_the_shipping_grants_the_shipping_too(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    order = saleor_orders.refund(paid_2087.id, lines={2: 1}, shipping=True, actor=STAFF)
    [variables] = installed.calls_named("KasifyGrantRefund")
    assert (variables["lines"], variables["shipping"], variables["amount"]) == (
        [{"id": SOCKS, "quantity": 1}],
        True,
        "22.36",  # 18.00 less its 1.64 share of the voucher, and the 6.00 shipping
    )
    [saleor_grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    assert saleor_grant["shippingCostsIncluded"] is True
    assert order.totals.refunded == D("22.36")


def test_a_refund_by_amount_grants_no_lines(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    saleor_orders.refund(paid_2087.id, D("5.00"), actor=STAFF)
    [variables] = installed.calls_named("KasifyGrantRefund")
    assert "lines" not in variables and "shipping" not in variables
    [saleor_grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    assert (saleor_grant["lines"], saleor_grant["shippingCostsIncluded"]) == ([], False)


def test_a_recorded_voucher_orders_line_refund_agrees_with_saleors_price(
    app: SaleorApp, installed: FakeSaleor, paid_8: tuple[Delivery, ko.Order]
) -> None:
    """Recorded order #8: SAVE5 takes 10% off each line in Saleor, and kasify's share comes to the same."""
    paid, order = paid_8
    mug = paid.order["lines"][1]
    after = app.orders.refund(order.id, lines={2: 1}, actor=STAFF)
    [variables] = installed.calls_named("KasifyGrantRefund")
    assert variables["lines"] == [{"id": mug["id"], "quantity": 1}]
    assert D(variables["amount"]) == D(str(mug["unitPrice"]["gross"]["amount"])) == D("11.25")
    assert after.totals.refunded == D("11.25")


def test_units_saleor_granted_already_fail_the_refund_and_nothing_is_recorded(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    """Saleor refuses to grant a unit twice: kasify's refund by line fails, the balance is unchanged."""
    installed.orders[SALEOR_ID]["grantedRefunds"].append(
        {**grant("R3JhbnQ6OTk=", "48.00", (BEANIE, 2)), "transaction": None}
    )
    with pytest.raises(ko.RefundFailed):
        saleor_orders.refund(paid_2087.id, lines={1: 1}, actor=STAFF)
    after = saleor_orders.get(paid_2087.id)
    assert (after.totals.refunded, after.totals.refund_pending) == (D("0.00"), D("0.00"))
    assert after.refundable_quantities() == {1: 2, 2: 1}
    assert "refunded" not in [entry.kind for entry in after.timeline]


# -- Saleor -> kasify ------------------------------------------------------------------------------


def test_recorded_refunds_without_granted_refunds_are_still_refunds_by_amount(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    """Recorded order #1: refunded 10, then 15, then in full; the bodies carry no grantedRefunds."""
    first = webhook("order_refunded", number="1")
    installed.add_order(first.order)
    outcomes = [
        r.json["outcome"]
        for r in replay(
            client,
            installed,
            first,
            webhook("order_refunded", number="1", nth=1),
            webhook("order_fully_refunded", number="1"),
        )
    ]
    assert outcomes[-2:] == ["refunded", "refunded"]
    order = kasify_order(app, installed, first)
    assert [(r.amount, r.by_line) for r in order.refunds] == [
        (D("10.00"), False),
        (D("5.00"), False),
        (D("47.50"), False),
    ]
    assert order.totals.refunded == D("62.50")


def test_a_grant_with_lines_made_in_saleor_is_a_refund_by_line_once(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    recorded = webhook("order_refunded", number="1")
    mug = recorded.order["lines"][1]["id"]
    installed.add_order(recorded.order)
    body = derived(recorded.order, "OrderRefunded", "12.50", grant("R3JhbnQ6MQ==", "12.50", (mug, 1)))
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] in {"placed", "refunded"}
    assert post_webhook(client, installed, "order_refunded", body + b" ").json["outcome"] == "duplicate"
    order = kasify_order(app, installed, recorded)
    [refund] = order.refunds
    assert (refund.amount, refund.lines, refund.shipping, refund.reference) == (
        D("12.50"),
        {2: 1},
        False,
        "R3JhbnQ6MQ==",
    )
    assert refund.actor == "saleor"
    assert order.refundable_quantities() == {1: 2}
    assert installed.calls_named("KasifyGrantRefund") == []  # never sent back


def test_saleors_price_above_kasifys_is_a_refund_by_line_and_the_rest_by_amount(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    """Saleor grants 24.00 for 1 beanie (its unit price), kasify says 21.82: the 2.18 left is by amount."""
    body = derived(SALEOR_ORDER, "OrderRefunded", "24.00", grant("R3JhbnQ6Mg==", "24.00", (BEANIE, 1)))
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    order = saleor_orders.get(paid_2087.id)
    assert [(r.amount, dict(r.lines)) for r in order.refunds] == [(D("21.82"), {1: 1}), (D("2.18"), {})]
    assert order.totals.refunded == D("24.00")


def test_a_grant_not_paid_out_yet_is_left_to_the_refunded_total(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    pending = derived(
        SALEOR_ORDER, "OrderRefunded", "0.00", grant("R3JhbnQ6Mw==", "24.00", (BEANIE, 1), status="PENDING")
    )
    assert post_webhook(client, installed, "order_refunded", pending).json["outcome"] == "duplicate"
    assert saleor_orders.get(paid_2087.id).refunds == ()


def test_kasifys_own_grant_coming_back_is_not_recorded_again(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    order = saleor_orders.refund(paid_2087.id, lines={1: 1}, actor=STAFF)
    [saleor_grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    echoed = grant(saleor_grant["id"], "21.82", (BEANIE, 1), reason=saleor_grant["reason"])
    body = derived(SALEOR_ORDER, "OrderRefunded", "21.82", echoed)
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "duplicate"
    assert saleor_orders.get(order.id).refunds == order.refunds


def test_a_grant_of_a_line_and_the_shipping_is_a_refund_of_both(
    client: Client, app: SaleorApp, installed: FakeSaleor, paid_8: tuple[Delivery, ko.Order]
) -> None:
    """Recorded order #8 (derived body): 1 mug at 11.25 and the 10.00 shipping, on both sides."""
    paid, order = paid_8
    mug = paid.order["lines"][1]["id"]
    body = derived(
        paid.order, "OrderRefunded", "21.25", grant("R3JhbnQ6NQ==", "21.25", (mug, 1), shipping=True)
    )
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    [refund] = app.orders.get(order.id).refunds
    assert (refund.amount, dict(refund.lines), refund.shipping) == (D("21.25"), {2: 1}, True)


def test_a_grant_below_kasifys_price_is_recorded_by_amount_only(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid_2087: ko.Order
) -> None:
    """Saleor's shipping is 0.00 after the voucher, kasify's 6.00: Saleor's 18.00 for socks and
    shipping is less than kasify's 22.36, so kasify records the 18.00 Saleor paid, by amount."""
    body = derived(
        SALEOR_ORDER, "OrderRefunded", "18.00", grant("R3JhbnQ6Ng==", "18.00", (SOCKS, 1), shipping=True)
    )
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    order = saleor_orders.get(paid_2087.id)
    assert [(r.amount, r.by_line) for r in order.refunds] == [(D("18.00"), False)]
    assert order.refundable_quantities() == {1: 2, 2: 1}
