"""The storage port's own value types: what a list is filtered by, one outbox event.

Plain attrs classes with no database library behind them, so the port
(:mod:`kasify_orders.storage.port`) and any store can share them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from kasify_orders.lifecycle import PaymentStatus, Status

__all__ = ["Keyset", "OrderFilter", "OrderSort", "OutboxItem"]


@attrs.frozen
class OrderFilter:
    """What :meth:`~kasify_orders.storage.port.OrderReads.list_orders` selects."""

    status: Status | None = None
    payment_status: PaymentStatus | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    coupon_code: str | None = None
    search: str | None = None
    #: Only this customer's orders: the email as stored (normalized, lower-case), matched exactly.
    customer_email: str | None = None
    #: Only orders whose payment was confirmed before this time.
    paid_before: datetime | None = None
    #: Only orders shipped to this country (ISO 3166-1 alpha-2, upper-case).
    ship_country: str | None = None
    #: Only the orders with these ids (a merchant's selection on the list page).
    ids: frozenset[str] | None = None


class OrderSort(enum.StrEnum):
    """The order a list comes in: by date (the order of placing, so the order number) or by total."""

    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"
    #: By total in minor units (largest first), then newest first among equal totals.
    TOTAL_DESC = "total_desc"
    TOTAL_ASC = "total_asc"

    @property
    def by_total(self) -> bool:
        """Whether the list is sorted by total (its keyset holds the total too)."""
        return self in {OrderSort.TOTAL_DESC, OrderSort.TOTAL_ASC}

    @property
    def descending(self) -> bool:
        """Whether the largest (or newest) come first."""
        return self in {OrderSort.DATE_DESC, OrderSort.TOTAL_DESC}


@attrs.frozen
class Keyset:
    """Where a page ends, so the next starts after it: the last order's number (and total, by total)."""

    number: int
    #: The last order's total in minor units (for a sort by total).
    total: int | None = None


@attrs.frozen
class OutboxItem:
    """One event waiting for its hooks."""

    id: str
    order_id: str
    hook: str
    arguments: Mapping[str, Any]
    attempts: int = 0
    done: frozenset[str] = frozenset()
    dead: bool = False
    last_error: str | None = None
    due_at: datetime | None = None
