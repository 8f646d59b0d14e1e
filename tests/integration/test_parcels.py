"""Several parcels per order, on each database: what ships, what is left, what each parcel says."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage.records import OrderFilter
from tests.helpers import tee_and_mug

UPS_1 = "1Z999AA10123456784"
UPS_2 = "1Z999AA10123456785"
UPS_3 = "1Z999AA10123456786"


@pytest.fixture
def paid(orders: ko.Orders) -> ko.Order:
    order = orders.place(tee_and_mug())
    return orders.confirm_payment(order.id)


def row_counts(orders: ko.Orders) -> dict[str, int]:
    with orders.store.engine.connect() as conn:
        return {
            table.name: conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in orders.store.tables.metadata.sorted_tables
        }


def test_lines_have_ids_from_one(paid: ko.Order) -> None:
    assert [(line.id, line.sku) for line in paid.lines] == [(1, "TEE"), (2, "MUG")]
    assert paid.fulfilment_status is ko.FulfilmentStatus.UNFULFILLED
    assert paid.shipments == () and paid.shipment is None


def test_a_partial_parcel_keeps_the_order_processing_until_every_unit_ships(
    orders: ko.Orders, paid: ko.Order
) -> None:
    first = orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 1}, actor="staff:1")
    assert first.status is ko.Status.PROCESSING
    assert first.fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED
    assert first.remaining_quantities() == {1: 1, 2: 1}
    (parcel,) = first.shipments
    assert parcel.lines == {1: 1} and parcel.tracking_number == UPS_1 and parcel.carrier == "ups"
    assert parcel.tracking_url and UPS_1 in parcel.tracking_url
    assert orders.get(paid.id) == first
    summary = orders.list(limit=10).items[0]
    assert summary.fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED
    assert summary.status is ko.Status.PROCESSING

    second = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups", actor="staff:2")
    assert second.status is ko.Status.SHIPPED
    assert second.fulfilment_status is ko.FulfilmentStatus.SHIPPED
    assert [s.lines for s in second.shipments] == [{1: 1}, {1: 1, 2: 1}]  # everything left
    assert [s.tracking_number for s in second.shipments] == [UPS_1, UPS_2]
    assert second.shipment == second.shipments[-1]
    assert orders.get(paid.id) == second
    assert orders.list(limit=10).items[0].fulfilment_status is ko.FulfilmentStatus.SHIPPED
    entries = [e for e in second.timeline if e.kind == "shipped"]
    assert [e.actor for e in entries] == ["staff:1", "staff:2"]
    assert "1 x T-shirt (1 of 3 items shipped)" in entries[0].message
    assert entries[1].data["lines"] == {"1": 1, "2": 1}


def test_shipping_everything_in_one_call_is_as_today(orders: ko.Orders, paid: ko.Order) -> None:
    shipped = orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups")
    assert shipped.status is ko.Status.SHIPPED
    assert shipped.shipment is not None and shipped.shipment.lines == {1: 2, 2: 1}
    corrected = orders.update_tracking(paid.id, tracking_number=UPS_2)
    assert corrected.shipment is not None and corrected.shipment.tracking_number == UPS_2
    delivered = orders.mark_delivered(paid.id)
    assert delivered.status is ko.Status.DELIVERED
    assert delivered.fulfilment_status is ko.FulfilmentStatus.DELIVERED
    assert orders.get(paid.id) == delivered


@pytest.mark.parametrize(
    ("lines", "path", "words"),
    [
        ({9: 1}, "lines[9]", "is not a line of order"),
        ({1: 0}, "lines[1]", "at least 1"),
        ({1: -2}, "lines[1]", "at least 1"),
        ({1: 3}, "lines[1]", "only 2 units of line 1 left"),
        ({}, "lines", "at least one line"),
    ],
)
def test_bad_lines_name_the_field_and_leave_nothing_behind(
    orders: ko.Orders, paid: ko.Order, lines: dict[int, int], path: str, words: str
) -> None:
    before = row_counts(orders)
    with pytest.raises(ko.ValidationError) as caught:
        orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines=lines)
    assert [error.path for error in caught.value.errors] == [path]
    assert words in str(caught.value)
    assert row_counts(orders) == before
    assert orders.get(paid.id) == paid


def test_no_line_ships_more_than_ordered(orders: ko.Orders, paid: ko.Order) -> None:
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 2})
    with pytest.raises(ko.ValidationError, match=r"only 0 units of line 1 left"):
        orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups", lines={1: 1})
    done = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups", lines={2: 1})
    assert done.status is ko.Status.SHIPPED
    with pytest.raises(ko.InvalidTransition):
        orders.mark_shipped(paid.id, tracking_number=UPS_3, carrier="ups")


def test_each_parcel_is_corrected_on_its_own_and_none_needs_a_choice_among_several(
    orders: ko.Orders, paid: ko.Order
) -> None:
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 2})
    order = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups")
    first, second = order.shipments
    with pytest.raises(ko.ValidationError) as caught:
        orders.update_tracking(paid.id, tracking_number=UPS_3)
    assert caught.value.errors[0].path == "shipment_id" and "2 parcels" in str(caught.value)
    with pytest.raises(ko.ValidationError) as unknown:
        orders.update_tracking(paid.id, tracking_number=UPS_3, shipment_id="nope")
    assert unknown.value.errors[0].path == "shipment_id"
    corrected = orders.update_tracking(paid.id, tracking_number=UPS_3, shipment_id=first.id, actor="staff:9")
    assert [s.tracking_number for s in corrected.shipments] == [UPS_3, UPS_2]
    entry = corrected.timeline[-1]
    assert entry.kind == "tracking_updated" and entry.actor == "staff:9"
    assert entry.data["previous_tracking_number"] == UPS_1 and entry.data["tracking_number"] == UPS_3
    assert entry.data["shipment_id"] == first.id
    assert orders.get(paid.id) == corrected
    assert corrected.shipments[1] == second


def test_a_search_finds_the_order_by_any_parcels_tracking_number(orders: ko.Orders, paid: ko.Order) -> None:
    other = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 2})
    first = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups").shipments[0]
    orders.mark_shipped(other.id, tracking_number=UPS_3, carrier="ups")

    def found(text: str) -> list[str]:
        return [o.id for o in orders.list(search=text, limit=10).items]

    assert found(UPS_1) == [paid.id]  # the first parcel's, which the order row no longer keeps
    assert found(UPS_2.lower()) == [paid.id]
    assert found(UPS_3) == [other.id]
    orders.update_tracking(paid.id, tracking_number="1Z999AA10123456787", shipment_id=first.id)
    assert found("1Z999AA10123456787") == [paid.id]
    assert found(UPS_1) == []  # a corrected number is in the timeline, not the search
    assert orders.store.count_orders(OrderFilter(search=UPS_2)) == 1


def test_delivered_once_every_parcel_is(orders: ko.Orders, paid: ko.Order) -> None:
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={2: 1})
    early = orders.mark_delivered(paid.id)  # the parcel that left arrived; the order is not all sent
    assert early.status is ko.Status.PROCESSING and early.shipments[0].delivered_at is not None
    order = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups")
    assert order.status is ko.Status.SHIPPED
    with pytest.raises(ko.ValidationError, match="delivered already"):
        orders.mark_delivered(paid.id, shipment_id=order.shipments[0].id)
    delivered = orders.mark_delivered(paid.id, shipment_id=order.shipments[1].id)
    assert delivered.status is ko.Status.DELIVERED
    assert delivered.fulfilment_status is ko.FulfilmentStatus.DELIVERED
    assert orders.get(paid.id) == delivered
    assert orders.list(limit=1).items[0].fulfilment_status is ko.FulfilmentStatus.DELIVERED


def test_one_parcel_shipped_hook_per_parcel_with_its_id(orders: ko.Orders, paid: ko.Order) -> None:
    seen: list[tuple[str, ko.FulfilmentStatus]] = []

    class Watcher:
        @ko.hookimpl
        def kasify_order_shipped(self, order: ko.Order, shipment_id: str) -> None:
            parcel = order.shipment_by_id(shipment_id)
            assert parcel is not None
            seen.append((parcel.tracking_number, order.fulfilment_status))

    orders.plugins.register(Watcher())
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 1})
    orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups")
    assert seen == [(UPS_1, ko.FulfilmentStatus.PARTIALLY_SHIPPED), (UPS_2, ko.FulfilmentStatus.SHIPPED)]


def test_export_and_bulk_reads_carry_the_parcels(orders: ko.Orders, paid: ko.Order) -> None:
    orders.mark_shipped(paid.id, tracking_number=UPS_1, carrier="ups", lines={1: 1})
    order = orders.mark_shipped(paid.id, tracking_number=UPS_2, carrier="ups")
    other = orders.confirm_payment(orders.place(tee_and_mug()).id)
    read = list(orders.store.iter_orders(OrderFilter()))
    by_id = {o.id: o for o in read}
    assert by_id[order.id] == order and by_id[other.id] == other


def test_a_batch_of_orders_reads_each_child_table_once(orders: ko.Orders) -> None:
    """An export reads a batch's parcels, returns and refunds by line in one statement each, not per order."""
    placed = []
    for _ in range(3):
        order = orders.confirm_payment(orders.place(tee_and_mug()).id)
        orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={1: 1})
        orders.mark_shipped(order.id, tracking_number=UPS_2, carrier="ups")
        orders.refund(order.id, lines={2: 1}, restock=True)
        placed.append(orders.returns.open(order.id, lines={1: 1}, reason="too small"))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(orders.store.engine, "before_cursor_execute", seen)
    try:
        read = list(orders.store.iter_orders(OrderFilter(), batch_size=10))
    finally:
        sa.event.remove(orders.store.engine, "before_cursor_execute", seen)
    assert read == sorted(placed, key=lambda order: order.number)
    for table in ("shipment_lines", "return_lines", "refund_lines"):
        assert len([s for s in statements if table in s]) == 1, table
