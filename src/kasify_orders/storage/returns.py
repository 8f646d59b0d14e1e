"""An order's returns (RMAs) in SQL: read with the order, written in the action's own transaction.

A return is a ``returns`` row and one ``return_lines`` row per order line it takes back
(:class:`~kasify_orders.storage.child_rows.ChildRows` reads and writes them). They are only ever
written under the order's row lock (the service's unit of work), so two merchants
opening returns at once are serialized and no line is returned more than was shipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders.model import Order
from kasify_orders.return_model import Return, ReturnStatus, ReturnSummary
from kasify_orders.storage.child_rows import ChildRows, attach, rows_of_orders

__all__ = ["ReturnStatements", "needing_merchant", "with_returns"]

#: The statuses that wait on the merchant (receive the parcel, then refund or close).
WAITING = (ReturnStatus.OPEN.value, ReturnStatus.RECEIVED.value)


class ReturnStatements(ChildRows[Return]):
    """The returns' statements, built once per store."""

    def __init__(self, returns: sa.Table, return_lines: sa.Table, orders: sa.Table, lines: sa.Table) -> None:
        super().__init__(
            returns,
            return_lines,
            link="return_id",
            fields=("reason", "status", "opened_at", "received_at", "closed_at", "refund_id", "restocked"),
            changing=("status", "received_at", "closed_at", "refund_id", "restocked"),
            build=_return,
        )
        r, rl = returns, return_lines
        waiting = r.c.status.in_(WAITING)
        newest = (
            sa.select(r.c.id, r.c.order_id, orders.c.number, r.c.reason, r.c.status, r.c.opened_at)
            .select_from(r.join(orders, orders.c.id == r.c.order_id))
            .where(waiting)
            .order_by(r.c.opened_at.desc(), r.c.id.desc())
            .limit(sa.bindparam("b_limit", type_=sa.Integer))
            .subquery("newest")
        )
        # An order line is never renumbered; the outer join only guards a line gone missing.
        named = sa.and_(lines.c.order_id == newest.c.order_id, lines.c.position == rl.c.line_id - 1)
        #: The newest returns waiting on the merchant, one row per return line, with its name.
        self.waiting = (
            sa.select(newest, rl.c.line_id, rl.c.quantity, lines.c.name)
            .select_from(newest.join(rl, rl.c.return_id == newest.c.id).outerjoin(lines, named))
            .order_by(newest.c.opened_at.desc(), newest.c.id.desc(), rl.c.line_id)
        )
        self.count_waiting = sa.select(sa.func.count()).select_from(r).where(waiting)


def _return(*, restocked: Any, **fields: Any) -> Return:
    """A return from its row (MariaDB reads a BOOLEAN back as 0 or 1)."""
    return Return(restocked=bool(restocked), **fields)


def with_returns(conn: Connection, sql: ReturnStatements, orders: Sequence[Order]) -> list[Order]:
    """*orders* with their returns, read in one statement (only orders with a parcel can have one)."""
    rows = rows_of_orders(conn, sql.of_many, [order.id for order in orders if order.shipments])
    return attach(orders, sql.grouped(rows), lambda order, found: attrs.evolve(order, returns=found))


def needing_merchant(
    conn: Connection, sql: ReturnStatements, *, limit: int
) -> tuple[list[ReturnSummary], int]:
    """The newest *limit* returns open or received, and how many there are in all.

    One statement reads one more than *limit*; only when there is more are they all counted.
    """
    heads: dict[str, tuple[Any, ...]] = {}
    lines: dict[str, list[tuple[str, int]]] = {}
    for return_id, order_id, number, reason, status, opened_at, line_id, quantity, name in conn.execute(
        sql.waiting, {"b_limit": limit + 1}
    ):
        heads.setdefault(return_id, (order_id, number, reason, status, opened_at))
        lines.setdefault(return_id, []).append((name if name is not None else f"#{line_id}", quantity))
    found = [
        ReturnSummary(return_id, order_id, number, tuple(lines[return_id]), reason, status, opened_at)
        for return_id, (order_id, number, reason, status, opened_at) in heads.items()
    ]
    if len(found) <= limit:
        return found, len(found)
    return found[:limit], int(conn.scalar(sql.count_waiting) or 0)
