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
from kasify_orders.return_model import Return

__all__ = ["ReturnStatements", "with_returns", "write_returns"]


class ReturnStatements:
    """The returns' statements, built once per store."""

    def __init__(self, returns: sa.Table, return_lines: sa.Table) -> None:
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
