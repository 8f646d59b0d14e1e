"""Stock and coupons on every store: taken whole or not at all, each change in the stock history,
never oversold; coupons redeemed once per customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

import kasify_orders as ko
from kasify_orders.stock import DEFAULT_LOW_STOCK_AT, StockCause
from kasify_orders.storage.port import Store
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import at_once, insert, new_order

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _cause(kind: ko.StockKind, **more: Any) -> StockCause:
    return StockCause(kind, AT, **more)


def test_stock_is_taken_whole_or_not_at_all_and_returned(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.atomic(lambda tx: tx.set_stock("A", 5, _cause(ko.StockKind.TRACKED), name="Tee"))
    store.atomic(lambda tx: tx.set_stock("B", 1, _cause(ko.StockKind.SET)))
    placed = _cause(ko.StockKind.PLACED, order_id="o1")
    with pytest.raises(ko.OutOfStock) as short:
        store.atomic(lambda tx: tx.take_stock({"A": 2, "B": 3}, placed))
    assert (short.value.sku, short.value.name, store.stock("A"), store.stock("B")) == ("B", None, 5, 1)
    with pytest.raises(ko.OutOfStock, match=r"Tee \(A\) is out of stock: 6 requested, 5 available"):
        store.atomic(lambda tx: tx.take_stock({"A": 6}, placed))
    store.atomic(lambda tx: tx.take_stock({"A": 2, "B": 1, "UNTRACKED": 9}, placed))
    assert (store.stock("A"), store.stock("B"), store.stock("UNTRACKED")) == (3, 0, None)
    returned = _cause(ko.StockKind.RETURNED, reason="order cancelled", order_id="o1")
    store.atomic(lambda tx: tx.return_stock({"B": 1, "UNTRACKED": 2}, returned))
    assert (store.stock("B"), store.stock("UNTRACKED")) == (1, None)
    store.atomic(lambda tx: tx.set_stock("A", 7, _cause(ko.StockKind.SET, reason="recount")))
    assert store.stock("A") == 7
    store.atomic(lambda tx: tx.untrack("A", _cause(ko.StockKind.UNTRACKED, actor="staff:ada")))
    assert store.stock("A") is None and store.stock_item("A") is None
    assert store.atomic(lambda tx: tx.untrack("A", _cause(ko.StockKind.UNTRACKED))) is None
    assert store.stock_history("UNTRACKED", limit=10) == []
    moves = [
        (m.kind, m.delta, m.quantity, m.reason, m.actor, m.order_id)
        for m in store.stock_history("A", limit=10)
    ]
    assert moves == [
        (ko.StockKind.UNTRACKED, -7, None, "", "staff:ada", None),
        (ko.StockKind.SET, 4, 7, "recount", None, None),
        (ko.StockKind.PLACED, -2, 3, "", None, "o1"),
        (ko.StockKind.TRACKED, 5, 5, "", None, None),
    ]
    b_moves = [(m.kind, m.delta, m.quantity) for m in store.stock_history("B", limit=10)]
    assert b_moves == [
        (ko.StockKind.RETURNED, 1, 1),
        (ko.StockKind.PLACED, -1, 0),
        (ko.StockKind.TRACKED, 1, 1),
    ]
    assert store.stock_history("B", limit=1)[0].at == AT


def test_a_failed_stock_change_writes_no_history(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.atomic(lambda tx: tx.set_stock("A", 2, _cause(ko.StockKind.TRACKED)))
    with pytest.raises(ko.ValidationError) as below:
        store.atomic(lambda tx: tx.adjust_stock("A", -3, _cause(ko.StockKind.ADJUSTED)))
    assert [(e.path, e.message) for e in below.value.errors] == [
        ("delta", "only 2 in stock: cannot remove 3 (at most 2)")
    ]
    with pytest.raises(ko.ValidationError, match="sku: NONE is not tracked"):
        store.atomic(lambda tx: tx.adjust_stock("NONE", 1, _cause(ko.StockKind.ADJUSTED)))
    with pytest.raises(ko.ValidationError, match="sku: A is tracked already"):
        store.atomic(lambda tx: tx.set_stock("A", 9, _cause(ko.StockKind.TRACKED)))
    with pytest.raises(ko.OutOfStock):
        store.atomic(lambda tx: tx.take_stock({"A": 3}, _cause(ko.StockKind.PLACED)))
    assert store.stock("A") == 2
    assert [m.kind for m in store.stock_history("A", limit=10)] == [ko.StockKind.TRACKED]
    assert store.stock_history("NONE", limit=10) == []


def test_adjusting_and_describing_stock_and_the_low_filter(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.atomic(lambda tx: tx.set_stock("A", 9, _cause(ko.StockKind.TRACKED), low_stock_at=3))
    store.atomic(lambda tx: tx.set_stock("B", 5, _cause(ko.StockKind.TRACKED)))
    store.atomic(lambda tx: tx.set_stock("C", 6, _cause(ko.StockKind.TRACKED)))
    sold = _cause(ko.StockKind.ADJUSTED, actor="staff:ada", reason="sold at market")
    move = store.atomic(lambda tx: tx.adjust_stock("A", -6, sold))
    assert (move.delta, move.quantity, move.reason, move.actor) == (-6, 3, "sold at market", "staff:ada")
    assert store.stock("A") == 3
    assert [(i.sku, i.quantity, i.low_stock_at, i.low) for i in store.stock_items()] == [
        ("A", 3, 3, True),
        ("B", 5, DEFAULT_LOW_STOCK_AT, True),
        ("C", 6, DEFAULT_LOW_STOCK_AT, False),
    ]
    assert [i.sku for i in store.stock_items(low_only=True)] == ["A", "B"]
    assert store.atomic(lambda tx: tx.describe_stock("B", name="Mug", low_stock_at=1)) is True
    assert store.atomic(lambda tx: tx.describe_stock("NONE", name=None, low_stock_at=1)) is False
    item = store.stock_item("B")
    assert item is not None and (item.name, item.low_stock_at, item.title) == ("Mug", 1, "Mug (B)")
    assert [i.sku for i in store.stock_items(low_only=True)] == ["A"]
    assert [m.kind for m in store.stock_history("B", limit=10)] == [ko.StockKind.TRACKED]


def test_the_history_names_the_order_that_took_or_returned_stock(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    orders.inventory.track("TEE-RED-M", 4, name="Organic T-shirt", actor="staff:ada")
    order = orders.place(new_order(quantity=3))
    orders.cancel(order.id, actor="staff:bob")
    moves = orders.inventory.history("TEE-RED-M")
    assert [(m.kind, m.delta, m.quantity, m.order_number, m.actor) for m in moves] == [
        (ko.StockKind.RETURNED, 3, 4, order.number, "staff:bob"),
        (ko.StockKind.PLACED, -3, 1, order.number, None),
        (ko.StockKind.TRACKED, 4, 4, None, "staff:ada"),
    ]


def test_adjustments_racing_orders_never_oversell(subject: StoreUnderTest) -> None:
    """Half the threads place an order of one, half sell one at the market: 3 units, 3 winners."""
    orders = subject.orders()
    orders.inventory.track("RACE", 3, name="Raced mug")

    def work(i: int) -> None:
        if i % 2:
            orders.inventory.adjust("RACE", -1, reason="sold at market", actor=f"staff:{i}")
        else:
            orders.place(new_order(sku="RACE", quantity=1, email=f"{i}@example.com"))

    outcomes = at_once(subject, work)
    assert outcomes["ok"] == 3 and sum(outcomes.values()) == 6, outcomes
    assert set(outcomes) <= {"ok", "OutOfStock", "ValidationError"}, outcomes
    assert orders.inventory.stock("RACE") == 0
    _assert_history_adds_up(orders, "RACE")


def test_a_count_set_racing_orders_is_never_lost_or_oversold(subject: StoreUnderTest) -> None:
    """A recount and orders at once: each change is computed on the count the one before left."""
    orders = subject.orders()
    orders.inventory.track("RACE", 2)

    def work(i: int) -> None:
        if i == 0:
            orders.inventory.set_stock("RACE", 3, reason="recount", actor="staff:ada")
        else:
            orders.place(new_order(sku="RACE", quantity=1, email=f"{i}@example.com"))

    outcomes = at_once(subject, work)
    assert set(outcomes) <= {"ok", "OutOfStock"}, outcomes
    placed = outcomes["ok"] - 1
    assert 2 <= placed <= 5
    stock = orders.inventory.stock("RACE")
    assert stock is not None and stock >= 0
    assert len(orders.list(limit=10).items) == placed
    _assert_history_adds_up(orders, "RACE")


def _assert_history_adds_up(orders: ko.Orders, sku: str) -> None:
    """Each history row's count is the one before plus its delta, ending at the stored count."""
    moves = list(reversed(orders.inventory.history(sku)))
    count = 0
    for move in moves:
        count += move.delta
        assert move.quantity == count, moves
    assert orders.inventory.stock(sku) == count


