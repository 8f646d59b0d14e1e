"""The demo's seeds on every database: a fresh start shows needs-attention, filters, coupons, low stock."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import kasify_orders as ko
from kasify_orders.demo.seeds import COUPONS, PLAN, STOCK, seed
from kasify_orders.web.attention import attention_cutoff


def test_a_fresh_store_gets_two_weeks_of_orders_coupons_and_stock(orders: ko.Orders) -> None:
    assert seed(orders) == len(PLAN)

    counts = orders.count_by_status()
    assert all(counts[status] > 0 for status in ko.Status), counts
    now = orders.clock()
    cutoff = attention_cutoff(now, orders.settings.needs_attention_business_days)
    _, late = orders.count_tabs(cutoff)
    assert late >= 4
    listed = orders.list(limit=100).items
    days = {(now - order.created_at).days for order in listed}
    assert min(days) == 0 and max(days) == 13 and len(days) >= 12
    assert all(order.created_at <= now for order in listed)
    assert {order.payment_status for order in listed} == set(ko.PaymentStatus)
    assert len({orders.get(o.id).shipping_address.country for o in listed}) >= 4
    assert any(order.coupon_code for order in listed)

    for order in listed:  # every step happened in the order its story tells, in the past
        stamps = [event.at for event in orders.get(order.id).timeline]
        assert stamps == sorted(stamps) and stamps[-1] <= now
    late_paid = [o for o in orders.list(status=ko.Status.PROCESSING, paid_before=cutoff, limit=100).items]
    assert all(o.paid_at is not None and now - o.paid_at > timedelta(days=2) for o in late_paid)

    coupons = orders.coupons.all()
    assert sorted(c.code for c in coupons) == sorted(COUPONS)
    kinds = Counter(c.kind for c in coupons)
    assert all(kinds[kind] >= 2 for kind in ko.CouponKind), kinds
    assert any(not c.active for c in coupons) and any(c.usage_limit for c in coupons)
    assert any(c.minimum_order for c in coupons) and any(c.once_per_customer for c in coupons)
    stock = {sku: orders.inventory.stock(sku) for sku in STOCK}
    assert stock == STOCK
    assert sum(1 for quantity in STOCK.values() if quantity <= 3) >= 2  # some run low


def test_a_second_start_adds_nothing(orders: ko.Orders) -> None:
    seed(orders)
    counts = orders.count_by_status()
    used = {c.code: c.times_used for c in orders.coupons.all()}

    assert seed(orders) == 0

    assert orders.count_by_status() == counts
    assert {c.code: c.times_used for c in orders.coupons.all()} == used


def test_a_store_with_the_merchants_own_coupons_is_not_seeded(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("MINE", 3))
    assert seed(orders) == 0
    assert sum(orders.count_by_status().values()) == 0
    assert [c.code for c in orders.coupons.all()] == ["MINE"]
    assert orders.inventory.stock("CAP-WOOL") is None
