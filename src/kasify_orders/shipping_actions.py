"""Shipping in parcels, as pure functions: ship what is left, correct a parcel, deliver parcels.

An order is Shipped once every unit is in a parcel and Delivered once every parcel arrived;
in between it stays Processing with ``fulfilment_status`` PARTIALLY_SHIPPED. No line is ever in
parcels more often than it was ordered: :class:`~kasify_orders.model.Order` refuses it, and
:func:`mark_shipped` says which field is wrong before that.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from kasify_orders import carriers
from kasify_orders.change import Change, next_change
from kasify_orders.errors import ValidationError, Word
from kasify_orders.events import OrderDelivered, OrderShipped, TrackingUpdated
from kasify_orders.i18n import N_
from kasify_orders.lifecycle import Action, FulfilmentStatus, Status, require
from kasify_orders.model import Order, Shipment, TimelineEvent, describe_lines
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import Checker

__all__ = ["choose_shipment", "mark_delivered", "mark_shipped", "parcel_lines", "update_tracking"]


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


def parcel_lines(order: Order, lines: Mapping[Any, Any] | None) -> dict[int, int]:
    """The ``{line_id: quantity}`` of a new parcel: *lines* checked, or everything left (None).

    :raises ValidationError: naming ``lines[<id>]`` for an unknown line, a quantity that is not a
        positive whole number, or more than is left of the line; ``lines`` when nothing is left.
    """
    remaining = order.remaining_quantities()
    if lines is None:
        if not remaining:
            raise ValidationError.single("lines", "every unit of the order is in a parcel already")
        return remaining
    known = {line.id for line in order.lines}
    checker = Checker()
    chosen: dict[int, int] = {}
    for raw_id, raw_quantity in lines.items():
        line_id = raw_id if _whole(raw_id) else _int(raw_id)
        path = f"lines[{raw_id}]"
        if line_id is None or line_id not in known:
            ids = ", ".join(str(i) for i in sorted(known))
            checker.fail(
                path,
                "is not a line of order #%(number)s (its lines are %(ids)s)",
                number=order.number,
                ids=ids,
            )
            continue
        quantity = (
            raw_quantity if isinstance(raw_quantity, int) and not isinstance(raw_quantity, bool) else None
        )
        if quantity is None or quantity <= 0:
            checker.fail(
                path, "must be a whole number of units, at least 1, got %(given)s", given=repr(raw_quantity)
            )
            continue
        left = remaining.get(line_id, 0)
        if quantity > left:
            template = N_("only %(left)s unit of line %(line)s left to ship")
            if left != 1:
                template = N_("only %(left)s units of line %(line)s left to ship")
            checker.fail(path, template, left=left, line=line_id)
            continue
        chosen[line_id] = quantity
    if not lines:
        checker.fail("lines", "choose at least one line to put in the parcel")
    checker.done()
    return chosen


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def mark_shipped(
    order: Order,
    *,
    carrier: str,
    tracking_number: str,
    at: datetime,
    actor: str | None,
    shipment_id: str | None = None,
    lines: Mapping[Any, Any] | None = None,
    tracking_urls: Mapping[str, str] | None = None,
    reference: str | None = None,
) -> Change:
    """Put *lines* (default: everything left) in a new parcel with its carrier and tracking number.

    The order becomes Shipped when every unit is in a parcel; until then it stays Processing.
    *shipment_id* defaults to the order's id with the parcel's number (unique, and the same
    whoever computes it).
    """
    require(Action.MARK_SHIPPED, order.status, order.payment_status)
    checker_error: ValidationError | None = None
    try:
        carrier, number = _tracking(carrier, tracking_number)
    except ValidationError as error:
        checker_error = error
    try:
        chosen = parcel_lines(order, lines)
    except ValidationError as error:
        if checker_error is not None:
            raise ValidationError(checker_error.errors + error.errors) from None
        raise
    if checker_error is not None:
        raise checker_error
    shipment_id = shipment_id or f"{order.id[:26]}p{len(order.shipments) + 1:05d}"
    shipment = Shipment(
        shipment_id,
        chosen,
        carrier,
        number,
        carriers.tracking_url(carrier, number, tracking_urls),
        at,
        reference=reference,
    )
    shipments = (*order.shipments, shipment)
    total_units = sum(line.quantity for line in order.lines)
    shipped_units = sum(parcel.units for parcel in shipments)
    complete = shipped_units >= total_units
    message = f"Marked as shipped via {carriers.display_name(carrier)}, tracking number {number}"
    if len(shipments) > 1 or not complete:
        message = (
            f"Parcel {len(shipments)} shipped via {carriers.display_name(carrier)}, tracking number"
            f" {number}: {describe_lines(order, chosen)} ({shipped_units} of {total_units} items shipped)"
        )
    entry = TimelineEvent(
        TimelineKind.SHIPPED,
        at,
        actor,
        message,
        {
            "carrier": carrier,
            "tracking_number": number,
            "tracking_url": shipment.tracking_url,
            "shipment_id": shipment_id,
            "lines": {str(line_id): quantity for line_id, quantity in chosen.items()},
            "complete": complete,
        },
    )
    status = Status.SHIPPED if complete else order.status
    return next_change(
        order, entry, (OrderShipped(shipment_id=shipment_id),), status=status, shipments=shipments
    )


def choose_shipment(order: Order, shipment_id: str | None) -> Shipment:
    """The parcel *shipment_id* names, or the only one when None.

    :raises ValidationError: (field ``shipment_id``) no such parcel, or None while there are several.
    """
    if shipment_id is None:
        if len(order.shipments) == 1:
            return order.shipments[0]
        ids = ", ".join(shipment.id for shipment in order.shipments)
        if not order.shipments:
            raise ValidationError.single(
                "shipment_id", "order #%(number)s has no parcel", number=order.number
            )
        raise ValidationError.single(
            "shipment_id",
            "order #%(number)s has %(count)s parcels: say which one (%(ids)s)",
            number=order.number,
            count=len(order.shipments),
            ids=ids,
        )
    shipment = order.shipment_by_id(shipment_id)
    if shipment is None:
        ids = ", ".join(shipment.id for shipment in order.shipments) or Word(N_("none"))
        raise ValidationError.single(
            "shipment_id",
            "is not a parcel of order #%(number)s (its parcels: %(ids)s)",
            number=order.number,
            ids=ids,
        )
    return shipment


def parcel_action_open(action: Action, order: Order) -> bool:
    """Whether *action* may act on a parcel while the order is still Processing (one has left).

    The lifecycle's table knows statuses only; a partly shipped order is Processing, yet its
    parcels can be corrected, and delivered while one is still on its way.
    """
    if order.status is not Status.PROCESSING or not order.shipments:
        return False
    if action is Action.MARK_DELIVERED:
        return any(parcel.delivered_at is None for parcel in order.shipments)
    return action is Action.UPDATE_TRACKING


def _require_parcel_action(action: Action, order: Order) -> None:
    """*action* on a parcel: allowed by the table, or while Processing once a parcel has left."""
    if order.status is Status.PROCESSING and order.shipments:
        return  # refusals on the parcel itself (one already delivered) come from the parcel's checks
    require(action, order.status, order.payment_status)


def _replace(order: Order, shipment: Shipment) -> tuple[Shipment, ...]:
    return tuple(shipment if parcel.id == shipment.id else parcel for parcel in order.shipments)


def update_tracking(
    order: Order,
    *,
    tracking_number: str,
    carrier: str | None,
    at: datetime,
    actor: str | None,
    shipment_id: str | None = None,
    tracking_urls: Mapping[str, str] | None = None,
) -> Change:
    """Correct one parcel's tracking number (and carrier); the old ones stay on the timeline."""
    _require_parcel_action(Action.UPDATE_TRACKING, order)
    previous = choose_shipment(order, shipment_id)
    carrier, number = _tracking(previous.carrier if carrier is None else carrier, tracking_number)
    if (carrier, number) == (previous.carrier, previous.tracking_number):
        raise ValidationError.single(
            "tracking_number", "is already %(number)s with %(carrier)s", number=number, carrier=carrier
        )
    shipment = attrs.evolve(
        previous,
        carrier=carrier,
        tracking_number=number,
        tracking_url=carriers.tracking_url(carrier, number, tracking_urls),
    )
    where = ""
    if len(order.shipments) > 1:
        where = f" (parcel {order.shipments.index(previous) + 1})"
    entry = TimelineEvent(
        TimelineKind.TRACKING_UPDATED,
        at,
        actor,
        f"Tracking changed from {carriers.display_name(previous.carrier)} {previous.tracking_number}"
        f" to {carriers.display_name(carrier)} {number}{where}",
        {
            "previous_carrier": previous.carrier,
            "previous_tracking_number": previous.tracking_number,
            "carrier": carrier,
            "tracking_number": number,
            "shipment_id": previous.id,
        },
    )
    return next_change(order, entry, (TrackingUpdated(previous),), shipments=_replace(order, shipment))


