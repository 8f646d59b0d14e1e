"""Money in emails: the customer's locale's format, with the currency's ISO 4217 decimals.

Babel's locale patterns carry a fixed number of decimals (``#,##0.00``) and its currency
data disagrees with ISO 4217 on a few currencies; kasify rounds money to ISO minor units
(:mod:`kasify_orders.money`), so the pattern's decimals are replaced by exactly those.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from babel import Locale, UnknownLocaleError

from kasify_orders.i18n import formats

__all__ = ["format_money", "locale_for_country", "parse_locale"]


def parse_locale(identifier: str) -> Locale:
    """The Babel locale for ``"de_DE"`` or ``"de-DE"``; raises ``ValueError`` naming it if unknown."""
    try:
        return _parse(identifier.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {identifier!r}: use a code such as en_US, de_DE or fr_CA") from None


@functools.cache
def _parse(identifier: str) -> Locale:
    return Locale.parse(identifier)


@functools.cache
def locale_for_country(country: str) -> Locale:
    """English with the number format of *country* (``en_DE``) where CLDR has it, else ``en``."""
    try:
        return Locale.parse(f"en_{country}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_money(amount: Decimal, currency: str, locale: Locale) -> str:
    """*amount* of *currency* as a customer of *locale* reads it: ``$1,234.50``, ``1.234,50 €``.

    The pages' formatter (:func:`kasify_orders.i18n.formats.format_money`): a page and an email
    write the same amount the same way.
    """
    return formats.format_money(amount, currency, locale)
