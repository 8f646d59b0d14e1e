"""Reading many orders: the filters :meth:`Orders.list` and :meth:`Orders.count` take, and pages by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import Page
from kasify_orders.storage.port import Store
from kasify_orders.storage.records import OrderFilter
from kasify_orders.validation import Checker, shown
from kasify_orders.validation import _email as normalized_email

__all__ = ["MAX_ORDER_NUMBER", "MAX_PAGE", "OrderFilters", "count_orders", "list_orders"]

MAX_PAGE = 500
#: The largest order number (a signed 64-bit integer on every database), so the largest cursor.
MAX_ORDER_NUMBER = 2**63 - 1
_CURSOR_DIGITS = len(str(MAX_ORDER_NUMBER))


class OrderFilters(TypedDict, total=False):
    """The filters :meth:`Orders.list` and :meth:`Orders.count` take, all optional."""

    #: Only orders in this status.
    status: Status | str | None
    #: Only orders with this payment status.
    payment_status: PaymentStatus | str | None
    #: An order number (``1042`` or ``#1042``), a tracking number, or the start of any word of
    #: the customer's name or email ("lovel", "ada lo", "@example.com").
    search: str | None
    #: Only this customer's orders: the whole email, exact but case-insensitive (for a host's
    #: "my orders" page; ``search`` matches the start of words and would show others' orders).
    customer_email: str | None
    #: Placed at or after this aware datetime.
    created_from: datetime | None
    #: Placed before this aware datetime.
    created_to: datetime | None
    #: Placed with this coupon (case-insensitive).
    coupon_code: str | None
    #: Paid before this aware datetime (the pages' "Needs attention" view).
    paid_before: datetime | None


def list_orders(store: Store, *, limit: int, cursor: str | None, filters: OrderFilters) -> Page:
    """A page of orders, newest first (see :meth:`Orders.list`)."""
    checker = Checker()
    where = _order_filter(checker, filters)
    limit = checker.integer("limit", limit, minimum=1)
    if limit > MAX_PAGE:
        checker.fail("limit", f"must be at most {MAX_PAGE}, got {limit}")
    after = None
    if cursor is not None:
        after = _cursor(checker, cursor)
    checker.done()
    found = store.list_orders(where, limit=limit + 1, after=after)
    items = found[:limit]
    next_cursor = str(items[-1].number) if len(found) > limit else None
    return Page(tuple(items), next_cursor)


def count_orders(store: Store, filters: OrderFilters) -> int:
    """How many orders :func:`list_orders` would page through with the same filters."""
    checker = Checker()
    where = _order_filter(checker, filters)
    checker.done()
    return store.count_orders(where)


def _cursor(checker: Checker, cursor: object) -> int | None:
    """The order number a ``next_cursor`` holds: ASCII digits naming a number a store can hold."""
    if isinstance(cursor, str) and cursor.isascii() and cursor.isdigit() and len(cursor) <= _CURSOR_DIGITS:
        number = int(cursor)
        if number <= MAX_ORDER_NUMBER:
            return number
    checker.fail("cursor", f"must be a next_cursor returned by a previous page, got {shown(cursor)}")
    return None


def _order_filter(checker: Checker, filters: OrderFilters) -> OrderFilter:
    """Check the filters of :meth:`Orders.list`, recording bad ones on *checker*."""
    unknown = sorted(set(filters) - set(OrderFilters.__annotations__))
    if unknown:
        raise TypeError(
            f"unknown order filter {unknown[0]!r}; the filters are {', '.join(OrderFilters.__annotations__)}"
        )
    search = filters.get("search")
    email = filters.get("customer_email")
    return OrderFilter(
        status=_enum(checker, "status", Status, filters.get("status")),
        payment_status=_enum(checker, "payment_status", PaymentStatus, filters.get("payment_status")),
        created_from=checker.moment("created_from", filters.get("created_from")),
        created_to=checker.moment("created_to", filters.get("created_to")),
        coupon_code=filters.get("coupon_code"),
        search=search.strip() if search and search.strip() else None,
        # Spelt as orders store it (validation's normal form), so equality is exact.
        customer_email=None if email is None else normalized_email(checker, "customer_email", email),
        paid_before=checker.moment("paid_before", filters.get("paid_before")),
    )


def _enum(checker: Checker, name: str, kind: type[Status | PaymentStatus], value: object) -> Any:
    if value is None:
        return None
    try:
        return kind(str(value))
    except ValueError:
        checker.fail(name, f"must be one of {', '.join(member.value for member in kind)}, got {value!r}")
        return None
