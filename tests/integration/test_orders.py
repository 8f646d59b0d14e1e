"""The Orders API end to end on each database: what a merchant's day does to the stored order."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage.queries import OrderFilter
from tests.helpers import new_order


def row_counts(orders: ko.Orders) -> dict[str, int]:
    """How many rows each kasify table holds."""
    with orders.store.engine.connect() as conn:
        return {
            table.name: conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in orders.store.tables.metadata.sorted_tables
        }


def test_place_stores_the_whole_order(orders: ko.Orders) -> None:
    order = orders.place(new_order(note="Gift wrap please"), actor="customer:ada")
    stored = orders.get(order.id)
    assert stored == order
    assert stored.number == order.number > 0
    assert stored.totals.total == Decimal("55.00")
    assert stored.customer_note == "Gift wrap please"
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(0)
    assert orders.get_by_number(order.number) == stored


def test_any_text_reads_back_as_written(orders: ko.Orders) -> None:
    """Quotes, backslashes, newlines and characters outside the BMP survive every read path."""
    text = 'Zoë "Z" \\ O\'Brien 🚀\nline two'
    order = orders.place(new_order(name=text.replace("\n", " "), note=text))
    shipped = orders.mark_shipped(
        orders.confirm_payment(order.id).id, tracking_number="1Z999AA10123456784", carrier="ups"
    )
    refunded = orders.refund(order.id, Decimal("1.50"), note=text, actor=text)
    assert orders.get(order.id) == refunded
    assert refunded.refunds[0].note == text and refunded.customer_note == text
    assert [entry.kind for entry in refunded.timeline][: len(shipped.timeline)] == [
        entry.kind for entry in shipped.timeline
    ]


def test_order_numbers_are_unique_and_increasing(orders: ko.Orders) -> None:
    numbers = [orders.place(new_order()).number for _ in range(5)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5


def test_a_whole_merchant_day(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id, actor="staff:7")
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups", actor="staff:7")
    orders.update_tracking(order.id, tracking_number="1Z999AA10123456785", actor="staff:8")
    orders.mark_delivered(order.id)
    orders.refund(order.id, Decimal("10.00"), note="strap broken", actor="staff:7")
    orders.add_note(order.id, "called the customer", actor="staff:7")
    stored = orders.get(order.id)
    assert stored.status is ko.Status.DELIVERED
    assert stored.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED
    assert stored.totals.refundable == Decimal("45.00")
    assert stored.shipment is not None and stored.shipment.tracking_number == "1Z999AA10123456785"
    assert [e.kind for e in stored.timeline] == [
        "placed",
        "payment_confirmed",
        "shipped",
        "tracking_updated",
        "delivered",
        "refunded",
        "note",
    ]
    assert [e.actor for e in stored.timeline][1:4] == ["staff:7", "staff:7", "staff:8"]
    updated = stored.timeline[3]
    assert updated.data["previous_tracking_number"] == "1Z999AA10123456784"
    assert all(e.at.tzinfo is not None for e in stored.timeline)
    assert stored.refunds[0].note == "strap broken"
    assert stored.version == 7


def test_missing_order(orders: ko.Orders) -> None:
    with pytest.raises(ko.OrderNotFound):
        orders.get("f" * 32)
    with pytest.raises(ko.OrderNotFound):
        orders.confirm_payment("nope")


def test_failed_actions_change_nothing(orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    order = orders.place(new_order(quantity=2))
    before_rows = row_counts(orders)
    with pytest.raises(ko.InvalidTransition):
        orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    with pytest.raises(ko.InvalidTransition):
        orders.refund(order.id, Decimal("1.00"))
    with pytest.raises(ko.ValidationError):
        orders.add_note(order.id, "   ")
    with pytest.raises(ko.OutOfStock):
        orders.place(new_order(quantity=4))
    with pytest.raises(ko.ValidationError):
        orders.place(new_order(email="nope"))
    assert row_counts(orders) == before_rows
    assert orders.get(order.id) == order
    assert orders.inventory.stock("TEE-RED-M") == 3


def test_refund_amount_none_refunds_the_balance_and_status_follows(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    orders.refund(order.id, Decimal("5.00"))
    refunded = orders.refund(order.id, note="all of it")
    assert refunded.status is ko.Status.REFUNDED
    assert refunded.payment_status is ko.PaymentStatus.REFUNDED
    assert [r.amount for r in orders.get(order.id).refunds] == [Decimal("5.00"), Decimal("50.00")]
    with pytest.raises(ko.RefundExceedsBalance, match="refundable balance is 0.00 USD"):
        orders.refund(order.id, Decimal("0.01"))


def test_refund_idempotency_key_never_refunds_twice(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    first = orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-1")
    again = orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-1")
    assert again == first
    assert orders.get(order.id).totals.refunded == Decimal("10.00")


def test_place_with_an_idempotency_key_places_once(orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 10)
    first = orders.place(new_order(), idempotency_key="checkout-8812")
    again = orders.place(new_order(), idempotency_key="checkout-8812")
    assert again == first
    assert orders.inventory.stock("TEE-RED-M") == 8
    assert len(orders.list().items) == 1


def test_cancel_restocks_tracked_items_unless_told_not_to(orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 10)
    one = orders.place(new_order(quantity=3))
    two = orders.place(new_order(quantity=2))
    assert orders.inventory.stock("TEE-RED-M") == 5
    cancelled = orders.cancel(one.id, reason="customer asked")
    assert cancelled.status is ko.Status.CANCELLED
    assert cancelled.timeline[-1].message == "Order cancelled: customer asked (items restocked)"
    assert orders.inventory.stock("TEE-RED-M") == 8
    orders.cancel(two.id, restock=False)
    assert orders.inventory.stock("TEE-RED-M") == 8


def test_stale_version_is_refused(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id, expected_version=order.version)
    with pytest.raises(ko.ConcurrentUpdate, match="reload it and try again"):
        orders.cancel(order.id, expected_version=order.version)
    assert orders.get(order.id).status is ko.Status.PROCESSING


def test_record_event_appends_without_changing_the_order(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.record_event(
        order.id, "email_sent", "Order confirmation sent to ada@example.com", data={"kind": "x"}
    )
    stored = orders.get(order.id)
    assert stored.version == order.version
    assert stored.timeline[-1].kind == "email_sent"
    assert stored.timeline[-1].data == {"kind": "x"}
    with pytest.raises(ko.OrderNotFound):
        orders.record_event("missing", "email_sent", "x")


def test_large_amounts_and_three_decimal_currencies_are_stored_exactly(orders: ko.Orders) -> None:
    order = orders.place(new_order(currency="KWD", unit_price="123456789.125", shipping="0.005", quantity=3))
    stored = orders.get(order.id)
    assert stored.totals.subtotal == Decimal("370370367.375")
    assert stored.totals.total == Decimal("370370367.380")
    assert str(stored.lines[0].unit_price) == "123456789.125"


def test_an_export_batch_reads_one_snapshot(orders: ko.Orders, database_url: str) -> None:
    """A refund committed between a batch's order rows and their children never tears an order.

    Under READ COMMITTED each statement would see its own snapshot: the order row from before
    the refund, its refunds from after, and an order whose refunds do not add up.
    """
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    orders_table = orders.store.tables.orders.name
    refunded = []

    def refund_between_statements(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not refunded and f"FROM {orders_table} " in statement and "UNION" not in statement:
            with ko.Orders.connect(database_url, load_entrypoints=False, migrate=False) as other:
                refunded.append(other.refund(order.id, Decimal("1.00")))

    sa.event.listen(orders.store.engine, "after_cursor_execute", refund_between_statements)
    try:
        [exported] = orders.store.iter_orders(OrderFilter())
    finally:
        sa.event.remove(orders.store.engine, "after_cursor_execute", refund_between_statements)
    assert refunded, "the refund ran between the two statements"
    assert exported.refunds == () and exported.totals.refunded == 0  # the batch's snapshot
    assert orders.get(order.id).totals.refunded == Decimal("1.00")
