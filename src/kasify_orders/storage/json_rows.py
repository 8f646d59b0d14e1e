"""MariaDB's whole-order read: the rows of a JSON union (one JSON array per row) as an order.

Its own module beside :mod:`kasify_orders.storage.rows` (the other dialects' union, the order
row's columns), which it builds on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from kasify_orders import money
from kasify_orders.model import Line, Order, Refund, TimelineEvent
from kasify_orders.storage.rows import (
    ADDRESS_COLUMNS,
    LINE,
    ORDER,
    REFUND,
    SUMMARY_COLUMNS,
    order_from_rows,
)

__all__ = ["JSON_LINE_COLUMNS", "JSON_REFUND_COLUMNS", "JSON_TIMELINE_COLUMNS", "order_from_json_rows"]


#: The columns of each table a JSON union (MariaDB's whole-order read) puts in its arrays, in
#: the order :func:`order_from_json_rows` unpacks them; the order's are :func:`order_columns`.
JSON_LINE_COLUMNS = ("position", "sku", "name", "variant", "quantity", "unit_price", "total", "tax")
JSON_REFUND_COLUMNS = (
    "id",
    "amount",
    "created_at",
    "note",
    "actor",
    "reference",
    "idempotency_key",
    "status",
    "resolved_at",
    "failure",
)
JSON_TIMELINE_COLUMNS = ("id", "kind", "at", "message", "actor", "data")
_HEAD_TIMES = [i for i, name in enumerate(SUMMARY_COLUMNS + ADDRESS_COLUMNS) if name.endswith("_at")]
_HEAD_CURRENCY = SUMMARY_COLUMNS.index("currency")


def _utc(text: str | None) -> datetime | None:
    """A time as MariaDB writes a DATETIME into JSON (UTC, no zone)."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def order_from_json_rows(rows: Iterable[Sequence[Any]]) -> Order | None:
    """The order of a whole-order JSON union: ``(kind, JSON array)`` rows; None if it is absent.

    One JSON text per row instead of forty columns: MariaDB's protocol describes every column
    of a result, and PyMySQL spent more time reading those descriptions than the rows.
    """
    head: list[Any] | None = None
    lines, refunds, timeline = [], [], []
    for kind, doc in rows:
        values = json.loads(doc)
        if kind == ORDER:
            head = values
        elif kind == LINE:
            lines.append(values)
        elif kind == REFUND:
            refunds.append(values)
        else:
            timeline.append(values)
    if head is None:
        return None
    for index in _HEAD_TIMES:
        head[index] = _utc(head[index])
    currency = head[_HEAD_CURRENCY]

    def cash(minor: int) -> Decimal:
        return money.from_minor(minor, currency)

    return order_from_rows(
        head,
        [
            Line(sku, name, variant, quantity, cash(price), cash(total), id=position + 1, tax=cash(tax))
            for position, sku, name, variant, quantity, price, total, tax in sorted(lines)
        ],
        sorted(
            (
                Refund(
                    refund_id,
                    cash(amount),
                    _utc(at),
                    note,
                    actor,
                    reference,
                    key,
                    status,
                    _utc(resolved),
                    failure,
                )
                for refund_id, amount, at, note, actor, reference, key, status, resolved, failure in refunds
            ),
            key=lambda refund: refund.created_at,
        ),
        [
            # An older server writes a JSON column into the array as text.
            TimelineEvent(kind, _utc(at), actor, message, json.loads(data) if isinstance(data, str) else data)
            for _, kind, at, message, actor, data in sorted(timeline, key=lambda entry: entry[0])
        ],
    )
