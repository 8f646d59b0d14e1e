"""Editing an order before it ships, on each database: stock, coupons, totals, line ids, timeline."""

from __future__ import annotations

import threading
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

import kasify_orders as ko
from tests.helpers import new_order, tee_and_mug


def row_counts(orders: ko.Orders) -> dict[str, int]:
    with orders.store.engine.connect() as conn:
        return {
            table.name: conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in orders.store.tables.metadata.sorted_tables
        }


def test_a_quantity_up_and_down_moves_stock_and_its_history(orders: ko.Orders) -> None:
    orders.inventory.track("TEE", 10, name="T-shirt")
    placed = orders.place(tee_and_mug())
    assert orders.inventory.stock("TEE") == 8
    up = orders.edit(placed.id, set_quantity={1: 5}, note="customer called", actor="staff:1")
    assert orders.inventory.stock("TEE") == 5
    assert [(line.id, line.quantity, line.total) for line in up.lines] == [
        (1, 5, Decimal("125.00")),
        (2, 1, Decimal("8.00")),
    ]
    assert up.totals.subtotal == Decimal("133.00") and up.totals.total == Decimal("138.00")
    assert up.version == placed.version + 1
    entry = up.timeline[-1]
    assert entry.kind == ko.TimelineKind.EDITED and entry.actor == "staff:1"
    assert "Quantity of T-shirt: 2 → 5" in entry.message and "Total: 63.00 → 138.00 USD" in entry.message
    assert entry.message.endswith("— note: customer called")
    assert orders.get(placed.id) == up

    down = orders.edit(placed.id, set_quantity={1: 1})
    assert orders.inventory.stock("TEE") == 9
    assert down.totals.total == Decimal("38.00")
    history = orders.inventory.history("TEE")
    assert [(move.kind, move.delta, move.quantity, move.reason) for move in history[:3]] == [
        (ko.StockKind.RETURNED, 4, 9, "order edited"),
        (ko.StockKind.PLACED, -3, 5, "order edited"),
        (ko.StockKind.PLACED, -2, 8, ""),
    ]
    assert all(move.order_id == placed.id for move in history[:3])


def test_an_edit_that_would_oversell_is_refused_naming_the_product_and_changes_nothing(
    orders: ko.Orders,
) -> None:
    orders.inventory.track("TEE", 3, name="T-shirt")
    orders.inventory.track("MUG", 1)
    placed = orders.place(tee_and_mug())
    before = row_counts(orders)
    with pytest.raises(ko.OutOfStock, match=r"T-shirt \(TEE\)") as short:
        orders.edit(
            placed.id, set_quantity={1: 4}, shipping_address=ko.Address("1 New St", "Leeds", "LS1 1AA", "GB")
        )
    assert short.value.available == 1 and short.value.requested == 2
    with pytest.raises(ko.OutOfStock, match="Mug"):
        orders.edit(
            placed.id, add_lines=[ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal(8))]
        )
    assert orders.get(placed.id) == placed
    assert row_counts(orders) == before
    assert orders.inventory.stock("TEE") == 1 and orders.inventory.stock("MUG") == 0


def test_removed_lines_keep_the_other_ids_and_added_lines_take_the_next(orders: ko.Orders) -> None:
    placed = orders.place(tee_and_mug())
    cap = ko.NewLine(sku="CAP", name="Cap", quantity=1, unit_price=Decimal("12.00"))
    edited = orders.edit(placed.id, remove_lines=[1], add_lines=[cap])
    assert [(line.id, line.sku) for line in edited.lines] == [(2, "MUG"), (3, "CAP")]
    assert edited.totals.subtotal == Decimal("20.00")
    assert "Removed 2 x T-shirt" in edited.timeline[-1].message
    assert "Added 1 x Cap at 12.00 USD" in edited.timeline[-1].message
    assert orders.get(placed.id) == edited
    # Removing the newest line and adding another never hands out its id again.
    again = orders.edit(placed.id, remove_lines=[3], add_lines=[cap])
    assert [line.id for line in again.lines] == [2, 4]
    assert orders.get(placed.id) == again
    shipped = orders.mark_shipped(
        orders.confirm_payment(placed.id).id,
        tracking_number="1Z999AA10123456784",
        carrier="ups",
        lines={4: 1},
    )
    assert shipped.shipments[0].lines == {4: 1} and shipped.remaining_quantities() == {2: 1}


