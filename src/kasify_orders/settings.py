"""The merchant's settings, one frozen object shared by the core, the emails and the adapters."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["Settings"]


@attrs.frozen(kw_only=True)
class Settings:
    """What a shop configures once. Every field has a sensible default."""

    #: The shop's name, used in emails and page titles.
    store_name: str = "Kasify shop"
    #: The sender of customer emails (``"Shop <orders@shop.example>"``).
    from_email: str = "orders@localhost"
    #: Where customers' replies go, if not to ``from_email``.
    reply_to: str | None = None
    #: Who receives the new-order alert.
    new_order_alert_emails: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: ``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://...``; None: no SMTP.
    smtp_url: str | None = None
    #: Tracking-page templates for custom carriers: ``{"Evri": "https://…/{number}"}``.
    tracking_urls: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    #: Prefix of every table kasify creates, so they sit beside the host's own tables.
    table_prefix: str = "kasify_"
    #: Database schema for kasify's tables (PostgreSQL); None for the default.
    db_schema: str | None = None
    #: Deliver the outbox in the calling process right after each commit. Turn off when
    #: workers (``deliver_pending``, the CLI, Celery) deliver it instead.
    deliver_inline: bool = True
    #: A failing hook is retried this many times, then the event is marked dead.
    max_delivery_attempts: int = 8
    #: First retry delay in seconds; it doubles on each attempt, with jitter.
    retry_backoff_seconds: float = 30.0
    #: How long a worker may hold an outbox event before another worker may take it over.
    delivery_lease_seconds: float = 300.0
    #: Decrement and restock tracked SKUs. Off when another system owns stock (a Saleor shop).
    manage_inventory: bool = True
    #: A paid order not shipped within this many business days "needs attention".
    needs_attention_business_days: int = 2
