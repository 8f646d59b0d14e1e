"""Mapping between kasify's rows and its value objects (and the outbox's records)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa
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
from kasify_orders.storage.records import OutboxItem

__all__ = [
    "ADDRESS_COLUMNS",
    "LINE",
    "ORDER",
    "REFUND",
    "SUMMARY_COLUMNS",
    "TIMELINE",
    "OutboxItem",
    "children_from_union",
    "coupon_from_row",
    "coupon_values",
    "order_columns",
    "order_from_rows",
    "order_from_union",
    "order_values",
    "outbox_item_from_row",
    "refund_values",
    "summary_columns",
    "summary_from_row",
]


def order_values(order: Order) -> dict[str, Any]:
    """The columns an action may change (every amount: an edit changes the totals, a payment ``paid``)."""
    shipment = order.shipment
    return {
        "version": order.version,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        **{name: money.to_minor(getattr(order.totals, name), order.currency) for name in _TOTALS},
        "prices_include_tax": order.totals.prices_include_tax,
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
        "tracking_url": shipment.tracking_url if shipment else None,
        "shipped_at": shipment.shipped_at if shipment else None,
        "fulfilment_status": order.fulfilment_status.value,
        "paid_at": order.paid_at,
        "updated_at": order.timeline[-1].at if order.timeline else order.created_at,
    }


#: The orders columns an :class:`OrderSummary` is made of, in the order
#: :func:`summary_from_row` unpacks them (by position: a row's attributes cost more than the
#: rest of the mapping).
SUMMARY_COLUMNS = (
    "id",
    "number",
    "status",
    "payment_status",
    "customer_name",
    "customer_email",
    "currency",
    "subtotal",
    "shipping",
    "discount",
    "total",
    "refunded",
    "coupon_code",
    "customer_note",
    "carrier",
    "tracking_number",
    "tracking_url",
    "shipped_at",
    "created_at",
    "paid_at",
    "version",
    "refund_pending",
    "fulfilment_status",
    "paid",
    "tax",
    "shipping_tax",
    "prices_include_tax",
)
#: The rest of an :class:`Order`'s row, after :data:`SUMMARY_COLUMNS`: its shipping address.
ADDRESS_COLUMNS = (
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
)
_STATUSES = {status.value: status for status in Status}
_PAYMENT_STATUSES = {status.value: status for status in PaymentStatus}
#: The amounts of :class:`Totals`, each an orders column of the same name.
_TOTALS = tuple(field.name for field in attrs.fields(Totals) if field.type in {Decimal, "Decimal"})


def summary_columns(orders: sa.Table) -> list[sa.Column[Any]]:
    """The columns to select for :func:`summary_from_row`."""
    return [orders.c[name] for name in SUMMARY_COLUMNS]


def order_columns(orders: sa.Table) -> list[sa.Column[Any]]:
    """The columns to select for :func:`order_from_rows`."""
    return [orders.c[name] for name in SUMMARY_COLUMNS + ADDRESS_COLUMNS]


def summary_from_row(row: Sequence[Any]) -> OrderSummary:
    """The :class:`OrderSummary` of a row of :func:`summary_columns` (or :func:`order_columns`)."""
    (
        order_id,
        number,
        status,
        payment_status,
        customer_name,
        customer_email,
        currency,
        subtotal,
        shipping,
        discount,
        total,
        refunded,
        coupon_code,
        customer_note,
        carrier,
        tracking_number,
        tracking_url,
        shipped_at,
        created_at,
        paid_at,
        version,
        refund_pending,
        fulfilment_status,
        paid,
        tax,
        shipping_tax,
        prices_include_tax,
    ) = row[: len(SUMMARY_COLUMNS)]
    exponent = -money.minor_unit(currency)
    return OrderSummary(
        id=order_id,
        number=number,
        status=_STATUSES[status],
        payment_status=_PAYMENT_STATUSES[payment_status],
        customer=Customer(customer_name, customer_email),
        currency=currency,
        totals=Totals(
            *(
                Decimal(amount).scaleb(exponent)
                for amount in (subtotal, shipping, discount, total, refunded, refund_pending, paid)
            ),
            tax=Decimal(tax).scaleb(exponent),
            shipping_tax=Decimal(shipping_tax).scaleb(exponent),
            prices_include_tax=bool(prices_include_tax),
        ),
        coupon_code=coupon_code,
        customer_note=customer_note,
        shipment=None
        if tracking_number is None
        else Shipment("", {}, carrier, tracking_number, tracking_url, shipped_at),
        created_at=created_at,
        paid_at=paid_at,
        version=version,
        fulfilment_status=fulfilment_status,
    )


def order_from_rows(
    row: Sequence[Any], lines: Sequence[Line], refunds: Sequence[Refund], timeline: Sequence[TimelineEvent]
) -> Order:
    """The whole order (its parcels still to add): its :func:`order_columns` row, and its children."""
    line1, line2, city, region, postal_code, country = row[len(SUMMARY_COLUMNS) :]
    return Order(
        **attrs.asdict(summary_from_row(row), recurse=False, filter=_order_fields),
        shipments=(),
        shipping_address=Address(
            line1=line1, line2=line2, city=city, region=region, postal_code=postal_code, country=country
        ),
        lines=tuple(lines),
        refunds=tuple(refunds),
        timeline=tuple(timeline),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_order_fields = attrs.filters.exclude("shipment", "fulfilment_status")
#: The ``kind`` of each row of the union queries (see :mod:`kasify_orders.storage.statements`).
LINE, REFUND, TIMELINE, ORDER = 0, 1, 2, 3


def children_from_union(
    rows: Iterable[Row[Any]], currency: str
) -> tuple[list[Line], list[Refund], list[TimelineEvent]]:
    """Split the children rows of a union query into lines, refunds and timeline, in order.

    Lines by position, refunds by time, timeline entries by insertion (their ``seq``).
    """
    lines: list[Line] = []
    refunds: list[Refund] = []
    timeline: list[TimelineEvent] = []
    for r in sorted(rows, key=lambda r: (r.kind, r.seq, r.at or _EPOCH)):
        if r.kind == LINE:
            price, total = money.from_minor(r.amount, currency), money.from_minor(r.line_total, currency)
            tax = money.from_minor(r.line_tax, currency)
            lines.append(
                Line(r.ref, r.body, r.variant_or_actor, r.quantity, price, total, id=r.seq + 1, tax=tax)
            )
        elif r.kind == REFUND:
            refunds.append(
                Refund(
                    id=r.ref,
                    amount=money.from_minor(r.amount, currency),
                    created_at=r.at,
                    note=r.body,
                    actor=r.variant_or_actor,
                    reference=r.refund_reference,
                    idempotency_key=r.refund_key,
                    status=r.refund_status,
                    resolved_at=r.resolved_at,
                    failure=r.refund_failure,
                )
            )
        else:
            timeline.append(
                TimelineEvent(kind=r.ref, at=r.at, actor=r.variant_or_actor, message=r.body, data=r.data)
            )
    return lines, refunds, timeline


def order_from_union(rows: Sequence[Row[Any]]) -> Order | None:
    """The order of a whole-order union: its own row (``kind`` ORDER) and its children; None if absent."""
    head = next((row for row in rows if row.kind == ORDER), None)
    if head is None:
        return None
    children = children_from_union((row for row in rows if row.kind != ORDER), head.currency)
    return order_from_rows(head[1 : 1 + len(SUMMARY_COLUMNS) + len(ADDRESS_COLUMNS)], *children)


def refund_values(refund: Refund, order_id: str, currency: str) -> dict[str, Any]:
    """The refunds-row columns of *refund* (all but ``then_cancel``, which the service sets)."""
    return {
        "id": refund.id,
        "order_id": order_id,
        "amount": money.to_minor(refund.amount, currency),
        "note": refund.note,
        "actor": refund.actor,
        "reference": refund.reference,
        "idempotency_key": refund.idempotency_key,
        "created_at": refund.created_at,
        "status": refund.status.value,
        "resolved_at": refund.resolved_at,
        "failure": refund.failure,
    }


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
