"""Reading many orders: the filters :meth:`Orders.list` and :meth:`Orders.count` take, and pages by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from kasify_orders import money
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import OrderSummary, Page
from kasify_orders.storage.port import Store
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort
from kasify_orders.validation import Checker, is_country, shown
from kasify_orders.validation import _email as normalized_email

__all__ = [
    "MAX_ORDER_NUMBER",
    "MAX_PAGE",
    "OrderFilters",
    "OrderSort",
    "count_orders",
    "list_orders",
    "order_filter",
]

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
    #: Only orders shipped to this country: its two-letter ISO 3166-1 code (``"GB"``, any case).
    country: str | None
    #: The order of the list (:class:`OrderSort` or its value): ``date_desc`` (newest first,
    #: the default), ``date_asc``, ``total_desc``, ``total_asc``. :meth:`Orders.count` ignores it.
    sort: OrderSort | str | None


def list_orders(store: Store, *, limit: int, cursor: str | None, filters: OrderFilters) -> Page:
    """A page of orders in the filters' ``sort`` order, newest first by default (see :meth:`Orders.list`)."""
    checker = Checker()
    where = _order_filter(checker, filters)
    sort = _enum(checker, "sort", OrderSort, filters.get("sort")) or OrderSort.DATE_DESC
    limit = checker.integer("limit", limit, minimum=1)
    if limit > MAX_PAGE:
        checker.fail("limit", "must be at most %(maximum)s, got %(given)s", maximum=MAX_PAGE, given=limit)
    after = None
    if cursor is not None:
        after = _cursor(checker, cursor, sort)
    checker.done()
    found = store.list_orders(where, limit=limit + 1, after=after, sort=sort)
    items = found[:limit]
    next_cursor = _next_cursor(items[-1], sort) if len(found) > limit else None
    return Page(tuple(items), next_cursor)


def count_orders(
    store: Store, filters: OrderFilters, *, at_most: int | None = None, cursor: str | None = None
) -> int:
    """How many orders :func:`list_orders` would page through with the same filters.

    *at_most*: count no further than *at_most* + 1 orders (a result above it means "more");
    the counters answer the unfiltered list and each status exactly, whatever *at_most*.
    *cursor*: from that page on (a page's ``next_cursor``), in the filters' ``sort`` order.
    """
    checker = Checker()
    where = _order_filter(checker, filters)
    sort = _enum(checker, "sort", OrderSort, filters.get("sort")) or OrderSort.DATE_DESC
    if at_most is not None:
        at_most = checker.integer("at_most", at_most, minimum=0)
    after = _cursor(checker, cursor, sort) if cursor is not None else None
    checker.done()
    if after is None:
        return store.count_orders(where, at_most=at_most)
    return store.count_orders(where, at_most=at_most, after=after, sort=sort)


def order_filter(filters: OrderFilters) -> OrderFilter:
    """The store's filter for *filters* (``sort`` is checked, then left out); raises ``ValidationError``.

    For reading the orders of a list another way (an export, a bulk action on "all matching").
    """
    checker = Checker()
    where = _order_filter(checker, filters)
    _enum(checker, "sort", OrderSort, filters.get("sort"))
    checker.done()
    return where


def _next_cursor(last: OrderSummary, sort: OrderSort) -> str:
    """The key of the page's last order: its number, or ``<total in minor units>-<number>`` by total."""
    if sort.by_total:
        return f"{money.to_minor(last.totals.total, last.currency)}-{last.number}"
    return str(last.number)


def _number(text: str) -> int | None:
    """A non-negative integer a store can hold, written in ASCII digits, or None."""
    if text.isascii() and text.isdigit() and len(text) <= _CURSOR_DIGITS and int(text) <= MAX_ORDER_NUMBER:
        return int(text)
    return None


def _cursor(checker: Checker, cursor: object, sort: OrderSort) -> Keyset | None:
    """The key a ``next_cursor`` holds (one of a page of the same sort)."""
    if isinstance(cursor, str):
        if sort.by_total:
            total_text, _, number_text = cursor.partition("-")
            key_total, key_number = _number(total_text), _number(number_text)
            if key_total is not None and key_number is not None:
                return Keyset(key_number, key_total)
        elif (number := _number(cursor)) is not None:
            return Keyset(number)
    checker.fail(
        "cursor", "must be a next_cursor returned by a previous page, got %(given)s", given=shown(cursor)
    )
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
        ship_country=_country(checker, filters.get("country")),
    )


def _country(checker: Checker, value: object) -> str | None:
    """A two-letter country code, upper-case as orders store it."""
    if value is None:
        return None
    code = value.strip().upper() if isinstance(value, str) else ""
    if is_country(code):
        return code
    checker.fail(
        "country", "must be an ISO 3166-1 alpha-2 code such as GB or US, got %(given)s", given=shown(value)
    )
    return None


def _enum(checker: Checker, name: str, kind: type[Status | PaymentStatus | OrderSort], value: object) -> Any:
    if value is None:
        return None
    try:
        return kind(str(value))
    except ValueError:
        names = ", ".join(member.value for member in kind)
        checker.fail(name, "must be one of %(names)s, got %(given)s", names=names, given=repr(value))
        return None
