"""The merchant's and the customer's language: gettext catalogs shipped with kasify.

Catalogs live in package data, ``kasify_orders/i18n/locale/<lang>/LC_MESSAGES/kasify_orders.mo``
(compiled from the ``.po`` next to it by ``python -m kasify_orders.i18n.catalogs update``).
English is the source language; a locale without a catalog (``"en"``, ``"en_GB"``) reads English.

Python code says ``gettext("...")`` where it needs the text now and ``N_("...")`` for a string
defined at module level, translated later with ``gettext(the_string)`` once the locale is known.
``activate(locale)`` sets the locale for the ``gettext`` calls in its block (a context variable,
so concurrent requests each see their own).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "activate",
    "active_locale",
    "available_locales",
    "check_locale",
    "gettext",
    "ngettext",
    "translations",
]

#: The gettext domain of kasify's catalogs.
DOMAIN = "kasify_orders"
#: Where the catalogs are, inside the installed package.
LOCALE_DIR = Path(__file__).parent / "locale"

_active: contextvars.ContextVar[str] = contextvars.ContextVar("kasify_orders_locale", default="en")


def N_(message: str) -> str:
    """Mark *message* for the catalog without translating it now (module-level strings)."""
    return message


def check_locale(identifier: str) -> str:
    """*identifier* (``"de"``, ``"de-DE"``, ``"de_DE"``) as Babel spells it; ``ValueError`` if unknown."""
    try:
        return str(Locale.parse(str(identifier).replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {identifier!r}: use a code such as en, de or de_DE") from None


def available_locales() -> tuple[str, ...]:
    """The languages kasify ships a catalog for, English (the source language) first."""
    shipped = sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return ("en", *(name for name in shipped if name != "en"))


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The catalog for *locale* (``"de_DE"`` falls back to ``"de"``); English text where there is none."""
    identifier = check_locale(locale)
    loaded = Translations.load(str(LOCALE_DIR), [identifier], DOMAIN)
    return loaded


def active_locale() -> str:
    """The locale set by the innermost :func:`activate` (``"en"`` outside any)."""
    return _active.get()


@contextlib.contextmanager
def activate(locale: str, timezone: str | Callable[[], str] | None = None) -> Iterator[NullTranslations]:
    """Translate the :func:`gettext` calls inside the block into *locale*.

    *timezone*, if given, is the clock the block's dates are shown on (``formats.on_clock``: a
    name, or a function giving it when a date is first written).
    """
    from kasify_orders.i18n import formats  # noqa: PLC0415 - formats imports this package

    token = _active.set(check_locale(locale))
    try:
        with formats.on_clock(timezone) if timezone else contextlib.nullcontext():
            yield translations(locale)
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    """*message* in the active locale (itself where the catalog has no translation)."""
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message for *count*, in the active locale."""
    return translations(_active.get()).ngettext(singular, plural, count)
