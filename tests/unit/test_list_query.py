"""The order list's days are the merchant's days: read on the request's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from kasify_orders.i18n.formats import on_clock
from kasify_orders.web.list_query import read_list_query


def test_placed_from_and_to_are_whole_days_on_the_merchants_clock() -> None:
    query = {"placed_from": "2026-12-02", "placed_to": "2026-12-02"}
    with on_clock("Europe/Berlin"):
        _, berlin, errors = read_list_query(query)
    assert not errors
    assert berlin["created_from"] == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert berlin["created_to"] == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # the 2nd is in
    _, utc, _ = read_list_query(query)
    assert utc["created_from"] == datetime(2026, 12, 2, tzinfo=UTC)


def test_a_day_that_is_no_date_or_an_end_before_the_start_names_its_field() -> None:
    _, _, errors = read_list_query({"placed_from": "yesterday"})
    assert [(e.path, e.message) for e in errors] == [
        ("placed_from", "must be a date written YYYY-MM-DD, got 'yesterday'")
    ]
    _, _, errors = read_list_query({"placed_from": "2026-12-03", "placed_to": "2026-12-01"})
    assert [e.path for e in errors] == ["placed_to"]
