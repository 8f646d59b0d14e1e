"""The merchant's actions as pure functions: an order in, the next order and its events out.

Nothing here touches a database, a clock or a plugin: the service passes in the time,
the actor and fresh ids, persists the returned order in one transaction, and queues the
returned events (:mod:`kasify_orders.events`) in the outbox so hooks run after the commit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import carriers, money
from kasify_orders.errors import RefundExceedsBalance, ValidationError
from kasify_orders.events import (
    NoteAdded,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderRefunded,
    OrderShipped,
    PaymentConfirmed,
    TrackingUpdated,
)
from kasify_orders.lifecycle import Action, PaymentStatus, RefundStatus, Status, require
from kasify_orders.model import Coupon, NewOrder, Order, Refund, Shipment, TimelineEvent
from kasify_orders.pricing import lines_for, totals_for
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import MAX_REASON, Checker

__all__ = [
    "Change",
    "add_note",
    "cancel",
    "check_refund",
    "combine",
    "confirm_payment",
    "fail_refund",
    "hold",
    "mark_delivered",
    "mark_shipped",
    "place",
    "refund",
    "release",
    "request_refund",
    "settle_refund",
    "update_tracking",
]


@attrs.frozen
class Change:
    """The result of an action: the order as it is now, and the events it raised."""

    order: Order
    events: tuple[OrderEvent, ...]
    #: Timeline entries the action added (the store appends them).
    entries: tuple[TimelineEvent, ...]


def combine(first: Change, then: Change) -> Change:
    """Two changes made one after the other in one transaction (*then* acted on ``first.order``)."""
    return Change(then.order, first.events + then.events, first.entries + then.entries)


def _next(order: Order, entry: TimelineEvent, events: tuple[OrderEvent, ...] = (), **changes: Any) -> Change:
    new = attrs.evolve(order, timeline=(*order.timeline, entry), version=order.version + 1, **changes)
    return Change(new, events, (entry,))


def place(
    new_order: NewOrder,
    coupon: Coupon | None,
    *,
    order_id: str,
    at: datetime,
    actor: str | None,
) -> Change:
    """Turn a validated cart into a pending order (its ``number`` is assigned by the store)."""
    lines = lines_for(new_order.lines)
    totals = totals_for(
        lines,
        shipping=new_order.shipping_cost,
        coupon=coupon,
        currency=new_order.currency,
        external_discount=new_order.discount,
    )
    items = sum(line.quantity for line in lines)
    message = (
        f"Order placed: {items} item{'s' if items != 1 else ''}, total {totals.total} {new_order.currency}"
    )
    code = coupon.code if coupon else new_order.coupon_code
    if code is not None and totals.discount:
        message += f" (coupon {code}, -{totals.discount})"
    entry = TimelineEvent(TimelineKind.PLACED, at, actor, message, {"total": str(totals.total)})
    order = Order(
        id=order_id,
        number=0,
        status=Status.PENDING,
        payment_status=PaymentStatus.PENDING,
        customer=new_order.customer,
        shipping_address=new_order.shipping_address,
        lines=tuple(lines),
        currency=new_order.currency,
        totals=totals,
        coupon_code=code,
        customer_note=new_order.customer_note,
        shipment=None,
        refunds=(),
        timeline=(entry,),
        created_at=at,
    )
    return Change(order, (OrderPlaced(),), (entry,))


def confirm_payment(order: Order, *, at: datetime, actor: str | None) -> Change:
    """Pending -> Processing; the payment is now PAID."""
    require(Action.CONFIRM_PAYMENT, order.status, order.payment_status)
    entry = TimelineEvent(TimelineKind.PAYMENT_CONFIRMED, at, actor, "Payment confirmed", {})
    return _next(
        order,
        entry,
        (PaymentConfirmed(),),
        status=Status.PROCESSING,
        payment_status=PaymentStatus.PAID,
        paid_at=at,
    )


def _tracking(carrier: object, tracking_number: object) -> tuple[str, str]:
    checker = Checker()
    carrier_name = checker.text("carrier", carrier, max_length=64)
    number = checker.text("tracking_number", tracking_number, max_length=64)
    if number:
        problem = carriers.tracking_number_problem(number)
        if problem:
            checker.fail("tracking_number", problem)
    checker.done()
    return carriers.normalise_carrier(carrier_name), number


def mark_shipped(
    order: Order,
    *,
    carrier: str,
    tracking_number: str,
    at: datetime,
    actor: str | None,
    tracking_urls: Mapping[str, str] | None = None,
) -> Change:
    """Processing -> Shipped, with a carrier and a tracking number (both required)."""
    require(Action.MARK_SHIPPED, order.status, order.payment_status)
    carrier, number = _tracking(carrier, tracking_number)
    shipment = Shipment(carrier, number, carriers.tracking_url(carrier, number, tracking_urls), at)
    entry = TimelineEvent(
        TimelineKind.SHIPPED,
        at,
        actor,
        f"Marked as shipped via {carriers.display_name(carrier)}, tracking number {number}",
        {"carrier": carrier, "tracking_number": number, "tracking_url": shipment.tracking_url},
    )
    return _next(order, entry, (OrderShipped(),), status=Status.SHIPPED, shipment=shipment)


def update_tracking(
    order: Order,
    *,
    tracking_number: str,
    carrier: str | None,
    at: datetime,
    actor: str | None,
    tracking_urls: Mapping[str, str] | None = None,
) -> Change:
    """Correct the tracking number (and carrier); the old ones stay on the timeline."""
    require(Action.UPDATE_TRACKING, order.status, order.payment_status)
    previous = order.shipment
    assert previous is not None, "a shipped order has a shipment"
    carrier, number = _tracking(previous.carrier if carrier is None else carrier, tracking_number)
    if (carrier, number) == (previous.carrier, previous.tracking_number):
        raise ValidationError.single("tracking_number", f"is already {number} with {carrier}")
    shipment = attrs.evolve(
        previous,
        carrier=carrier,
        tracking_number=number,
        tracking_url=carriers.tracking_url(carrier, number, tracking_urls),
    )
    entry = TimelineEvent(
        TimelineKind.TRACKING_UPDATED,
        at,
        actor,
        f"Tracking changed from {carriers.display_name(previous.carrier)} {previous.tracking_number}"
        f" to {carriers.display_name(carrier)} {number}",
        {
            "previous_carrier": previous.carrier,
            "previous_tracking_number": previous.tracking_number,
            "carrier": carrier,
            "tracking_number": number,
        },
    )
    return _next(order, entry, (TrackingUpdated(previous),), shipment=shipment)


def mark_delivered(order: Order, *, at: datetime, actor: str | None) -> Change:
    """Shipped -> Delivered."""
    require(Action.MARK_DELIVERED, order.status, order.payment_status)
    entry = TimelineEvent(TimelineKind.DELIVERED, at, actor, "Marked as delivered", {})
    return _next(order, entry, (OrderDelivered(),), status=Status.DELIVERED)


def hold(order: Order, *, reason: str, at: datetime, actor: str | None) -> Change:
    """Processing -> On hold, with a reason (required): not shipped, nor late, until released."""
    require(Action.HOLD, order.status, order.payment_status)
    checker = Checker()
    reason = checker.text("reason", reason, max_length=MAX_REASON)
    checker.done()
    entry = TimelineEvent(TimelineKind.HELD, at, actor, f"Put on hold: {reason}", {"reason": reason})
    return _next(order, entry, status=Status.ON_HOLD)


def release(order: Order, *, at: datetime, actor: str | None) -> Change:
    """On hold -> Processing: the check is done and the order may ship."""
    require(Action.RELEASE, order.status, order.payment_status)
    entry = TimelineEvent(TimelineKind.RELEASED, at, actor, "Released from hold", {})
    return _next(order, entry, status=Status.PROCESSING)


def cancel(order: Order, *, reason: str, restock: bool, at: datetime, actor: str | None) -> Change:
    """Pending or Processing -> Cancelled (the service puts tracked stock back when *restock*)."""
    require(Action.CANCEL, order.status, order.payment_status)
    checker = Checker()
    reason = checker.text("reason", reason, required=False, max_length=500)
    checker.done()
    message = "Order cancelled" + (f": {reason}" if reason else "")
    if restock:
        message += " (items restocked)"
    entry = TimelineEvent(TimelineKind.CANCELLED, at, actor, message, {"reason": reason, "restock": restock})
    return _next(order, entry, (OrderCancelled(),), status=Status.CANCELLED)


def refund(
    order: Order,
    *,
    amount: Decimal | None,
    note: str,
    refund_id: str,
    at: datetime,
    actor: str | None,
    reference: str | None = None,
    idempotency_key: str | None = None,
) -> Change:
    """Record a refund as issued (by hand, with no payment plugin): SETTLED at once.

    The whole balance when *amount* is None, else *amount*. A refund that brings the refunded
    total to the amount paid makes the payment REFUNDED and the order Refunded (a Cancelled
    order stays Cancelled); a partial refund keeps the order's status, so a partly refunded
    order can still ship.
    """
    value = check_refund(order, amount, note)
    record = Refund(refund_id, value, at, note.strip(), actor, reference, idempotency_key, resolved_at=at)
    return _settle(order, record, at)


def request_refund(
    order: Order,
    *,
    amount: Decimal | None,
    note: str,
    refund_id: str,
    at: datetime,
    actor: str | None,
    idempotency_key: str | None = None,
) -> Change:
    """Record a refund about to be asked of the payment provider: PENDING, its amount held.

    The held amount is no longer refundable, so two refunds asked at once never exceed what
    was paid; :func:`settle_refund` or :func:`fail_refund` releases it.
    """
    value = check_refund(order, amount, note)
    record = Refund(
        refund_id, value, at, note.strip(), actor, None, idempotency_key, status=RefundStatus.PENDING
    )
    message = f"Refund of {value} {order.currency} asked of the payment provider" + (
        f" — note: {record.note}" if record.note else ""
    )
    entry = TimelineEvent(
        TimelineKind.REFUND_REQUESTED,
        at,
        actor,
        message,
        {"refund_id": refund_id, "amount": str(value), "note": record.note},
    )
    return _next(
        order,
        entry,
        totals=attrs.evolve(order.totals, refund_pending=order.totals.refund_pending + value),
        refunds=(*order.refunds, record),
    )


def _pending(order: Order, refund_id: str) -> Refund:
    """The pending refund *refund_id* of *order*."""
    found = order.refund(refund_id)
    if found is None or found.status is not RefundStatus.PENDING:
        raise ValueError(f"order {order.id} has no pending refund {refund_id}")
    return found


def settle_refund(order: Order, refund_id: str, *, reference: str | None, at: datetime) -> Change:
    """The provider paid out the pending refund *refund_id*: it now counts as refunded."""
    pending = _pending(order, refund_id)
    record = attrs.evolve(pending, status=RefundStatus.SETTLED, reference=reference, resolved_at=at)
    return _settle(order, record, at)


def fail_refund(order: Order, refund_id: str, *, reason: str, at: datetime) -> Change:
    """The provider refused the pending refund *refund_id*: the held amount is refundable again.

    Nothing else changes (payment status, order status, refunded total) and no event is raised,
    so no refund email goes out; the timeline says what failed and why.
    """
    pending = _pending(order, refund_id)
    reason = " ".join(reason.split())[:1000] or "no reason given"
    record = attrs.evolve(pending, status=RefundStatus.FAILED, failure=reason, resolved_at=at)
    entry = TimelineEvent(
        TimelineKind.REFUND_FAILED,
        at,
        pending.actor,
        f"Refund of {pending.amount} {order.currency} failed: {reason}",
        {"refund_id": refund_id, "amount": str(pending.amount), "reason": reason},
    )
    return _next(
        order,
        entry,
        totals=attrs.evolve(order.totals, refund_pending=order.totals.refund_pending - pending.amount),
        refunds=tuple(record if r.id == refund_id else r for r in order.refunds),
    )


def _settle(order: Order, record: Refund, at: datetime) -> Change:
    """Count the settled *record* as refunded (in place of the pending refund of its id, if any)."""
    value = record.amount
    held = order.totals.refund_pending
    was = order.refund(record.id)
    pending = was is not None and was.status is RefundStatus.PENDING
    if pending:  # release what it held
        held -= value
    refunded = order.totals.refunded + value
    full = refunded == order.totals.total
    status = order.status
    if full and status is not Status.CANCELLED:
        status = Status.REFUNDED
    message = f"Refunded {value} {order.currency}" + (f" — note: {record.note}" if record.note else "")
    entry = TimelineEvent(
        TimelineKind.REFUNDED,
        at,
        record.actor,
        message,
        {"refund_id": record.id, "amount": str(value), "reference": record.reference, "note": record.note},
    )
    if pending:
        refunds = tuple(record if r.id == record.id else r for r in order.refunds)
    else:
        refunds = (*order.refunds, record)
    return _next(
        order,
        entry,
        (OrderRefunded(record),),
        status=status,
        payment_status=PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
        totals=attrs.evolve(order.totals, refunded=refunded, refund_pending=held),
        refunds=refunds,
    )


def check_refund(order: Order, amount: Decimal | None, note: str) -> Decimal:
    """Raise unless the refund may be issued; return the amount it would refund."""
    require(Action.REFUND, order.status, order.payment_status)
    checker = Checker()
    checker.text("note", note, required=False, max_length=2000, multiline=True)
    if amount is not None:
        amount = checker.amount("amount", amount, order.currency, positive=True)
    checker.done()
    refundable = order.totals.refundable
    if refundable <= 0 or (amount is not None and amount > refundable):
        raise RefundExceedsBalance(amount, money.quantize(refundable, order.currency), order.currency)
    return refundable if amount is None else amount


def add_note(order: Order, *, text: str, at: datetime, actor: str | None) -> Change:
    """An internal note on the timeline; any status."""
    require(Action.ADD_NOTE, order.status, order.payment_status)
    checker = Checker()
    text = checker.text("text", text, max_length=5000, multiline=True)
    checker.done()
    entry = TimelineEvent(TimelineKind.NOTE, at, actor, text, {})
    return _next(order, entry, (NoteAdded(entry),))


def __getattr__(name: str) -> Any:
    """``actions.Event`` (a hook name and its arguments) became one class per event."""
    if name == "Event":
        warnings.warn(
            "kasify_orders.actions.Event is deprecated: events are the classes of kasify_orders.events"
            " (OrderShipped, OrderRefunded, ...), whose base class is OrderEvent",
            DeprecationWarning,
            stacklevel=2,
        )
        return OrderEvent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
