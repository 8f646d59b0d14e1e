"""An order's returns (RMAs) in SQL: read with the order, written in the action's own transaction.

A return is a ``returns`` row and one ``return_lines`` row per order line it takes back. They
are only ever written under the order's row lock (the service's unit of work), so two merchants
opening returns at once are serialized and no line is returned more than was shipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders.model import Order
from kasify_orders.return_model import Return, ReturnStatus, ReturnSummary

__all__ = ["ReturnStatements", "needing_merchant", "with_returns", "write_returns"]

#: The statuses that wait on the merchant (receive the parcel, then refund or close).
WAITING = (ReturnStatus.OPEN.value, ReturnStatus.RECEIVED.value)


class ReturnStatements:
    """The returns' statements, built once per store."""

    def __init__(self, returns: sa.Table, return_lines: sa.Table, orders: sa.Table, lines: sa.Table) -> None:
        r, rl = returns, return_lines
        columns = (
            r.c.order_id,
            r.c.id,
            r.c.position,
            r.c.reason,
            r.c.status,
            r.c.opened_at,
            r.c.received_at,
            r.c.closed_at,
            r.c.refund_id,
            r.c.restocked,
            rl.c.line_id,
            rl.c.quantity,
        )
        joined = sa.select(*columns).select_from(r.join(rl, rl.c.return_id == r.c.id))
        self.of_many = joined.where(r.c.order_id.in_(sa.bindparam("ids", expanding=True)))
        self.insert = sa.insert(r)
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
        self.insert_lines = sa.insert(rl)
        self.update = (
            sa.update(r)
            .where(r.c.id == sa.bindparam("b_id"))
            .values(
                status=sa.bindparam("b_status"),
                received_at=sa.bindparam("b_received_at"),
                closed_at=sa.bindparam("b_closed_at"),
                refund_id=sa.bindparam("b_refund_id"),
                restocked=sa.bindparam("b_restocked"),
            )
        )


def _returns(rows: Iterable[Sequence[Any]]) -> dict[str, tuple[Return, ...]]:
    """``{order_id: its returns in order}`` from the joined rows (one row per return line)."""
    heads: dict[str, tuple[str, int, tuple[Any, ...]]] = {}
    lines: dict[str, dict[int, int]] = {}
    for order_id, return_id, position, *values, line_id, quantity in rows:
        heads.setdefault(return_id, (order_id, position, tuple(values)))
        lines.setdefault(return_id, {})[line_id] = quantity
    by_order: dict[str, list[tuple[int, Return]]] = {}
    for return_id, (order_id, position, fields) in heads.items():
        reason, status, opened_at, received_at, closed_at, refund_id, restocked = fields
        found = Return(
            return_id,
            lines[return_id],
            reason,
            status,
            opened_at,
            received_at,
            closed_at,
            refund_id,
            bool(restocked),
        )
        by_order.setdefault(order_id, []).append((position, found))
    return {
        order_id: tuple(found for _, found in sorted(items, key=lambda item: item[0]))
        for order_id, items in by_order.items()
    }


def with_returns(conn: Connection, sql: ReturnStatements, orders: Sequence[Order]) -> list[Order]:
    """*orders* with their returns, read in one statement (only orders with a parcel can have one)."""
    shipped = [order.id for order in orders if order.shipments]
    if not shipped:
        return list(orders)
    rows = conn.execute(sql.of_many, {"ids": shipped}).all()
    if not rows:
        return list(orders)
    found = _returns(rows)
    return [attrs.evolve(order, returns=found[order.id]) if order.id in found else order for order in orders]


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


def write_returns(conn: Connection, sql: ReturnStatements, before: Order, after: Order) -> None:
    """Insert *after*'s new returns and update those an action moved on."""
    known = {found.id: found for found in before.returns}
    new = [(position, r) for position, r in enumerate(after.returns, start=1) if r.id not in known]
    if new:
        conn.execute(
            sql.insert,
            [
                {
                    "id": found.id,
                    "order_id": after.id,
                    "position": position,
                    "reason": found.reason,
                    "status": found.status.value,
                    "opened_at": found.opened_at,
                    "received_at": found.received_at,
                    "closed_at": found.closed_at,
                    "refund_id": found.refund_id,
                    "restocked": found.restocked,
                }
                for position, found in new
            ],
        )
        conn.execute(
            sql.insert_lines,
            [
                {"return_id": found.id, "line_id": line_id, "quantity": quantity}
                for _, found in new
                for line_id, quantity in found.lines.items()
            ],
        )
    changed = [r for r in after.returns if r.id in known and known[r.id] != r]
    if changed:
        conn.execute(
            sql.update,
            [
                {
                    "b_id": found.id,
                    "b_status": found.status.value,
                    "b_received_at": found.received_at,
                    "b_closed_at": found.closed_at,
                    "b_refund_id": found.refund_id,
                    "b_restocked": found.restocked,
                }
                for found in changed
            ],
        )
