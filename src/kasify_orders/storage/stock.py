"""A write transaction's stock statements: every count change locks its row and writes its history.

Mixed into :class:`~kasify_orders.storage.transaction.SqlTransaction`. Each change reads the
SKU's row ``FOR UPDATE`` and computes from what it read, so a merchant's change and an order's
placement serialise on the row: a count set while an order takes units is applied before or
after the order, never beside it, and no change can leave fewer than zero units (the order is
refused with :class:`OutOfStock`, the adjustment with a :class:`ValidationError` on ``delta``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.errors import OutOfStock, ValidationError
from kasify_orders.stock import DEFAULT_LOW_STOCK_AT, StockCause, StockKind, StockMove
from kasify_orders.storage.tables import Tables
from kasify_orders.validation import MAX_INTEGER

__all__ = ["StockStatements"]


class StockStatements:
    """Stock taken, returned, set, adjusted, tracked and untracked, each with its history row."""

    conn: Connection
    t: Tables

    def take_stock(self, wanted: Mapping[str, int], cause: StockCause) -> None:
        """Decrement every tracked SKU by its quantity, or raise :class:`OutOfStock` naming a short one."""
        skus = sorted(wanted)
        tracked = self._lock(skus)
        for sku in skus:
            if sku in tracked and tracked[sku][0] < wanted[sku]:
                quantity, name = tracked[sku]
                raise OutOfStock(sku, wanted[sku], quantity, name=name)
        self._move({sku: -wanted[sku] for sku in skus if sku in tracked}, tracked, cause)

    def return_stock(self, returned: Mapping[str, int], cause: StockCause) -> None:
        """Put units back on the shelf for SKUs that are (still) tracked."""
        skus = sorted(returned)
        tracked = self._lock(skus)
        self._move({sku: returned[sku] for sku in skus if sku in tracked}, tracked, cause)

    def lock_stock(self, skus: Iterable[str]) -> None:
        """Lock the tracked SKUs among *skus* in SKU order (see the port's ``lock_stock``)."""
        self._lock(sorted(set(skus)))

    def set_stock(
        self,
        sku: str,
        quantity: int,
        cause: StockCause,
        *,
        name: str | None = None,
        low_stock_at: int | None = None,
    ) -> StockMove:
        """Make *sku*'s count *quantity* (tracking it if it was not), computed on its locked row.

        *name* and *low_stock_at*, when given, replace the SKU's; an untracked SKU gets
        :data:`DEFAULT_LOW_STOCK_AT` unless *low_stock_at* is given. A *cause* of kind
        ``tracked`` only starts tracking.

        :raises ValidationError: on ``sku`` when *cause* is ``tracked`` and the SKU is tracked already.
        """
        inv = self.t.inventory
        details: dict[str, Any] = {}
        if name is not None:
            details["name"] = name or None
        if low_stock_at is not None:
            details["low_stock_at"] = low_stock_at
        values = {
            "sku": sku,
            "quantity": quantity,
            "updated_at": cause.at,
            "low_stock_at": DEFAULT_LOW_STOCK_AT,
            **details,
        }
        locked = self._lock([sku])
        if sku not in locked:
            if _insert_absent(self.conn, inv, values):
                return self._history(sku, quantity, quantity, StockKind.TRACKED, cause)
            locked = self._lock([sku])  # tracked meanwhile by a concurrent transaction
        if cause.kind is StockKind.TRACKED:
            raise ValidationError.single(
                "sku", "%(sku)s is tracked already: set its stock on its page", sku=sku
            )
        current, _ = locked[sku]
        self.conn.execute(
            sa.update(inv).where(inv.c.sku == sku).values(quantity=quantity, updated_at=cause.at, **details)
        )
        return self._history(sku, quantity - current, quantity, cause.kind, cause)

    def adjust_stock(self, sku: str, delta: int, cause: StockCause) -> StockMove:
        """Add *delta* units (negative: remove them) to a tracked SKU, on its locked row.

        :raises ValidationError: on ``sku`` when it is not tracked; on ``delta`` when fewer
            than zero units would be left.
        """
        tracked = self._lock([sku])
        if sku not in tracked:
            raise ValidationError.single("sku", "%(sku)s is not tracked: start tracking it first", sku=sku)
        current, _ = tracked[sku]
        if current + delta < 0:
            raise ValidationError.single(
                "delta",
                "only %(current)s in stock: cannot remove %(remove)s (at most %(current)s)",
                current=current,
                remove=-delta,
            )
        if current + delta > MAX_INTEGER:
            raise ValidationError.single(
                "delta",
                "%(current)s in stock: cannot add %(add)s (at most %(most)s)",
                current=current,
                add=delta,
                most=format(MAX_INTEGER - current, ","),
            )
        self._move({sku: delta}, tracked, cause)
        return StockMove(sku, cause.kind, delta, current + delta, cause.reason, cause.actor, cause.at)

    def untrack(self, sku: str, cause: StockCause) -> StockMove | None:
        """Stop tracking *sku* (its history stays); None when it was not tracked."""
        tracked = self._lock([sku])
        if sku not in tracked:
            return None
        inv = self.t.inventory
        self.conn.execute(sa.delete(inv).where(inv.c.sku == sku))
        return self._history(sku, -tracked[sku][0], None, StockKind.UNTRACKED, cause)

    def describe_stock(self, sku: str, *, name: str | None, low_stock_at: int) -> bool:
        """Change a tracked SKU's name and low-stock threshold (not its count); False when untracked."""
        inv = self.t.inventory
        statement = (
            sa.update(inv).where(inv.c.sku == sku).values(name=name or None, low_stock_at=low_stock_at)
        )
        return bool(self.conn.execute(statement).rowcount)

    # -- the rows ---------------------------------------------------------------------------

    def _lock(self, skus: list[str]) -> dict[str, tuple[int, str | None]]:
        """The tracked SKUs among *skus*: ``{sku: (quantity, name)}``, each row locked (in SKU order)."""
        if not skus:
            return {}
        inv = self.t.inventory
        query = (
            sa.select(inv.c.sku, inv.c.quantity, inv.c.name)
            .where(inv.c.sku.in_(skus))
            .order_by(inv.c.sku)
            .with_for_update()
        )
        return {sku: (quantity, name) for sku, quantity, name in self.conn.execute(query)}

    def _move(
        self, deltas: Mapping[str, int], tracked: Mapping[str, tuple[int, str | None]], cause: StockCause
    ) -> None:
        """Apply *deltas* to rows :meth:`_lock` read as *tracked*, with one history row each."""
        if not deltas:
            return
        inv = self.t.inventory
        self.conn.execute(
            sa.update(inv)
            .where(inv.c.sku == sa.bindparam("b_sku"))
            .values(quantity=inv.c.quantity + sa.bindparam("b_delta"), updated_at=cause.at),
            [{"b_sku": sku, "b_delta": delta} for sku, delta in deltas.items()],
        )
        self.conn.execute(
            sa.insert(self.t.stock_history),
            [
                _history_values(sku, delta, tracked[sku][0] + delta, cause.kind, cause)
                for sku, delta in deltas.items()
            ],
        )

    def _history(
        self, sku: str, delta: int, quantity: int | None, kind: StockKind, cause: StockCause
    ) -> StockMove:
        self.conn.execute(
            sa.insert(self.t.stock_history).values(_history_values(sku, delta, quantity, kind, cause))
        )
        return StockMove(sku, kind, delta, quantity, cause.reason, cause.actor, cause.at, cause.order_id)


def _history_values(
    sku: str, delta: int, quantity: int | None, kind: StockKind, cause: StockCause
) -> dict[str, Any]:
    return {
        "sku": sku,
        "kind": kind.value,
        "delta": delta,
        "quantity": quantity,
        "reason": cause.reason,
        "actor": cause.actor,
        "order_id": cause.order_id,
        "at": cause.at,
    }


def _insert_absent(conn: Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert *values* unless a row with the same primary key exists; whether it inserted."""
    dialect = conn.dialect.name
    if dialect in {"mysql", "mariadb"}:
        return conn.execute(mysql.insert(table).values(values).prefix_with("IGNORE")).rowcount == 1
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    # (psycopg reports no rowcount for ON CONFLICT DO NOTHING: the returned key says it)
    key = table.primary_key.columns.values()[0]
    return conn.execute(insert.values(values).on_conflict_do_nothing().returning(key)).first() is not None
