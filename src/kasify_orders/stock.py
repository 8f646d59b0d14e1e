"""Tracked stock as the merchant sees it: a SKU's count, and the history of every change to it.

Every change to a tracked SKU's count is one :class:`StockMove`, written in the same
transaction as the change: an order placed takes units (``placed``), a cancel or a refund
with restock returns them (``returned``), the merchant sets a count (``set``) or adds and
removes units (``adjusted``), starts tracking (``tracked``) or stops (``untracked``).

A SKU is *low* when its count is at or below its own low-stock threshold
(:attr:`StockItem.low_stock_at`, :data:`DEFAULT_LOW_STOCK_AT` unless the merchant chose one):
each product sells at its own pace, so the threshold is per SKU rather than one setting.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from kasify_orders.i18n import N_

__all__ = ["DEFAULT_LOW_STOCK_AT", "StockCause", "StockItem", "StockKind", "StockMove"]

#: The low-stock threshold of a SKU tracked without one.
DEFAULT_LOW_STOCK_AT = 5


class StockKind(enum.StrEnum):
    """What changed a SKU's count."""

    PLACED = "placed"
    RETURNED = "returned"
    SET = "set"
    ADJUSTED = "adjusted"
    TRACKED = "tracked"
    UNTRACKED = "untracked"

    @property
    def label(self) -> str:
        """How the history shows it."""
        return _LABELS[self]


_LABELS = {
    StockKind.PLACED: N_("Order placed"),
    StockKind.RETURNED: N_("Returned to stock"),
    StockKind.SET: N_("Stock set"),
    StockKind.ADJUSTED: N_("Stock adjusted"),
    StockKind.TRACKED: N_("Tracking started"),
    StockKind.UNTRACKED: N_("Tracking stopped"),
}


@attrs.frozen
class StockCause:
    """Why stock is changing, written on each history row of the change."""

    kind: StockKind
    at: datetime
    #: Who acted (the merchant's user, ``None`` for a customer's checkout or the system).
    actor: str | None = None
    #: The merchant's words ("sold at market", "recount"); empty when none were given.
    reason: str = ""
    #: The order that caused it, for ``placed`` and ``returned``.
    order_id: str | None = None


@attrs.frozen
class StockItem:
    """A tracked SKU and its count."""

    sku: str
    quantity: int
    #: The product's name, when the merchant gave one.
    name: str | None
    low_stock_at: int
    updated_at: datetime

    @property
    def low(self) -> bool:
        """Whether the count is at or below the SKU's low-stock threshold."""
        return self.quantity <= self.low_stock_at

    @property
    def title(self) -> str:
        """The name and the SKU, or the SKU alone."""
        return f"{self.name} ({self.sku})" if self.name else self.sku


@attrs.frozen
class StockMove:
    """One change in a SKU's stock history."""

    sku: str
    kind: StockKind
    #: Units added (positive) or taken (negative).
    delta: int
    #: The count after the change (``None`` once tracking stopped).
    quantity: int | None
    reason: str
    actor: str | None
    at: datetime
    order_id: str | None = None
    #: The number of the order that caused it (read with the history).
    order_number: int | None = None
