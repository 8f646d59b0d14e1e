"""Separate processes acting at once on one database: no lost update, no double refund, no oversell.

Every attempt must either succeed or get the business error (never a deadlock or a
database error leaking out), and the totals must come out exact.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

import kasify_orders as ko
from tests.helpers import new_order

WORKERS = 4
CONTEXT = multiprocessing.get_context("spawn")


def _worker(url: str, barrier: Any, results: Any, job: tuple[str, tuple[Any, ...], int]) -> None:
    task, args, attempts = job
    with ko.Orders.connect(url, load_entrypoints=False, migrate=False) as orders:
        barrier.wait(timeout=60)
        for _ in range(attempts):
            try:
                TASKS[task](orders, *args)
            except ko.KasifyError as error:
                results.put(type(error).__name__)
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                results.put(f"unexpected {type(error).__name__}: {error}")
            else:
                results.put("ok")


def run(url: str, task: str, args: tuple[Any, ...], attempts: int, workers: int = WORKERS) -> Counter[str]:
    """Start *workers* processes that each try *task* *attempts* times at the same moment."""
    barrier = CONTEXT.Barrier(workers)
    results = CONTEXT.Queue()
    processes = [
        CONTEXT.Process(target=_worker, args=(url, barrier, results, (task, args, attempts)))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = Counter(results.get(timeout=120) for _ in range(workers * attempts))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def _refund(orders: ko.Orders, order_id: str) -> None:
    orders.refund(order_id, Decimal("1.00"))


class _Provider:
    """Pays every refund (once per key), in the worker's process."""

    @ko.hookimpl
    def kasify_refund_payment(self, idempotency_key: str) -> str:
        return f"re_{idempotency_key}"


def _refund_through_provider(orders: ko.Orders, order_id: str) -> None:
    if not orders.plugins.is_registered(PROVIDER):
        orders.plugins.register(PROVIDER)
    orders.refund(order_id, Decimal("1.00"))


PROVIDER = _Provider()


def _place(orders: ko.Orders, sku: str, coupon: str | None) -> None:
    orders.place(
        new_order(
            sku=sku,
            quantity=1,
            coupon_code=coupon,
            email=f"{multiprocessing.current_process().pid}@example.com",
        )
    )


def _place_same_key(orders: ko.Orders, key: str) -> None:
    orders.place(new_order(sku="KEYED", quantity=1), idempotency_key=key)


_CALLS = itertools.count()


def _place_or_sell(orders: ko.Orders, sku: str) -> None:
    """Every other call an order of one, else one unit sold at the market (the merchant's adjust)."""
    if next(_CALLS) % 2:
        orders.inventory.adjust(sku, -1, reason="sold at market", actor="staff:market")
    else:
        _place(orders, sku, None)


def _recount_or_place(orders: ko.Orders, sku: str) -> None:
    """The first call of each worker a recount to 3, the others orders of one."""
    if next(_CALLS) == 0:
        orders.inventory.set_stock(sku, 3, reason="recount", actor="staff:recount")
    else:
        _place(orders, sku, None)


def _ship_or_cancel(orders: ko.Orders, order_ids: list[str]) -> None:
    pid = multiprocessing.current_process().pid or 0
    for order_id in order_ids:
        try:
            if pid % 2:
                orders.mark_shipped(order_id, tracking_number="1Z999AA10123456784", carrier="ups")
            else:
                orders.cancel(order_id)
        except (ko.InvalidTransition, ko.ConcurrentUpdate):
            pass


def _ship_one_unit(orders: ko.Orders, order_id: str) -> None:
    """A parcel of one unit of line 1: merchants packing the same order at once."""
    orders.mark_shipped(order_id, tracking_number="1Z999AA10123456784", carrier="ups", lines={1: 1})


