"""The order list's filters, bulk actions and exports through Flask (CSRF, authorize, real store)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient

import kasify_orders as ko
from kasify_orders.web import order_list_page
from tests.adapters.flask.conftest import ADMIN, make_app, session_token
from tests.helpers import new_order


def test_filters_bulk_confirm_slips_and_exports(orders: ko.Orders, client: FlaskClient) -> None:
    a = orders.place(new_order(coupon_code=None, country="GB"))
    b = orders.place(new_order(country="FR", unit_price="90.00"))
    c = orders.place(new_order(country="FR"))
    orders.confirm_payment(c.id)
    page = client.get(f"{ADMIN}/?country=FR&sort=total_desc")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"#{b.number}" in html and f"#{c.number}" in html and f"#{a.number}</a>" not in html
    assert html.index(f"#{b.number}") < html.index(f"#{c.number}")
    assert "2 matching orders" in html
    bad = client.get(f"{ADMIN}/?placed_from=yesterday&sort=price")
    assert bad.status_code == 400
    assert "Placed from: must be a date" in bad.get_data(as_text=True)
    token = session_token(client)
    done = client.post(
        f"{ADMIN}/orders/bulk",
        data={
            "csrf_token": token,
            "bulk_action": "confirm_payment",
            "order": [b.id, c.id],
            "view": "country=FR",
        },
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "1 confirmed, 1 refused." in text
    assert orders.get(b.id).payment_status is ko.PaymentStatus.PAID
    slips = client.post(
        f"{ADMIN}/orders/bulk",
        data={"csrf_token": token, "bulk_action": "packing_slips", "all_matching": "1", "view": "country=FR"},
    )
    assert slips.get_data(as_text=True).count('class="slip-page"') == 2
    for sort, first, second in [("", c, b), ("total_desc", b, c), ("total_asc", c, b), ("date_asc", b, c)]:
        view = f"country=FR&sort={sort}" if sort else "country=FR"
        printed = client.post(
            f"{ADMIN}/orders/bulk",
            data={"csrf_token": token, "bulk_action": "packing_slips", "all_matching": "1", "view": view},
        ).get_data(as_text=True)
        # the slips come as the list showed the orders (newest first when the view has no sort)
        assert printed.index(f"Order #{first.number} ") < printed.index(f"Order #{second.number} "), sort
    chosen = client.post(
        f"{ADMIN}/orders/bulk", data={"csrf_token": token, "bulk_action": "export", "order": [a.id, c.id]}
    )
    rows = list(csv.DictReader(io.StringIO(chosen.get_data(as_text=True))))
    assert sorted(r["id"] for r in rows) == sorted([a.id, c.id])
    exported = client.get(f"{ADMIN}/orders/export.csv?country=FR")
    assert exported.headers["Content-Type"].startswith("text/csv")
    assert [r["id"] for r in csv.DictReader(io.StringIO(exported.get_data(as_text=True)))] == [b.id, c.id]
    refused = client.post(f"{ADMIN}/orders/bulk", data={"bulk_action": "export", "order": [a.id]})
    assert refused.status_code == 400


def test_a_filtered_list_past_its_first_page_counts_every_match_on_each_page(
    orders: ko.Orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        orders.place(new_order(country="FR"))
    orders.place(new_order(country="DE"))
    client = make_app(orders, authorize=lambda action, order: True, KASIFY_ORDERS_PAGE_SIZE=3).test_client()
    first = client.get(f"{ADMIN}/?country=FR&sort=total_desc").get_data(as_text=True)
    exact = '<span class="matching" data-field="matching">5 matching orders</span>'
    assert exact in first  # three on the page, two after it
    cursor = re.search(r'href="[^"]*cursor=([^"&]+)', first)
    assert cursor is not None
    second = client.get(f"{ADMIN}/?country=FR&sort=total_desc&cursor={cursor.group(1)}").get_data(
        as_text=True
    )
    assert exact in second
    monkeypatch.setattr(order_list_page, "COUNT_UP_TO", 4)
    bounded = client.get(f"{ADMIN}/?country=FR").get_data(as_text=True)
    assert '<span class="matching" data-field="matching">4+ matching orders</span>' in bounded


def test_a_filtered_list_counts_its_orders_only_up_to_the_bound(
    orders: ko.Orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(order_list_page, "COUNT_UP_TO", 2)  # the bound, small enough to pass
    for _ in range(4):
        orders.place(new_order(country="FR"))
    orders.place(new_order(country="DE"))
    client = make_app(orders, authorize=lambda action, order: True, KASIFY_ORDERS_PAGE_SIZE=3).test_client()
    many = client.get(f"{ADMIN}/?country=FR").get_data(as_text=True)  # 4: more than a page
    one = client.get(f"{ADMIN}/?country=DE").get_data(as_text=True)
    assert '<span class="matching" data-field="matching">2+ matching orders</span>' in many
    assert '<span class="matching" data-field="matching">1 matching order</span>' in one
    orders.place(new_order(country="DE"))
    monkeypatch.setattr(order_list_page, "COUNT_UP_TO", 1)  # a page holding them all knows its count
    both = client.get(f"{ADMIN}/?country=DE").get_data(as_text=True)
    assert '<span class="matching" data-field="matching">2 matching orders</span>' in both
