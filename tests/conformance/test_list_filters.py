"""The order list's filters (date range, coupon, country), sorts by date and total, bounded counts.

On every store of the suite: sorting by total pages by ``(total, number)`` on each database,
so no order is shown twice or skipped however many share a total.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

import kasify_orders as ko
from kasify_orders import actions
from kasify_orders.model import utcnow
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort
from kasify_orders.validation import validate_new_order
from tests.conformance.conftest import StoreUnderTest
from tests.helpers import new_order


def placed(store: Store, *, at: datetime | None = None, **cart: Any) -> ko.Order:
    """An order placed through the port at *at* (now by default)."""
    change = actions.place(
        validate_new_order(new_order(**cart)),
        None,
        order_id=uuid.uuid4().hex,
        at=at or utcnow(),
        actor=None,
    )

    def place(tx: Transaction) -> ko.Order:
        return tx.insert_order(change.order, None)

    return store.atomic(place)


def every_page(orders: ko.Orders, **filters: Any) -> list[int]:
    """The numbers of every page of the list, two at a time, following the cursors."""
    seen: list[int] = []
    cursor = None
    while True:
        page = orders.list(limit=2, cursor=cursor, **filters)
        seen += [summary.number for summary in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_sort_by_total_pages_through_equal_totals_once_each_way(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    prices = ["10.00", "30.00", "10.00", "20.00", "30.00", "10.00", "5.00"]
    made = [placed(orders.store, unit_price=price, quantity=1) for price in prices]
    by_total = sorted(made, key=lambda o: (o.totals.total, o.number))
    assert every_page(orders, sort="total_asc") == [o.number for o in by_total]
    assert every_page(orders, sort="total_desc") == [o.number for o in reversed(by_total)]
    assert every_page(orders, sort="date_asc") == [o.number for o in made]
    assert every_page(orders, sort=OrderSort.DATE_DESC) == [o.number for o in reversed(made)]
    page = orders.list(limit=3, sort="total_desc")
    assert page.next_cursor == f"2500-{by_total[-3].number}"  # 20.00 + 5.00 shipping, in cents


def test_a_total_key_starts_the_next_page_after_it_in_the_store(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    cheap, dear, also_dear = (placed(store, unit_price=p, quantity=1) for p in ("1.00", "9.00", "9.00"))
    after = Keyset(also_dear.number, total=1400)
    found = store.list_orders(OrderFilter(), limit=5, after=after, sort=OrderSort.TOTAL_DESC)
    assert [o.number for o in found] == [dear.number, cheap.number]
    found = store.list_orders(
        OrderFilter(), limit=5, after=Keyset(cheap.number, 600), sort=OrderSort.TOTAL_ASC
    )
    assert [o.number for o in found] == [dear.number, also_dear.number]


def test_filters_by_date_range_coupon_and_country_together(subject: StoreUnderTest) -> None:
    store: Store = subject.store
    now = utcnow().replace(microsecond=0)
    old = placed(store, at=now - timedelta(days=10), coupon_code="WINTER15")
    inside = placed(store, at=now - timedelta(days=3), coupon_code="WINTER15")
    placed(store, at=now - timedelta(days=3), coupon_code="OTHER")
    placed(store, at=now - timedelta(days=3), coupon_code="WINTER15", country="US")
    placed(store, at=now, coupon_code="WINTER15")
    where = OrderFilter(
        created_from=now - timedelta(days=5),
        created_to=now - timedelta(days=1),
        coupon_code="winter15",
        ship_country="GB",
    )
    assert [o.id for o in store.list_orders(where, limit=10, after=None)] == [inside.id]
    assert store.count_orders(where) == 1
    assert store.count_orders(OrderFilter(ship_country="US")) == 1
    assert [
        o.id for o in store.list_orders(OrderFilter(created_to=now - timedelta(days=5)), limit=9, after=None)
    ] == [old.id]


def test_service_filters_take_a_country_in_any_case(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    french = placed(orders.store, country="FR")
    placed(orders.store, country="GB")
    assert [o.id for o in orders.list(country="fr").items] == [french.id]
    assert orders.count(country=" fr ") == 1


def test_a_bounded_count_stops_after_its_limit_and_the_counters_stay_exact(subject: StoreUnderTest) -> None:
    orders = subject.orders()
    for _ in range(5):
        placed(orders.store, coupon_code="BIG")
    assert orders.count(coupon_code="BIG", at_most=2) == 3  # "more than 2"
    assert orders.count(coupon_code="BIG", at_most=5) == 5
    assert orders.count(coupon_code="BIG", at_most=10) == 5
    assert orders.count(at_most=2) == 5  # the counters answer the unfiltered list exactly
    assert orders.count(status=ko.Status.PENDING, at_most=2) == 5


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"sort": "price"}, "sort"),
        ({"country": "Britain"}, "country"),
        ({"country": "XX"}, "country"),
        ({"sort": "total_desc", "cursor": "1042"}, "cursor"),
        ({"sort": "date_desc", "cursor": "1500-1042"}, "cursor"),
    ],
)
def test_bad_sorts_countries_and_cursors_name_their_field(
    subject: StoreUnderTest, filters: dict[str, Any], field: str
) -> None:
    orders = subject.orders()
    with pytest.raises(ko.ValidationError) as raised:
        orders.list(**filters)
    assert [error.path for error in raised.value.errors] == [field]


@pytest.mark.parametrize("sort", ["date_desc", "date_asc", "total_desc", "total_asc"])
def test_a_count_from_a_cursor_counts_the_orders_of_the_pages_after_it(
    subject: StoreUnderTest, sort: str
) -> None:
    orders = subject.orders()
    for quantity in (1, 3, 2, 2, 1, 3, 2):
        placed(orders.store, coupon_code="BIG", quantity=quantity)
    placed(orders.store, coupon_code="OTHER")
    first = orders.list(coupon_code="BIG", sort=sort, limit=3)
    assert first.next_cursor is not None
    rest = [first.items]
    cursor: str | None = first.next_cursor
    while cursor is not None:
        page = orders.list(coupon_code="BIG", sort=sort, limit=3, cursor=cursor)
        rest.append(page.items)
        cursor = page.next_cursor
    after_first = sum(len(items) for items in rest[1:])
    assert after_first == 4
    assert orders.count(coupon_code="BIG", sort=sort, cursor=first.next_cursor) == after_first
    more = orders.count(coupon_code="BIG", sort=sort, cursor=first.next_cursor, at_most=2)
    assert more == 3  # "more than 2"
    assert orders.count(coupon_code="BIG", sort=sort, cursor=first.next_cursor, at_most=4) == 4
    with pytest.raises(ko.ValidationError) as refused:
        orders.count(coupon_code="BIG", sort=sort, cursor="not-a-cursor")
    assert refused.value.errors[0].path == "cursor"
