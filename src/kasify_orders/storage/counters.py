"""Exact order counts kept as counter rows, so the list's tabs cost the same at a million orders.

Counting the orders in each status (``GROUP BY status``) reads every order; the list page shows
those counts on every visit. So the counts are kept in the ``counters`` table (beside
``order_number``), one ``status:<status value>`` row per status, changed in the same
transaction as each placement and status change: a rolled-back action changes no count, and a
committed one changes them exactly once. Any :class:`~kasify_orders.Status` member is counted,
so a new status needs no code here.

"Needs attention" (paid orders not shipped within N business days, ``web/attention.py``)
depends on the time of asking: the orders in :data:`WAITING` paid before a cutoff. Counting
those reads every late order, and a shop's backlog can be large; but the orders that are
*not* late yet, paid after the cutoff, are only the last few business days' payments. So the
count is the :data:`WAITING` counter minus an index range count (``(status, paid_at)``) of the
waiting orders paid at or after the cutoff (and of any without a payment time), in one
statement, one snapshot: exact, and its cost bounded by a few days of orders, not by history.
It reads ``paid_at`` from the orders themselves, so it stays exact if a payment time is
corrected in the table.

Concurrency: a change adds its deltas with one upsert per row (``value = value + delta``),
rows in name order, at the end of the action's transaction, so two actions take the counter
rows' locks in the same order and never deadlock on them; :func:`rebuild` locks every
``status:`` row first, so it counts while no writer can change a count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.lifecycle import Status
from kasify_orders.storage.queries import OrderFilter
from kasify_orders.storage.table_cache import per_tables

if TYPE_CHECKING:
    from kasify_orders.model import Order
    from kasify_orders.storage.store import SqlStore, Transaction
    from kasify_orders.storage.tables import Tables

__all__ = [
    "STATUS",
    "WAITING",
    "answer",
    "by_status",
    "changes",
    "drift",
    "keys_of",
    "rebuild",
    "record",
    "replace",
    "tabs",
    "tabs_of",
    "tabs_query",
    "tally",
    "waiting_since",
]

#: The prefix of the rows counting the orders in each status.
STATUS = "status:"
#: The status of paid orders waiting to be shipped: the ones "Needs attention" looks at.
WAITING = Status.PROCESSING


def keys_of(status: Status) -> tuple[str, ...]:
    """The counter rows an order in *status* is counted in."""
    return (f"{STATUS}{status.value}",)


def changes(before: Order | None, after: Order) -> dict[str, int]:
    """The deltas that take the counts from *before* (None: a new order) to *after*."""
    deltas: Counter[str] = Counter()
    if before is not None:
        deltas.subtract(keys_of(before.status))
    deltas.update(keys_of(after.status))
    return {name: delta for name, delta in deltas.items() if delta}


def record(conn: Connection, t: Tables, before: Order | None, after: Order) -> None:
    """Count the change from *before* to *after* in the action's own transaction."""
    deltas = changes(before, after)
    if deltas:
        _add(conn, t.counters, deltas)


def _add(conn: Connection, c: sa.TableClause, deltas: Mapping[str, int]) -> None:
    """Add each delta to its row (created at the delta when missing), in one statement.

    The rows are written in name order, which is the order every database locks them in (a
    multi-row upsert handles its rows one after the other), so two actions never deadlock.
    """
    params: dict[str, object] = {}
    for index, name in enumerate(sorted(deltas)):
        params[f"name_{index}"], params[f"value_{index}"] = name, deltas[name]
    conn.execute(_upsert(c, conn.dialect.name, len(deltas)), params)