TASKS: dict[str, Callable[..., None]] = {
    "ship_one_unit": _ship_one_unit,
    "refund": _refund,
    "refund_through_provider": _refund_through_provider,
    "place": _place,
    "place_same_key": _place_same_key,
    "ship_or_cancel": _ship_or_cancel,
    "place_or_sell": _place_or_sell,
    "recount_or_place": _recount_or_place,
}


def test_concurrent_refunds_never_exceed_what_was_paid(orders: ko.Orders, database_url: str) -> None:
    order = orders.place(new_order(quantity=1, unit_price="15.00", shipping="5.00"))
    orders.confirm_payment(order.id)
    outcomes = run(database_url, "refund", (order.id,), attempts=8)
    assert outcomes == {"ok": 20, "RefundExceedsBalance": 12}
    stored = orders.get(order.id)
    assert stored.totals.refunded == Decimal("20.00")
    assert stored.status is ko.Status.REFUNDED
    assert len(stored.refunds) == 20


def test_concurrent_refunds_through_a_provider_never_exceed_what_was_paid(
    orders: ko.Orders, database_url: str
) -> None:
    """Each refund is held (pending) before the provider is asked, so no two can overspend."""
    order = orders.place(new_order(quantity=1, unit_price="15.00", shipping="5.00"))
    orders.confirm_payment(order.id)
    outcomes = run(database_url, "refund_through_provider", (order.id,), attempts=8)
    assert outcomes == {"ok": 20, "RefundExceedsBalance": 12}
    stored = orders.get(order.id)
    assert stored.totals.refunded == Decimal("20.00") and stored.totals.refund_pending == 0
    assert stored.status is ko.Status.REFUNDED
    assert [r.reference for r in stored.refunds] == [f"re_{r.id}" for r in stored.refunds]
    assert {r.status for r in stored.refunds} == {ko.RefundStatus.SETTLED}


def test_concurrent_placements_never_oversell(orders: ko.Orders, database_url: str) -> None:
    orders.inventory.set_stock("LIMITED", 15)
    outcomes = run(database_url, "place", ("LIMITED", None), attempts=6)
    assert outcomes == {"ok": 15, "OutOfStock": 9}
    assert orders.inventory.stock("LIMITED") == 0
    assert len(orders.list(limit=100).items) == 15


def test_merchant_adjustments_racing_orders_never_oversell(orders: ko.Orders, database_url: str) -> None:
    orders.inventory.track("LIMITED", 12)
    outcomes = run(database_url, "place_or_sell", ("LIMITED",), attempts=6)
    assert outcomes["ok"] == 12 and set(outcomes) <= {"ok", "OutOfStock", "ValidationError"}, outcomes
    assert orders.inventory.stock("LIMITED") == 0
    history = list(reversed(orders.inventory.history("LIMITED")))
    assert [move.quantity for move in history] == list(range(12, -1, -1))  # every unit once, in order
    placed = [move.order_number for move in history if move.kind is ko.StockKind.PLACED]
    assert sorted(placed) == sorted(summary.number for summary in orders.list(limit=100).items)


def test_recounts_racing_orders_lose_no_unit(orders: ko.Orders, database_url: str) -> None:
    orders.inventory.track("LIMITED", 0)
    outcomes = run(database_url, "recount_or_place", ("LIMITED",), attempts=4)
    assert set(outcomes) <= {"ok", "OutOfStock"}, outcomes
    history = list(reversed(orders.inventory.history("LIMITED")))
    count = 0
    for move in history:  # each change computed on the count the one before left
        count += move.delta
        assert move.quantity == count >= 0
    assert orders.inventory.stock("LIMITED") == count
    placed = sum(1 for move in history if move.kind is ko.StockKind.PLACED)
    assert placed == len(orders.list(limit=100).items) == outcomes["ok"] - WORKERS


def test_coupon_usage_limit_holds_under_concurrency(orders: ko.Orders, database_url: str) -> None:
    orders.coupons.create(ko.Coupon.fixed("FIVE", 1, usage_limit=5))
    outcomes = run(database_url, "place", ("FREE-STOCK", "FIVE"), attempts=3)
    assert outcomes == {"ok": 5, "CouponNotApplicable": 7}
    assert orders.coupons.get("FIVE").times_used == 5


