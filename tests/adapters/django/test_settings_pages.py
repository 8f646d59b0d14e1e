"""Settings → Notifications on the Django adapter (the shared contract, and a field locked in code)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from tests.adapters.contract import MerchantSite
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, make_user
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.settings_contract import FORM, SettingsPagesContract
from tests.helpers import new_order


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoSettingsPages(SettingsPagesContract):
    """Every settings contract test, on the Django adapter, on each of Django's backends."""


def test_a_field_locked_in_code_is_read_only_says_why_and_keeps_its_value(host: str) -> None:
    locked = {
        **BASE_KASIFY,
        "DATABASE": host,
        "SETTINGS": {**BASE_KASIFY["SETTINGS"], "locked_settings": ["from_email"]},
    }
    with override_settings(KASIFY_ORDERS=locked):
        orders: ko.Orders = get_orders()
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user(host, "grace", staff=True))
        page = client.get(f"{ADMIN}/settings/notifications/").content.decode()
        assert 'readonly aria-describedby="from_email-locked"' in page
        assert 'data-locked="from_email"' in page
        token = client.cookies["csrftoken"].value
        form = {**FORM, "from_email": "other@shop.example", "csrfmiddlewaretoken": token}
        answer = client.post(f"{ADMIN}/settings/notifications/", form)
        assert answer.status_code in {302, 303}
        assert "from_email" not in orders.store.saved_settings()
        assert orders.merchant_settings.effective().store_name == "Contract Shop"


# -- the time zone ----------------------------------------------------------------------------


def on_clock(moment: datetime, zone: str) -> str:
    """*moment* as the pages write it on *zone*'s clock (``"2024-05-01 16:03 CEST"``)."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M ") + str(local.tzname())


def test_a_saved_time_zone_is_audited_and_the_pages_show_its_time(
    host: str, staff_client: Client, orders: ko.Orders
) -> None:
    order = orders.place(new_order())
    page = staff_client.get(f"{ADMIN}/settings/notifications/").content.decode()
    assert "<option selected>UTC</option>" in page  # Django's TIME_ZONE, the code's default
    token = staff_client.cookies["csrftoken"].value
    form = {"timezone": "Europe/Berlin", "csrfmiddlewaretoken": token}
    saved = staff_client.post(f"{ADMIN}/settings/notifications/", form)
    assert saved.status_code in {302, 303}
    shown = staff_client.get(saved["Location"]).content.decode()
    assert "Saved: Time zone." in shown and "<option selected>Europe/Berlin</option>" in shown
    history = staff_client.get(f"{ADMIN}/settings/notifications/history/").content.decode()
    row = history[history.index('<tr data-field="timezone">') :]
    row = row[: row.index("</tr>")]
    assert "<td data-old>UTC</td>" in row and "<td data-new>Europe/Berlin</td>" in row
    ((_id, change),) = orders.merchant_settings.history()
    assert change.actor is not None and change.actor in row
    detail = staff_client.get(f"{ADMIN}/{order.id}/").content.decode()
    assert on_clock(order.created_at, "Europe/Berlin") in detail
    assert on_clock(order.created_at, "UTC") not in detail
    assert on_clock(order.created_at, "Europe/Berlin") in staff_client.get(f"{ADMIN}/").content.decode()


def test_a_bad_time_zone_is_refused_beside_the_field(
    host: str, staff_client: Client, orders: ko.Orders
) -> None:
    staff_client.get(f"{ADMIN}/settings/notifications/")
    token = staff_client.cookies["csrftoken"].value
    answer = staff_client.post(
        f"{ADMIN}/settings/notifications/", {**FORM, "timezone": "Mars/Base", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 400
    assert (
        "unknown time zone &#39;Mars/Base&#39;: use a name such as Europe/Berlin" in answer.content.decode()
    )
    assert orders.store.saved_settings() == {}


def test_a_time_zone_locked_in_code_cannot_be_changed(host: str) -> None:
    locked = {
        **BASE_KASIFY,
        "DATABASE": host,
        "SETTINGS": {
            **BASE_KASIFY["SETTINGS"],
            "timezone": "America/New_York",
            "locked_settings": ["timezone"],
        },
    }
    with override_settings(KASIFY_ORDERS=locked):
        orders: ko.Orders = get_orders()
        order = orders.place(new_order())
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user(host, "grace", staff=True))
        page = client.get(f"{ADMIN}/settings/notifications/").content.decode()
        assert 'name="timezone" disabled aria-describedby="timezone-locked"' in page
        token = client.cookies["csrftoken"].value
        answer = client.post(
            f"{ADMIN}/settings/notifications/", {"timezone": "Europe/Berlin", "csrfmiddlewaretoken": token}
        )
        assert answer.status_code in {302, 303}
        assert orders.store.saved_settings() == {}
        detail = client.get(f"{ADMIN}/{order.id}/").content.decode()
        assert on_clock(order.created_at, "America/New_York") in detail