def test_the_address_changes_with_old_and_new_on_the_timeline(orders: ko.Orders) -> None:
    placed = orders.place(tee_and_mug())
    address = ko.Address(line1="2 Mill Lane", city="York", postal_code="YO1 7HH", country="gb")
    edited = orders.edit(placed.id, shipping_address=address)
    assert edited.shipping_address == ko.Address("2 Mill Lane", "York", "YO1 7HH", "GB")
    assert edited.totals == placed.totals and edited.lines == placed.lines
    (change,) = edited.timeline[-1].data["changes"]
    assert change["change"] == "address" and change["new"] == "2 Mill Lane, York YO1 7HH, GB"
    assert edited.timeline[-1].message.startswith("Order edited: Address: ")
    assert orders.get(placed.id).shipping_address == edited.shipping_address


def test_bad_fields_are_named_and_nothing_changes(orders: ko.Orders) -> None:
    placed = orders.place(tee_and_mug())
    before = row_counts(orders)
    with pytest.raises(ko.ValidationError) as bad:
        orders.edit(
            placed.id,
            set_quantity={1: 0, 9: 1},
            remove_lines=[7],
            add_lines=[ko.NewLine(sku="", name="Cap", quantity=1, unit_price=Decimal("1.001"))],
            shipping_address=ko.Address("", "York", "YO1", "XX"),
        )
    fields = {error.path for error in bad.value.errors}
    assert fields == {
        "set_quantity[1]",
        "set_quantity[9]",
        "remove_lines[0]",
        "add_lines[0].sku",
        "add_lines[0].unit_price",
        "shipping_address.line1",
        "shipping_address.country",
    }
    with pytest.raises(ko.ValidationError, match="nothing to change"):
        orders.edit(placed.id, set_quantity={1: 2}, shipping_address=placed.shipping_address)
    with pytest.raises(ko.ValidationError, match="at least one line"):
        orders.edit(placed.id, remove_lines=[1, 2])
    assert orders.get(placed.id) == placed
    assert row_counts(orders) == before


def test_a_coupon_minimum_is_checked_again_and_its_discount_recomputed(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.percentage("TEN", 10, minimum_order=Decimal("50.00")))
    placed = orders.place(tee_and_mug(coupon_code="TEN"))
    assert placed.totals.discount == Decimal("5.80")
    more = orders.edit(placed.id, set_quantity={2: 3})
    assert more.totals.subtotal == Decimal("74.00") and more.totals.discount == Decimal("7.40")
    assert more.totals.total == Decimal("71.60")
    assert "Discount: 5.80 → 7.40 USD" in more.timeline[-1].message
    with pytest.raises(ko.ValidationError) as below:
        orders.edit(placed.id, set_quantity={1: 1})
    (error,) = below.value.errors
    assert error.path == "coupon_code" and "at least 50.00 USD" in error.message and "49.00" in error.message
    assert orders.get(placed.id) == more


def test_a_discount_from_another_system_is_kept(orders: ko.Orders) -> None:
    placed = orders.place(attrs.evolve(tee_and_mug(coupon_code="SALEOR-VOUCHER"), discount=Decimal("3.00")))
    edited = orders.edit(placed.id, set_quantity={2: 2})
    assert edited.totals.discount == Decimal("3.00") and edited.totals.total == Decimal("68.00")


def test_a_paid_order_edited_down_has_a_refundable_difference(orders: ko.Orders) -> None:
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    assert paid.totals.paid == Decimal("63.00") and paid.totals.amount_due == 0
    lower = orders.edit(paid.id, set_quantity={1: 1})
    assert lower.totals.total == Decimal("38.00") and lower.totals.paid == Decimal("63.00")
    assert lower.totals.refund_due == Decimal("25.00") and lower.totals.amount_due == 0
    assert lower.totals.refundable == Decimal("63.00")  # capped by what was paid
    refunded = orders.refund(paid.id, lower.totals.refund_due, note="edited down")
    assert refunded.totals.refund_due == 0 and refunded.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED
    # Cancelling and refunding the rest returns what was paid, no more: above the new total.
    cancelled = orders.cancel(paid.id, refund=True)
    assert cancelled.totals.refunded == Decimal("63.00") and cancelled.status is ko.Status.CANCELLED
    assert cancelled.payment_status is ko.PaymentStatus.REFUNDED
    assert orders.get(paid.id) == cancelled
    with pytest.raises(ko.RefundExceedsBalance):
        orders.refund(paid.id, Decimal("0.01"))


