"""The merchant's settings, one frozen object shared by the core, the emails and the adapters."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.validation import unknown_name

__all__ = ["RENAMED", "Settings"]


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
    #: Seconds to wait for the SMTP server (connecting and each reply) before the attempt fails.
    smtp_timeout_seconds: float = 15.0
    #: Seconds an SMTP connection is reused for further emails after it was opened (a dropped
    #: one is replaced at once); 0: a new connection per email.
    smtp_connection_lifetime_seconds: float = 60.0
    #: Email kinds not to send, e.g. ``{"order_cancelled"}``; the kinds are listed in
    #: ``kasify_orders.notifications.EmailKind`` (docs/notifications.md).
    disabled_emails: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)
    #: A folder whose templates override kasify's email templates of the same name.
    email_templates_dir: str | None = None
    #: Babel locale for the emails' language and money (``"de_DE"``); None: ``locale``, the
    #: store's (a ``kasify_email_locale`` hook can choose per order).
    email_locale: str | None = None
    #: The store's language and number format, for the merchant's pages and the emails
    #: (``"en"``, ``"de"``; docs/i18n.md lists the shipped catalogs).
    locale: str = "en"
    #: The IANA time zone the merchant's pages and the emails show dates in; stored times stay UTC.
    #: The merchant may change it on the Settings page (unless it is in ``locked_settings``).
    timezone: str = "UTC"
    #: The shop's public web address, linked from the emails' header.
    store_url: str | None = None
    #: An ``https://`` logo shown at the top of HTML emails.
    logo_url: str | None = None
    #: The accent colour of HTML emails, as ``#rrggbb``.
    brand_color: str = "#1f2937"
    #: The merchant's order pages (``"https://shop.example/admin/orders"``); the new-order alert
    #: links to ``<admin_base_url>/<order id>``. None: no link.
    admin_base_url: str | None = None
    #: Tracking-page templates for custom carriers: ``{"Evri": "https://…/{number}"}``.
    tracking_urls: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    #: Prefix of every table kasify creates, so they sit beside the host's own tables.
    table_prefix: str = "kasify_"
    #: Database schema for kasify's tables (PostgreSQL); None for the default.
    db_schema: str | None = None
    #: Dispatch the outbox's events in the calling process right after each commit. Turn off
    #: when workers (``deliver_pending``, the CLI, Celery) dispatch them instead.
    deliver_inline: bool = True
    #: How long an action waits for the emails it sends inline; a slower mail server finishes
    #: them in the background, and the event stays in the outbox until they are recorded.
    #: None (the default): wait for the server (up to ``smtp_timeout_seconds`` per email), so
    #: the hooks have run when the action returns, as DESIGN promises; a shop whose mail server
    #: may be slow sets a budget (1.0 is a good start). Was ``inline_delivery_budget_seconds``.
    inline_dispatch_budget_seconds: float | None = None
    #: A failing hook is retried this many times, then the event is marked dead.
    #: Was ``max_delivery_attempts``.
    max_dispatch_attempts: int = 8
    #: First retry delay in seconds; it doubles on each attempt, with jitter.
    retry_backoff_seconds: float = 30.0
    #: How long a worker may hold an outbox event before another worker may take it over.
    #: Was ``delivery_lease_seconds``.
    dispatch_lease_seconds: float = 300.0
    #: Decrement and restock tracked SKUs. Off when another system owns stock (a Saleor shop).
    manage_inventory: bool = True
    #: A paid order not shipped within this many business days "needs attention".
    needs_attention_business_days: int = 2
    #: The largest request body the JSON API reads, in bytes; a larger one gets 413.
    max_request_bytes: int = 1024 * 1024
    #: Settings the merchant may not change on the Settings page: they keep the value given
    #: here in code (the page shows them read-only). Any of ``store_name``,
    #: ``new_order_alert_emails``, ``disabled_emails``, ``from_email``, ``reply_to``, ``timezone``.
    locked_settings: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)

    @property
    def inline_delivery_budget_seconds(self) -> float | None:
        """Deprecated name of :attr:`inline_dispatch_budget_seconds`."""
        return getattr(self, _deprecated("inline_delivery_budget_seconds"))  # type: ignore[no-any-return]

    @property
    def max_delivery_attempts(self) -> int:
        """Deprecated name of :attr:`max_dispatch_attempts`."""
        return getattr(self, _deprecated("max_delivery_attempts"))  # type: ignore[no-any-return]

    @property
    def delivery_lease_seconds(self) -> float:
        """Deprecated name of :attr:`dispatch_lease_seconds`."""
        return getattr(self, _deprecated("delivery_lease_seconds"))  # type: ignore[no-any-return]


#: Settings renamed when the outbox's vocabulary became "dispatch" (a parcel is delivered;
#: an event is dispatched): the old name, and the new one it still stands for.
RENAMED: Mapping[str, str] = {
    "inline_delivery_budget_seconds": "inline_dispatch_budget_seconds",
    "max_delivery_attempts": "max_dispatch_attempts",
    "delivery_lease_seconds": "dispatch_lease_seconds",
}


def _deprecated(old: str, stacklevel: int = 3) -> str:
    """Warn that *old* is a deprecated setting name; return its new name."""
    new = RENAMED[old]
    warnings.warn(f"Settings.{old} is deprecated: use {new}", DeprecationWarning, stacklevel=stacklevel)
    return new


def _refusing_unknown_keys(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap the generated ``__init__``: a misspelt key names itself and the nearest setting.

    Python's own error would be a bare ``TypeError: unexpected keyword argument``; type
    checkers still see the generated signature, so they keep flagging misspellings too.
    """
    names = [field.name for field in attrs.fields(Settings)]

    @functools.wraps(init)
    def checked(self: Settings, *args: Any, **values: Any) -> None:
        # A deprecated name wins over its new one: ``attrs.evolve(settings, old_name=...)`` passes both.
        values = {key: value for key, value in values.items() if key not in RENAMED} | {
            _deprecated(key, 4): value for key, value in values.items() if key in RENAMED
        }
        unknown = [key for key in values if key not in names]
        if unknown:
            raise ValidationError(FieldError(key, unknown_name("setting", key, names)) for key in unknown)
        init(self, *args, **values)

    return checked


setattr(Settings, "__init__", _refusing_unknown_keys(Settings.__init__))  # noqa: B010 - mypy keeps the generated one
