"""The kinds of email kasify sends, and who receives each."""

from __future__ import annotations

import enum

__all__ = ["CUSTOMER_KINDS", "EmailKind"]


class EmailKind(enum.StrEnum):
    """One kind of email; its value names its templates (``<kind>_subject.txt`` ...)."""

    #: To the customer when the order is placed.
    ORDER_CONFIRMATION = "order_confirmation"
    #: To the customer when the order ships, with the tracking link.
    SHIPPING_NOTIFICATION = "shipping_notification"
    #: To the customer when the merchant corrects the tracking number or carrier.
    TRACKING_CORRECTED = "tracking_corrected"
    #: To the customer for each refund: the amount and what remains paid.
    REFUND_CONFIRMATION = "refund_confirmation"
    #: To the customer when the order is cancelled.
    ORDER_CANCELLED = "order_cancelled"
    #: To the customer when the merchant edits the order before it ships: the new lines and
    #: totals, and any amount due or difference to be refunded.
    ORDER_UPDATED = "order_updated"
    #: To the customer when the merchant receives the units of a return back.
    RETURN_RECEIVED = "return_received"
    #: To each of ``Settings.new_order_alert_emails`` when an order is placed.
    NEW_ORDER_ALERT = "new_order_alert"
    #: The merchant's own message to the customer ("Email customer"); never turned off by
    #: ``Settings.disabled_emails``, since the merchant asked for it.
    CUSTOMER_MESSAGE = "customer_message"


#: The kinds that go to the customer (the others go to the merchant).
CUSTOMER_KINDS = frozenset(EmailKind) - {EmailKind.NEW_ORDER_ALERT}
