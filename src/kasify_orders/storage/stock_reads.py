"""A SQL store's stock reads: tracked SKUs and their history (mixed into ``SqlStore``).

The writes are a transaction's (``storage/stock.py``), so each lands with its history row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Row

from kasify_orders.stock import StockItem, StockKind, StockMove
from kasify_orders.storage.tables import Tables
from kasify_orders.storage.transaction import SqlTransaction as Transaction

__all__ = ["StockReads"]

T = TypeVar("T")


class StockReads:
    """Tracked SKUs (all, or the low ones), one SKU, and one SKU's stock history."""

    tables: Tables

    if TYPE_CHECKING:

        def read(self, work: Callable[[Transaction], T], *, snapshot: bool = False) -> T:
            """:meth:`SqlStore.read`."""
            ...

    def stock(self, sku: str) -> int | None:
        """Units in stock for a tracked SKU; None when the SKU is not tracked."""
        t = self.tables.inventory
        return self.read(lambda tx: tx.conn.scalar(sa.select(t.c.quantity).where(t.c.sku == sku)))

    def stock_item(self, sku: str) -> StockItem | None:
        """The tracked SKU, or None."""
        t = self.tables.inventory
        row = self.read(lambda tx: tx.conn.execute(sa.select(t).where(t.c.sku == sku)).first())
        return _item(row) if row else None

    def stock_items(self, *, low_only: bool = False) -> list[StockItem]:
        """Every tracked SKU by SKU (only those at or below their low-stock threshold if *low_only*)."""
        t = self.tables.inventory
        query = sa.select(t).order_by(t.c.sku)
        if low_only:
            query = query.where(t.c.quantity <= t.c.low_stock_at)
        return [_item(row) for row in self.read(lambda tx: tx.conn.execute(query).all())]

    def stock_history(self, sku: str, *, limit: int) -> list[StockMove]:
        """The SKU's last *limit* stock changes, newest first, with the number of each causing order."""
        h, o = self.tables.stock_history, self.tables.orders
        query = (
            sa.select(h, o.c.number)
            .select_from(h.outerjoin(o, o.c.id == h.c.order_id))
            .where(h.c.sku == sku)
            .order_by(h.c.id.desc())
            .limit(limit)
        )
        return [_move(row) for row in self.read(lambda tx: tx.conn.execute(query).all())]


def _item(row: Row[Any]) -> StockItem:
    return StockItem(row.sku, row.quantity, row.name, row.low_stock_at, row.updated_at)


def _move(row: Row[Any]) -> StockMove:
    return StockMove(
        sku=row.sku,
        kind=StockKind(row.kind),
        delta=row.delta,
        quantity=row.quantity,
        reason=row.reason,
        actor=row.actor,
        at=row.at,
        order_id=row.order_id,
        order_number=row.number,
    )
