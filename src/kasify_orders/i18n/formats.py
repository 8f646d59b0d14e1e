"""The one way kasify writes money and moments, for the merchant's pages and the emails alike.

Money: the locale's currency pattern (Babel/CLDR) with exactly the currency's ISO 4217
decimals (:mod:`kasify_orders.money`): ``$55.00`` in English, ``55,00 $`` in German, ``¥1,234``.
Moments: stored and compared in UTC, shown in the merchant's time zone (zoneinfo).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol, get_decimal_symbol, get_group_symbol

from kasify_orders import money

__all__ = ["active_timezone", "check_timezone", "format_money", "format_when", "on_clock", "zone"]

_FRACTION = re.compile(r"0\.0+|0(?=[^0#,.]|$)")


@functools.cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier.replace("-", "_"))


def format_money(amount: Decimal, currency: str, locale: str | Locale = "en") -> str:
    """*amount* of *currency* as a reader of *locale* writes it, rounded to the ISO minor unit.

    ``(Decimal("55"), "USD", "en")`` -> ``"$55.00"``; ``"de"`` -> ``"55,00 $"``. A formatter is made
    once per currency and locale (Babel's own call costs more than the rest of a list row).
    """
    return _formatter(currency, str(locale))(money.quantize(amount, currency))


@functools.cache
def _pattern(locale: Locale, digits: int) -> str:
    standard = locale.currency_formats["standard"].pattern
    fraction = "0." + "0" * digits if digits else "0"
    return ";".join(_FRACTION.sub(fraction, part, count=1) for part in standard.split(";"))


def _babel(currency: str, locale: Locale) -> Callable[[Decimal], str]:
    pattern = _pattern(locale, money.minor_unit(currency))

    def format_exactly(exact: Decimal) -> str:
        return format_currency(exact, currency, format=pattern, locale=locale, currency_digits=False)

    return format_exactly


#: Amounts a made formatter must write exactly as Babel does before it is used.
_PROBES = tuple(
    Decimal(text) for text in ("0", "1", "7.5", "12.34", "999", "1234", "12345.6", "123456.78", "1234567.89")
)
_PROBES += tuple(-probe for probe in _PROBES[1:])


@functools.cache
def _formatter(currency: str, identifier: str) -> Callable[[Decimal], str]:
    """A fast formatter for the locale's plain currency pattern, or Babel's own if it would differ."""
    parsed = _locale(identifier)
    babel = _babel(currency, parsed)
    pattern = parsed.currency_formats["standard"]
    if "'" in pattern.pattern or "@" in pattern.pattern or pattern.exp_prec:
        return babel  # pragma: no cover - no CLDR currency pattern has these today
    symbol = get_currency_symbol(currency, parsed)
    decimal, group = get_decimal_symbol(parsed), get_group_symbol(parsed)
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


def check_timezone(name: str) -> str:
    """*name* if it is an IANA time zone (``"Europe/Berlin"``, ``"UTC"``); ``ValueError`` if not."""
    try:
        zone(name)
    except ValueError:
        hint = "use an IANA name such as UTC or Europe/Berlin"
        raise ValueError(f"unknown time zone {name!r}: {hint}") from None
    return name


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The zoneinfo zone called *name*."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}") from None


#: The zone's name, or what gives it when first asked (a page's saved setting, read lazily).
_clock: contextvars.ContextVar[str | Callable[[], str]] = contextvars.ContextVar(
    "kasify_orders_timezone", default="UTC"
)


def active_timezone() -> str:
    """The time zone set by the innermost :func:`on_clock` (``"UTC"`` outside any)."""
    timezone = _clock.get()
    if callable(timezone):  # asked for the first time in this block
        timezone = check_timezone(timezone())
        _clock.set(timezone)
    return timezone


@contextlib.contextmanager
def on_clock(timezone: str | Callable[[], str]) -> Iterator[None]:
    """Show the moments :func:`format_when` writes inside the block in *timezone*.

    *timezone* may be a function giving the name: it is called when a date is first written
    (or :func:`active_timezone` first asked), so a page that shows none reads nothing for it.
    """
    token = _clock.set(timezone if callable(timezone) else check_timezone(timezone))
    try:
        yield
    finally:
        _clock.reset(token)


def format_when(moment: datetime, timezone: str | None = None) -> str:
    """*moment* (aware, stored in UTC) on the merchant's clock: ``"2024-05-01 16:03 CEST"``.

    *timezone* None: the one :func:`on_clock` set for this request (UTC outside one).
    """
    timezone = timezone or active_timezone()
    local = moment.astimezone(UTC if timezone == "UTC" else zone(timezone))
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or timezone)
