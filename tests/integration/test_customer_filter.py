"""``orders.list(customer_email=...)``: one customer's orders for a host's "my orders" page.

Exact but case-insensitive, on SQLite, PostgreSQL and MariaDB: no prefix, no near spelling
and (on MariaDB, whose collations ignore accents) no accented twin shows another's orders.
"""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.helpers import new_order


@pytest.fixture
def placed(orders: ko.Orders) -> dict[str, str]:
    """One order per customer, by email as given at checkout."""
    emails = ["Ada@Example.com", "ada@example.co", "adam@example.com", "ada.lovelace@example.com",
              "adá@example.com", "grace@example.com"]  # fmt: skip
    return {email: orders.place(new_order(email=email)).id for email in emails}


@pytest.mark.parametrize("asked", ["ada@example.com", "ADA@example.com", " Ada@EXAMPLE.com "])
def test_a_customers_orders_are_found_by_their_email_in_any_case(
    orders: ko.Orders, placed: dict[str, str], asked: str
) -> None:
    assert [order.id for order in orders.list(customer_email=asked).items] == [placed["Ada@Example.com"]]
    assert orders.count(customer_email=asked) == 1


def test_no_other_customers_orders_are_found(orders: ko.Orders, placed: dict[str, str]) -> None:
    second = orders.place(new_order(email="ada@example.com"))
    found = orders.list(customer_email="ada@example.com").items
    assert [order.id for order in found] == [second.id, placed["Ada@Example.com"]]
    assert {order.customer.email for order in found} == {"ada@example.com"}
    assert orders.list(customer_email="ada@example.co").items[0].id == placed["ada@example.co"]
    assert orders.count(customer_email="ada@example.co") == 1
    assert orders.count(customer_email="nobody@example.com") == 0
    # With the other filters, and paged by the same cursors.
    first_page = orders.list(customer_email="ada@example.com", limit=1)
    assert (
        orders.list(customer_email="ada@example.com", cursor=first_page.next_cursor).items[0].id
        == (placed["Ada@Example.com"])
    )
    assert orders.count(customer_email="ada@example.com", status=ko.Status.SHIPPED) == 0


@pytest.mark.parametrize(("asked", "words"), [("", "must not be blank"), ("ada", "not a valid email")])
def test_a_blank_or_malformed_email_is_refused_not_taken_for_every_order(
    orders: ko.Orders, placed: dict[str, str], asked: str, words: str
) -> None:
    with pytest.raises(ko.ValidationError, match=f"customer_email.*{words}"):
        orders.list(customer_email=asked)
    with pytest.raises(ko.ValidationError, match="customer_email"):
        orders.count(customer_email=asked)
