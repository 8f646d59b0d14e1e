"""Mapping between kasify's rows and its value objects (and the outbox's records)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy.engine import Row

from kasify_orders import money
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import (
    Address,
    Coupon,
    Customer,
    Line,
    Order,
    OrderSummary,
    Refund,
    Shipment,
    TimelineEvent,
    Totals,
)

__all__ = [
    "OutboxItem",
    "children_from_union",
    "coupon_from_row",
    "coupon_values",
    "order_from_rows",
    "order_values",
    "outbox_item_from_row",
    "summary_from_row",
]


@attrs.frozen
class OutboxItem:
    """One event waiting for its hooks."""

    id: str
    order_id: str
    hook: str
    arguments: Mapping[str, Any]
    attempts: int = 0
    done: frozenset[str] = frozenset()
    dead: bool = False
    last_error: str | None = None
    due_at: datetime | None = None


def order_values(order: Order) -> dict[str, Any]:
    """The columns an action may change."""
    shipment = order.shipment
    return {
        "version": order.version,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "refunded": money.to_minor(order.totals.refunded, order.currency),
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
        "tracking_url": shipment.tracking_url if shipment else None,
        "shipped_at": shipment.shipped_at if shipment else None,
        "paid_at": order.paid_at,
        "updated_at": order.timeline[-1].at if order.timeline else order.created_at,
    }


def _shipment(row: Row[Any]) -> Shipment | None:
    if row.tracking_number is None:
        return None
    return Shipment(row.carrier, row.tracking_number, row.tracking_url, row.shipped_at)


def _totals(row: Row[Any]) -> Totals:
    units = money.minor_unit(row.currency)
    subtotal, shipping, discount, total, refunded = (
        Decimal(value).scaleb(-units)
        for value in (row.subtotal, row.shipping, row.discount, row.total, row.refunded)
    )
    return Totals(subtotal, shipping, discount, total, refunded)


def summary_from_row(row: Row[Any]) -> OrderSummary:
    """The :class:`OrderSummary` of an orders row."""
    return OrderSummary(
        id=row.id,
        number=row.number,
        status=Status(row.status),
        payment_status=PaymentStatus(row.payment_status),
        customer=Customer(row.customer_name, row.customer_email),
        currency=row.currency,
        totals=_totals(row),
        coupon_code=row.coupon_code,
        customer_note=row.customer_note,
        shipment=_shipment(row),
        created_at=row.created_at,
        paid_at=row.paid_at,
        version=row.version,
    )


def order_from_rows(
    row: Row[Any], lines: Sequence[Line], refunds: Sequence[Refund], timeline: Sequence[TimelineEvent]
) -> Order:
    """The whole order: its row's summary, plus address, lines, refunds and timeline."""
    return Order(
        **attrs.asdict(summary_from_row(row), recurse=False),
        shipping_address=Address(
            line1=row.ship_line1,
            line2=row.ship_line2,
            city=row.ship_city,
            region=row.ship_region,
            postal_code=row.ship_postal_code,
            country=row.ship_country,
        ),
        lines=tuple(lines),
        refunds=tuple(refunds),
        timeline=tuple(timeline),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def children_from_union(
    rows: Iterable[Row[Any]], currency: str
) -> tuple[list[Line], list[Refund], list[TimelineEvent]]:
    """Split the rows of the children query (``kind`` 0 lines, 1 refunds, 2 timeline), in order.

    Lines by position, refunds by time, timeline entries by insertion (their ``seq``).
    """
    lines: list[Line] = []
    refunds: list[Refund] = []
    timeline: list[TimelineEvent] = []
    for r in sorted(rows, key=lambda r: (r.kind, r.seq, r.t1 or _EPOCH)):
        if r.kind == 0:
            unit_price = money.from_minor(r.i2, currency)
            lines.append(Line(r.s1, r.s2, r.s3, r.i1, unit_price, money.from_minor(r.i3, currency)))
        elif r.kind == 1:
            refunds.append(Refund(r.s1, money.from_minor(r.i2, currency), r.t1, r.s2, r.s3, r.s4, r.s5))
        else:
            timeline.append(TimelineEvent(r.s1, r.t1, r.s3, r.s2, r.j))
    return lines, refunds, timeline


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def coupon_from_row(row: Row[Any]) -> Coupon:
    """The :class:`Coupon` of a coupons row."""
    return Coupon(
        code=row.code,
        kind=row.kind,
        value=_decimal(row.value),
        minimum_order=_decimal(row.minimum_order),
        currency=row.currency,
        usage_limit=row.usage_limit,
        once_per_customer=row.once_per_customer,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        active=row.active,
        times_used=row.times_used,
    )


def coupon_values(coupon: Coupon) -> dict[str, Any]:
    """The coupons-row columns of *coupon* (all but its usage count)."""
    return {
        "code": coupon.code,
        "kind": coupon.kind.value,
        "value": None if coupon.value is None else str(coupon.value),
        "minimum_order": None if coupon.minimum_order is None else str(coupon.minimum_order),
        "currency": coupon.currency,
        "usage_limit": coupon.usage_limit,
        "once_per_customer": coupon.once_per_customer,
        "starts_at": coupon.starts_at,
        "ends_at": coupon.ends_at,
        "active": coupon.active,
    }


def outbox_item_from_row(row: Row[Any]) -> OutboxItem:
    """The :class:`OutboxItem` of an outbox row."""
    return OutboxItem(
        id=row.id,
        order_id=row.order_id,
        hook=row.hook,
        arguments=row.arguments,
        attempts=row.attempts,
        done=frozenset(row.done),
        dead=row.dead,
        last_error=row.last_error,
        due_at=row.due_at,
    )
