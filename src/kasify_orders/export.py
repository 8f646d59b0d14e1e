"""Exporting orders as CSV (one row per order) or JSON Lines (one whole order per line).

Both stream: orders are read from the store in batches and written as they come, so
memory stays flat however many orders there are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING

from kasify_orders.convert import unstructure

if TYPE_CHECKING:
    from kasify_orders.model import Order, OrderSummary

__all__ = ["CSV_COLUMNS", "write_csv", "write_jsonl"]

#: The CSV header, one column per order field a spreadsheet wants.
CSV_COLUMNS = (
    "number",
    "id",
    "created_at",
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
    "carrier",
    "tracking_number",
    "paid_at",
)


def write_csv(
    summaries: Iterable[OrderSummary], out: IO[str], *, progress: Callable[[int], object] | None = None
) -> int:
    """Write one CSV row per order to *out*; returns how many were written."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for order in summaries:
        shipment = order.shipment
        writer.writerow(
            (
                order.number,
                order.id,
                order.created_at.isoformat(),
                order.status.value,
                order.payment_status.value,
                order.customer.name,
                order.customer.email,
                order.currency,
                order.totals.subtotal,
                order.totals.shipping,
                order.totals.discount,
                order.totals.total,
                order.totals.refunded,
                order.coupon_code or "",
                shipment.carrier if shipment else "",
                shipment.tracking_number if shipment else "",
                order.paid_at.isoformat() if order.paid_at else "",
            )
        )
        written += 1
        if progress is not None:
            progress(1)
    return written


def write_jsonl(
    orders: Iterable[Order], out: IO[str], *, progress: Callable[[int], object] | None = None
) -> int:
    """Write each whole order (lines, refunds, timeline) as one JSON line; returns how many."""
    written = 0
    for order in orders:
        out.write(json.dumps(unstructure(order), ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        written += 1
        if progress is not None:
            progress(1)
    return written
