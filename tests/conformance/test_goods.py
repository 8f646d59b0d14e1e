"""Stock and coupons on every store: taken whole or not at all, redeemed once per customer."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

import kasify_orders as ko
from kasify_orders.storage.port import Store
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import at_once, insert, new_order

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_stock_is_taken_whole_or_not_at_all_and_returned(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.set_stock("A", 5)
    store.set_stock("B", 1)
    with pytest.raises(ko.OutOfStock) as short:
        store.atomic(lambda tx: tx.take_stock({"A": 2, "B": 3}))
    assert (short.value.sku, store.stock("A"), store.stock("B")) == ("B", 5, 1)
    store.atomic(lambda tx: tx.take_stock({"A": 2, "B": 1, "UNTRACKED": 9}))
    assert (store.stock("A"), store.stock("B"), store.stock("UNTRACKED")) == (3, 0, None)
    store.atomic(lambda tx: tx.return_stock({"B": 1, "UNTRACKED": 2}))
    assert (store.stock("B"), store.stock("UNTRACKED")) == (1, None)
    store.set_stock("A", 7)
    assert store.stock("A") == 7
    store.untrack("A")
    assert store.stock("A") is None


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
