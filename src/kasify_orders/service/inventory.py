"""The merchant's inventory: tracked SKUs, their counts, and every change kept in a stock history.

A SKU is tracked once :meth:`Inventory.track` or :meth:`Inventory.set_stock` is called; orders
for other SKUs are never checked. Each change is one transaction with its history row
(``kasify_orders.stock``), and computes on the SKU's locked row, so a change racing an order
never oversells.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.model import utcnow
from kasify_orders.stock import StockCause, StockItem, StockKind, StockMove
from kasify_orders.storage.port import Store
from kasify_orders.validation import MAX_INTEGER, Checker

__all__ = ["Inventory", "text_problems"]

#: The longest SKU the inventory keeps (its column's size).
MAX_SKU = 100


class Inventory:
    """Stock per SKU: list, look up, track, set, adjust, untrack, and each SKU's history."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._clock = clock

    # -- reading --------------------------------------------------------------------------

    def stock(self, sku: str) -> int | None:
        """Units on hand, or None when *sku* is not tracked."""
        return self._store.stock(sku.strip())

    def find(self, sku: str) -> StockItem | None:
        """The tracked SKU, or None."""
        return self._store.stock_item(sku.strip())

    def get(self, sku: str) -> StockItem:
        """The tracked SKU; :class:`ValidationError` on ``sku`` when it is not tracked."""
        item = self.find(sku)
        if item is None:
            raise ValidationError.single("sku", "%(sku)s is not tracked", sku=sku.strip())
        return item

    def items(self, *, low_only: bool = False) -> list[StockItem]:
        """Every tracked SKU by SKU; only the low ones (at or below their threshold) if *low_only*."""
        return self._store.stock_items(low_only=low_only)

    def history(self, sku: str, *, limit: int = 100) -> list[StockMove]:
        """The SKU's last *limit* stock changes, newest first (kept after tracking stops)."""
        return self._store.stock_history(sku.strip(), limit=limit)

    # -- changing -------------------------------------------------------------------------

    def track(
        self,
        sku: str,
        quantity: int,
        *,
        name: str | None = None,
        low_stock_at: int | None = None,
        reason: str = "",
        actor: str | None = None,
    ) -> StockMove:
        """Start tracking *sku* with *quantity* units; :class:`ValidationError` on ``sku`` if tracked."""
        checker = Checker()
        sku = _sku(checker, sku)
        quantity = checker.integer("quantity", quantity, minimum=0)
        name = _name(checker, name)
        low_stock_at = _threshold(checker, low_stock_at)
        reason = _reason(checker, reason)
        checker.done()
        cause = StockCause(StockKind.TRACKED, self._clock(), actor=actor, reason=reason)
        return self._store.atomic(
            lambda tx: tx.set_stock(sku, quantity, cause, name=name, low_stock_at=low_stock_at)
        )

    def set_stock(
        self,
        sku: str,
        quantity: int,
        *,
        reason: str = "",
        actor: str | None = None,
        name: str | None = None,
        low_stock_at: int | None = None,
    ) -> StockMove:
        """Make *sku*'s count *quantity* ("recount"), tracking it if it was not.

        The difference is computed on the locked row, so an order placed at the same moment
        is counted before or after, never lost or oversold.
        """
        checker = Checker()
        sku = _sku(checker, sku)
        quantity = checker.integer("quantity", quantity, minimum=0)
        name = _name(checker, name)
        low_stock_at = _threshold(checker, low_stock_at)
        reason = _reason(checker, reason)
        checker.done()
        cause = StockCause(StockKind.SET, self._clock(), actor=actor, reason=reason)
        return self._store.atomic(
            lambda tx: tx.set_stock(sku, quantity, cause, name=name, low_stock_at=low_stock_at)
        )

    def adjust(self, sku: str, delta: int, *, reason: str = "", actor: str | None = None) -> StockMove:
        """Add *delta* units (negative: remove them, "sold at market") to a tracked SKU.

        :raises ValidationError: on ``delta`` when it is 0 or would leave fewer than zero
            units (counted on the locked row), on ``sku`` when the SKU is not tracked.
        """
        checker = Checker()
        sku = _sku(checker, sku)
        delta = checker.integer("delta", delta, minimum=-MAX_INTEGER)
        if delta == 0:
            checker.fail("delta", "must not be 0: add or remove at least one unit")
        reason = _reason(checker, reason)
        checker.done()
        cause = StockCause(StockKind.ADJUSTED, self._clock(), actor=actor, reason=reason)
        return self._store.atomic(lambda tx: tx.adjust_stock(sku, delta, cause))

    def untrack(self, sku: str, *, reason: str = "", actor: str | None = None) -> StockMove | None:
        """Stop tracking *sku*: orders for it are no longer checked (its history stays)."""
        checker = Checker()
        sku = _sku(checker, sku)
        reason = _reason(checker, reason)
        checker.done()
        cause = StockCause(StockKind.UNTRACKED, self._clock(), actor=actor, reason=reason)
        return self._store.atomic(lambda tx: tx.untrack(sku, cause))

    def describe(self, sku: str, *, name: str | None, low_stock_at: int) -> StockItem:
        """Change a tracked SKU's product name and low-stock threshold (not its count)."""
        checker = Checker()
        sku = _sku(checker, sku)
        name = _name(checker, name)
        threshold = _threshold(checker, low_stock_at)
        checker.done()
        assert threshold is not None
        if not self._store.atomic(lambda tx: tx.describe_stock(sku, name=name, low_stock_at=threshold)):
            raise ValidationError.single("sku", "%(sku)s is not tracked", sku=sku)
        return self.get(sku)


def text_problems(*, sku: object = None, name: object = None, reason: object = None) -> list[FieldError]:
    """What is wrong with these text fields (those given), as :meth:`Inventory.track` would say.

    For a form that found its numbers wrong first, so every field's problem shows at once.
    """
    checker = Checker()
    if sku is not None:
        _sku(checker, sku)
    _name(checker, name)
    if reason is not None:
        _reason(checker, reason)
    return checker.errors


def _sku(checker: Checker, sku: object) -> str:
    return checker.text("sku", sku, max_length=MAX_SKU)


def _name(checker: Checker, name: object) -> str | None:
    return None if name is None else checker.text("name", name, required=False)


def _threshold(checker: Checker, low_stock_at: object) -> int | None:
    return None if low_stock_at is None else checker.integer("low_stock_at", low_stock_at, minimum=0)


def _reason(checker: Checker, reason: object) -> str:
    return checker.text("reason", reason, required=False)
