"""``{% load kasify_orders %}`` on a host's own "my orders" page: the customer's orders, with money
and statuses written as kasify's pages write them. Django's own template engine; on SQLite,
PostgreSQL and MariaDB.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.template import engines
from django.test import override_settings

import kasify_orders as ko
from kasify_orders.adapters.django.customers import customer_orders
from tests.adapters.django.conftest import BASE_KASIFY, make_user
from tests.helpers import new_order

MY_ORDERS = """\
{% load kasify_orders %}
{% kasify_customer_orders user.email as orders %}
{% for order in orders %}
<li>#{{ order.number }} | {{ order.status|kasify_status }} | {{ order.payment_status|kasify_status }} | \
{{ order.totals.total|kasify_money:order.currency }}</li>
{% empty %}
<p>You have no orders yet.</p>
{% endfor %}
"""


def render(source: str, **context: object) -> list[str]:
    """The page's lines, rendered by the host's Django template engine."""
    text = engines["django"].from_string(source).render(context)
    return [re.sub(r"<[^>]+>", "", line).strip() for line in text.splitlines() if line.strip()]


def test_my_orders_lists_the_customers_orders_newest_first(host: str, orders: ko.Orders) -> None:
    first = orders.place(new_order(email="ada@example.com"))
    orders.place(new_order(email="grace@example.com", name="Grace Hopper"))
    second = orders.place(new_order(email="Ada@Example.COM", unit_price="10.00", currency="EUR"))
    orders.confirm_payment(first.id)
    orders.refund(first.id, amount=Decimal("5.00"))
    ada = make_user(host, "ada", staff=False)
    ada.email = "ADA@example.com"

    assert render(MY_ORDERS, user=ada) == [
        f"#{second.number} | Pending | Pending | €25.00",
        f"#{first.number} | Processing | Partially refunded | $55.00",
    ]


def test_a_signed_out_visitor_or_a_stranger_has_no_orders(host: str, orders: ko.Orders) -> None:
    orders.place(new_order())
    assert render(MY_ORDERS, user=AnonymousUser()) == ["You have no orders yet."]
    stranger = User(username="x", email="nobody@example.com")
    assert render(MY_ORDERS, user=stranger) == ["You have no orders yet."]
    not_an_address = User(username="y", email="ada at example.com")
    assert render(MY_ORDERS, user=not_an_address) == ["You have no orders yet."]


def test_the_limit_keeps_the_newest(host: str, orders: ko.Orders) -> None:
    orders.place(new_order())
    newest = orders.place(new_order())
    source = MY_ORDERS.replace("user.email as orders", "user.email limit=1 as orders")
    lines = render(source, user=User(username="ada", email="ada@example.com"))
    assert lines == [f"#{newest.number} | Pending | Pending | $55.00"]


def test_money_follows_the_locale_of_kasifys_pages(host: str, orders: ko.Orders) -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "LOCALE": "de_DE"}):
        lines = render(
            "{% load kasify_orders %}{{ amount|kasify_money:'EUR' }} {{ status|kasify_status }}",
            amount=Decimal("1234.5"),
            status="partially_refunded",
        )
    assert lines == ["1.234,50\xa0€ Partially refunded"]


def test_passing_the_user_instead_of_the_email_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"takes an email address \(str\), got User"):
        customer_orders(User(username="ada"))  # type: ignore[arg-type]
