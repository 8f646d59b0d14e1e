"""Refunds by line on each database: restock and its history, shipping once, the cap, two at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

import kasify_orders as ko
from tests.helpers import tee_and_mug
from tests.integration.test_refunds import Provider

UPS_1 = "1Z999AA10123456784"


@pytest.fixture
def paid(orders: ko.Orders) -> ko.Order:
    orders.inventory.set_stock("TEE", 10)
    orders.inventory.set_stock("MUG", 3)
    orders.coupons.create(ko.Coupon.fixed("TENOFF", Decimal(10)))
    order = orders.place(attrs.evolve(tee_and_mug(), coupon_code="TENOFF"))
    return orders.confirm_payment(order.id)


def refund_line_rows(orders: ko.Orders) -> list[tuple[int, int, int]]:
    table = orders.store.tables.refund_lines
    with orders.store.engine.connect() as conn:
        query = sa.select(table.c.line_id, table.c.quantity, table.c.amount).order_by(table.c.line_id)
        return [tuple(row) for row in conn.execute(query)]


def test_a_refund_by_line_with_restock_moves_the_stock_and_its_history(
    orders: ko.Orders, paid: ko.Order
) -> None:
    assert paid.totals.total == Decimal("53.00") and orders.inventory.stock("TEE") == 8
    after = orders.refund(paid.id, lines={1: 1}, restock=True, note="torn seam", actor="staff:3")
    (made,) = after.refunds
    # The tee line's share of 10.00 is 50/58 of it: 8.62; one of its two units refunds 20.69.
    assert made.lines == {1: 1} and made.amount == Decimal("20.69") and made.restock and not made.shipping
    assert orders.get(paid.id) == after
    assert orders.inventory.stock("TEE") == 9 and orders.inventory.stock("MUG") == 2
    move = orders.inventory.history("TEE", limit=1)[0]
    assert (move.kind, move.delta, move.quantity) == (ko.StockKind.RETURNED, 1, 9)
    assert move.order_id == paid.id and move.order_number == paid.number and move.actor == "staff:3"
    assert refund_line_rows(orders) == [(1, 1, 2069)]
    entry = after.timeline[-1]
    assert (
        entry.kind == "refunded" and entry.message == "Refunded 20.69 USD for 1 x T-shirt — note: torn seam"
    )
    assert entry.data["lines"] == {"1": 1} and entry.data["restock"] is True


def test_without_restock_the_stock_stays(orders: ko.Orders, paid: ko.Order) -> None:
    orders.refund(paid.id, lines={2: 1})
    assert orders.inventory.stock("MUG") == 2 and orders.inventory.history("MUG", limit=1)[0].delta == -1


def test_the_shipping_is_refunded_once_and_every_unit_adds_up_to_the_total(
    orders: ko.Orders, paid: ko.Order
) -> None:
    first = orders.refund(paid.id, shipping=True)
    assert first.refunds[0].amount == Decimal("5.00") and first.refunds[0].shipping
    with pytest.raises(ko.ValidationError, match="shipping: the shipping was refunded already"):
        orders.refund(paid.id, lines={2: 1}, shipping=True)
    assert orders.get(paid.id) == first  # nothing left behind
    done = orders.refund(paid.id, lines={1: 2, 2: 1})
    assert done.totals.refunded == done.totals.total and done.status is ko.Status.REFUNDED
    again = orders.get(paid.id)
    assert again == done and [r.shipping for r in again.refunds] == [True, False]
    assert again.refunds[1].lines == {1: 2, 2: 1} and sum(again.refunds[1].line_amounts.values()) == Decimal(
        "48.00"
    )


def test_the_cap_holds_with_amount_refunds_mixed_in(orders: ko.Orders, paid: ko.Order) -> None:
    orders.refund(paid.id, Decimal("40.00"))
    with pytest.raises(ko.RefundExceedsBalance, match="refundable balance is 13.00 USD"):
        orders.refund(paid.id, lines={1: 1}, restock=True)  # 20.69
    stored = orders.get(paid.id)
    assert len(stored.refunds) == 1 and orders.inventory.stock("TEE") == 8  # no stock moved
    assert refund_line_rows(orders) == []
    mug = orders.refund(paid.id, lines={2: 1})  # 8.00 less its 1.38 share: 6.62
    assert mug.totals.refunded == Decimal("46.62") and mug.refunded_quantities() == {2: 1}


def test_a_unit_is_never_refunded_twice(orders: ko.Orders, paid: ko.Order) -> None:
    orders.refund(paid.id, lines={1: 2})
    with pytest.raises(ko.ValidationError) as caught:
        orders.refund(paid.id, lines={1: 1})
    assert [(e.path, e.message) for e in caught.value.errors] == [
        ("lines[1]", "only 0 of 2 units is left to refund")
    ]


def test_two_merchants_refunding_the_same_unit_at_once_only_one_wins(
    orders: ko.Orders, paid: ko.Order
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refund_the_mug() -> None:
        barrier.wait(timeout=30)
        try:
            orders.refund(paid.id, lines={2: 1}, restock=True)
        except ko.ValidationError as error:
            outcomes.append(str(error))
        else:
            outcomes.append("ok")

    threads = [threading.Thread(target=refund_the_mug) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["lines[2]: only 0 of 1 unit is left to refund", "ok"], outcomes
    stored = orders.get(paid.id)
    assert len(stored.refunds) == 1 and stored.refunded_quantities() == {2: 1}
    assert orders.inventory.stock("MUG") == 3  # put back once


def test_a_line_refund_the_provider_refuses_puts_nothing_back_and_frees_its_units(
    orders: ko.Orders, paid: ko.Order
) -> None:
    class Refuses:
        @ko.hookimpl
        def kasify_refund_payment(self) -> str:
            raise RuntimeError("card expired")

    orders.plugins.register(Refuses())
    with pytest.raises(ko.RefundFailed):
        orders.refund(paid.id, lines={1: 1}, restock=True)
    failed = orders.get(paid.id)
    assert failed.refunds[0].status is ko.RefundStatus.FAILED and failed.refundable_quantities() == {
        1: 2,
        2: 1,
    }
    assert orders.inventory.stock("TEE") == 8  # not put back: no money moved


def test_a_line_refund_left_pending_holds_its_units_and_restocks_once_when_it_settles(
    orders: ko.Orders, paid: ko.Order
) -> None:
    provider = Provider()
    provider.errors.append(ko.RefundPending("the provider answers later"))
    orders.plugins.register(provider)
    pending = orders.refund(paid.id, lines={2: 1}, restock=True, idempotency_key="rma-7")
    (asked,) = pending.refunds
    assert asked.status is ko.RefundStatus.PENDING and asked.lines == {2: 1} and asked.restock
    assert orders.get(paid.id) == pending and pending.refundable_quantities() == {1: 2}
    assert orders.inventory.stock("MUG") == 2  # not back until the money moves
    with pytest.raises(ko.ValidationError, match=r"lines\[2\]: only 0 of 1 unit"):
        orders.refund(paid.id, lines={2: 1})
    settled = orders.refund(paid.id, lines={2: 1}, restock=True, idempotency_key="rma-7")  # the retry
    assert settled.refunds[0].status is ko.RefundStatus.SETTLED and len(settled.refunds) == 1
    assert orders.inventory.stock("MUG") == 3 and provider.paid_out == asked.amount
    again = orders.refund(paid.id, lines={2: 1}, restock=True, idempotency_key="rma-7")
    assert again == settled and orders.inventory.stock("MUG") == 3  # once


def test_cancel_refuses_an_order_with_a_parcel_shipped_and_refunds_the_balance_otherwise(
    orders: ko.Orders, paid: ko.Order
) -> None:
    other = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.mark_shipped(other.id, tracking_number=UPS_1, carrier="ups", lines={2: 1})
    with pytest.raises(ko.InvalidTransition, match="parcel shipped already"):
        orders.cancel(other.id, refund=True)
    assert orders.get(other.id).status is ko.Status.PROCESSING
    # A tee refunded and put back, then the rest cancelled and refunded: nothing restocked twice.
    orders.refund(paid.id, lines={1: 1}, restock=True)
    cancelled = orders.cancel(paid.id, refund=True, reason="customer asked")
    assert cancelled.status is ko.Status.CANCELLED and cancelled.totals.refundable == 0
    assert cancelled.totals.refunded == cancelled.totals.total
    # The other order holds two tees and a mug: the rest is back.
    assert orders.inventory.stock("TEE") == 8 and orders.inventory.stock("MUG") == 2
