"""PostgreSQL plans a filtered list for its values each time, never once for any (``storage/engine.py``).

psycopg 3 prepares a statement a connection runs five times; PostgreSQL may then switch to one
plan for every value. For a filtered list's dates and cursor that plan read half of a million
orders where the plan for the values read a thousand. So the filtered lists and counts go
unprepared, and the rest keep their prepared plans. This runs on PostgreSQL alone: the other
databases kasify runs on keep no plan across executions this way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

import kasify_orders as ko
from tests.helpers import new_order, server_database


@pytest.fixture
def postgres_orders() -> Iterator[ko.Orders]:
    urls = server_database("KASIFY_TEST_POSTGRES_URL")
    with ko.Orders.connect(next(urls), load_entrypoints=False, migrate=True) as orders:
        yield orders
    next(urls, None)


def test_a_filtered_list_asked_again_and_again_is_never_prepared_the_rest_is(
    postgres_orders: ko.Orders,
) -> None:
    orders = postgres_orders
    placed = [orders.confirm_payment(orders.place(new_order()).id) for _ in range(8)]
    at = placed[0].created_at
    day = timedelta(days=1)
    filters = {"status": "processing", "created_from": at - day, "created_to": at + day}
    first = orders.list(limit=3, **filters)  # type: ignore[arg-type]
    for _ in range(12):  # past psycopg's five and PostgreSQL's five before it may plan generically
        assert orders.list(limit=3, cursor=first.next_cursor, **filters).items  # type: ignore[arg-type]
        assert orders.count(at_most=5, cursor=first.next_cursor, **filters) == 5  # type: ignore[arg-type]
    with orders.store.engine.connect() as conn:  # the pool's one connection, which ran them
        prepared = [text for (text,) in conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements")]
    assert prepared, "nothing was prepared: the test did not reach psycopg's threshold"
    assert any("kasify_orders.number" in text for text in prepared)  # reading an order, say
    assert not [text for text in prepared if "created_at >=" in text]
