"""orders.list(): filters, search, and keyset pages that stay stable while orders arrive."""

from datetime import datetime, timedelta

import pytest

import kasify_orders as ko
from kasify_orders.model import utcnow
from kasify_orders.storage import queries
from tests.helpers import new_order, place_like_an_older_version


def numbers(page: ko.Page) -> list[int]:
    return [order.number for order in page.items]


def test_pages_are_newest_first_and_stable_while_orders_arrive(orders: ko.Orders) -> None:
    placed = [orders.place(new_order(email=f"c{i}@example.com")).number for i in range(7)]
    first = orders.list(limit=3)
    assert numbers(first) == placed[::-1][:3]
    orders.place(new_order())  # a new order arrives between page views
    second = orders.list(limit=3, cursor=first.next_cursor)
    third = orders.list(limit=3, cursor=second.next_cursor)
    assert numbers(second) == placed[::-1][3:6]
    assert numbers(third) == placed[:1]
    assert third.next_cursor is None


def test_filters(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("TENOFF", 10))
    a = orders.place(new_order(name="Ada Lovelace", email="ada@example.com"))
    b = orders.place(new_order(name="Grace Hopper", email="grace@navy.example", coupon_code="tenoff"))
    c = orders.place(new_order(name="Alan Turing", email="alan@example.org"))
    orders.confirm_payment(b.id)
    orders.confirm_payment(c.id)
    orders.mark_shipped(c.id, tracking_number="1Z999AA10123456784", carrier="ups")
    assert numbers(orders.list(status=ko.Status.PROCESSING)) == [b.number]
    assert numbers(orders.list(status="pending")) == [a.number]
    assert numbers(orders.list(payment_status="paid")) == [c.number, b.number]
    assert numbers(orders.list(coupon_code="TenOff")) == [b.number]
    assert numbers(orders.list(search="grace")) == [b.number]
    assert numbers(orders.list(search="NAVY.example")) == [b.number]
    assert numbers(orders.list(search="Grace@Navy.example")) == [b.number]
    assert numbers(orders.list(search="race@navy.example")) == []  # a whole address matches exactly
    assert numbers(orders.list(search="1Z999AA10123456784")) == [c.number]
    assert numbers(orders.list(search=f"#{a.number}")) == [a.number]
    assert numbers(orders.list(search="100%_")) == []
    soon = utcnow() + timedelta(minutes=1)
    assert numbers(orders.list(paid_before=soon, status="processing")) == [b.number]
    assert numbers(orders.list(created_from=soon)) == []
    assert numbers(orders.list(created_to=soon)) == [c.number, b.number, a.number]


def test_search_finds_the_start_of_any_word_of_the_name_or_email(orders: ko.Orders) -> None:
    ada = orders.place(new_order(name="Ada King Lovelace", email="countess@analytical.example"))
    zoe = orders.place(new_order(name="Zoë O'Brien", email="zoe@Example.ORG"))
    assert numbers(orders.list(search="lovel")) == [ada.number]
    assert numbers(orders.list(search="king lovelace")) == [ada.number]
    assert numbers(orders.list(search="ANALYTICAL")) == [ada.number]
    assert numbers(orders.list(search="@example.org")) == [zoe.number]
    assert numbers(orders.list(search="brien")) == [zoe.number]
    assert numbers(orders.list(search="Zoë")) == [zoe.number]
    assert numbers(orders.list(search="zoe o")) == []  # accents count, on every database
    assert numbers(orders.list(search="ovelace")) == []  # not from the start of a word
    assert orders.count(search="e") == 2


def test_search_results_page_like_any_list(orders: ko.Orders) -> None:
    placed = [orders.place(new_order(name=f"Ada {i}", email=f"a{i}@example.com")).number for i in range(5)]
    orders.place(new_order(name="Grace Hopper", email="grace@navy.example"))
    first = orders.list(search="ada", limit=2)
    second = orders.list(search="ada", limit=2, cursor=first.next_cursor)
    third = orders.list(search="ada", limit=2, cursor=second.next_cursor)
    assert numbers(first) + numbers(second) + numbers(third) == placed[::-1]
    assert third.next_cursor is None