def test_a_paid_order_edited_up_shows_an_amount_due(orders: ko.Orders) -> None:
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    higher = orders.edit(paid.id, set_quantity={2: 2})
    assert higher.totals.total == Decimal("71.00") and higher.totals.amount_due == Decimal("8.00")
    assert higher.totals.refund_due == 0
    with pytest.raises(ko.RefundExceedsBalance, match="63.00"):
        orders.refund(paid.id, Decimal("63.01"))
    assert orders.get(paid.id).totals.amount_due == Decimal("8.00")
    summary = orders.list(limit=1).items[0]
    assert summary.totals.paid == Decimal("63.00") and summary.totals.amount_due == Decimal("8.00")


def test_a_held_order_may_be_edited_but_not_once_a_parcel_shipped(orders: ko.Orders) -> None:
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    held = orders.hold(paid.id, reason="address check")
    assert orders.edit(held.id, set_quantity={2: 2}).status is ko.Status.ON_HOLD
    orders.release(paid.id)
    orders.mark_shipped(paid.id, tracking_number="1Z999AA10123456784", carrier="ups", lines={1: 1})
    before = orders.get(paid.id)
    with pytest.raises(ko.InvalidTransition, match="a parcel has already shipped"):
        orders.edit(paid.id, set_quantity={2: 1})
    orders.mark_shipped(paid.id, tracking_number="1Z999AA10123456785", carrier="ups")
    with pytest.raises(ko.InvalidTransition, match="cannot edit an order that is shipped"):
        orders.edit(paid.id, set_quantity={2: 1})
    assert orders.get(paid.id).lines == before.lines


def test_a_stale_version_is_refused(orders: ko.Orders) -> None:
    placed = orders.place(tee_and_mug())
    orders.add_note(placed.id, "called")
    with pytest.raises(ko.ConcurrentUpdate):
        orders.edit(placed.id, set_quantity={1: 3}, expected_version=placed.version)


def test_the_order_updated_hook_runs_once_after_the_commit(orders: ko.Orders) -> None:
    seen: list[tuple[int, str]] = []

    class Listener:
        @ko.hookimpl
        def kasify_order_updated(self, order: ko.Order, event_id: str) -> None:
            seen.append((order.lines[0].quantity, event_id))

    orders.plugins.register(Listener())
    placed = orders.place(tee_and_mug())
    orders.edit(placed.id, set_quantity={1: 3})
    with pytest.raises(ko.ValidationError):
        orders.edit(placed.id, set_quantity={1: 3})
    assert [quantity for quantity, _ in seen] == [3]


def test_an_edit_and_checkouts_at_once_never_oversell(orders: ko.Orders, database_url: str) -> None:
    """Four threads: one raising an order's quantity, three placing orders, for 5 units."""
    orders.inventory.track("TEE", 5, name="T-shirt")
    placed = orders.place(new_order(sku="TEE", quantity=1))
    start = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(work: str) -> None:
        with ko.Orders.connect(database_url, load_entrypoints=False, migrate=False) as shop:
            start.wait(timeout=30)
            try:
                if work == "edit":
                    shop.edit(placed.id, set_quantity={1: 3})
                else:
                    shop.place(new_order(sku="TEE", quantity=1))
            except ko.OutOfStock:
                result = f"{work}: out of stock"
            else:
                result = f"{work}: ok"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=act, args=(work,)) for work in ("edit", "place", "place", "place")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 4
    left = orders.inventory.stock("TEE")
    assert left is not None and left >= 0
    edited = "edit: ok" in outcomes
    placed_more = outcomes.count("place: ok")
    assert 1 + (2 if edited else 0) + placed_more + left == 5
    assert orders.get(placed.id).lines[0].quantity == (3 if edited else 1)


def test_an_edit_keeps_the_units_a_refund_by_line_took(orders: ko.Orders) -> None:
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    refunded = orders.refund(paid.id, lines={1: 2, 2: 1})  # both tees, the mug
    before = row_counts(orders)
    with pytest.raises(ko.ValidationError) as bad:
        orders.edit(refunded.id, set_quantity={1: 1}, remove_lines=[2])
    assert {error.path: error.message for error in bad.value.errors} == {
        "remove_lines[0]": "line 2 stays: 1 of its units were refunded",
        "set_quantity[1]": "must be at least 2: that many of its units were refunded",
    }
    assert orders.get(refunded.id) == refunded and row_counts(orders) == before
    more = orders.edit(refunded.id, set_quantity={1: 3})  # the refunded tees stay counted
    assert more.refunded_quantities() == {1: 2, 2: 1} and more.lines[0].quantity == 3
