"""Domain events are classes: each goes through the outbox by its type and back, on every database.

Rows the outbox wrote before events were classes (a hook name and its arguments as JSON)
are still read and dispatched.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders import hookspecs
from kasify_orders.dispatch import event_of, hook_name
from kasify_orders.errors import OutboxItemUnreadable
from kasify_orders.events import (
    EVENT_TYPES,
    NoteAdded,
    OrderPlaced,
    OrderRefunded,
    OrderShipped,
    PaymentConfirmed,
    TrackingUpdated,
)
from kasify_orders.storage.store import OutboxItem
from kasify_orders.timeline import TimelineKind
from tests.helpers import Recorder, new_order, wipe

SHIPPED_AT = "2026-12-02T02:36:53.067297+00:00"
#: What the outbox wrote before events were classes (copied from rows the old code wrote).
OLD_ROWS = {
    "kasify_tracking_updated": {
        "previous": {
            "carrier": "ups",
            "tracking_number": "1Z999AA10123456784",
            "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            "shipped_at": SHIPPED_AT,
        }
    },
    "kasify_order_refunded": {
        "refund": {
            "id": "dffcab9d881749c991b9ce535fe6e462",
            "amount": "1.00",
            "created_at": "2026-12-02T02:36:53.110808+00:00",
            "note": "strap",
            "actor": None,
            "reference": None,
            "idempotency_key": "k1",
            "status": "settled",
            "resolved_at": "2026-12-02T02:36:53.110808+00:00",
            "failure": None,
        }
    },
    "kasify_note_added": {
        "entry": {
            "kind": "note",
            "at": "2026-12-02T02:36:53.131049+00:00",
            "actor": None,
            "message": "called the customer",
            "data": {},
        }
    },
    "kasify_order_shipped": {},
}


class NoteRecorder(Recorder):
    """The test helpers' recorder, and the note hook too."""

    @ko.hookimpl
    def kasify_note_added(self, order: ko.Order, entry: ko.TimelineEvent) -> None:
        self.calls.append(("kasify_note_added", {"order": order, "entry": entry}))


@pytest.fixture
def deferred(database_url: str) -> Iterator[tuple[ko.Orders, NoteRecorder]]:
    """An ``Orders`` that leaves its events in the outbox (a worker dispatches them), with a recorder."""
    recorder = NoteRecorder()
    with ko.Orders.connect(
        database_url,
        settings=ko.Settings(deliver_inline=False),
        plugins=[recorder],
        load_entrypoints=False,
        migrate=False,
    ) as connected:
        yield connected, recorder
    wipe(database_url)


def queued(orders: ko.Orders) -> list[OutboxItem]:
    """The outbox rows waiting, as a worker claims them."""
    now = orders.clock()
    return orders.store.claim_due(token="test", now=now, lease_until=now, limit=100, retry_now=True)


def test_each_event_is_stored_by_its_class_and_read_back_equal(
    deferred: tuple[ko.Orders, NoteRecorder],
) -> None:
    orders, _ = deferred
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    shipped = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    orders.update_tracking(order.id, tracking_number="1Z999AA10123456785")
    refunded = orders.refund(order.id, Decimal("1.00"), note="strap")
    noted = orders.add_note(order.id, "called the customer")

    items = sorted(queued(orders), key=lambda item: list(map(hook_name, EVENT_TYPES)).index(item.hook))
    events = [event_of(item) for item in items]
    assert shipped.shipment is not None
    assert events == [
        OrderPlaced(),
        PaymentConfirmed(),
        OrderShipped(shipped.shipments[0].id),
        TrackingUpdated(shipped.shipment),
        OrderRefunded(refunded.refunds[0]),
        NoteAdded(noted.timeline[-1]),
    ]
    assert [item.hook for item in items] == [hook_name(type(event)) for event in events]
    assert items[0].arguments == {}  # an event without fields stores nothing but its name


