"""Exact order counts kept as counter rows, so the list's tabs cost the same at a million orders.

Counting the orders in each status (``GROUP BY status``) reads every order; the list page shows
those counts on every visit. So the counts are kept in the ``counters`` table (beside
``order_number``) and changed in the same transaction as each placement and status change:
a rolled-back action changes no count, and a committed one changes them exactly once.

Two kinds of rows, each named ``<kind>:<key>``:

``status:<status value>``
    how many orders are in that status; any :class:`~kasify_orders.Status` member is counted,
    so a new status needs no code here.
``waiting:<YYYY-MM-DD>``
    how many orders in :data:`WAITING` (paid, not shipped) were paid on that UTC day.

"Needs attention" (paid orders not shipped within N business days, ``web/attention.py``)
depends on the time of asking: the orders in :data:`WAITING` paid before a cutoff. The count is
the sum of the ``waiting:`` rows of the days before the cutoff's day (one short range of the
counters' primary key: a row per day that has waiting orders), plus an index range count of
the orders paid on the cutoff's own day before the cutoff (``(status, paid_at)`` index: at
most one day of payments). Both in one statement, so they read one snapshot.

Concurrency: every change adds deltas with one upsert per row (``value = value + delta``),
rows in name order, at the end of the action's transaction, so two actions take the counter
rows' locks in the same order and never deadlock on them. ``status:`` rows sort before
``waiting:`` rows, and every change touches a ``status:`` row (a status change or a placement),
so :func:`rebuild`, which locks every ``status:`` row first, runs alone among writers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.lifecycle import Status
from kasify_orders.storage.queries import OrderFilter

if TYPE_CHECKING:
    from kasify_orders.model import Order
    from kasify_orders.storage.store import SqlStore, Transaction
    from kasify_orders.storage.tables import Tables

__all__ = [
    "STATUS",
    "WAITING",
    "WAITING_DAY",
    "answer",
    "by_status",
    "changes",
    "drift",
    "keys_of",
    "rebuild",
    "record",
    "replace",
    "tally",
    "waiting_since",
]

#: The prefix of the rows counting the orders in each status.
STATUS = "status:"
#: The prefix of the rows counting the :data:`WAITING` orders paid on each UTC day.
WAITING_DAY = "waiting:"
#: The status of paid orders waiting to be shipped: the ones "Needs attention" looks at.
WAITING = Status.PROCESSING


class _Paid(Protocol):
    """What the counts need of an order."""

    @property
    def status(self) -> Status:
        """Its status."""

    @property
    def paid_at(self) -> datetime | None:
        """When its payment was confirmed."""


def keys_of(status: Status, paid_at: datetime | None) -> tuple[str, ...]:
    """The counter rows an order in *status*, paid at *paid_at*, is counted in."""
    if status is WAITING and paid_at is not None:
        return (f"{STATUS}{status.value}", _day_key(paid_at))
    return (f"{STATUS}{status.value}",)


def _day_key(moment: datetime) -> str:
    return f"{WAITING_DAY}{moment.astimezone(UTC).date().isoformat()}"


def changes(before: _Paid | None, after: _Paid) -> dict[str, int]:
    """The deltas that take the counts from *before* (None: a new order) to *after*."""
    deltas: Counter[str] = Counter()
    if before is not None:
        deltas.subtract(keys_of(before.status, before.paid_at))
    deltas.update(keys_of(after.status, after.paid_at))
    return {name: delta for name, delta in deltas.items() if delta}


def record(conn: Connection, t: Tables, before: Order | None, after: Order) -> None:
    """Count the change from *before* to *after* in the action's own transaction."""
    deltas = changes(before, after)
    if deltas:
        _add(conn, t.counters, deltas)


def _add(conn: Connection, c: sa.TableClause, deltas: Mapping[str, int]) -> None:
    """Add each delta to its row (created at the delta when missing), rows in name order."""
    rows = [{"name": name, "value": deltas[name]} for name in sorted(deltas)]
    dialect = conn.dialect.name
    if dialect in {"mysql", "mariadb"}:
        insert = mysql.insert(c)
        statement: Any = insert.on_duplicate_key_update(value=c.c.value + insert.inserted.value)
    else:
        upsert = postgresql.insert(c) if dialect == "postgresql" else sqlite.insert(c)
        statement = upsert.on_conflict_do_update(
            index_elements=[c.c.name], set_={"value": c.c.value + upsert.excluded.value}
        )
    for row in rows:  # one at a time: the locks are taken in this order on every database
        conn.execute(statement, row)


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


def by_status(conn: Connection, t: Tables) -> dict[Status, int]:
    """How many orders are in each status, from the counter rows."""
    c = t.counters
    rows = conn.execute(sa.select(c.c.name, c.c.value).where(_prefixed(c, STATUS))).all()
    stored = {name.removeprefix(STATUS): int(value) for name, value in rows}
    return {status: stored.get(status.value, 0) for status in Status}


def waiting_since(conn: Connection, t: Tables, cutoff: datetime) -> int:
    """How many orders in :data:`WAITING` were paid before *cutoff*, exactly, in one statement."""
    c, o = t.counters, t.orders
    day_start = datetime.combine(cutoff.astimezone(UTC).date(), time(), tzinfo=UTC)
    earlier_days = (
        sa.select(sa.func.coalesce(sa.func.sum(c.c.value), 0))
        .where(c.c.name >= WAITING_DAY, c.c.name < _day_key(day_start))
        .scalar_subquery()
    )
    same_day = (
        sa.select(sa.func.count())
        .select_from(o)
        .where(o.c.status == WAITING.value, o.c.paid_at >= day_start, o.c.paid_at < cutoff)
        .scalar_subquery()
    )
    return sum(int(value or 0) for value in conn.execute(sa.select(earlier_days, same_day)).one())


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

    *orders* needs only its ``status`` and ``paid_at`` columns (a migration passes a light table).
    """
    counts: Counter[str] = Counter()
    statuses = sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
    for status, count in conn.execute(statuses):
        counts[f"{STATUS}{status}"] += int(count)
    paid = sa.select(orders.c.paid_at).where(orders.c.status == WAITING.value, orders.c.paid_at.is_not(None))
    for (paid_at,) in conn.execute(paid):
        counts[_day_key(_aware(paid_at))] += 1
    return dict(counts)


def _aware(moment: datetime) -> datetime:
    """A light table's datetimes come back naive on SQLite and MariaDB: they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _stored(conn: Connection, c: sa.TableClause) -> dict[str, int]:
    query = sa.select(c.c.name, c.c.value).where(sa.or_(_prefixed(c, STATUS), _prefixed(c, WAITING_DAY)))
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
