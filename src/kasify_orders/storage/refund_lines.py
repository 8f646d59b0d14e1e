"""Refunds by line in SQL: which lines and units each refund took, read with the order.

A refund by line is its ``refunds`` row (``shipping`` and ``restock`` flags) and one
``refund_lines`` row per order line it refunds (the units and what they refunded). Both are
written in the action's own transaction under the order's row lock, so two merchants
refunding the same unit at once are serialized and only one refunds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders import money
from kasify_orders.model import Order, Refund
from kasify_orders.storage.child_rows import attach, line_rows, of_orders, rows_of_orders
from kasify_orders.storage.tables import Tables

__all__ = ["RefundLineStatements", "with_refund_lines", "write_refund_lines"]


class RefundLineStatements:
    """The refund lines' statements, built once per store."""

    def __init__(self, t: Tables) -> None:
        r, rl = t.refunds, t.refund_lines
        joined = (
            sa.select(r.c.order_id, r.c.id, r.c.shipping, r.c.restock)
            .add_columns(rl.c.line_id, rl.c.quantity, rl.c.amount)
            .select_from(r.outerjoin(rl, rl.c.refund_id == r.c.id))
        )
        with_parts = sa.or_(r.c.shipping, r.c.restock, rl.c.refund_id.is_not(None))
        self.of_many = of_orders(joined, r).where(with_parts)
        self.insert_lines = sa.insert(rl)


def with_refund_lines(conn: Connection, sql: RefundLineStatements, orders: Sequence[Order]) -> list[Order]:
    """*orders* whose refunds carry their lines, shipping and restock (one statement, if any refunded)."""
    currency = {order.id: order.currency for order in orders if order.refunds}
    return attach(orders, _parts(rows_of_orders(conn, sql.of_many, list(currency)), currency), _with)


def _parts(rows: Iterable[Sequence[Any]], currency: dict[str, str]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{order_id: {refund_id: its Refund fields}}`` from the joined rows (one row per refund line)."""
    parts: dict[str, dict[str, dict[str, Any]]] = {}
    for order_id, refund_id, shipping, restock, line_id, quantity, amount in rows:
        fields = parts.setdefault(order_id, {}).setdefault(
            refund_id,
            {"lines": {}, "line_amounts": {}, "shipping": bool(shipping), "restock": bool(restock)},
        )
        if line_id is not None:
            fields["lines"][line_id] = quantity
            fields["line_amounts"][line_id] = money.from_minor(int(amount), currency[order_id])
    return parts


def _with(order: Order, parts: dict[str, dict[str, Any]]) -> Order:
    refunds = tuple(
        attrs.evolve(refund, **parts[refund.id]) if refund.id in parts else refund for refund in order.refunds
    )
    return attrs.evolve(order, refunds=refunds)


def write_refund_lines(
    conn: Connection, sql: RefundLineStatements, order: Order, refunds: Sequence[Refund]
) -> None:
    """Insert the lines of the new *refunds* of *order*."""

    def amount(refund: Refund, line_id: int) -> dict[str, int]:
        return {"amount": money.to_minor(refund.line_amounts.get(line_id, Decimal(0)), order.currency)}

    rows = line_rows("refund_id", refunds, amount)
    if rows:
        conn.execute(sql.insert_lines, rows)
