"""The kinds of timeline entries kasify itself writes.

A :class:`TimelineKind` is a ``StrEnum``: ``entry.kind == "shipped"`` stays true, and the
stored value is the same string as before the enum existed. Plugins write kinds of their own
(``"saleor"``, ...) as plain strings; :attr:`TimelineEvent.kind <kasify_orders.TimelineEvent.kind>`
holds a member for every kind listed here and the string itself for any other.
"""

from __future__ import annotations

import enum

__all__ = ["TimelineKind", "timeline_kind"]


class TimelineKind(enum.StrEnum):
    """What a timeline entry records."""

    PLACED = "placed"
    PAYMENT_CONFIRMED = "payment_confirmed"
    SHIPPED = "shipped"
    TRACKING_UPDATED = "tracking_updated"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    #: Processing -> On hold, with the merchant's reason.
    HELD = "held"
    #: On hold -> Processing.
    RELEASED = "released"
    #: A refund asked of the payment provider, its amount held until it answers.
    REFUND_REQUESTED = "refund_requested"
    #: The payment provider refused a refund.
    REFUND_FAILED = "refund_failed"
    REFUNDED = "refunded"
    NOTE = "note"
    #: The merchant changed the address, quantities or lines before shipping (every change old -> new).
    EDITED = "edited"
    #: A return (RMA) was opened: its lines and the customer's reason.
    RETURN_OPENED = "return_opened"
    #: A return's units came back (put back in stock or not).
    RETURN_RECEIVED = "return_received"
    #: A return was refunded by line (the refund has its own ``refunded`` entry).
    RETURN_REFUNDED = "return_refunded"
    #: A return was closed without a refund.
    RETURN_CLOSED = "return_closed"
    #: The merchant wrote to the customer (the message itself goes out through the outbox).
    CUSTOMER_EMAILED = "customer_emailed"
    #: The merchant asked for a failed email to be tried again.
    EMAIL_RETRIED = "email_retried"
    EMAIL_SENT = "email_sent"
    EMAIL_FAILED = "email_failed"
    #: The outbox gave up on an event after its last attempt. The stored value predates the
    #: outbox's "dispatch" vocabulary and is kept, so older entries read the same.
    OUTBOX_GAVE_UP = "delivery_failed"


_BY_VALUE: dict[str, TimelineKind] = {kind.value: kind for kind in TimelineKind}


def timeline_kind(value: str) -> str:
    """*value* as its :class:`TimelineKind` when it is one, else the string itself (a plugin's kind)."""
    return _BY_VALUE.get(value, value)