def test_one_idempotency_key_places_one_order(orders: ko.Orders, database_url: str) -> None:
    orders.inventory.set_stock("KEYED", 10)
    outcomes = run(database_url, "place_same_key", ("checkout-1",), attempts=2)
    assert outcomes == {"ok": 8}
    assert len(orders.list().items) == 1
    assert orders.inventory.stock("KEYED") == 9


def test_ship_and_cancel_at_once_exactly_one_wins(orders: ko.Orders, database_url: str) -> None:
    ids = []
    for _ in range(10):
        order = orders.place(new_order())
        orders.confirm_payment(order.id)
        ids.append(order.id)
    outcomes = run(database_url, "ship_or_cancel", (ids,), attempts=1)
    assert outcomes == {"ok": WORKERS}
    for order_id in ids:
        stored = orders.get(order_id)
        assert stored.status in {ko.Status.SHIPPED, ko.Status.CANCELLED}
        kinds = [entry.kind for entry in stored.timeline]
        assert kinds.count("shipped") + kinds.count("cancelled") == 1
        assert (stored.shipment is not None) == (stored.status is ko.Status.SHIPPED)
        assert stored.version == 3


@pytest.mark.parametrize("workers", [2])
def test_outbox_workers_never_deliver_one_event_twice(database_url: str, workers: int) -> None:
    from tests.helpers import wipe

    try:
        with ko.Orders.connect(
            database_url,
            settings=ko.Settings(deliver_inline=False),
            plugins=[_Counting()],
            load_entrypoints=False,
        ) as web:
            for _ in range(30):
                web.place(new_order())
        outcomes = run(database_url, "deliver", (), attempts=1, workers=workers)
        assert outcomes == {"ok": workers}
        with ko.Orders.connect(database_url, load_entrypoints=False) as check:
            assert check.store.outbox_items() == []
            placed = {order.id for order in check.list(limit=100).items}
        delivered = _Counting.read(database_url)
        assert sorted(delivered) == sorted(placed)
    finally:
        wipe(database_url)


class _Counting:
    """Records each delivered event as a timeline entry, so the count survives the worker process."""

    orders: ko.Orders | None = None

    @ko.hookimpl
    def kasify_configure(self, orders: ko.Orders) -> None:
        self.orders = orders

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order) -> None:
        assert self.orders is not None
        self.orders.record_event(order.id, "delivered_to_test", "seen")

    @staticmethod
    def read(url: str) -> list[str]:
        with ko.Orders.connect(url, load_entrypoints=False) as orders:
            return [
                summary.id
                for summary in orders.list(limit=100).items
                for entry in orders.get(summary.id).timeline
                if entry.kind == "delivered_to_test"
            ]


def _deliver(orders: ko.Orders) -> None:
    orders.plugins.register(_Counting())
    orders.deliver_pending(limit=3)


TASKS["deliver"] = _deliver


def test_merchants_shipping_one_order_at_once_never_ship_a_unit_twice(
    orders: ko.Orders, database_url: str
) -> None:
    order = orders.confirm_payment(orders.place(new_order(quantity=5)).id)
    outcomes = run(database_url, "ship_one_unit", (order.id,), attempts=3)
    assert outcomes["ok"] == 5, outcomes
    # Once every unit is in a parcel the order is Shipped: the late ones hear it, or that none is left.
    assert set(outcomes) <= {"ok", "ValidationError", "InvalidTransition"}, outcomes
    stored = orders.get(order.id)
    assert [parcel.lines for parcel in stored.shipments] == [{1: 1}] * 5
    assert len({parcel.id for parcel in stored.shipments}) == 5
    assert stored.status is ko.Status.SHIPPED
    assert stored.fulfilment_status is ko.FulfilmentStatus.SHIPPED
