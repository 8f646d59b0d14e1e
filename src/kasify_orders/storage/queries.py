"""Building the queries behind listing and searching orders, and dialect-specific upserts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from kasify_orders.storage.engine import for_its_values
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort
from kasify_orders.storage.search import prefix_range
from kasify_orders.storage.tables import Tables

__all__ = ["COMMON", "OrderFilter", "at_most", "filtered", "is_common", "sorted_page", "upsert"]


#: A search matching more terms than this is for a common word ("gmail", "smith"): rather
#: than look up every match and sort them, the list walks the orders newest first and keeps
#: those with the word, which fills a page after a few hundred orders (see :func:`filtered`).
COMMON = 5000


def filtered(query: sa.Select[Any], t: Tables, where: OrderFilter, *, common: bool = False) -> sa.Select[Any]:
    """Apply every filter of *where* to *query* over the orders table.

    *common*: the search is for a common word (:func:`is_common`); test each order for it,
    instead of looking up every order that has it.
    """
    o = t.orders
    if where.status is not None:
        query = query.where(o.c.status == where.status.value)
    if where.payment_status is not None:
        query = query.where(o.c.payment_status == where.payment_status.value)
    if where.created_from is not None:
        query = query.where(o.c.created_at >= where.created_from)
    if where.created_to is not None:
        query = query.where(o.c.created_at < where.created_to)
    if where.coupon_code is not None:
        query = query.where(o.c.coupon_code == where.coupon_code.strip().upper())
    if where.search:
        query = query.where(_search(t, where.search, common=common))
    if where.customer_email is not None:
        email = sa.literal(where.customer_email, o.c.customer_email.type)
        query = query.where(_SameText(o.c.customer_email, email))
    if where.paid_before is not None:
        query = query.where(o.c.paid_at < where.paid_before)
    if where.ship_country is not None:
        query = query.where(o.c.ship_country == where.ship_country)
    if where.ids is not None:
        query = query.where(o.c.id.in_(sorted(where.ids)))
    return query


def sorted_page(query: sa.Select[Any], t: Tables, sort: OrderSort, after: Keyset | None) -> sa.Select[Any]:
    """*query* in *sort*'s order, starting after *after* (a keyset page: no offset to skip).

    By date the key is the order number; by total it is ``(total, number)``, written as
    ``total <= :t AND (total < :t OR number < :n)`` (descending) so each database walks the
    ``(total, number)`` index from the key on (MariaDB does not for a row-value comparison).
    """
    o = t.orders
    number, total = o.c.number, o.c.total
    keys: tuple[sa.UnaryExpression[Any], ...]
    if sort.by_total:
        keys = (total.desc(), number.desc()) if sort.descending else (total.asc(), number.asc())
    else:
        keys = (number.desc(),) if sort.descending else (number.asc(),)
    query = query.order_by(None).order_by(*keys)
    if after is None:
        return query
    if not sort.by_total or after.total is None:
        return query.where(number < after.number if sort.descending else number > after.number)
    if sort.descending:
        return query.where(total <= after.total, sa.or_(total < after.total, number < after.number))
    return query.where(total >= after.total, sa.or_(total > after.total, number > after.number))


def at_most(
    conn: Connection,
    t: Tables,
    where: OrderFilter,
    limit: int,
    *,
    after: Keyset | None = None,
    sort: OrderSort = OrderSort.DATE_DESC,
) -> int:
    """How many orders match *where*, counting no further than *limit* + 1 (a bounded scan).

    A result above *limit* means "more than *limit*"; the list shows "1,000+". *after*: those
    after that key in *sort*'s order, walked from the key on as the list's next page would be.
    """
    o = t.orders
    query = filtered(sa.select(o.c.number), t, where)
    if after is not None:
        query = sorted_page(query, t, sort, after)
    first = query.limit(limit + 1).subquery()
    return int(conn.scalar(for_its_values(sa.select(sa.func.count()).select_from(first))) or 0)


def is_common(conn: Connection, t: Tables, where: OrderFilter) -> bool:
    """Whether *where* searches for a word more than :data:`COMMON` terms start with.

    One index range scan that stops at :data:`COMMON` entries.
    """
    words = prefix_range(where.search) if where.search else None
    if words is None:
        return False
    terms = t.search_terms
    first = sa.select(terms.c.number).where(*_in_range(terms, words)).limit(COMMON).subquery()
    return conn.scalar(sa.select(sa.func.count()).select_from(first)) == COMMON


def _search(t: Tables, text: str, *, common: bool) -> sa.ColumnElement[bool]:
    """Match the order number, any parcel's tracking number, or the start of a word of the name or email.

    The number may be written ``1234`` or ``#1234``; words are :mod:`kasify_orders.storage.search`'s.
    Each alternative is one index lookup, and their numbers are joined in one ``UNION``: an
    ``OR`` across two tables would have the database test every order. For a *common* word
    that is what is wanted: each order is tested (through the ``(number, term)`` index) and
    the first page is full long before the orders run out.
    """
    o, terms, parcels = t.orders, t.search_terms, t.shipments
    term = text.strip()
    # Every parcel's number (the order row keeps only the latest one's), through its index.
    in_a_parcel = parcels.c.tracking_number.in_({term, term.upper().replace(" ", "")})
    tracking = o.c.id.in_(sa.select(parcels.c.order_id).where(in_a_parcel))
    digits = term.removeprefix("#")
    number = int(digits) if digits.isdigit() and len(digits) < 19 else None
    words = prefix_range(term)
    if common and words is not None:
        has_word = sa.exists().where(terms.c.number == o.c.number, *_in_range(terms, words))
        return sa.or_(has_word, tracking, *([o.c.number == number] if number is not None else []))
    found = [sa.select(o.c.number).join(parcels, parcels.c.order_id == o.c.id).where(in_a_parcel)]
    if number is not None:
        found.append(sa.select(o.c.number).where(o.c.number == number))
    if words is not None:
        found.append(sa.select(terms.c.number).where(*_in_range(terms, words)))
    return o.c.number.in_(sa.union(*found))


def _in_range(terms: sa.Table, words: tuple[str, str]) -> tuple[sa.ColumnElement[bool], ...]:
    low, high = words
    return terms.c.term >= low, terms.c.term < high


class _SameText(sa.ColumnElement[bool]):
    """``left = right``, character for character, on every database, through *left*'s index.

    PostgreSQL and SQLite compare strings that way already. MariaDB's default collations
    ignore case and accents ('ada@example.com' = 'adá@example.com'), so there the index finds
    the candidates and a code-point comparison keeps the exact ones.
    """

    type = sa.Boolean()
    #: A comparison already: not to be written ``(...) = 1`` where booleans are integers.
    _is_implicitly_boolean = True
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache-key protocol
        ("left", InternalTraversal.dp_clauseelement),
        ("right", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, left: sa.ColumnElement[str], right: sa.ColumnElement[str]) -> None:
        self.left = left
        self.right = right


@compiles(_SameText)
def _same_text(element: _SameText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.left == element.right, **kw)


@compiles(_SameText, "mysql")
@compiles(_SameText, "mariadb")
def _same_text_mysql(element: _SameText, compiler: SQLCompiler, **kw: Any) -> str:
    exact = sa.and_(element.left == element.right, sa.collate(element.left, "utf8mb4_bin") == element.right)
    return compiler.process(exact, **kw)


def upsert(conn: Connection, table: sa.Table, values: dict[str, Any], keys: list[str]) -> sa.Executable:
    """Insert *values*, or update the row with the same *keys* (each dialect's own upsert)."""
    updates = {name: value for name, value in values.items() if name not in keys}
    dialect = conn.dialect.name
    if dialect in {"mysql", "mariadb"}:
        return mysql.insert(table).values(values).on_duplicate_key_update(updates)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.values(values).on_conflict_do_update(index_elements=keys, set_=updates)