def mark_delivered(
    order: Order, *, at: datetime, actor: str | None, shipment_id: str | None = None
) -> Change:
    """Mark one parcel (or, with None, every parcel) delivered; the order is Delivered once all are."""
    _require_parcel_action(Action.MARK_DELIVERED, order)
    if shipment_id is None:
        targets = [parcel for parcel in order.shipments if parcel.delivered_at is None]
        if not targets:
            raise ValidationError.single("shipment_id", "every parcel is delivered already")
    else:
        target = choose_shipment(order, shipment_id)
        if target.delivered_at is not None:
            raise ValidationError.single("shipment_id", "parcel %(id)s is delivered already", id=shipment_id)
        targets = [target]
    shipments = order.shipments
    for target in targets:
        shipments = _replace(attrs.evolve(order, shipments=shipments), attrs.evolve(target, delivered_at=at))
    after = attrs.evolve(order, shipments=shipments)
    delivered = after.fulfilment_status is FulfilmentStatus.DELIVERED and order.status is Status.SHIPPED
    if delivered and len(order.shipments) == 1:
        message = "Marked as delivered"
    else:
        numbers = ", ".join(str(order.shipments.index(target) + 1) for target in targets)
        message = f"Parcel{'s' if len(targets) > 1 else ''} {numbers} delivered"
        if delivered:
            message += ": every parcel has arrived"
    entry = TimelineEvent(
        TimelineKind.DELIVERED,
        at,
        actor,
        message,
        {"shipment_ids": [target.id for target in targets], "arrived": delivered},
    )
    if delivered:
        return next_change(order, entry, (OrderDelivered(),), status=Status.DELIVERED, shipments=shipments)
    return next_change(order, entry, shipments=shipments)
