"""Units of work, row locks and idempotency keys, on every store."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.errors import ConstraintViolation, DuplicateIdempotencyKey
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import OrderFilter
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import at_once, insert, new_order


def test_reads_together_share_one_connection_and_read_what_each_read_alone(subject: StoreUnderTest) -> None:
    store = subject.store
    placed = insert(store, name="Grace Hopper")
    checkouts: list[object] = []

    def checked_out(*_args: object) -> None:
        checkouts.append(_args)

    sa.event.listen(store.engine, "checkout", checked_out)
    try:
        with store.reads_together():
            assert store.get_order(placed.id) == placed
            with pytest.raises(ko.OrderNotFound):  # a read that fails leaves the others theirs
                store.get_order("missing")
            with store.reads_together():  # nested: the outer block's connection
                assert store.count_orders(OrderFilter()) == 1
            assert store.saved_settings() == {}
    finally:
        sa.event.remove(store.engine, "checkout", checked_out)
    assert len(checkouts) <= 1  # one for the block (none where the host's connection is held)
    assert store.get_order(placed.id) == placed  # after the block: a read of its own again


def test_an_order_reads_back_whole_by_id_and_number(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    placed = insert(store, name="Grace Hopper")
    assert placed.number > 0
    assert store.get_order(placed.id) == placed
    assert store.get_order_by_number(placed.number) == placed
    assert store.read(lambda tx: tx.order(placed.id, lock=False)) == placed
    with pytest.raises(ko.OrderNotFound):
        store.get_order("missing")
    with pytest.raises(ko.OrderNotFound):
        store.read(lambda tx: tx.require_order("missing"))


def test_a_failed_unit_of_work_leaves_nothing_behind(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    kept = insert(store)

    def half_done(tx: Transaction) -> None:
        tx.append_timeline(kept.id, [ko.TimelineEvent("note", ko.model.utcnow(), None, "lost")])
        raise ValueError("the work fails after writing")

    with pytest.raises(ValueError, match="fails after writing"):
        store.atomic(half_done)
    assert store.get_order(kept.id) == kept


def test_after_commit_runs_once_the_work_is_committed(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    seen: list[int] = []
    placed = insert(store)
    store.after_commit(lambda: seen.append(store.get_order(placed.id).number))
    assert seen == [placed.number]


def test_an_update_from_a_stale_version_is_refused(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    placed = insert(store)
    newer = attrs.evolve(placed, version=placed.version + 1)
    store.atomic(lambda tx: tx.update_order(placed, newer))
    with pytest.raises(ko.ConcurrentUpdate):
        store.atomic(lambda tx: tx.update_order(placed, attrs.evolve(placed, version=placed.version + 1)))
    assert store.get_order(placed.id).version == newer.version


def test_concurrent_writers_lose_no_update(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    placed = orders.place(new_order())
    outcomes = at_once(subject, lambda i: orders.add_note(placed.id, f"note {i}"))
    assert outcomes == {"ok": 6}
    stored = orders.get(placed.id)
    assert sorted(e.message for e in stored.timeline if e.kind == "note") == [f"note {i}" for i in range(6)]
    assert stored.version == placed.version + 6


def test_concurrent_placements_never_oversell(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    orders.inventory.set_stock("LIMITED", 4)
    outcomes = at_once(
        subject, lambda i: orders.place(new_order(sku="LIMITED", quantity=1, email=f"{i}@ex.com"))
    )
    assert outcomes == {"ok": 4, "OutOfStock": 2}
    assert orders.inventory.stock("LIMITED") == 0
    assert orders.count() == 4


def test_concurrent_refunds_never_exceed_what_was_paid(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    order = orders.confirm_payment(orders.place(new_order(quantity=1, unit_price="2.00", shipping="0")).id)
    outcomes = at_once(subject, lambda i: orders.refund(order.id, Decimal("1.00")))
    assert outcomes == {"ok": 2, "RefundExceedsBalance": 4}
    assert orders.get(order.id).totals.refunded == Decimal("2.00")


def test_one_idempotency_key_places_one_order(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    orders.inventory.set_stock("KEYED", 10)
    outcomes = at_once(
        subject, lambda i: orders.place(new_order(sku="KEYED", quantity=1), idempotency_key="k-1")
    )
    assert outcomes == {"ok": 6}
    assert orders.count() == 1
    assert orders.inventory.stock("KEYED") == 9


def test_a_second_insert_with_a_key_is_a_duplicate_constraint_violation(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    first = insert(store, key="checkout-7")
    with pytest.raises(DuplicateIdempotencyKey) as raised:
        insert(store, key="checkout-7")
    assert isinstance(raised.value, ConstraintViolation) and raised.value.key == "checkout-7"
    assert store.read(lambda tx: tx.order_by_idempotency_key("checkout-7")) == first
    assert store.read(lambda tx: tx.order_by_idempotency_key("other")) is None
    assert store.count_orders(OrderFilter()) == 1
