"""The merchant's actions as pure functions: an order in, the next order and its events out.

Nothing here touches a database, a clock or a plugin: the service passes in the time,
the actor and fresh ids, persists the returned order in one transaction, and queues the
returned events (:mod:`kasify_orders.events`) in the outbox so hooks run after the commit.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

import attrs

from kasify_orders.change import Change, combine, next_change
from kasify_orders.errors import InvalidTransition
from kasify_orders.events import (
    NoteAdded,
    OrderCancelled,
    OrderEvent,
    OrderPlaced,
    PaymentConfirmed,
)
from kasify_orders.lifecycle import Action, PaymentStatus, Status, require
from kasify_orders.model import Coupon, NewOrder, Order, TimelineEvent
from kasify_orders.pricing import lines_for, totals_for
from kasify_orders.refund_actions import check_refund, fail_refund, refund, request_refund, settle_refund
from kasify_orders.shipping_actions import mark_delivered, mark_shipped, update_tracking
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
        shipping_tax=new_order.shipping_tax,
        prices_include_tax=new_order.prices_include_tax,
    )
    items = sum(line.quantity for line in lines)
    message = (
        f"Order placed: {items} item{'s' if items != 1 else ''}, total {totals.total} {new_order.currency}"
    )
    code = coupon.code if coupon else new_order.coupon_code
    if code is not None and totals.discount:
        message += f" (coupon {code}, -{totals.discount})"
    # What was placed, kept with the entry: an edit later changes the order's lines and discount.
    placed = {"total": str(totals.total), "items": items, "discount": str(totals.discount), "coupon": code}
    entry = TimelineEvent(TimelineKind.PLACED, at, actor, message, placed)
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
        shipments=(),
        refunds=(),
        timeline=(entry,),
        created_at=at,
    )
    return Change(order, (OrderPlaced(),), (entry,))


def confirm_payment(order: Order, *, at: datetime, actor: str | None) -> Change:
    """Pending -> Processing; the payment is now PAID."""
    require(Action.CONFIRM_PAYMENT, order.status, order.payment_status)
    entry = TimelineEvent(TimelineKind.PAYMENT_CONFIRMED, at, actor, "Payment confirmed", {})
    return next_change(
        order,
        entry,
        (PaymentConfirmed(),),
        status=Status.PROCESSING,
        payment_status=PaymentStatus.PAID,
        paid_at=at,
        totals=attrs.evolve(order.totals, paid=order.totals.total),
    )


def hold(order: Order, *, reason: str, at: datetime, actor: str | None) -> Change:
    """Processing -> On hold, with a reason (required): not shipped, nor late, until released."""
    require(Action.HOLD, order.status, order.payment_status)
    checker = Checker()
    reason = checker.text("reason", reason, max_length=MAX_REASON)
    checker.done()
    entry = TimelineEvent(TimelineKind.HELD, at, actor, f"Put on hold: {reason}", {"reason": reason})
    return next_change(order, entry, status=Status.ON_HOLD)


def release(order: Order, *, at: datetime, actor: str | None) -> Change:
    """On hold -> Processing: the check is done and the order may ship."""
    require(Action.RELEASE, order.status, order.payment_status)
    entry = TimelineEvent(TimelineKind.RELEASED, at, actor, "Released from hold", {})
    return next_change(order, entry, status=Status.PROCESSING)


def cancel(order: Order, *, reason: str, restock: bool, at: datetime, actor: str | None) -> Change:
    """Pending or Processing -> Cancelled (the service puts tracked stock back when *restock*).

    An order with a parcel shipped is not cancelled (its units are on their way): refund it
    by line instead, putting back what comes back.
    """
    require(Action.CANCEL, order.status, order.payment_status)
    if order.shipments:
        raise InvalidTransition(
            Action.CANCEL.value,
            order.fulfilment_status.value.replace("_", " "),
            ["unfulfilled"],
            f"{len(order.shipments)} parcel{'s' if len(order.shipments) != 1 else ''} shipped already;"
            " refund the lines instead",
        )
    checker = Checker()
    reason = checker.text("reason", reason, required=False, max_length=500)
    checker.done()
    message = "Order cancelled" + (f": {reason}" if reason else "")
    if restock:
        message += " (items restocked)"
    entry = TimelineEvent(TimelineKind.CANCELLED, at, actor, message, {"reason": reason, "restock": restock})
    return next_change(order, entry, (OrderCancelled(),), status=Status.CANCELLED)


def add_note(order: Order, *, text: str, at: datetime, actor: str | None) -> Change:
    """An internal note on the timeline; any status."""
    require(Action.ADD_NOTE, order.status, order.payment_status)
    checker = Checker()
    text = checker.text("text", text, max_length=5000, multiline=True)
    checker.done()
    entry = TimelineEvent(TimelineKind.NOTE, at, actor, text, {})
    return next_change(order, entry, (NoteAdded(entry),))


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
