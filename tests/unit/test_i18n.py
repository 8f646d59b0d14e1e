"""Language and time: one money formatter, the merchant's clock, and complete German catalogs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kasify_orders import i18n
from kasify_orders.i18n import catalogs, formats
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.notifications.money import format_money as email_money
from kasify_orders.notifications.money import parse_locale
from kasify_orders.web import formatting


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("55", "USD", "en", "$55.00"),
        ("55", "USD", "de", "55,00\xa0$"),
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("-1234.5", "EUR", "de", "-1.234,50\xa0€"),
        ("1234567.891", "USD", "en", "$1,234,567.89"),  # rounded to the minor unit, grouped
        ("2500", "JPY", "en", "¥2,500"),  # no decimals: JPY has none
        ("1.25", "KWD", "en", "KWD1.250"),  # three: the Kuwaiti dinar's
    ],
)
def test_one_money_formatter_writes_pages_and_emails_alike(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    value = Decimal(amount)
    assert formats.format_money(value, currency, locale) == expected
    assert formatting.money_label(value, currency, locale) == expected  # the pages' filter
    assert email_money(value, currency, parse_locale(locale)) == expected  # the emails' money()


def test_moments_are_shown_on_the_merchants_clock_across_daylight_saving() -> None:
    summer = datetime(2024, 7, 1, 22, 30, tzinfo=UTC)
    winter = datetime(2024, 1, 15, 8, 5, tzinfo=UTC)
    assert formats.format_when(summer) == "2024-07-01 22:30 UTC"
    assert formats.format_when(summer, "Europe/Berlin") == "2024-07-02 00:30 CEST"  # the next day there
    assert formats.format_when(winter, "Europe/Berlin") == "2024-01-15 09:05 CET"
    assert formats.format_when(winter, "America/New_York") == "2024-01-15 03:05 EST"
    assert formatting.when(summer, "Asia/Kolkata") == "2024-07-02 04:00 IST"
    assert formatting.iso(summer) == "2024-07-01T22:30:00+00:00"  # the machine's form stays UTC


def test_the_requests_clock_applies_where_no_zone_is_given() -> None:
    moment = datetime(2024, 7, 1, 22, 30, tzinfo=UTC)
    with i18n.activate("de", "Europe/Berlin"):
        assert formatting.when(moment) == "2024-07-02 00:30 CEST"
        assert formatting.when(moment, "UTC") == "2024-07-01 22:30 UTC"  # an explicit zone wins
    assert formatting.when(moment) == "2024-07-01 22:30 UTC"  # outside a request: UTC
    assert formats.active_timezone() == "UTC"


def test_an_unknown_time_zone_or_locale_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'.*Europe/Berlin"):
        formats.check_timezone("Mars/Olympus")
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        i18n.check_locale("xx_YY")
    assert i18n.check_locale("de-DE") == "de_DE"


def test_gettext_follows_the_active_locale_and_falls_back_to_english() -> None:
    assert i18n.gettext("Orders") == "Orders"
    with i18n.activate("de"):
        assert i18n.gettext("Orders") == "Bestellungen"
        assert formatting.status_label(Status.ON_HOLD) == "Angehalten"
        assert formatting.status_label(PaymentStatus.PARTIALLY_REFUNDED) == "Teilweise erstattet"
        assert formatting.actor_label(None) == "System"
        with i18n.activate("en_GB"):  # no English catalog: the source text
            assert i18n.gettext("Orders") == "Orders"
        assert i18n.gettext("A string kasify never marked") == "A string kasify never marked"
    with i18n.activate("de_AT"):  # a region falls back to its language's catalog
        assert i18n.gettext("Settings") == "Einstellungen"
    assert i18n.active_locale() == "en"
    assert "de" in i18n.available_locales()


def test_every_string_the_templates_and_code_use_has_a_german_translation() -> None:
    assert catalogs.missing("de") == []
    used = {message.id for message in catalogs.extract() if message.id}
    assert {"Orders", "Subtotal", "Hello %(name)s,", "On hold"} <= used  # pages, emails, labels


def test_a_new_english_string_without_german_is_named(tmp_path: Path) -> None:
    templates = tmp_path / "web" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text('<p>{{ _("Orders") }} {{ _("A brand new sentence") }}</p>')
    (tmp_path / "code.py").write_text('from kasify_orders.i18n import N_\nLABEL = N_("Another new label")\n')
    assert sorted(catalogs.missing("de", root=tmp_path)) == ["A brand new sentence", "Another new label"]


def test_the_shipped_mo_is_compiled_from_the_po() -> None:
    po = catalogs.LOCALE_DIR / "de" / "LC_MESSAGES" / "kasify_orders.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    german = i18n.translations("de")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert german.gettext(message.id) == message.string, message.id
