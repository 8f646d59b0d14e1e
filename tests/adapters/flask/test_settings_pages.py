"""Settings → Notifications on the Flask adapter (the shared contract, and a field locked in code)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.conftest import ADMIN, make_app, session_token
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.settings_contract import FORM, SettingsPagesContract
from tests.helpers import wipe


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskSettingsPages(SettingsPagesContract):
    """Every settings contract test, on the Flask adapter, on each database."""


@pytest.fixture
def locked_orders(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` whose host locks the from address in code."""
    settings = ko.Settings(from_email="orders@locked.example", locked_settings=["from_email"])
    with ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False) as orders:
        yield orders
    wipe(database_url)


def test_a_field_locked_in_code_is_read_only_says_why_and_keeps_its_value(locked_orders: ko.Orders) -> None:
    app = make_app(locked_orders, authorize=lambda action, order: True)
    client = app.test_client()
    page = client.get(f"{ADMIN}/settings/notifications").get_data(as_text=True)
    assert 'id="from_email" name="from_email" type="text" value="orders@locked.example"' in page
    assert 'readonly aria-describedby="from_email-locked"' in page
    assert 'data-locked="from_email"' in page and "Settings.locked_settings" in page
    form = {**FORM, "from_email": "other@shop.example", "csrf_token": session_token(client)}
    answer = client.post(f"{ADMIN}/settings/notifications", data=form)
    assert answer.status_code in {302, 303}
    effective = locked_orders.merchant_settings.effective()
    assert effective.from_email == "orders@locked.example"  # the posted value is ignored
    assert effective.store_name == "Contract Shop"  # the other fields are saved
    assert "from_email" not in locked_orders.store.saved_settings()
