"""The coupon book as the back office edits it, on every store: rules changed, codes renamed, off and on."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from kasify_orders.storage.port import Store
from tests.conformance.conftest import StoreUnderTest
from tests.conformance.helpers import insert

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _used(store: Store, code: str, email: str = "ada@example.com") -> None:
    order = insert(store)
    coupon = store.coupon(code)
    assert coupon is not None
    store.atomic(lambda tx: tx.redeem_coupon(coupon, email, order.id, AT))


def test_an_unused_coupon_takes_a_new_code_with_every_rule(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.create_coupon(ko.Coupon.percentage("SAVE2O", 20))
    renamed = ko.Coupon.percentage("SAVE20", 25, minimum_order=Decimal(50), usage_limit=10)

    store.update_coupon(renamed, code="save2o")

    assert store.coupon("SAVE2O") is None
    assert store.coupon("SAVE20") == renamed
    assert [c.code for c in store.coupons()] == ["SAVE20"]


def test_a_used_coupon_keeps_its_code_and_its_count(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.create_coupon(ko.Coupon.fixed("TEN", 10))
    _used(store, "TEN")
    before = store.coupon("TEN")

    with pytest.raises(
        ko.ValidationError, match="code: the code of a coupon that has been used cannot change"
    ):
        store.update_coupon(ko.Coupon.fixed("ELEVEN", 11), code="TEN")

    assert store.coupon("TEN") == before and store.coupon("ELEVEN") is None
    store.update_coupon(ko.Coupon.fixed("TEN", 12, usage_limit=5))  # its rules may change
    after = store.coupon("TEN")
    assert after is not None and (after.value, after.usage_limit, after.times_used) == (12, 5, 1)


def test_a_code_another_coupon_has_is_refused(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    store.create_coupon(ko.Coupon.fixed("TEN", 10))
    store.create_coupon(ko.Coupon.free_shipping("SHIP"))

    with pytest.raises(ko.ValidationError, match="code: a coupon TEN already exists"):
        store.update_coupon(ko.Coupon.free_shipping("TEN"), code="SHIP")

    assert store.coupon("SHIP") == ko.Coupon.free_shipping("SHIP")
    assert store.coupon("TEN") == ko.Coupon.fixed("TEN", 10)


def test_a_missing_coupon_is_named(subject: StoreUnderTest) -> None:
    store: Store = subject.store

    with pytest.raises(ko.ValidationError, match="code: no coupon NOPE"):
        store.update_coupon(ko.Coupon.fixed("NOPE", 1))
    with pytest.raises(ko.ValidationError, match="code: no coupon NOPE"):
        store.set_coupon_active("nope", False)
    assert store.coupons() == []


def test_switching_a_coupon_off_and_on_changes_nothing_else(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    rules = ko.Coupon.percentage("WELCOME", 15, once_per_customer=True, usage_limit=3, ends_at=AT)
    store.create_coupon(rules)
    _used(store, "WELCOME")

    store.set_coupon_active("welcome", False)
    off = store.coupon("WELCOME")
    store.set_coupon_active("WELCOME", False)  # a second click: still off
    assert store.coupon("WELCOME") == off == attrs.evolve(rules, active=False, times_used=1)
    store.set_coupon_active("WELCOME", True)
    assert store.coupon("WELCOME") == attrs.evolve(rules, times_used=1)
