"""Seeding a million orders in minutes: pre-built rows in the store's own table layout, in bulk.

SQLite gets ``executemany`` of plain tuples on the raw connection (times written as
SQLAlchemy's SQLite ``DATETIME`` writes them), PostgreSQL gets ``COPY``. Every order has a
line, its timeline entries and its search terms (``storage/search.py``), so lists, searches,
detail pages and exports all see ordinary orders; the counters are then counted once from the
orders, as the 0007 migration would (``storage/counters.py``; skipped for code without them).
The orders ship to five countries (a fifth to Germany) and buy one to four T-shirts, so the
list's country filter and its sort by total have something to select and order.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.storage.search import terms_of

__all__ = ["seed_bulk"]

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman")
#: Of every 20 orders: 2 pending, 3 processing, 6 shipped, 7 delivered, 1 cancelled, 1 refunded.
_STATUSES = (
    ["pending"] * 2 + ["processing"] * 3 + ["shipped"] * 6 + ["delivered"] * 7 + ["cancelled", "refunded"]
)
#: (country, city, postal code) of every 10 runs of 11 orders: half to Britain, a fifth to Germany.
_ADDRESSES = (
    [("GB", "London", "N1 7GU")] * 5
    + [("DE", "Berlin", "10115")] * 2
    + [("FR", "Paris", "75001"), ("NL", "Amsterdam", "1012 AB"), ("US", "New York", "10001")]
)
_ORDER_COLUMNS = (
    "number",
    "id",
    "idempotency_key",
    "version",
    "status",
    "payment_status",
    "customer_name",
    "customer_email",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "currency",
    "subtotal",
    "shipping",
    "discount",
    "total",
    "refunded",
    "refund_pending",
    "coupon_code",
    "customer_note",
    "carrier",
    "tracking_number",
    "tracking_url",
    "shipped_at",
    "paid_at",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = ("order_id", "position", "sku", "name", "variant", "quantity", "unit_price", "total")
_TIMELINE_COLUMNS = ("order_id", "at", "kind", "actor", "message", "data")
_TERM_COLUMNS = ("term", "number")
_REFUND_COLUMNS = ("id", "order_id", "amount", "note", "actor", "created_at", "status", "resolved_at")


def _sqlite_time(moment: datetime | None) -> str | None:
    """As SQLAlchemy's SQLite ``DATETIME`` stores a naive-UTC time (always with microseconds)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _batches(count: int, first: int, batch: int, now: datetime) -> Iterator[tuple[list[Any], ...]]:
    """Rows of *batch* orders at a time: (orders, lines, timeline, search terms), as dicts of columns."""
    for start in range(0, count, batch):
        orders, lines, entries, terms, refunds = [], [], [], [], []
        for index in range(start, min(start + batch, count)):
            number = first + index
            order_id = uuid.uuid4().hex
            created = now - timedelta(minutes=count - index)
            status = _STATUSES[index % len(_STATUSES)]
            paid = status != "pending"
            shipped = status in {"shipped", "delivered"}
            first_name, last_name = _FIRST[index % len(_FIRST)], _LAST[index // 7 % len(_LAST)]
            name = f"{first_name} {last_name}"
            email = f"{first_name.lower()}.{last_name.lower()}{number}@example.com"
            paid_at = created + timedelta(minutes=5) if paid else None
            quantity = 1 + index // 3 % 4
            subtotal = 2500 * quantity
            total = subtotal + 500
            country, city, postal_code = _ADDRESSES[index // 11 % len(_ADDRESSES)]
            refunded = total if status == "refunded" else 0
            orders.append(
                (
                    number,
                    order_id,
                    None,
                    3 if shipped else 2 if paid else 1,
                    status,
                    {"refunded": "refunded", "pending": "pending"}.get(status, "paid"),
                    name,
                    email,
                    f"{index % 300} High Street",
                    "",
                    city,
                    "",
                    postal_code,
                    country,
                    "USD",
                    subtotal,
                    500,
                    0,
                    total,
                    refunded,
                    0,
                    None,
                    "",
                    "ups" if shipped else None,
                    f"1Z{number:016d}" if shipped else None,
                    f"https://www.ups.com/track?tracknum=1Z{number:016d}" if shipped else None,
                    created + timedelta(hours=20) if shipped else None,
                    paid_at,
                    created,
                    paid_at or created,
                )
            )
            lines.append((order_id, 0, "TEE-RED-M", "T-shirt", "Red / M", quantity, 2500, subtotal))
            entries.append((order_id, created, "placed", None, "Order placed", "{}"))
            if paid_at is not None:
                entries.append((order_id, paid_at, "payment_confirmed", None, "Payment confirmed", "{}"))
            terms.extend((term, number) for term in terms_of(name, email))
            if refunded:
                refunded_at = created + timedelta(days=2)
                refunds.append(
                    (uuid.uuid4().hex, order_id, refunded, "", None, refunded_at, "settled", refunded_at)
                )
                message = f"Refunded ${total / 100:.2f}"
                entries.append((order_id, refunded_at, "refunded", None, message, "{}"))
        yield orders, lines, entries, terms, refunds


def seed_bulk(orders: ko.Orders, count: int, *, batch: int = 50_000) -> None:
    """Add *count* orders to *orders*' database in bulk, numbered after those there."""
    store = orders.store
    t = store.tables
    with store.engine.connect() as conn:
        first = (conn.scalar(sa.select(sa.func.max(t.orders.c.number))) or 0) + 1
    now = datetime.now(UTC)
    tables = ((t.orders, _ORDER_COLUMNS), (t.lines, _LINE_COLUMNS), (t.timeline, _TIMELINE_COLUMNS))
    tables += ((t.search_terms, _TERM_COLUMNS), (t.refunds, _REFUND_COLUMNS))
    raw: Any = store.engine.raw_connection()
    try:
        for rows in _batches(count, first, batch, now):
            if store.dialect == "postgresql":
                _copy(raw, tables, rows)
            else:
                _executemany(raw, tables, rows)
    finally:
        raw.close()
    with store.engine.begin() as conn:
        c = t.counters
        conn.execute(sa.delete(c).where(c.c.name == "order_number"))
        conn.execute(sa.insert(c).values(name="order_number", value=first + count - 1))
    if importlib.util.find_spec("kasify_orders.storage.counters") is not None:
        from kasify_orders.storage import counters

        counters.rebuild(store)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def _executemany(raw: Any, tables: tuple[tuple[sa.Table, Any], ...], rows: tuple[list[Any], ...]) -> None:
    cursor = raw.cursor()
    cursor.execute("BEGIN")
    for (table, columns), values in zip(tables, rows, strict=True):
        times = [i for i, column in enumerate(columns) if isinstance(table.c[column].type, sa.TypeDecorator)]
        written = (
            [tuple(_sqlite_time(v) if i in times else v for i, v in enumerate(row)) for row in values]
            if times
            else values
        )
        marks = ", ".join("?" * len(columns))
        cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", written)
    cursor.execute("COMMIT")
    cursor.close()


def _copy(raw: Any, tables: tuple[tuple[sa.Table, Any], ...], rows: tuple[list[Any], ...]) -> None:
    with raw.cursor() as cursor:
        for (table, columns), values in zip(tables, rows, strict=True):
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
    raw.commit()
