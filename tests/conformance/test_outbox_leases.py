"""The outbox's leases on every store: claim what is due, hold it until the lease ends, tokens decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import OutboxItem
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import at_once, insert

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def queue(store: Store, count: int, *, token: str | None = None) -> list[OutboxItem]:
    """*count* events of one new order, queued (claimed by *token* when given)."""
    order = insert(store)
    items = [
        OutboxItem(
            id=f"{order.id[:24]}{n:08d}", order_id=order.id, hook="kasify_order_placed", arguments={"n": n}
        )
        for n in range(count)
    ]

    def enqueue(tx: Transaction) -> None:
        tx.enqueue(items, now=NOW, token=token, lease_until=NOW + LEASE if token else None)

    store.atomic(enqueue)
    return items


def claim(store: Store, token: str, *, at: datetime = NOW, limit: int = 10) -> list[OutboxItem]:
    return store.claim_due(token=token, now=at, lease_until=at + LEASE, limit=limit, retry_now=False)


def test_claim_due_hands_each_event_to_one_worker_until_its_lease_ends(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    items = queue(store, 3)
    first = claim(store, "worker-a", limit=2)
    assert [item.arguments for item in first] == [{"n": 0}, {"n": 1}]
    assert [item.arguments for item in claim(store, "worker-b")] == [{"n": 2}]
    assert claim(store, "worker-c") == []  # all held
    later = NOW + LEASE + timedelta(seconds=1)
    assert {item.id for item in claim(store, "worker-c", at=later)} == {item.id for item in items}


def test_an_event_queued_claimed_is_held_by_its_token(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    queue(store, 1, token="placing")
    assert claim(store, "worker") == []
    assert len(claim(store, "worker", at=NOW + LEASE + timedelta(seconds=1))) == 1


def test_complete_and_fail_count_only_for_the_worker_holding_the_event(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    (item,) = queue(store, 1)
    (held,) = claim(store, "worker-a")
    store.complete(item.id, "worker-b")  # not its event: nothing happens
    assert [left.id for left in store.outbox_items()] == [item.id]
    retry = NOW + timedelta(minutes=1)
    failed = store.fail(held, token="worker-b", done=[], error="boom", due_at=retry, dead=False)
    assert failed is False
    assert store.fail(held, token="worker-a", done=["mail"], error="boom", due_at=retry, dead=False)
    (after,) = store.outbox_items()
    assert (after.attempts, after.done, after.last_error, after.dead) == (
        1,
        frozenset({"mail"}),
        "boom",
        False,
    )
    assert claim(store, "worker-c") == []  # not due until *retry*
    (again,) = claim(store, "worker-c", at=retry)
    store.complete(again.id, "worker-c")
    assert store.outbox_items() == []


def test_dead_events_wait_until_revived(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    (item,) = queue(store, 1)
    (held,) = claim(store, "worker")
    assert store.fail(held, token="worker", done=[], error="gave up", due_at=NOW, dead=True)
    assert [dead.id for dead in store.outbox_items(dead=True)] == [item.id]
    assert store.outbox_items(dead=False) == []
    assert claim(store, "worker", at=NOW + timedelta(days=1)) == []
    assert store.revive_dead(NOW) == 1
    (revived,) = claim(store, "worker")
    assert (revived.id, revived.attempts, revived.dead) == (item.id, 0, False)


def test_retry_now_claims_events_not_yet_due(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    queue(store, 1)
    early = NOW - timedelta(hours=1)
    assert store.claim_due(token="w", now=early, lease_until=early + LEASE, limit=5, retry_now=False) == []
    assert len(store.claim_due(token="w", now=early, lease_until=early + LEASE, limit=5, retry_now=True)) == 1


def test_workers_claiming_at_once_never_share_an_event(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    items = queue(store, 12)
    claimed: dict[str, list[str]] = {}

    def take(i: int) -> None:
        claimed[f"w{i}"] = [item.id for item in claim(store, f"w{i}", limit=3)]

    assert at_once(subject, take) == {"ok": 6}
    ids = [item_id for got in claimed.values() for item_id in got]
    assert ids and len(ids) == len(set(ids))  # a held event is skipped, never handed out twice
    # What no worker got (a database may skip more than it must) is still there for the next claim.
    rest = [item.id for item in claim(store, "sweeper", limit=20)]
    assert sorted(ids + rest) == sorted(item.id for item in items)


def test_a_batch_of_events_ends_in_one_transaction_with_its_orders_read_in_one(
    subject: StoreUnderTest,
) -> None:
    store: Store = subject.store
    items = queue(store, 3)
    other = insert(store)
    held = claim(store, "worker-a")
    found = store.read(lambda tx: tx.orders_by_id([items[0].order_id, other.id, "no-such-order"]))
    assert set(found) == {items[0].order_id, other.id}
    assert found[other.id] == store.get_order(other.id)

    def end(tx: Transaction) -> tuple[int, bool, bool]:
        removed = tx.complete_outbox([held[0].id, held[1].id], "worker-a")
        lost = tx.fail_outbox(held[2], token="worker-b", done=[], error="x", due_at=NOW, dead=False)
        failed = tx.fail_outbox(
            held[2], token="worker-a", done=["mail"], error="boom", due_at=NOW, dead=False
        )
        return removed, lost, failed

    assert store.atomic(end) == (2, False, True)
    (left,) = store.outbox_items()
    assert (left.id, left.attempts, left.done, left.last_error) == (
        items[2].id,
        1,
        frozenset({"mail"}),
        "boom",
    )
    assert store.atomic(lambda tx: tx.complete_outbox([left.id], "worker-a")) == 0  # released: not its own


def test_a_batch_that_rolls_back_ends_none_of_its_events(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    items = queue(store, 2)
    claim(store, "worker")

    def end(tx: Transaction) -> None:
        tx.complete_outbox([item.id for item in items], "worker")
        raise RuntimeError("a plugin's write failed")

    with pytest.raises(RuntimeError):
        store.atomic(end)
    assert sorted(left.id for left in store.outbox_items()) == sorted(item.id for item in items)
