"""Order and payment statuses, and which merchant action is allowed from which status.

The transition table is data, so the pages, the API and the docs can all ask what an
order allows next (:func:`allowed_actions`) instead of repeating the rules.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from kasify_orders.errors import InvalidTransition

__all__ = [
    "ACTIONS",
    "Action",
    "FulfilmentStatus",
    "PaymentStatus",
    "RefundStatus",
    "Status",
    "allowed_actions",
    "is_allowed",
    "require",
]


class Status(enum.StrEnum):
    """Where the order is in its life; moved by the merchant's actions only."""

    PENDING = "pending"
    PROCESSING = "processing"
    #: Paid but paused (an address check, a fraud review): not shipped, not late, until released.
    ON_HOLD = "on_hold"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        """The words a merchant reads (``"Processing"``, ``"On hold"``)."""
        return self.value.replace("_", " ").capitalize()


class PaymentStatus(enum.StrEnum):
    """Whether the customer's money is with the merchant."""

    PENDING = "pending"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        """The words a merchant reads (``"Partially refunded"``)."""
        return self.value.replace("_", " ").capitalize()

    @property
    def was_paid(self) -> bool:
        """True once payment has been confirmed, refunded or not."""
        return self is not PaymentStatus.PENDING


class FulfilmentStatus(enum.StrEnum):
    """How much of an order is in parcels, derived from its parcels (``order.fulfilment_status``)."""

    UNFULFILLED = "unfulfilled"
    #: Some units are in parcels, some are not: the order stays Processing.
    PARTIALLY_SHIPPED = "partially_shipped"
    #: Every unit is in a parcel.
    SHIPPED = "shipped"
    #: Every unit is in a parcel and every parcel arrived.
    DELIVERED = "delivered"

    @property
    def label(self) -> str:
        """The words a merchant reads (``"Partially shipped"``)."""
        return self.value.replace("_", " ").capitalize()


class RefundStatus(enum.StrEnum):
    """Where one refund is: asked of the payment provider, paid out, or refused.

    A refund made by hand (no ``kasify_refund_payment`` implementation) is SETTLED at once.
    """

    #: Recorded and sent to the provider; its answer is not recorded yet. The amount is held
    #: against the refundable balance until it settles or fails.
    PENDING = "pending"
    #: Paid out: counted in ``order.totals.refunded``.
    SETTLED = "settled"
    #: The provider refused it: the balance and the payment status are as before.
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The word a merchant reads (``"Pending"``)."""
        return self.value.capitalize()


class Action(enum.StrEnum):
    """The merchant's actions on an existing order."""

    CONFIRM_PAYMENT = "confirm_payment"
    MARK_SHIPPED = "mark_shipped"
    UPDATE_TRACKING = "update_tracking"
    MARK_DELIVERED = "mark_delivered"
    CANCEL = "cancel"
    REFUND = "refund"
    ADD_NOTE = "add_note"
    HOLD = "hold"
    RELEASE = "release"
    #: Write to the customer (a message of the merchant's own, or the "delay" template).
    EMAIL_CUSTOMER = "email_customer"
    #: Send one of the order's notifications again.
    RESEND_NOTIFICATION = "resend_notification"
    #: Try a failed email again now (its outbox event revived).
    RETRY_EMAIL = "retry_email"
    #: Open a return (RMA) of shipped units, with the customer's reason.
    OPEN_RETURN = "open_return"
    #: The return's units came back (put back in stock or not).
    RECEIVE_RETURN = "receive_return"
    #: Refund a received return's lines (a refund by line).
    REFUND_RETURN = "refund_return"
    #: Close a return without a refund (received or never sent).
    CLOSE_RETURN = "close_return"


_ANY = frozenset(Status)
#: Where an order may have shipped units: the statuses of the return actions.
_RETURNABLE = frozenset(
    {Status.PROCESSING, Status.ON_HOLD, Status.SHIPPED, Status.DELIVERED, Status.REFUNDED}
)

#: action -> the statuses it may start from. Refunds also need a confirmed payment.
ACTIONS: Mapping[Action, frozenset[Status]] = {
    Action.CONFIRM_PAYMENT: frozenset({Status.PENDING}),
    Action.MARK_SHIPPED: frozenset({Status.PROCESSING}),
    Action.UPDATE_TRACKING: frozenset({Status.SHIPPED, Status.DELIVERED}),
    Action.MARK_DELIVERED: frozenset({Status.SHIPPED}),
    # A held order may be cancelled (a fraud review that fails), as Shopify and oscar allow.
    Action.CANCEL: frozenset({Status.PENDING, Status.PROCESSING, Status.ON_HOLD}),
    Action.REFUND: frozenset(
        {
            Status.PROCESSING,
            Status.ON_HOLD,
            Status.SHIPPED,
            Status.DELIVERED,
            Status.CANCELLED,
            Status.REFUNDED,
        }
    ),
    Action.ADD_NOTE: _ANY,
    Action.HOLD: frozenset({Status.PROCESSING}),
    Action.RELEASE: frozenset({Status.ON_HOLD}),
    # Talking to the customer is possible whatever the order's status.
    Action.EMAIL_CUSTOMER: _ANY,
    Action.RESEND_NOTIFICATION: _ANY,
    Action.RETRY_EMAIL: _ANY,
    # Returns are of shipped units: a partly shipped order (Processing) may have some back already.
    Action.OPEN_RETURN: _RETURNABLE,
    Action.RECEIVE_RETURN: _RETURNABLE,
    Action.REFUND_RETURN: _RETURNABLE,
    Action.CLOSE_RETURN: _RETURNABLE,
}

_ORDER = list(Status)
#: The actions that need a confirmed payment besides their statuses.
_PAID_ONLY = frozenset({Action.REFUND, Action.REFUND_RETURN})


def _ordered(statuses: frozenset[Status]) -> list[str]:
    return [status.value for status in sorted(statuses, key=_ORDER.index)]


def is_allowed(action: Action, status: Status, payment_status: PaymentStatus) -> bool:
    """Whether *action* is allowed now: its statuses, and a confirmed payment for a refund."""
    return status in ACTIONS[action] and (action not in _PAID_ONLY or payment_status.was_paid)


def require(action: Action, status: Status, payment_status: PaymentStatus) -> None:
    """Raise :class:`InvalidTransition` unless *action* is allowed now."""
    if is_allowed(action, status, payment_status):
        return
    allowed = ACTIONS[action]
    if status not in allowed:
        raise InvalidTransition(action.value, status.value, _ordered(allowed))
    if action in _PAID_ONLY and not payment_status.was_paid:
        raise InvalidTransition(
            action.value, status.value, _ordered(allowed), reason="its payment was never confirmed"
        )


def allowed_actions(status: Status, payment_status: PaymentStatus) -> list[Action]:
    """The actions a merchant may take now, in the table's order."""
    return [action for action in ACTIONS if is_allowed(action, status, payment_status)]
