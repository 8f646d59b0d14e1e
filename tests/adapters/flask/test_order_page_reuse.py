"""An order page shown again is reused only while nothing on it changed (``web/page_reuse.py``).

Through Flask's test client, on each database in turn: each test shows a page once, so that it
is kept, changes one thing the page depends on, and reads the page again.
"""

from __future__ import annotations

import re

import flask
from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import ADMIN, make_app, post_action
from tests.adapters.flask.test_pages import text
from tests.helpers import new_order

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_an_entry_added_without_a_new_version_shows_on_the_page_shown_before(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    assert "Packed by Sam" not in text(client.get(f"{ADMIN}/{order.id}"))
    orders.record_event(order.id, "packing", "Packed by Sam")  # the timeline grows, the version does not
    assert orders.get(order.id).version == order.version
    assert "Packed by Sam" in text(client.get(f"{ADMIN}/{order.id}"))


def test_a_page_shown_before_follows_each_change_of_the_order(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    confirm, ship = (
        f'action="{ADMIN}/{order.id}/{action}"' for action in ("confirm_payment", "mark_shipped")
    )
    before = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert confirm in before and ship not in before
    orders.confirm_payment(order.id)
    after = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert confirm not in after and ship in after
    assert 'data-field="status">Processing<' in after


def test_a_page_shown_before_follows_the_hosts_answers(orders: ko.Orders) -> None:
    may_refund = {"now": True}

    def authorize(action: str, order: ko.Order | None) -> bool:
        return action != "refund" or may_refund["now"]

    order = orders.confirm_payment(orders.place(new_order()).id)
    with make_app(orders, authorize=authorize).test_client() as client:
        assert "Issue Refund" in text(client.get(f"{ADMIN}/{order.id}"))
        may_refund["now"] = False
        assert "Issue Refund" not in text(client.get(f"{ADMIN}/{order.id}"))
        may_refund["now"] = True
        assert "Issue Refund" in text(client.get(f"{ADMIN}/{order.id}"))


def test_each_visitor_gets_a_page_with_their_own_csrf_token_that_posts(
    app: flask.Flask, orders: ko.Orders
) -> None:
    order = orders.place(new_order())
    first, second = app.test_client(), app.test_client()  # two sessions (two cookie jars)
    pages = [client.get(f"{ADMIN}/{order.id}").get_data(as_text=True) for client in (first, second)]
    tokens = [set(_TOKEN.findall(page)) for page in pages]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    # The same page but for the token: one page, kept once, given to both.
    assert _TOKEN.sub("", pages[0]) == _TOKEN.sub("", pages[1])
    refused = post_action(second, order, "confirm_payment", token=next(iter(tokens[0])))
    assert refused.status_code == 400 and orders.get(order.id).version == order.version
    done = post_action(second, order, "confirm_payment", token=next(iter(tokens[1])))
    assert done.status_code == 303 and orders.get(order.id).status is ko.Status.PROCESSING


def test_the_notice_after_an_action_shows_once_on_a_page_shown_before(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = orders.place(new_order())
    client.get(f"{ADMIN}/{order.id}")
    shown = orders.confirm_payment(order.id)
    client.get(f"{ADMIN}/{order.id}")  # the new page kept, without a notice
    post_action(client, shown, "add_note", text="Gift wrap, please")
    with_notice = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert 'class="notice"' in with_notice
    again = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert 'class="notice"' not in again and "Gift wrap, please" in again


def test_a_page_shown_before_follows_its_frame_the_store_name_and_the_sidebar_count(
    orders: ko.Orders, database_url: str
) -> None:
    settings = ko.Settings(needs_attention_business_days=0)  # paid and not shipped: needs attention at once
    with ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False) as shop:
        order = shop.place(new_order())
        client = make_app(shop, authorize=lambda action, o: True).test_client()
        first = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
        assert "Corner Shop" not in first and 'class="nav-count"' not in first
        shop.merchant_settings.save({"store_name": "Corner Shop"})
        renamed = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
        shop.confirm_payment(shop.place(new_order()).id)
        counted = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    assert "<title>Order #1 · Corner Shop</title>" in renamed and 'class="nav-count"' not in renamed
    assert re.search(r'class="nav-count".*?>1</span>', counted)
