"""On hold: Processing -> On hold (with a reason) -> Processing, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import kasify_orders as ko
from tests.helpers import new_order


def paid(orders: ko.Orders) -> ko.Order:
    return orders.confirm_payment(orders.place(new_order()).id)


def test_hold_and_release_are_on_the_timeline_with_who_and_why(orders: ko.Orders) -> None:
    order = paid(orders)
    held = orders.hold(order.id, reason="  address check: no flat number ", actor="staff:7")
    assert held.status is ko.Status.ON_HOLD and held.payment_status is ko.PaymentStatus.PAID
    entry = held.timeline[-1]
    assert (entry.kind, entry.actor, entry.message) == (
        "held",
        "staff:7",
        "Put on hold: address check: no flat number",
    )
    assert entry.data == {"reason": "address check: no flat number"}
    assert orders.get(order.id) == held

    released = orders.release(order.id, actor="staff:8", expected_version=held.version)
    assert released.status is ko.Status.PROCESSING
    assert [(e.kind, e.actor) for e in released.timeline[-2:]] == [
        ("held", "staff:7"),
        ("released", "staff:8"),
    ]
    shipped = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    assert shipped.status is ko.Status.SHIPPED


def test_a_held_order_cannot_be_shipped_and_says_what_is_allowed(orders: ko.Orders) -> None:
    held = orders.hold(paid(orders).id, reason="fraud review")
    with pytest.raises(ko.InvalidTransition) as caught:
        orders.mark_shipped(held.id, tracking_number="1Z999AA10123456784", carrier="ups")
    assert caught.value.status == "on_hold" and caught.value.allowed == ("processing",)
    assert "allowed when the order is: processing" in str(caught.value)
    assert orders.get(held.id) == held


def test_a_hold_needs_a_reason_and_a_processing_order(orders: ko.Orders) -> None:
    order = paid(orders)
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ko.ValidationError) as caught:
            orders.hold(order.id, reason=reason)
        assert [error.path for error in caught.value.errors] == ["reason"]
    assert orders.get(order.id) == order
    pending = orders.place(new_order())
    with pytest.raises(ko.InvalidTransition, match="allowed when the order is: processing"):
        orders.hold(pending.id, reason="check")
    with pytest.raises(ko.InvalidTransition, match="allowed when the order is: on_hold"):
        orders.release(order.id)
    with pytest.raises(ko.ConcurrentUpdate):
        orders.hold(order.id, reason="check", expected_version=order.version - 1)
    assert orders.get(order.id) == order and orders.get(pending.id) == pending


def test_a_held_order_may_be_cancelled_and_refunded(orders: ko.Orders) -> None:
    held = orders.hold(paid(orders).id, reason="fraud review")
    cancelled = orders.cancel(held.id, reason="fraud confirmed", refund=True)
    assert cancelled.status is ko.Status.CANCELLED and cancelled.payment_status is ko.PaymentStatus.REFUNDED


def test_held_orders_are_listed_counted_and_not_needing_attention(orders: ko.Orders) -> None:
    late = datetime.now(UTC) + timedelta(days=1)  # every paid order is "late" against this cutoff
    held = orders.hold(paid(orders).id, reason="address check")
    waiting = paid(orders)
    assert [o.id for o in orders.list(status=ko.Status.ON_HOLD).items] == [held.id]
    assert [o.id for o in orders.list(status="on_hold").items] == [held.id]
    assert orders.count_by_status()[ko.Status.ON_HOLD] == 1
    assert orders.count(status=ko.Status.PROCESSING, paid_before=late) == 1
    assert [o.id for o in orders.list(status=ko.Status.PROCESSING, paid_before=late).items] == [waiting.id]
