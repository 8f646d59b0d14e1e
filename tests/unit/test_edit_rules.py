"""The edit's domain rules, without a database: what may change, ids, totals, paid and refunds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from kasify_orders import actions, edit_actions, pricing
from kasify_orders.model import Line, Totals

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def placed(coupon: ko.Coupon | None = None) -> ko.Order:
    cart = ko.NewOrder(
        customer=ko.Customer("Ada", "ada@example.com"),
        shipping_address=ko.Address("1 Analytical Row", "London", "N1 1AA", "GB"),
        lines=[
            ko.NewLine("TEE", "T-shirt", 2, Decimal("25.00")),
            ko.NewLine("MUG", "Mug", 1, Decimal("8.00")),
        ],
        currency="EUR",
        shipping_cost=Decimal("5.00"),
        coupon_code=coupon.code if coupon else None,
    )
    order = actions.place(cart, coupon, order_id="o1", at=NOW, actor=None).order
    return attrs.evolve(order, number=7)


def test_totals_keep_what_was_paid_apart_from_the_total() -> None:
    totals = Totals(Decimal(40), Decimal(5), Decimal(0), Decimal(45), paid=Decimal(60))
    assert totals.amount_due == 0 and totals.refund_due == Decimal(15) and totals.refundable == Decimal(60)
    more = attrs.evolve(totals, subtotal=Decimal(70), total=Decimal(75))
    assert more.amount_due == Decimal(15) and more.refund_due == 0
    # Refunds may exceed the new total, never what was paid.
    assert attrs.evolve(totals, refunded=Decimal(60)).refundable == 0
    with pytest.raises(ValueError, match="exceed what was paid"):
        attrs.evolve(totals, refunded=Decimal("60.01"))
    # Recorded without paid (before payment, or by older callers): capped by the total, as before.
    legacy = Totals(Decimal(40), Decimal(5), Decimal(0), Decimal(45), Decimal(5))
    assert legacy.refundable == Decimal(40) and legacy.refund_due == 0


def test_confirming_payment_records_what_was_paid() -> None:
    paid = actions.confirm_payment(placed(), at=NOW, actor=None).order
    assert paid.totals.paid == paid.totals.total == Decimal("63.00")


def test_lines_keep_their_ids_and_new_ones_never_reuse_a_removed_id() -> None:
    order = placed()
    cap = ko.NewLine("CAP", "Cap", 1, Decimal("12.00"))
    once = edit_actions.edit(order, remove_lines=[2], add_lines=[cap], at=NOW, actor=None).order
    assert [(line.id, line.sku) for line in once.lines] == [(1, "TEE"), (3, "CAP")]
    twice = edit_actions.edit(once, remove_lines=[3], add_lines=[cap], at=NOW, actor=None).order
    assert [line.id for line in twice.lines] == [1, 4]
    assert edit_actions.highest_line_id(twice) == 4
    with pytest.raises(ValueError, match="same id"):
        attrs.evolve(order, lines=(attrs.evolve(order.lines[0], id=2), order.lines[1]))
    # Lines given without ids (a new order) are numbered after the ones with.
    mixed = attrs.evolve(
        order, lines=(attrs.evolve(order.lines[0], id=5), attrs.evolve(order.lines[1], id=0))
    )
    assert [line.id for line in mixed.lines] == [5, 6]


def test_the_timeline_entry_lists_every_change_old_to_new() -> None:
    order = placed()
    address = ko.Address("2 Mill Lane", "York", "YO1 7HH", "GB")
    change = edit_actions.edit(
        order, set_quantity={1: 3}, shipping_address=address, note="customer called", at=NOW, actor="staff:1"
    )
    (entry,) = change.entries
    assert entry.kind == ko.TimelineKind.EDITED and entry.actor == "staff:1"
    assert entry.message == (
        "Order edited: Address: 1 Analytical Row, London N1 1AA, GB → 2 Mill Lane, York YO1 7HH, GB;"
        " Quantity of T-shirt: 2 → 3; Total: 63.00 → 88.00 EUR — note: customer called"
    )
    assert [c["change"] for c in entry.data["changes"]] == ["address", "quantity", "total"]
    assert [type(event).__name__ for event in change.events] == ["OrderUpdated"]
    assert change.order.version == order.version + 1


def test_a_percentage_coupon_follows_the_subtotal_and_its_minimum_is_kept() -> None:
    coupon = ko.Coupon.percentage("TEN", 10, minimum_order=Decimal(50))
    order = placed(coupon)
    assert order.totals.discount == Decimal("5.80")
    up = edit_actions.edit(order, set_quantity={2: 2}, coupon=coupon, at=NOW, actor=None).order
    assert up.totals.discount == Decimal("6.60") and up.totals.total == Decimal("64.40")
    with pytest.raises(ko.ValidationError) as below:
        edit_actions.edit(order, set_quantity={1: 1}, coupon=coupon, at=NOW, actor=None)
    assert [error.path for error in below.value.errors] == ["coupon_code"]
    # Without the coupon (another system's discount), the discount is kept, within the order.
    kept = edit_actions.edit(order, remove_lines=[1], at=NOW, actor=None).order
    assert kept.totals.discount == Decimal("5.80") and kept.totals.total == Decimal("7.20")


def test_an_order_may_be_edited_only_before_anything_ships() -> None:
    order = placed()
    for status in (ko.Status.SHIPPED, ko.Status.DELIVERED, ko.Status.CANCELLED, ko.Status.REFUNDED):
        with pytest.raises(
            ko.InvalidTransition, match="allowed when the order is: pending, processing, on_hold"
        ):
            edit_actions.require_editable(attrs.evolve(order, status=status))
    assert edit_actions.is_editable(attrs.evolve(order, status=ko.Status.ON_HOLD))


def test_stock_changes_are_per_sku_across_lines() -> None:
    before = pricing.lines_for([ko.NewLine("TEE", "T", 2, Decimal(1)), ko.NewLine("MUG", "M", 1, Decimal(1))])
    after = [
        *before[:1],
        Line("TEE", "T", "", 1, Decimal(1), Decimal(1)),
        Line("CAP", "C", "", 2, Decimal(1), Decimal(2)),
    ]
    assert edit_actions.stock_changes(before, after) == {"TEE": 1, "MUG": -1, "CAP": 2}
