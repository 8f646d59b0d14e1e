"""How the merchant's pages write money, times, statuses and people: one place, plain words."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol, get_decimal_symbol, get_group_symbol

from kasify_orders import carriers, money
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
        return "This is not right."
    return message[0].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def money_label(amount: Decimal, currency: str, locale: str = "en") -> str:
    """``Decimal("25") , "USD"`` -> ``"$25.00"``: rounded to the currency's minor unit, never more.

    Written as Babel's ``format_currency`` writes it, by a formatter made once per currency and
    locale (Babel's own call costs more than the rest of a list row).
    """
    return _money_formatter(currency, locale)(money.quantize(amount, currency))


def _babel_money(currency: str, locale: str) -> Callable[[Decimal], str]:
    def format_exactly(exact: Decimal) -> str:
        return format_currency(
            exact, currency, locale=locale, currency_digits=False, decimal_quantization=False
        )

    return format_exactly


#: Amounts a made formatter must write exactly as Babel does before it is used.
_PROBES = tuple(
    Decimal(text) for text in ("0", "1", "7.5", "12.34", "999", "1234", "12345.6", "123456.78", "1234567.89")
)
_PROBES += tuple(-probe for probe in _PROBES[1:])


@functools.cache
def _money_formatter(currency: str, locale: str) -> Callable[[Decimal], str]:
    """A fast formatter for the locale's plain currency pattern, or Babel's own if it would differ."""
    babel = _babel_money(currency, locale)
    try:
        parsed = Locale.parse(locale)
        pattern = parsed.currency_formats["standard"]
        symbol = get_currency_symbol(currency, parsed)
        decimal, group = get_decimal_symbol(parsed), get_group_symbol(parsed)
    except (KeyError, ValueError):  # pragma: no cover - Babel's own call raises the clear error
        return babel
    if "'" in pattern.pattern or "@" in pattern.pattern or pattern.exp_prec:
        return babel
    prefixes = tuple(text.replace("¤", symbol) for text in pattern.prefix)
    suffixes = tuple(text.replace("¤", symbol) for text in pattern.suffix)
    primary, secondary = pattern.grouping

    def fast(exact: Decimal) -> str:
        negative = exact < 0
        whole, _, fraction = str(abs(exact)).partition(".")
        if len(whole) > primary:
            head, tail = whole[:-primary], [whole[-primary:]]
            while len(head) > secondary:
                head, tail = head[:-secondary], [head[-secondary:], *tail]
            whole = group.join([head, *tail])
        number = f"{whole}{decimal}{fraction}" if fraction else whole
        return f"{prefixes[negative]}{number}{suffixes[negative]}"

    digits = money.minor_unit(currency)
    probes = [probe.quantize(Decimal(1).scaleb(-digits)) for probe in _PROBES]
    if any(fast(probe) != babel(probe) or re.search(r"[eE]", str(probe)) for probe in probes):
        return babel
    return fast


def plain_amount(amount: Decimal, currency: str) -> str:
    """The amount as a form field holds it: ``"45.00"`` (no symbol, no grouping)."""
    return str(money.quantize(amount, currency))


def when(moment: datetime) -> str:
    """A timestamp a merchant reads: ``"2024-05-01 14:03 UTC"``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime) -> str:
    """The machine-readable form, for ``<time datetime=…>``."""
    return moment.astimezone(UTC).isoformat()


def status_label(status: Status | PaymentStatus) -> str:
    """``Status.PROCESSING`` -> ``"Processing"``, ``PARTIALLY_REFUNDED`` -> ``"Partially refunded"``."""
    return status.label


def carrier_label(carrier: str) -> str:
    """``"ups"`` -> ``"UPS"``; a custom carrier keeps its own name."""
    return carriers.display_name(carrier)


def actor_label(actor: str | None) -> str:
    """Who acted, or ``"System"`` when nobody did (checkout, email delivery)."""
    return actor if actor else "System"
