"""Building the queries behind listing and searching orders, and dialect-specific upserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.lifecycle import PaymentStatus, Status

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


def filtered(query: sa.Select[Any], o: sa.Table, where: OrderFilter) -> sa.Select[Any]:
    """Apply every filter of *where* to *query* over the orders table."""
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
        query = query.where(_search(o, where.search))
    if where.paid_before is not None:
        query = query.where(o.c.paid_at < where.paid_before)
    return query


def _search(o: sa.Table, text: str) -> sa.ColumnElement[bool]:
    """Match an order number, or part of the customer's name or email, or a tracking number.

    A whole email address (it has an ``@`` and no spaces) is looked up exactly, through the
    email index: on a large shop a substring scan takes seconds, an index lookup milliseconds.
    """
    term = text.strip()
    if "@" in term and " " not in term and not term.startswith("@") and not term.endswith("@"):
        return o.c.customer_email == term.lower()
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    clauses: list[sa.ColumnElement[bool]] = [
        sa.func.lower(o.c.customer_name).like(pattern, escape="\\"),
        sa.func.lower(o.c.customer_email).like(pattern, escape="\\"),
        o.c.tracking_number == term.upper().replace(" ", ""),
        o.c.tracking_number == term,
    ]
    digits = term.removeprefix("#")
    if digits.isdigit() and len(digits) < 19:
        clauses.append(o.c.number == int(digits))
    return sa.or_(*clauses)


def upsert(conn: Connection, table: sa.Table, values: dict[str, Any], keys: list[str]) -> sa.Executable:
    """Insert *values*, or update the row with the same *keys* (each dialect's own upsert)."""
    updates = {name: value for name, value in values.items() if name not in keys}
    dialect = conn.dialect.name
    if dialect in {"mysql", "mariadb"}:
        return mysql.insert(table).values(values).on_duplicate_key_update(updates)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.values(values).on_conflict_do_update(index_elements=keys, set_=updates)
