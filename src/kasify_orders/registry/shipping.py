"""The payment and shipping actions: confirm payment, ship a parcel, correct a parcel, deliver.

Shipping is by parcel: ``lines`` chooses what goes in this one (everything left by default),
``shipment_id`` names the parcel to correct or deliver (see :mod:`kasify_orders.shipping_actions`).
"""

from __future__ import annotations

from kasify_orders import carriers, i18n
from kasify_orders.lifecycle import Action, Status
from kasify_orders.model import Order
from kasify_orders.registry.spec import ActionSpec, Field, Widget

__all__ = ["CONFIRM_PAYMENT", "MARK_DELIVERED", "MARK_SHIPPED", "UPDATE_TRACKING"]

_CARRIER_HINT = "UPS, FedEx, DHL, USPS, … or your own carrier’s name"  # noqa: RUF001


def _carrier_names() -> list[str]:
    return [carrier.name for carrier in carriers.CARRIERS.values()]


def _tracking_fields(*, carrier_required: bool) -> tuple[Field, ...]:
    return (
        Field(name="tracking_number", type=str, label="Tracking number", required=True, max_length=64),
        Field(
            name="carrier",
            type=str,
            label="Carrier",
            required=carrier_required,
            nullable=not carrier_required,
            max_length=64,
            hint=_CARRIER_HINT if carrier_required else "The same carrier when left out.",
            suggestions=_carrier_names,
        ),
    )


def _tracking_number(order: Order) -> str:
    return order.shipment.tracking_number if order.shipment else ""


def _shipped_notice(after: Order) -> str:
    if after.status is Status.PROCESSING:
        left = sum(after.remaining_quantities().values())
        return i18n.ngettext(
            "Parcel %(parcel)s shipped, tracking number %(tracking)s; %(num)d item left to ship.",
            "Parcel %(parcel)s shipped, tracking number %(tracking)s; %(num)d items left to ship.",
            left,
        ) % {"parcel": len(after.shipments), "tracking": _tracking_number(after), "num": left}
    return i18n.gettext("Marked as shipped, tracking number %(tracking)s.") % {
        "tracking": _tracking_number(after)
    }


_LINES = Field(
    name="lines",
    type=dict,
    label="Items in this parcel",
    nullable=True,
    widget=Widget.LINES,
    hint="Units of each line in this parcel; everything left when left out (command line: --line 1=2).",
    cli_flag="--line",
)
_SHIPMENT_ID = Field(
    name="shipment_id",
    type=str,
    label="Parcel",
    nullable=True,
    max_length=64,
    widget=Widget.HIDDEN,
    hint="The parcel's id (shipments[].id); left out: the only parcel.",
)


# -- confirm payment, ship, tracking, deliver ----------------------------------------------------

CONFIRM_PAYMENT = ActionSpec(
    action=Action.CONFIRM_PAYMENT,
    label="Confirm payment",
    summary="Confirm payment: Pending -> Processing",
    may="confirm the payment of an order",
    timeline_kind="payment_confirmed",
    style="primary",
    run=lambda orders, order, inputs, context: orders.confirm_payment(
        order.id, actor=context.actor, expected_version=context.expected_version
    ),
    notice=lambda before, after, inputs, context: i18n.gettext(
        "Payment confirmed: the order is now Processing."
    ),
)

MARK_SHIPPED = ActionSpec(
    action=Action.MARK_SHIPPED,
    label="Mark as Shipped",
    summary=(
        "Ship a parcel (its lines, everything left by default) with a tracking number and carrier:"
        " Processing -> Shipped once every unit is in a parcel"
    ),
    may="mark an order shipped",
    timeline_kind="shipped",
    fields=(*_tracking_fields(carrier_required=True), _LINES),
    confirm="Save",
    style="primary",
    cli_name="ship",
    run=lambda orders, order, inputs, context: orders.mark_shipped(
        order.id,
        tracking_number=inputs["tracking_number"],
        carrier=inputs["carrier"],
        lines=inputs.get("lines"),
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=lambda before, after, inputs, context: _shipped_notice(after),
    cli_report=lambda before, after, inputs, context: f"Order #{after.number}: {_shipped_notice(after)}",
)

UPDATE_TRACKING = ActionSpec(
    action=Action.UPDATE_TRACKING,
    label="Edit tracking",
    summary="Correct the tracking number (the old one stays on the timeline)",
    may="edit the tracking of an order",
    timeline_kind="tracking_updated",
    fields=(*_tracking_fields(carrier_required=False), _SHIPMENT_ID),
    confirm="Save",
    run=lambda orders, order, inputs, context: orders.update_tracking(
        order.id,
        tracking_number=inputs["tracking_number"],
        carrier=inputs.get("carrier"),
        shipment_id=inputs.get("shipment_id") or None,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=lambda before, after, inputs, context: (
        i18n.gettext("Tracking number changed to %(tracking)s.")
        % {"tracking": inputs["tracking_number"].strip()}
    ),
    defaults=lambda order, may: {
        "tracking_number": _tracking_number(order),
        "carrier": carriers.display_name(order.shipment.carrier) if order.shipment else "",
        "shipment_id": order.shipment.id if order.shipment else "",
    },
)

MARK_DELIVERED = ActionSpec(
    action=Action.MARK_DELIVERED,
    label="Mark as Delivered",
    summary="Mark as delivered: Shipped -> Delivered",
    may="mark an order delivered",
    timeline_kind="delivered",
    style="primary",
    cli_name="mark-delivered",
    fields=(_SHIPMENT_ID,),
    run=lambda orders, order, inputs, context: orders.mark_delivered(
        order.id,
        shipment_id=inputs.get("shipment_id") or None,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=lambda before, after, inputs, context: (
        i18n.gettext("Marked as delivered.")
        if after.status is Status.DELIVERED
        else i18n.gettext("Parcel marked as delivered.")
    ),
)