@per_tables
def _upsert(c: sa.TableClause, dialect: str, rows: int) -> Any:
    """The upsert adding to *rows* counter rows, built once (a multi-row VALUES is not cached)."""
    values: list[dict[str, Any]] = [
        {"name": sa.bindparam(f"name_{i}"), "value": sa.bindparam(f"value_{i}")} for i in range(rows)
    ]
    if dialect in {"mysql", "mariadb"}:
        insert = mysql.insert(c).values(values)
        return insert.on_duplicate_key_update(value=c.c.value + insert.inserted.value)
    upsert = (postgresql.insert(c) if dialect == "postgresql" else sqlite.insert(c)).values(values)
    return upsert.on_conflict_do_update(
        index_elements=[c.c.name], set_={"value": c.c.value + upsert.excluded.value}
    )


def _set(conn: Connection, c: sa.TableClause, values: Mapping[str, int]) -> None:
    """Write each row's value, creating the missing rows."""
    for name in sorted(values):
        updated = conn.execute(sa.update(c).where(c.c.name == name).values(value=values[name]))
        if updated.rowcount == 0:
            conn.execute(sa.insert(c).values(name=name, value=values[name]))


def _prefixed(c: sa.TableClause, prefix: str) -> sa.ColumnElement[bool]:
    """The rows whose name starts with *prefix* (a range of the primary key)."""
    return sa.and_(c.c.name >= prefix, c.c.name < prefix[:-1] + chr(ord(prefix[-1]) + 1))


# -- reading ----------------------------------------------------------------------------------


@per_tables
def _statuses_query(c: sa.Table) -> sa.Select[Any]:
    return sa.select(c.c.name, c.c.value).where(_prefixed(c, STATUS))


def by_status(conn: Connection, t: Tables) -> dict[Status, int]:
    """How many orders are in each status, from the counter rows."""
    rows = conn.execute(_statuses_query(t.counters)).all()
    stored = {name.removeprefix(STATUS): int(value) for name, value in rows}
    return {status: stored.get(status.value, 0) for status in Status}


