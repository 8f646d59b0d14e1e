"""Settings → Notifications on the Flask adapter (the shared contract, and a field locked in code)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.conftest import ADMIN, make_app, session_token
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.settings_contract import FORM, SettingsPagesContract
from tests.helpers import new_order, wipe


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskSettingsPages(SettingsPagesContract):
    """Every settings contract test, on the Flask adapter, on each database."""


def _orders_with(database_url: str, settings: ko.Settings) -> Iterator[ko.Orders]:
    with ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False) as orders:
        yield orders
    wipe(database_url)


@pytest.fixture
def locked_orders(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` whose host locks the from address in code."""
    yield from _orders_with(
        database_url, ko.Settings(from_email="orders@locked.example", locked_settings=["from_email"])
    )


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


# -- the time zone ----------------------------------------------------------------------------


def on_clock(moment: datetime, zone: str) -> str:
    """*moment* as the pages write it on *zone*'s clock (``"2024-05-01 16:03 CEST"``)."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M ") + str(local.tzname())


def test_a_saved_time_zone_is_audited_and_every_page_shows_its_time(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    app = make_app(orders, authorize=lambda action, order: True)
    client = app.test_client()
    form_page = client.get(f"{ADMIN}/settings/notifications").get_data(as_text=True)
    assert '<label for="timezone">Time zone</label>' in form_page
    assert "<option selected>UTC</option>" in form_page and "<option>Europe/Berlin</option>" in form_page
    assert on_clock(order.created_at, "UTC") in client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)

    form = {"timezone": "Europe/Berlin", "csrf_token": session_token(client)}
    saved = client.post(f"{ADMIN}/settings/notifications", data=form)
    assert saved.status_code == 303
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Saved: Time zone." in shown and "<option selected>Europe/Berlin</option>" in shown
    assert 'data-origin="timezone">Saved here.' in shown

    history = client.get(f"{ADMIN}/settings/notifications/history").get_data(as_text=True)
    row = history[history.index('<tr data-field="timezone">') :]
    row = row[: row.index("</tr>")]
    assert "<td>Time zone</td>" in row and "staff:7" in row
    assert "<td data-old>UTC</td>" in row and "<td data-new>Europe/Berlin</td>" in row
    ((_id, change),) = orders.merchant_settings.history()
    assert on_clock(change.at, "Europe/Berlin") in row  # the audit's own time on the new clock

    detail = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert on_clock(order.created_at, "Europe/Berlin") in detail
    assert on_clock(order.created_at, "UTC") not in detail
    assert f'datetime="{order.created_at.isoformat()}"' in detail  # the machine's form stays UTC
    listing = client.get(f"{ADMIN}/").get_data(as_text=True)
    assert on_clock(order.created_at, "Europe/Berlin") in listing


def test_a_bad_time_zone_is_explained_beside_the_field_and_nothing_is_saved(orders: ko.Orders) -> None:
    app = make_app(orders, authorize=lambda action, order: True)
    client = app.test_client()
    form = {**FORM, "timezone": "Mars/Base", "csrf_token": session_token(client)}
    answer = client.post(f"{ADMIN}/settings/notifications", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert (
        '<p class="error" id="timezone-error">unknown time zone &#39;Mars/Base&#39;: '
        "use a name such as Europe/Berlin or America/New_York</p>"
    ) in page
    assert 'name="timezone" aria-invalid="true" aria-describedby="timezone-error"' in page
    assert orders.store.saved_settings() == {}  # not the good fields either
    assert orders.merchant_settings.history() == []


@pytest.fixture
def new_york_orders(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` whose host puts the shop in New York and locks the zone in code."""
    yield from _orders_with(
        database_url, ko.Settings(timezone="America/New_York", locked_settings=["timezone"])
    )


def test_a_time_zone_locked_in_code_cannot_be_changed(new_york_orders: ko.Orders) -> None:
    order = new_york_orders.place(new_order())
    app = make_app(new_york_orders, authorize=lambda action, order: True)
    client = app.test_client()
    page = client.get(f"{ADMIN}/settings/notifications").get_data(as_text=True)
    assert 'name="timezone" disabled aria-describedby="timezone-locked"' in page
    assert 'data-locked="timezone"' in page and "<option selected>America/New_York</option>" in page
    form = {"timezone": "Europe/Berlin", "csrf_token": session_token(client)}
    answer = client.post(f"{ADMIN}/settings/notifications", data=form)
    assert answer.status_code == 303
    assert new_york_orders.store.saved_settings() == {} and new_york_orders.merchant_settings.history() == []
    detail = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert on_clock(order.created_at, "America/New_York") in detail


def test_the_hosts_time_zone_is_the_default_and_an_untouched_form_saves_no_zone(orders: ko.Orders) -> None:
    # The Orders was built without a zone (UTC); the Flask config gives the pages' one.
    order = orders.place(new_order())
    app = make_app(orders, authorize=lambda action, order: True, KASIFY_ORDERS_TIMEZONE="Asia/Tokyo")
    client = app.test_client()
    page = client.get(f"{ADMIN}/settings/notifications").get_data(as_text=True)
    assert "<option selected>Asia/Tokyo</option>" in page
    assert on_clock(order.created_at, "Asia/Tokyo") in client.get(f"{ADMIN}/{order.id}").get_data(
        as_text=True
    )
    form = {**FORM, "timezone": "Asia/Tokyo", "csrf_token": session_token(client)}
    assert client.post(f"{ADMIN}/settings/notifications", data=form).status_code == 303
    assert "timezone" not in orders.store.saved_settings()
