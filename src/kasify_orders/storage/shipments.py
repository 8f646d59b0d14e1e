"""An order's parcels in SQL: read with the order, written in the action's own transaction.

A parcel is a ``shipments`` row and one ``shipment_lines`` row per order line it holds. They
are only ever written under the order's row lock (the service's unit of work), so two
merchants shipping at once are serialized and no line is shipped more than ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders.model import Order, Shipment
from kasify_orders.storage.tables import Tables

__all__ = ["ShipmentStatements", "with_shipments", "write_shipments"]


class ShipmentStatements:
    """The parcels' statements, built once per store."""

    def __init__(self, t: Tables) -> None:
        s, sl = t.shipments, t.shipment_lines
        columns = (
            s.c.order_id,
            s.c.id,
            s.c.position,
            s.c.carrier,
            s.c.tracking_number,
            s.c.tracking_url,
            s.c.shipped_at,
            s.c.delivered_at,
            s.c.reference,
            sl.c.line_id,
            sl.c.quantity,
        )
        joined = sa.select(*columns).select_from(s.join(sl, sl.c.shipment_id == s.c.id))
        self.of_one = joined.where(s.c.order_id == sa.bindparam("b_id"))
        self.lock_of_one = self.of_one.with_for_update()
        self.of_many = joined.where(s.c.order_id.in_(sa.bindparam("ids", expanding=True)))
        self.insert = sa.insert(s)
        self.insert_lines = sa.insert(sl)
        self.update = (
            sa.update(s)
            .where(s.c.id == sa.bindparam("b_id"))
            .values(
                carrier=sa.bindparam("b_carrier"),
                tracking_number=sa.bindparam("b_tracking_number"),
                tracking_url=sa.bindparam("b_tracking_url"),
                delivered_at=sa.bindparam("b_delivered_at"),
                reference=sa.bindparam("b_reference"),
            )
        )


def _parcels(rows: Iterable[Sequence[Any]]) -> dict[str, tuple[Shipment, ...]]:
    """``{order_id: its parcels in order}`` from the joined rows (one row per parcel line)."""
    heads: dict[str, tuple[str, int, tuple[Any, ...]]] = {}
    lines: dict[str, dict[int, int]] = {}
    for order_id, shipment_id, position, *values, line_id, quantity in rows:
        heads.setdefault(shipment_id, (order_id, position, tuple(values)))
        lines.setdefault(shipment_id, {})[line_id] = quantity
    by_order: dict[str, list[tuple[int, Shipment]]] = {}
    for shipment_id, (order_id, position, fields) in heads.items():
        carrier, number, url, shipped_at, delivered_at, reference = fields
        shipment = Shipment(
            shipment_id, lines[shipment_id], carrier, number, url, shipped_at, delivered_at, reference
        )
        by_order.setdefault(order_id, []).append((position, shipment))
    return {
        order_id: tuple(shipment for _, shipment in sorted(parcels, key=lambda item: item[0]))
        for order_id, parcels in by_order.items()
    }


def with_shipments(
    conn: Connection, sql: ShipmentStatements, orders: Sequence[Order], *, lock: bool = False
) -> list[Order]:
    """*orders* with their parcels, read in one statement (locked for update with *lock*)."""
    if not orders:
        return []
    if len(orders) == 1:
        statement = sql.lock_of_one if lock and conn.dialect.name != "sqlite" else sql.of_one
        rows = conn.execute(statement, {"b_id": orders[0].id}).all()
    else:
        rows = conn.execute(sql.of_many, {"ids": [order.id for order in orders]}).all()
    if not rows:
        return list(orders)
    parcels = _parcels(rows)
    return [
        attrs.evolve(order, shipments=parcels[order.id]) if order.id in parcels else order for order in orders
    ]


def write_shipments(conn: Connection, sql: ShipmentStatements, before: Order, after: Order) -> None:
    """Insert *after*'s new parcels and update those an action changed (tracking, delivery)."""
    known = {shipment.id: shipment for shipment in before.shipments}
    new = [(position, s) for position, s in enumerate(after.shipments, start=1) if s.id not in known]
    if new:
        conn.execute(
            sql.insert,
            [
                {
                    "id": shipment.id,
                    "order_id": after.id,
                    "position": position,
                    "carrier": shipment.carrier,
                    "tracking_number": shipment.tracking_number,
                    "tracking_url": shipment.tracking_url,
                    "shipped_at": shipment.shipped_at,
                    "delivered_at": shipment.delivered_at,
                    "reference": shipment.reference,
                }
                for position, shipment in new
            ],
        )
        conn.execute(
            sql.insert_lines,
            [
                {"shipment_id": shipment.id, "line_id": line_id, "quantity": quantity}
                for _, shipment in new
                for line_id, quantity in shipment.lines.items()
            ],
        )
    changed = [s for s in after.shipments if s.id in known and known[s.id] != s]
    if changed:
        conn.execute(
            sql.update,
            [
                {
                    "b_id": shipment.id,
                    "b_carrier": shipment.carrier,
                    "b_tracking_number": shipment.tracking_number,
                    "b_tracking_url": shipment.tracking_url,
                    "b_delivered_at": shipment.delivered_at,
                    "b_reference": shipment.reference,
                }
                for shipment in changed
            ],
        )