def _recently_paid(o: sa.Table) -> tuple[sa.ScalarSelect[Any], sa.ScalarSelect[Any]]:
    """How many waiting orders were paid at or after ``b_cutoff``, and how many never were."""

    def waiting_orders(paid: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
        return (
            sa.select(sa.func.count())
            .select_from(o)
            .where(o.c.status == WAITING.value, paid)
            .scalar_subquery()
        )

    cutoff = sa.bindparam("b_cutoff", type_=o.c.paid_at.type)
    return waiting_orders(o.c.paid_at >= cutoff), waiting_orders(o.c.paid_at.is_(None))


@per_tables
def _waiting_query(c: sa.Table, o: sa.Table) -> sa.Select[Any]:
    """Built once per table pair (building a statement costs more than running this one).

    Two range counts of the ``(status, paid_at)`` index, not one ``OR``: SQLite would read
    every waiting order's entry for the ``OR``.
    """
    waiting = sa.select(c.c.value).where(c.c.name == f"{STATUS}{WAITING.value}").scalar_subquery()

    paid_since, never_paid = _recently_paid(o)
    return sa.select(sa.func.coalesce(waiting, 0), paid_since, never_paid)


def waiting_since(conn: Connection, t: Tables, cutoff: datetime) -> int:
    """How many orders in :data:`WAITING` were paid before *cutoff*, exactly, in one statement."""
    waiting, paid_since, never_paid = conn.execute(
        _waiting_query(t.counters, t.orders), {"b_cutoff": cutoff}
    ).one()
    return int(waiting) - int(paid_since) - int(never_paid)


@per_tables
def _tabs_query(c: sa.Table, o: sa.Table) -> sa.Select[Any]:
    """Every ``status:`` row, each with the two range counts of :func:`_waiting_query` beside it.

    Scalar subqueries, which the databases run once each (a ``UNION`` of the three costed
    enough for PostgreSQL to start parallel workers, slower than the counts themselves).
    """
    paid_since, never_paid = _recently_paid(o)
    return sa.select(c.c.name, c.c.value, paid_since, never_paid).where(_prefixed(c, STATUS))


def tabs(conn: Connection, t: Tables, cutoff: datetime) -> tuple[dict[Status, int], int]:
    """:func:`by_status` and :func:`waiting_since` together: one statement, one round trip."""
    return tabs_of(conn, t, cutoff, conn.execute(tabs_query(t), {"b_cutoff": cutoff}).all())


def tabs_query(t: Tables) -> sa.Select[Any]:
    """:func:`tabs`' statement (``b_cutoff`` bound), for a read that asks it with others."""
    return _tabs_query(t.counters, t.orders)


def tabs_of(
    conn: Connection, t: Tables, cutoff: datetime, rows: Sequence[Sequence[Any]]
) -> tuple[dict[Status, int], int]:
    """:func:`tabs` from the rows of :func:`tabs_query` (name, value, paid since, never paid)."""
    if not rows:  # no counter rows yet: no orders (or none counted), asked the long way
        return by_status(conn, t), waiting_since(conn, t, cutoff)
    stored = {name: int(value) for name, value, _, _ in rows}
    counts = {status: stored.get(f"{STATUS}{status.value}", 0) for status in Status}
    _, _, paid_since, never_paid = rows[0]
    return counts, counts[WAITING] - int(paid_since) - int(never_paid)


def answer(conn: Connection, t: Tables, where: OrderFilter) -> int | None:
    """The count of *where* from the counters when they hold it, else None (to be counted).

    They hold every order, the orders in one status, and :data:`WAITING` orders paid before
    a moment (the "Needs attention" tab).
    """
    if where == OrderFilter():
        return sum(by_status(conn, t).values())
    if where == OrderFilter(status=where.status) and where.status is not None:
        return by_status(conn, t)[where.status]
    if where.paid_before is not None and where == OrderFilter(status=WAITING, paid_before=where.paid_before):
        return waiting_since(conn, t, where.paid_before)
    return None


# -- checking and rebuilding ---------------------------------------------------------------------


def tally(conn: Connection, orders: sa.TableClause) -> dict[str, int]:
    """The counts counted from the orders themselves (reads every order: for checks and repairs).

    *orders* needs only its ``status`` column (a migration passes a light table).
    """
    statuses = sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
    return {f"{STATUS}{status}": int(count) for status, count in conn.execute(statuses)}


def _stored(conn: Connection, c: sa.TableClause) -> dict[str, int]:
    query = sa.select(c.c.name, c.c.value).where(_prefixed(c, STATUS))
    return {name: int(value) for name, value in conn.execute(query) if value}


def replace(conn: Connection, orders: sa.TableClause, counters: sa.TableClause) -> dict[str, int]:
    """Set the counter rows to :func:`tally`'s counts; returns them. Runs in the caller's transaction."""
    lock = {f"{STATUS}{status.value}": 0 for status in Status}
    _add(conn, counters, lock)  # every status row exists and is ours now
    counted = tally(conn, orders)
    stale = set(_stored(conn, counters)) - set(counted)
    if stale:
        conn.execute(sa.delete(counters).where(counters.c.name.in_(sorted(stale))))
    _set(conn, counters, {**dict.fromkeys(lock, 0), **counted})
    return counted


def rebuild(store: SqlStore) -> dict[str, int]:
    """Count every order again and write the counter rows (safe while the shop runs); returns the counts."""

    def work(tx: Transaction) -> dict[str, int]:
        return replace(tx.conn, tx.t.orders, tx.t.counters)

    return store.atomic(work)


def drift(store: SqlStore) -> dict[str, tuple[int, int]]:
    """The counter rows that differ from the orders: ``{name: (stored, counted)}`` (empty: all exact)."""

    def work(tx: Transaction) -> dict[str, tuple[int, int]]:
        stored = _stored(tx.conn, tx.t.counters)
        counted = tally(tx.conn, tx.t.orders)
        names: Iterable[str] = sorted(set(stored) | set(counted))
        return {
            name: (stored.get(name, 0), counted.get(name, 0))
            for name in names
            if stored.get(name, 0) != counted.get(name, 0)
        }

    return store.read(work, snapshot=True)