def test_a_common_word_pages_and_exports_like_a_rare_one(
    orders: ko.Orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "COMMON", 3)  # a million orders' worth of "ada", in five
    placed = [orders.place(new_order(name=f"Ada {i}", email=f"a{i}@example.com")).number for i in range(5)]
    grace = orders.place(new_order(name="Grace Hopper", email="grace@navy.example")).number
    with orders.store.engine.connect() as conn:
        assert queries.is_common(conn, orders.store.tables, queries.OrderFilter(search="ada"))
        assert not queries.is_common(conn, orders.store.tables, queries.OrderFilter(search="grace"))
    first = orders.list(search="ada", limit=2)
    second = orders.list(search="ada", limit=2, cursor=first.next_cursor)
    third = orders.list(search="ada", limit=2, cursor=second.next_cursor)
    assert numbers(first) + numbers(second) + numbers(third) == placed[::-1]
    assert numbers(orders.list(search=f"#{grace}")) == [grace]
    exported = orders.store.iter_orders(queries.OrderFilter(search="Ada"), batch_size=2)
    assert [order.number for order in exported] == placed
    summaries = orders.store.iter_summaries(queries.OrderFilter(search="ada"), batch_size=2)
    assert [order.number for order in summaries] == placed
    assert orders.count(search="ada") == 5


def test_count_by_status_has_every_status(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.place(new_order())
    orders.cancel(order.id)
    counts = orders.count_by_status()
    assert counts[ko.Status.PENDING] == 1
    assert counts[ko.Status.CANCELLED] == 1
    assert counts[ko.Status.REFUNDED] == 0


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"cursor": "abc"}, "cursor"),
        ({"created_from": datetime(2026, 1, 1)}, "created_from"),  # naive on purpose
    ],
)
def test_bad_list_arguments_name_the_field(
    sqlite_orders: ko.Orders, kwargs: dict[str, object], path: str
) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        sqlite_orders.list(**kwargs)  # type: ignore[arg-type]
    assert [error.path for error in caught.value.errors] == [path]


def test_count_uses_the_same_filters_as_list(orders: ko.Orders) -> None:
    for index in range(3):
        order = orders.place(new_order(email=f"c{index}@example.com"))
        if index:
            orders.confirm_payment(order.id)
    assert orders.count() == 3
    assert orders.count(status="processing") == 2
    assert orders.count(search="c0@") == 1
    assert orders.count(paid_before=utcnow() + timedelta(minutes=1)) == 2
    with pytest.raises(ko.ValidationError, match="status"):
        orders.count(status="lost")


def test_an_unknown_filter_is_a_type_error(sqlite_orders: ko.Orders) -> None:
    with pytest.raises(TypeError, match="unknown order filter 'stauts'"):
        sqlite_orders.list(stauts="pending")  # type: ignore[call-arg]


@pytest.mark.parametrize("cursor", ["9223372036854775808", "9" * 40, "\u0665", "\uff15", " 5", "-1", "5.0"])
def test_a_cursor_no_page_could_have_returned_is_refused_on_every_database(
    orders: ko.Orders, cursor: str
) -> None:
    orders.place(new_order())
    with pytest.raises(ko.ValidationError) as caught:
        orders.list(cursor=cursor)
    assert [error.path for error in caught.value.errors] == ["cursor"]
    assert "next_cursor" in caught.value.errors[0].message


def test_the_largest_cursor_a_page_could_return_is_accepted(orders: ko.Orders) -> None:
    placed = orders.place(new_order())
    assert numbers(orders.list(cursor=str(2**63 - 1))) == [placed.number]


def test_orders_written_without_search_terms_are_found_once_the_index_is_rebuilt(orders: ko.Orders) -> None:
    indexed = orders.place(new_order(name="Ada Lovelace", email="ada@example.com"))
    old = [
        place_like_an_older_version(orders, new_order(name="Grace Hopper", email=f"grace{i}@navy.example"))
        for i in range(3)
    ]
    assert numbers(orders.list(search="grace")) == []
    assert orders.store.count_unindexed_orders() == 3

    assert orders.rebuild_search(only_missing=True) == 3
    assert numbers(orders.list(search="grace")) == [o.number for o in reversed(old)]
    assert numbers(orders.list(search="navy.example")) == [o.number for o in reversed(old)]
    assert orders.store.count_unindexed_orders() == 0

    # A whole rebuild, in batches smaller than the orders, leaves every term as placing wrote it.
    assert orders.store.rebuild_search_terms(batch_size=2) == 4
    assert numbers(orders.list(search="ada lovelace")) == [indexed.number]
    assert numbers(orders.list(search="grace")) == [o.number for o in reversed(old)]
