"""The Saleor adapter's fixed names: its actor, the events it follows, its metadata keys."""

from __future__ import annotations

__all__ = [
    "ACTOR",
    "APP_EVENTS",
    "CARRIER_METADATA_KEY",
    "EVENTS",
    "SALEOR_REFUND_KEY_PREFIX",
    "TRACKING_URL_METADATA_KEY",
]

#: The actor of every change a webhook makes; the write-back never sends those back to Saleor.
ACTOR = "saleor"
#: The fulfillment metadata key holding kasify's carrier code (Saleor has no carrier field).
CARRIER_METADATA_KEY = "kasify.carrier"
#: The fulfillment metadata key holding the carrier's tracking link.
TRACKING_URL_METADATA_KEY = "kasify.tracking_url"
#: How the idempotency keys of refunds Saleor made begin (the write-back never sends those back).
SALEOR_REFUND_KEY_PREFIX = "saleor:"

#: The Saleor events kasify follows (``Saleor-Event`` header, upper-cased).
EVENTS = (
    "ORDER_CREATED",
    "ORDER_CONFIRMED",
    "ORDER_FULLY_PAID",
    "ORDER_CANCELLED",
    "ORDER_FULFILLED",
    "FULFILLMENT_TRACKING_NUMBER_UPDATED",
    "ORDER_REFUNDED",
    "ORDER_FULLY_REFUNDED",
    "ORDER_UPDATED",
)
#: The app's own lifecycle events kasify follows (handled by the app, not applied to orders).
APP_EVENTS = ("APP_DELETED",)
