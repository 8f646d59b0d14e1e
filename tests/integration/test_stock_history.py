"""The merchant's inventory through ``Orders.inventory``: every change in the stock history, on each database.

Each cause writes its row in the change's own transaction: an order placed (delta, order
number), a cancel or a refunded cancel returning units, the merchant's set / adjust with who
and why, tracking started and stopped. A refused change writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import kasify_orders as ko
from kasify_orders.stock import DEFAULT_LOW_STOCK_AT, StockKind
from tests.helpers import new_order
from tests.integration.test_refunds import Provider, paid_order

SKU = "TEE-RED-M"


@pytest.fixture
def provider(orders: ko.Orders) -> Provider:
    """A payment provider that pays each refund (or leaves it pending when told to)."""
    plugin = Provider()
    orders.plugins.register(plugin, name="provider")
    return plugin


def moves(orders: ko.Orders, sku: str = SKU) -> list[tuple[object, ...]]:
    """The SKU's history, oldest first: (kind, delta, count after, reason, actor, order number)."""
    return [
        (m.kind, m.delta, m.quantity, m.reason, m.actor, m.order_number)
        for m in reversed(orders.inventory.history(sku))
    ]


def test_each_cause_of_a_stock_change_is_in_the_history(orders: ko.Orders) -> None:
    orders.inventory.track(SKU, 10, name="Organic T-shirt", actor="staff:ada", reason="first delivery")
    placed = orders.place(new_order(quantity=3), actor=None)
    orders.cancel(placed.id, reason="changed mind", actor="staff:bob")
    kept = orders.place(new_order(quantity=2))
    orders.cancel(kept.id, restock=False)  # no units back: no history row
    orders.inventory.adjust(SKU, -4, reason="sold at market", actor="staff:ada")
    orders.inventory.set_stock(SKU, 6, reason="recount", actor="staff:cy")
    orders.inventory.untrack(SKU, reason="discontinued", actor="staff:ada")
    assert moves(orders) == [
        (StockKind.TRACKED, 10, 10, "first delivery", "staff:ada", None),
        (StockKind.PLACED, -3, 7, "", None, placed.number),
        (StockKind.RETURNED, 3, 10, "order cancelled", "staff:bob", placed.number),
        (StockKind.PLACED, -2, 8, "", None, kept.number),
        (StockKind.ADJUSTED, -4, 4, "sold at market", "staff:ada", None),
        (StockKind.SET, 2, 6, "recount", "staff:cy", None),
        (StockKind.UNTRACKED, -6, None, "discontinued", "staff:ada", None),
    ]
    assert orders.inventory.find(SKU) is None
    assert [m.kind.label for m in orders.inventory.history(SKU, limit=2)] == ["Tracking stopped", "Stock set"]


def test_a_cancel_and_refund_returns_stock_with_its_order(orders: ko.Orders, provider: Provider) -> None:
    orders.inventory.track(SKU, 5)
    order = paid_order(orders, quantity=2)
    orders.cancel(order.id, reason="customer asked", refund=True, actor="staff:ada")
    refunded = "order cancelled and refunded"
    assert moves(orders)[-1] == (StockKind.RETURNED, 2, 5, refunded, "staff:ada", order.number)

    waiting = paid_order(orders, quantity=1)
    provider.errors.append(ko.RefundPending("processing"))
    orders.cancel(waiting.id, reason="out of stock", refund=True, actor="staff:bob")
    assert moves(orders)[-1][0] is StockKind.PLACED  # nothing back until the refund is paid
    assert orders.settle_pending_refunds(older_than=timedelta(0)) == 1
    assert moves(orders)[-1] == (StockKind.RETURNED, 1, 5, refunded, "staff:bob", waiting.number)


def test_an_order_that_would_oversell_names_the_product_and_changes_nothing(orders: ko.Orders) -> None:
    orders.inventory.track(SKU, 1)
    with pytest.raises(
        ko.OutOfStock, match=r"^T-shirt \(TEE-RED-M\) is out of stock: 2 requested, 1 available$"
    ):
        orders.place(new_order(quantity=2))  # the inventory has no name: the order line's
    orders.inventory.describe(SKU, name="Organic T-shirt", low_stock_at=0)
    with pytest.raises(ko.OutOfStock) as short:
        orders.place(new_order(quantity=2))
    assert (short.value.name, short.value.requested, short.value.available) == ("Organic T-shirt", 2, 1)
    assert orders.list().items == ()
    assert moves(orders) == [(StockKind.TRACKED, 1, 1, "", None, None)]


def test_bad_inputs_name_their_field_and_leave_nothing(orders: ko.Orders) -> None:
    with pytest.raises(ko.ValidationError) as bad:
        orders.inventory.track(" ", -1, name="x" * 201, low_stock_at=-2, reason="r" * 201)
    assert [e.path for e in bad.value.errors] == ["sku", "quantity", "name", "low_stock_at", "reason"]
    orders.inventory.track(SKU, 2)
    with pytest.raises(ko.ValidationError, match="sku: TEE-RED-M is tracked already"):
        orders.inventory.track(SKU, 5)
    with pytest.raises(ko.ValidationError, match=r"delta: only 2 in stock: cannot remove 3 \(at most 2\)"):
        orders.inventory.adjust(SKU, -3, reason="sold at market")
    with pytest.raises(ko.ValidationError, match="delta: must not be 0"):
        orders.inventory.adjust(SKU, 0)
    with pytest.raises(ko.ValidationError, match="sku: MUG is not tracked"):
        orders.inventory.adjust("MUG", 1)
    with pytest.raises(ko.ValidationError, match="sku: MUG is not tracked"):
        orders.inventory.describe("MUG", name=None, low_stock_at=1)
    with pytest.raises(ko.ValidationError, match="quantity: must be at least 0"):
        orders.inventory.set_stock(SKU, -1)
    with pytest.raises(ko.ValidationError, match="delta: 2 in stock: cannot add"):
        orders.inventory.adjust(SKU, 2**31 - 2)
    assert orders.inventory.stock(SKU) == 2
    assert moves(orders) == [(StockKind.TRACKED, 2, 2, "", None, None)]
    assert orders.inventory.untrack("MUG") is None


def test_low_stock_is_per_sku(orders: ko.Orders) -> None:
    orders.inventory.track("A", 2)
    orders.inventory.track("B", 20, low_stock_at=25)
    orders.inventory.track("C", 50, name="Canvas tote")
    items = orders.inventory.items()
    assert [(i.sku, i.low_stock_at, i.low) for i in items] == [
        ("A", DEFAULT_LOW_STOCK_AT, True),
        ("B", 25, True),
        ("C", DEFAULT_LOW_STOCK_AT, False),
    ]
    assert [i.sku for i in orders.inventory.items(low_only=True)] == ["A", "B"]
    assert orders.inventory.get("C").title == "Canvas tote (C)"
    orders.inventory.set_stock("B", 30, low_stock_at=10)
    assert [i.sku for i in orders.inventory.items(low_only=True)] == ["A"]
    assert orders.inventory.get("B").quantity == 30


def test_a_failed_placement_takes_no_stock_and_writes_no_history(orders: ko.Orders) -> None:
    orders.inventory.track(SKU, 5)
    with pytest.raises(ko.CouponNotApplicable):
        orders.place(new_order(coupon_code="NOPE"))
    assert orders.inventory.stock(SKU) == 5
    assert moves(orders) == [(StockKind.TRACKED, 5, 5, "", None, None)]
