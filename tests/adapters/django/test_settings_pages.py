"""Settings → Notifications on the Django adapter (the shared contract, and a field locked in code)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from tests.adapters.contract import MerchantSite
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, make_user
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.settings_contract import FORM, SettingsPagesContract


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
