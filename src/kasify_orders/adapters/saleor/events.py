"""Saleor webhook bodies in, kasify actions out (this module gathers the names of its parts).

:func:`parse` reads a (verified) body in any of Saleor's three shapes — the subscription
shape (the event object itself, from a subscription on ``event``), the filterable shape
(``{"data": {"orderCancelled": {...}}}``, Saleor >= 3.20) and the legacy shape (a JSON array
of one snake_case order) — into a :class:`SaleorEvent`. :class:`EventHandler` applies it to
kasify's orders with actor ``"saleor"``:

=====================================  ===============================================
Saleor event                           kasify
=====================================  ===============================================
ORDER_CREATED                          ``place`` (idempotency key per Saleor order)
ORDER_CONFIRMED                        a timeline entry; ``confirm_payment`` when paid
ORDER_FULLY_PAID                       ``confirm_payment``
ORDER_CANCELLED                        ``cancel`` (stock stays with Saleor)
ORDER_FULFILLED                        ``mark_shipped`` (or a note without tracking)
FULFILLMENT_TRACKING_NUMBER_UPDATED    ``update_tracking`` (``mark_shipped`` if not yet)
ORDER_REFUNDED / ORDER_FULLY_REFUNDED  ``refund`` by line of each settled granted refund
                                       with lines, then by amount up to Saleor's
                                       refunded total
ORDER_UPDATED                          only its returns (a known order's; never places)
=====================================  ===============================================

Every event's returns (RETURNED fulfillments) become kasify returns, received at once, once per
fulfillment and units (``returns.py``).

A partial fulfilment is a timeline note until Saleor has fulfilled every line (kasify has one
shipment per order); an echo of the tracking number kasify has is a duplicate, whatever
carrier the echo's (older) metadata names. APP_DELETED is the app's business (``app.py``).

Saleor sends no event id and retries: besides the webhook digest the app keeps, every step
here is idempotent on its own (the placing key, a status already reached, a refund key
derived from Saleor's refunded total), so a replay changes nothing. Webhooks arrive in any
order: any event for an order kasify has not seen places it first, from the payload when it
carries the whole order, else from Saleor's API.

The parts: :mod:`.names` (the actor, the events, the metadata keys), :mod:`.payloads` (what
a webhook carries), :mod:`.parsing` (the three body shapes), :mod:`.handler` (applying an
event), :mod:`.grants` (refunds by line) and :mod:`.returns` (returns as kasify returns).
"""

from __future__ import annotations

from kasify_orders.adapters.saleor.handler import EventHandler, saleor_refund_key
from kasify_orders.adapters.saleor.names import (
    ACTOR,
    APP_EVENTS,
    CARRIER_METADATA_KEY,
    EVENTS,
    SALEOR_REFUND_KEY_PREFIX,
    TRACKING_URL_METADATA_KEY,
)
from kasify_orders.adapters.saleor.parsing import order_from_query, parse
from kasify_orders.adapters.saleor.payloads import (
    SaleorEvent,
    SaleorFulfillment,
    SaleorLine,
    SaleorOrder,
    SaleorTransaction,
    UnusableEvent,
)
from kasify_orders.adapters.saleor.placing import placing_key

__all__ = [
    "ACTOR",
    "APP_EVENTS",
    "CARRIER_METADATA_KEY",
    "EVENTS",
    "SALEOR_REFUND_KEY_PREFIX",
    "TRACKING_URL_METADATA_KEY",
    "EventHandler",
    "SaleorEvent",
    "SaleorFulfillment",
    "SaleorLine",
    "SaleorOrder",
    "SaleorTransaction",
    "UnusableEvent",
    "order_from_query",
    "parse",
    "placing_key",
    "saleor_refund_key",
]