def test_a_coupon_is_redeemed_once_per_customer_and_within_its_limit(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.create_coupon(ko.Coupon.fixed("WELCOME", 5, usage_limit=2))
    order = insert(store)
    coupon = store.atomic(lambda tx: tx.lock_coupon("WELCOME"))
    assert coupon is not None and coupon.times_used == 0
    assert store.read(lambda tx: tx.coupon_used_by("WELCOME", "ada@example.com")) is False
    store.atomic(lambda tx: tx.redeem_coupon(coupon, "Ada@Example.com", order.id, AT))
    assert store.read(lambda tx: tx.coupon_used_by("WELCOME", "ada@example.com")) is True
    store.atomic(lambda tx: tx.redeem_coupon(coupon, "bob@example.com", order.id, AT))
    with pytest.raises(ko.CouponNotApplicable):
        store.atomic(lambda tx: tx.redeem_coupon(coupon, "eve@example.com", order.id, AT))
    stored = store.coupon("welcome")
    assert stored is not None and stored.times_used == 2
    assert store.atomic(lambda tx: tx.lock_coupon("NONE")) is None


def test_coupon_codes_are_unique_and_an_update_keeps_the_usage(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.create_coupon(ko.Coupon.fixed("TEN", 10))
    with pytest.raises(ko.ValidationError, match="already exists"):
        store.create_coupon(ko.Coupon.fixed("TEN", 3))
    order = insert(store)
    coupon = store.coupon("TEN")
    assert coupon is not None
    store.atomic(lambda tx: tx.redeem_coupon(coupon, "ada@example.com", order.id, AT))
    store.update_coupon(attrs.evolve(coupon, usage_limit=50))
    updated = store.coupon("TEN")
    assert updated is not None and (updated.usage_limit, updated.times_used) == (50, 1)
    assert [c.code for c in store.coupons()] == ["TEN"]


def test_a_coupon_limit_holds_under_concurrent_placements(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    orders.coupons.create(ko.Coupon.fixed("THREE", 1, usage_limit=3))
    outcomes = at_once(subject, lambda i: orders.place(new_order(coupon_code="THREE", email=f"{i}@ex.com")))
    assert outcomes == {"ok": 3, "CouponNotApplicable": 3}
    coupon = orders.coupons.get("THREE")
    assert coupon is not None and coupon.times_used == 3
