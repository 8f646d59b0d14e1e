"""The application layer: :class:`Orders`, one method per merchant action, and its helpers.

Every action runs in one transaction: lock what changes, apply the pure domain function
(:mod:`kasify_orders.actions`), write the new state, its timeline entries and its outbox
events. Only after the commit are the event hooks called, so a failed or rolled-back
action never notifies anyone, and a failing hook never undoes an action.

The rooms: :mod:`.orders` (the facade), :mod:`.writes` (one action, one transaction),
:mod:`.refunds` (the two-phase refund), :mod:`.listing` (filters and pages),
:mod:`.catalog` (inventory and coupons).
"""

from __future__ import annotations

from kasify_orders.service.catalog import Coupons, Inventory
from kasify_orders.service.listing import MAX_ORDER_NUMBER, MAX_PAGE, OrderFilters
from kasify_orders.service.orders import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, Orders
from kasify_orders.service.refunds import REFUND_RETRY_AFTER

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "MAX_ORDER_NUMBER",
    "MAX_PAGE",
    "REFUND_RETRY_AFTER",
    "Coupons",
    "Inventory",
    "OrderFilters",
    "Orders",
]
