"""The merchant's saved settings and their audit trail on every store (SQL and Django connections)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kasify_orders import actions
from kasify_orders.editable_settings import SettingChange
from kasify_orders.errors import OrderNotFound
from kasify_orders.storage.port import Store, Transaction
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import insert

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_saved_values_are_read_back_as_stored_and_overwritten(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    assert store.saved_settings() == {}

    def save(values: dict[str, object], actor: str) -> None:
        def work(tx: Transaction) -> None:
            tx.lock_settings()
            tx.write_settings(values, at=AT, actor=actor)

        store.atomic(work)

    save(
        {"new_order_alert_emails": ["a@shop.example"], "reply_to": None, "store_name": "Ünïcode shop"},
        "staff:1",
    )
    save({"new_order_alert_emails": ["b@shop.example", "c@shop.example"]}, "staff:2")
    assert store.saved_settings() == {
        "new_order_alert_emails": ["b@shop.example", "c@shop.example"],
        "reply_to": None,
        "store_name": "Ünïcode shop",
    }


def test_the_audit_trail_pages_newest_first(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    changes = [SettingChange(AT, f"staff:{n}", "store_name", f"S{n}", f"S{n + 1}") for n in range(5)]
    store.atomic(lambda tx: tx.record_setting_changes(changes))
    store.atomic(lambda tx: tx.record_setting_changes([]))
    first = store.setting_changes(limit=3)
    assert [c.actor for _id, c in first] == ["staff:4", "staff:3", "staff:2"]
    rest = store.setting_changes(limit=3, before=first[-1][0])
    assert [c for _id, c in rest] == changes[1::-1]
    assert rest[0][1].at == AT and rest[0][1].at.tzinfo is not None


def test_a_rolled_back_save_leaves_no_value_and_no_audit_row(subject: StoreUnderTest) -> None:
    store: Store = subject.store

    class Abandoned(Exception):
        pass

    def work(tx: Transaction) -> None:
        tx.lock_settings()
        tx.write_settings({"store_name": "Half"}, at=AT, actor=None)
        tx.record_setting_changes([SettingChange(AT, None, "store_name", "A", "Half")])
        raise Abandoned

    try:
        store.atomic(work)
    except Abandoned:
        pass
    assert store.saved_settings() == {}
    assert store.setting_changes(limit=10) == []


def test_a_pages_header_reads_the_saved_settings_and_the_needs_attention_count_together(
    subject: StoreUnderTest,
) -> None:
    store: Store = subject.store
    store.atomic(
        lambda tx: (tx.lock_settings(), tx.write_settings({"store_name": "Corner shop"}, at=AT, actor=None))
    )
    waiting = [insert(store) for _ in range(3)]
    for placed, paid in zip(waiting[:2], (AT - timedelta(days=3), AT), strict=True):
        change = actions.confirm_payment(placed, at=paid, actor=None)
        store.atomic(lambda tx, change=change, placed=placed: tx.update_order(placed, change.order))

    saved, counts, attention = store.page_header(AT - timedelta(days=1))
    assert saved == {"store_name": "Corner shop"}
    assert attention == 1  # paid three days ago; the other was paid since, the third never
    assert (counts, attention) == store.count_tabs(AT - timedelta(days=1))


def test_the_order_page_reads_its_order_with_the_saved_settings_and_the_needs_attention_count(
    subject: StoreUnderTest,
) -> None:
    store: Store = subject.store
    store.atomic(
        lambda tx: (tx.lock_settings(), tx.write_settings({"store_name": "Corner shop"}, at=AT, actor=None))
    )
    placed = insert(store)
    change = actions.confirm_payment(placed, at=AT - timedelta(days=3), actor=None)
    store.atomic(lambda tx: tx.update_order(placed, change.order))
    insert(store)

    order, saved, attention = store.order_page(placed.id, AT - timedelta(days=1))
    assert order == store.get_order(placed.id)
    assert order.paid_at == AT - timedelta(days=3)
    assert saved == {"store_name": "Corner shop"}
    assert attention == 1 == store.count_tabs(AT - timedelta(days=1))[1]
    with pytest.raises(OrderNotFound):
        store.order_page("no-such-order", AT)
