"""A German shop in Berlin, through Django's test client, on each database in turn."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from kasify_orders.adapters.django import get_orders
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY
from tests.helpers import new_order

LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


def test_german_pages_follow_djangos_language_and_time_zone(host: str, staff_client: Client) -> None:
    # LOCALE and TIMEZONE left at None: Django's LANGUAGE_CODE and TIME_ZONE decide.
    with override_settings(
        KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host}, LANGUAGE_CODE="de", TIME_ZONE="Europe/Berlin"
    ):
        order = get_orders().place(new_order())
        html = staff_client.get(f"{ADMIN}/{order.id}/").content.decode()
        page = re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))
        for german in [
            "Bestellung #1",
            "Bestellte Artikel",
            "Zwischensumme",
            "Lieferadresse",
            "Zahlung bestätigen",
        ]:
            assert german in page
        assert "Items ordered" not in page
        berlin = order.created_at.astimezone(ZoneInfo("Europe/Berlin"))
        assert berlin.strftime("%Y-%m-%d %H:%M ") + str(berlin.tzname()) in page
        total = re.search(r'<dd class="grand">([^<]+)</dd>', html)
        assert total is not None and total.group(1) == "55,00\xa0$"
        # The confirmation, through Django's mail backend, in the shop's language and money.
        (confirmation,) = [message for message in mail.outbox if "ada@example.com" in message.to[0]]
        assert confirmation.subject == "Django Test Shop: Bestellung #1 bestätigt"
        assert f"Gesamt: {total.group(1)}" in confirmation.body


def test_locale_middleware_chooses_the_pages_language_per_request(host: str, staff_client: Client) -> None:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, LOCALE_MIDDLEWARE
    )
    with override_settings(
        KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host},
        LANGUAGE_CODE="en",
        LANGUAGES=[("en", "English"), ("de", "German")],
        MIDDLEWARE=middleware,
    ):
        order = get_orders().place(new_order())
        english = staff_client.get(f"{ADMIN}/{order.id}/").content.decode()
        german = staff_client.get(f"{ADMIN}/{order.id}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Items ordered" in english and "$55.00" in english
    assert "Bestellte Artikel" in german and "55,00\xa0$" in german
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "LOCALE": "de"}):
        fixed = staff_client.get(f"{ADMIN}/{order.id}/").content.decode()  # LOCALE set: always German
    assert "Bestellte Artikel" in fixed
