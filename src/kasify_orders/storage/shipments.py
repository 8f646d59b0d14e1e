"""An order's parcels in SQL: read with the order, written in the action's own transaction.

A parcel is a ``shipments`` row and one ``shipment_lines`` row per order line it holds
(:class:`~kasify_orders.storage.child_rows.ChildRows` reads and writes them). They are only ever
written under the order's row lock (the service's unit of work), so two merchants shipping at
once are serialized and no line is shipped more than ordered.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders.model import Order, Shipment
from kasify_orders.storage.child_rows import ChildRows, attach
from kasify_orders.storage.tables import Tables

__all__ = ["ShipmentStatements", "with_shipments"]


class ShipmentStatements(ChildRows[Shipment]):
    """The parcels' statements, built once per store."""

    def __init__(self, t: Tables) -> None:
        super().__init__(
            t.shipments,
            t.shipment_lines,
            link="shipment_id",
            fields=("carrier", "tracking_number", "tracking_url", "shipped_at", "delivered_at", "reference"),
            changing=("carrier", "tracking_number", "tracking_url", "delivered_at", "reference"),
            build=Shipment,
        )
        self.of_one = self.joined.where(t.shipments.c.order_id == sa.bindparam("b_id"))
        self.lock_of_one = self.of_one.with_for_update()


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
    return attach(orders, sql.grouped(rows), lambda order, parcels: attrs.evolve(order, shipments=parcels))
