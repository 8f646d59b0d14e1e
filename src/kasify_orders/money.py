"""Money rules: ISO 4217 currencies, their minor units, and exact rounding.

Amounts are :class:`~decimal.Decimal` everywhere. The minor-unit table is explicit and
kept here on purpose: locale libraries disagree with ISO 4217 on several currencies
(for example the number of decimals they *display* for JPY, ISK or HUF), and a refund
must never be rounded differently from the price it refunds.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "AMOUNT_HINT",
    "CURRENCY_MINOR_UNITS",
    "MAX_AMOUNT",
    "from_minor",
    "is_exact",
    "minor_unit",
    "parse_amount",
    "quantize",
    "to_minor",
]

#: Every amount is less than this (a trillion): its minor units fit a 64-bit integer with
#: room for quantities and totals, in every currency.
MAX_AMOUNT = Decimal(10) ** 12
#: What an amount typed as text may look like.
AMOUNT_HINT = "digits with an optional decimal point, such as 12.50"
_AMOUNT_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_TWO_DECIMALS = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW
KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD
SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS
VED VES WST XCD XCG YER ZAR ZMW ZWG
"""

#: ISO 4217 alphabetic code -> number of digits after the decimal point (the minor unit).
CURRENCY_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(), 3),
    **dict.fromkeys(_FOUR_DECIMALS.split(), 4),
}


def minor_unit(currency: str) -> int:
    """Return how many decimals *currency* has; raise ``ValueError`` for an unknown code."""
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(
            f"unknown currency {currency!r}: use an ISO 4217 code such as USD, EUR or JPY"
        ) from None


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round *amount* to the currency's minor unit, half away from zero (ROUND_HALF_UP)."""
    return amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)


def is_exact(amount: Decimal, currency: str) -> bool:
    """Tell whether *amount* is a finite number already expressible in minor units."""
    try:
        return amount.is_finite() and quantize(amount, currency) == amount
    except InvalidOperation:
        return False


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert an exact *amount* to an integer count of minor units (cents for USD)."""
    if not is_exact(amount, currency):
        raise ValueError(f"{amount} is not an exact amount of {currency}")
    return int(amount.scaleb(minor_unit(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """Convert an integer count of minor units back to a :class:`Decimal` with the currency's exponent."""
    # scaleb on an integer Decimal is exact and sets the exponent: 1234 -> 12.34, 0 -> 0.00.
    return Decimal(units).scaleb(-minor_unit(currency))


def parse_amount(text: str) -> Decimal:
    """Read an amount typed as text: ASCII digits with one optional decimal point.

    Nothing else is an amount: not other scripts' digits (Arabic-Indic, full-width), spaces,
    underscores, exponents, ``NaN`` or ``Infinity``, which :class:`~decimal.Decimal` would all
    accept. A leading minus is read, so the caller can say the amount must not be negative.

    :raises ValueError: with a message saying what an amount looks like.
    """
    if not _AMOUNT_TEXT.fullmatch(text):
        shown = text if len(text) <= 40 else f"{text[:39]}…"
        raise ValueError(f"must be {AMOUNT_HINT}, got {shown!r}")
    return Decimal(text)
