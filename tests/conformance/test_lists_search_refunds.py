"""Keyset pages and cursors, search, counts and pending refunds, on every store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import kasify_orders as ko
from kasify_orders.model import utcnow
from kasify_orders.storage.port import Store
from kasify_orders.storage.records import OrderFilter
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import insert

EVERY = OrderFilter()


def test_keyset_pages_are_newest_first_and_stable_while_orders_arrive(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    numbers = [insert(store).number for _ in range(7)]
    first = store.list_orders(EVERY, limit=3, after=None)
    assert [o.number for o in first] == numbers[::-1][:3]
    insert(store)  # arrives between pages: not on the next one
    second = store.list_orders(EVERY, limit=3, after=first[-1].number)
    assert [o.number for o in second] == numbers[::-1][3:6]
    last = store.list_orders(EVERY, limit=3, after=second[-1].number)
    assert [o.number for o in last] == numbers[:1]


def test_cursors_of_the_service_page_through_every_order_once(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    for _ in range(5):
        insert(orders.store)
    seen, cursor = [], None
    while True:
        page = orders.list(limit=2, cursor=cursor)
        seen += [summary.number for summary in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


def test_exports_read_every_order_oldest_first(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    placed = [insert(store) for _ in range(5)]
    assert list(store.iter_orders(EVERY, batch_size=2)) == placed
    assert [s.number for s in store.iter_summaries(EVERY, batch_size=2)] == [o.number for o in placed]


def test_counts_by_filter_and_status(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    for _ in range(3):
        insert(store)
    counts = store.count_by_status()
    assert set(counts) == set(ko.Status) and counts[ko.Status.PENDING] == 3
    assert store.count_orders(OrderFilter(status=ko.Status.PENDING)) == 3
    assert store.count_orders(OrderFilter(status=ko.Status.SHIPPED)) == 0


def test_search_finds_the_start_of_any_word_of_the_name_or_email(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    ada = insert(store, name="Ada Lovelace", email="ada@analytical.example")
    insert(store, name="Grace Hopper", email="grace@navy.example")
    for words in ("lovel", "ADA", "analyt"):
        assert [o.id for o in store.list_orders(OrderFilter(search=words), limit=10, after=None)] == [ada.id]
    assert store.count_orders(OrderFilter(search="hop")) == 1
    assert store.count_unindexed_orders() == 0
    assert store.rebuild_search_terms() == 2
    assert store.count_orders(OrderFilter(search="lovelace")) == 1


class _SlowProvider:
    """A payment provider that has not answered yet: every refund stays pending."""

    @ko.hookimpl
    def kasify_refund_payment(self, idempotency_key: str) -> str:
        raise ko.RefundPending("still processing")


def test_pending_refunds_are_listed_oldest_first_until_settled(subject: StoreUnderTest) -> None:
    orders = subject.orders(_SlowProvider())
    order = orders.confirm_payment(orders.place(ko.structure(_cart(), ko.NewOrder)).id)
    pending = orders.refund(order.id, Decimal("5.00"), idempotency_key="rma-1")
    (refund,) = pending.refunds
    assert refund.status is ko.RefundStatus.PENDING
    later = utcnow() + timedelta(seconds=1)
    assert orders.store.pending_refunds(asked_before=later, limit=10) == [(order.id, refund.id)]
    assert orders.store.pending_refunds(asked_before=refund.created_at, limit=10) == []
    assert orders.store.read(lambda tx: tx.refund_id_by_key(order.id, "rma-1")) == refund.id
    assert orders.store.read(lambda tx: tx.has_refund(order.id, "rma-1"))


def _cart() -> dict[str, object]:
    return {
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "shipping_address": {
            "line1": "1 Main St",
            "city": "London",
            "postal_code": "SW1A 1AA",
            "country": "GB",
        },
        "lines": [{"sku": "TEE", "name": "T-shirt", "variant": "M", "quantity": 1, "unit_price": "20.00"}],
        "currency": "USD",
        "shipping_cost": "0.00",
    }
