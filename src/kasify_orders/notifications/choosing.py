"""Which emails an order gets of each kind, and to whom (for the event hooks and for resending)."""

from __future__ import annotations

import attrs

from kasify_orders.errors import ValidationError
from kasify_orders.lifecycle import RefundStatus, Status
from kasify_orders.model import Order, Refund, Shipment
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.render import Email, WrittenMessage
from kasify_orders.settings import Settings

__all__ = ["emails_for", "to_customer", "written"]


def written(order: Order, message_key: str | None) -> list[Email]:
    """The merchant's message *message_key* (else the latest) to the customer, to send again."""
    messages = [entry for entry in order.timeline if entry.kind == "customer_emailed"]
    if message_key:
        messages = [entry for entry in messages if entry.data.get("message_key") == message_key]
    if not messages:
        field = "message_key" if message_key else "kind"
        raise ValidationError.single(
            field, "order #%(number)s has no such message to the customer", number=order.number
        )
    data = messages[-1].data
    message = WrittenMessage(str(data["subject"]), str(data["body"]), str(data["message_key"]))
    customer = order.customer
    return [Email(EmailKind.CUSTOMER_MESSAGE, customer.email, customer.name, order, message=message)]


def to_customer(
    kind: EmailKind,
    order: Order,
    *,
    previous: Shipment | None = None,
    refund: Refund | None = None,
    shipment: Shipment | None = None,
) -> list[Email]:
    """One email of *kind* to the order's customer (*shipment*: the parcel it is about)."""
    customer = order.customer
    email = Email(
        kind, customer.email, customer.name, order, previous=previous, refund=refund, shipment=shipment
    )
    return [email]


def emails_for(
    settings: Settings, kind: EmailKind, order: Order, *, message_key: str | None = None
) -> list[Email]:
    """The emails of *kind* about *order* as it is now (for the hooks and for resending).

    *message_key*: which of the merchant's messages, for ``customer_message`` (None: the latest).

    :raises ValidationError: (field ``kind``) the order has nothing to say of this kind.
    """
    if kind is EmailKind.CUSTOMER_MESSAGE:
        return written(order, message_key)
    if kind is EmailKind.NEW_ORDER_ALERT:
        return [Email(kind, address, "", order) for address in settings.new_order_alert_emails]
    if kind in {EmailKind.SHIPPING_NOTIFICATION, EmailKind.TRACKING_CORRECTED} and order.shipment is None:
        raise ValidationError.single("kind", "order #%(number)s has not shipped", number=order.number)
    if kind is EmailKind.TRACKING_CORRECTED:
        assert order.shipment is not None
        corrections = [entry for entry in order.timeline if entry.kind == "tracking_updated"]
        if not corrections:
            raise ValidationError.single(
                "kind", "the tracking of order #%(number)s was never corrected", number=order.number
            )
        data = corrections[-1].data
        corrected = order.shipment_by_id(str(data.get("shipment_id") or "")) or order.shipment
        previous = attrs.evolve(
            corrected,
            carrier=str(data["previous_carrier"]),
            tracking_number=str(data["previous_tracking_number"]),
            tracking_url=None,
        )
        return to_customer(kind, order, previous=previous, shipment=corrected)
    if kind is EmailKind.REFUND_CONFIRMATION:
        settled = [refund for refund in order.refunds if refund.status is RefundStatus.SETTLED]
        if not settled:
            raise ValidationError.single("kind", "order #%(number)s has no refund", number=order.number)
        return to_customer(kind, order, refund=settled[-1])
    if kind is EmailKind.ORDER_UPDATED and not any(entry.kind == "edited" for entry in order.timeline):
        raise ValidationError.single("kind", f"order #{order.number} was never edited")
    if kind is EmailKind.RETURN_RECEIVED and not any(r.received_at for r in order.returns):
        raise ValidationError.single("kind", "order #%(number)s has no return received", number=order.number)
    if kind is EmailKind.ORDER_CANCELLED and order.status is not Status.CANCELLED:
        raise ValidationError.single(
            "kind",
            "order #%(number)s is %(status)s, not cancelled",
            number=order.number,
            status=order.status.value,
        )
    return to_customer(kind, order)