def test_dispatching_typed_events_calls_each_hook_with_the_events_fields(
    deferred: tuple[ko.Orders, NoteRecorder],
) -> None:
    orders, recorder = deferred
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    orders.update_tracking(order.id, tracking_number="1Z999AA10123456785")
    orders.refund(order.id, Decimal("1.00"), note="strap")
    orders.add_note(order.id, "called the customer")
    assert recorder.calls == []

    assert orders.deliver_pending() == 6
    called = dict(recorder.calls)
    assert set(called) == {
        "kasify_order_placed",
        "kasify_payment_confirmed",
        "kasify_order_shipped",
        "kasify_tracking_updated",
        "kasify_order_refunded",
        "kasify_note_added",
    }
    previous = called["kasify_tracking_updated"]["previous"]
    assert isinstance(previous, ko.Shipment) and previous.tracking_number == "1Z999AA10123456784"
    refund = called["kasify_order_refunded"]["refund"]
    assert isinstance(refund, ko.Refund) and refund.amount == Decimal("1.00") and refund.note == "strap"
    entry = called["kasify_note_added"]["entry"]
    assert isinstance(entry, ko.TimelineEvent) and entry.kind is TimelineKind.NOTE


def test_an_outbox_row_in_the_old_shape_is_dispatched(deferred: tuple[ko.Orders, NoteRecorder]) -> None:
    orders, recorder = deferred
    order = orders.place(new_order())
    orders.deliver_pending()
    recorder.calls.clear()
    outbox = orders.store.tables.outbox
    now = datetime(2026, 12, 2, 2, 37, tzinfo=UTC)
    with orders.store.engine.begin() as conn:
        for number, (hook, arguments) in enumerate(OLD_ROWS.items()):
            conn.execute(
                outbox.insert().values(
                    id=f"old{number:029d}",
                    order_id=order.id,
                    hook=hook,
                    arguments=arguments,
                    created_at=now,
                    due_at=now,
                    attempts=0,
                    claim_token=None,
                    claimed_until=None,
                    done=[],
                    last_error=None,
                    dead=False,
                )
            )

    assert orders.deliver_pending(retry_now=True) == len(OLD_ROWS)
    called = dict(recorder.calls)
    # A row from before parcels names no parcel: its id is "" and its lines unknown.
    assert called["kasify_tracking_updated"]["previous"] == ko.Shipment(
        "",
        {},
        "ups",
        "1Z999AA10123456784",
        "https://www.ups.com/track?tracknum=1Z999AA10123456784",
        datetime.fromisoformat(SHIPPED_AT),
    )
    refund = called["kasify_order_refunded"]["refund"]
    assert isinstance(refund, ko.Refund)
    assert (refund.id, refund.amount, refund.note, refund.status) == (
        "dffcab9d881749c991b9ce535fe6e462",
        Decimal("1.00"),
        "strap",
        ko.RefundStatus.SETTLED,
    )
    entry = called["kasify_note_added"]["entry"]
    assert entry.kind == "note" and entry.kind is TimelineKind.NOTE and entry.message == "called the customer"
    assert "kasify_order_shipped" in called
    with orders.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(outbox)) == 0


def test_a_row_naming_no_event_class_is_an_error_kept_on_the_row(
    deferred: tuple[ko.Orders, NoteRecorder],
) -> None:
    orders, _ = deferred
    order = orders.place(new_order())
    orders.deliver_pending()
    item = OutboxItem(id="x" * 32, order_id=order.id, hook="kasify_order_teleported", arguments={})
    with pytest.raises(OutboxItemUnreadable, match="kasify_order_teleported"):
        event_of(item)


def test_timeline_kinds_read_back_as_members_equal_to_their_strings(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    orders.record_event(order.id, "saleor", "Confirmed in Saleor")
    kinds = [entry.kind for entry in orders.get(order.id).timeline]
    assert kinds == ["placed", "payment_confirmed", "saleor"]
    assert kinds[:2] == [TimelineKind.PLACED, TimelineKind.PAYMENT_CONFIRMED]
    assert isinstance(kinds[0], TimelineKind) and not isinstance(kinds[2], TimelineKind)


def test_every_event_class_names_a_hookspec_taking_its_fields() -> None:
    for event_type in EVENT_TYPES:
        spec = getattr(hookspecs, hook_name(event_type))
        arguments = set(inspect.signature(spec).parameters)
        fields = {field.name for field in event_type.__attrs_attrs__}
        assert fields | {"order", "event_id"} == arguments, event_type
