"""How the merchant's pages write money, times, statuses and people: one place, plain words."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from kasify_orders import carriers, i18n, money
from kasify_orders.i18n import formats
from kasify_orders.lifecycle import PaymentStatus, Status

__all__ = [
    "actor_label",
    "carrier_label",
    "iso",
    "money_label",
    "plain_amount",
    "sentence",
    "status_label",
    "when",
]


def sentence(message: str) -> str:
    """An error message as a sentence: the first letter capitalised, and a full stop.

    Only the first letter: "USD" stays upper case, and what a shopper typed ("'usd'") as typed.
    """
    message = message.strip()
    if not message:
        return i18n.gettext("This is not right.")
    return message[0].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def money_label(amount: Decimal, currency: str, locale: str = "en") -> str:
    """``Decimal("25") , "USD"`` -> ``"$25.00"`` (``"25,00 $"`` in German): the one money formatter.

    The same function writes the emails' money (:func:`kasify_orders.i18n.formats.format_money`).
    """
    return formats.format_money(amount, currency, locale)


def plain_amount(amount: Decimal, currency: str) -> str:
    """The amount as a form field holds it: ``"45.00"`` (no symbol, no grouping)."""
    return str(money.quantize(amount, currency))


def when(moment: datetime, timezone: str | None = None) -> str:
    """A timestamp a merchant reads, on the merchant's clock: ``"2024-05-01 14:03 UTC"``.

    *timezone* None: the clock the adapter set for the request (``i18n.activate``), else UTC.
    """
    return formats.format_when(moment, timezone)


def iso(moment: datetime) -> str:
    """The machine-readable form, for ``<time datetime=…>``."""
    return moment.astimezone(UTC).isoformat()


def status_label(status: Status | PaymentStatus) -> str:
    """``Status.PROCESSING`` -> ``"Processing"``, ``PARTIALLY_REFUNDED`` -> ``"Partially refunded"``."""
    return i18n.gettext(status.label)


def carrier_label(carrier: str) -> str:
    """``"ups"`` -> ``"UPS"``; a custom carrier keeps its own name."""
    return carriers.display_name(carrier)


def actor_label(actor: str | None) -> str:
    """Who acted, or ``"System"`` when nobody did (checkout, email delivery)."""
    return actor if actor else i18n.gettext("System")
