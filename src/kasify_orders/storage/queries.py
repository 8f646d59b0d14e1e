"""Building the queries behind listing and searching orders, and dialect-specific upserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.storage.search import prefix_range
from kasify_orders.storage.tables import Tables

__all__ = ["OrderFilter", "filtered", "upsert"]


@attrs.frozen
class OrderFilter:
    """What :meth:`SqlStore.list_orders` selects."""

    status: Status | None = None
    payment_status: PaymentStatus | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    coupon_code: str | None = None
    search: str | None = None
    #: Only orders whose payment was confirmed before this time.
    paid_before: datetime | None = None


def filtered(query: sa.Select[Any], t: Tables, where: OrderFilter) -> sa.Select[Any]:
    """Apply every filter of *where* to *query* over the orders table."""
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
        query = query.where(o.c.number.in_(_found_by(t, where.search)))
    if where.paid_before is not None:
        query = query.where(o.c.paid_at < where.paid_before)
    return query


def _found_by(t: Tables, text: str) -> sa.CompoundSelect[Any]:
    """The numbers of the orders a search finds, each way through its own index.

    The order number (``1234`` or ``#1234``), a tracking number, or the start of any word of
    the customer's name or email (:mod:`kasify_orders.storage.search`). One ``UNION`` rather than
    ``OR``: the database looks each alternative up in its index, where an ``OR`` spanning two
    tables would have it test every order.
    """
    o, terms = t.orders, t.search_terms
    term = text.strip()
    found = [sa.select(o.c.number).where(o.c.tracking_number.in_({term, term.upper().replace(" ", "")}))]
    digits = term.removeprefix("#")
    if digits.isdigit() and len(digits) < 19:
        found.append(sa.select(o.c.number).where(o.c.number == int(digits)))
    words = prefix_range(term)
    if words is not None:
        low, high = words
        found.append(sa.select(terms.c.number).where(terms.c.term >= low, terms.c.term < high))
    return sa.union(*found)


def upsert(conn: Connection, table: sa.Table, values: dict[str, Any], keys: list[str]) -> sa.Executable:
    """Insert *values*, or update the row with the same *keys* (each dialect's own upsert)."""
    updates = {name: value for name, value in values.items() if name not in keys}
    dialect = conn.dialect.name
    if dialect in {"mysql", "mariadb"}:
        return mysql.insert(table).values(values).on_duplicate_key_update(updates)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.values(values).on_conflict_do_update(index_elements=keys, set_=updates)
