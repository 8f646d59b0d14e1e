"""The storage port's own value types: what a list is filtered by, one outbox event.

Plain attrs classes with no database library behind them, so the port
(:mod:`kasify_orders.storage.port`) and any store can share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from kasify_orders.lifecycle import PaymentStatus, Status

__all__ = ["OrderFilter", "OutboxItem"]


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
