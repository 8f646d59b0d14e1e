"""The SQLAlchemy Core store: every read and write kasify makes, one transaction at a time.

Writes lock what they change, always in the same order (coupon row, then stock rows by
SKU, then the order row, on MariaDB with its children's rows), so concurrent actions
serialise instead of losing updates;
a deadlock or serialisation failure the database reports anyway is retried a few times.
SQLite takes its write lock up front with ``BEGIN IMMEDIATE``.

Every other database failure leaves as a :class:`~kasify_orders.StorageError` naming the
operation, never the statement's parameters (:mod:`~kasify_orders.storage.failures`); a
connection lost before anything was written is retried once on a new one.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row

from kasify_orders import money
from kasify_orders._extras import missing_driver
from kasify_orders.errors import (
    ConcurrentUpdate,
    ConstraintViolation,
    CouponNotApplicable,
    OrderNotFound,
    OutOfStock,
    ValidationError,
)
from kasify_orders.lifecycle import Status
from kasify_orders.model import (
    Coupon,
    Order,
    OrderSummary,
    TimelineEvent,
    utcnow,
)
from kasify_orders.storage import counters
from kasify_orders.storage.failures import count_statement, operation_of, statements_sent, storage_error
from kasify_orders.storage.queries import OrderFilter, filtered, is_common, upsert
from kasify_orders.storage.rows import (
    ADDRESS_COLUMNS,
    JSON_LINE_COLUMNS,
    JSON_REFUND_COLUMNS,
    JSON_TIMELINE_COLUMNS,
    LINE,
    ORDER,
    REFUND,
    SUMMARY_COLUMNS,
    TIMELINE,
    OutboxItem,
    children_from_union,
    coupon_from_row,
    coupon_values,
    order_columns,
    order_from_json_rows,
    order_from_rows,
    order_from_union,
    order_values,
    outbox_item_from_row,
    refund_values,
    summary_columns,
    summary_from_row,
)
from kasify_orders.storage.search import terms_of
from kasify_orders.storage.tables import Tables, UTCDateTime, build_tables

__all__ = ["DuplicateIdempotencyKey", "OrderFilter", "OutboxItem", "SqlStore", "Transaction"]

T = TypeVar("T")
#: What an export reads in batches: whole orders or their summaries.
Exported = TypeVar("Exported", Order, OrderSummary)

_RETRIES = 5
#: The counter row order numbers are taken from.
ORDER_NUMBER = "order_number"


class DuplicateIdempotencyKey(Exception):
    """Another call placed an order with this idempotency key first."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _is_transient(error: sa.exc.DBAPIError) -> bool:
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in {"40001", "40P01"}:  # serialization failure, deadlock (PostgreSQL)
        return True
    code = orig.args[0] if orig is not None and orig.args else None
    if code in {1205, 1213}:  # lock wait timeout, deadlock (MySQL/MariaDB)
        return True
    return "database is locked" in str(orig)  # SQLite, past busy_timeout


class SqlStore:
    """Orders, stock, coupons and the outbox in a SQL database."""

    #: Retry a unit of work once on a new connection when the database dropped the old one.
    reconnects = True

    def __init__(self, engine: Engine, tables: Tables) -> None:
        self.engine = engine
        self.tables = tables
        self.dialect = engine.dialect.name
        self._statements = _Statements(tables, self.dialect)
        # Counts the statements of an atomic() attempt: a write is retried only before any.
        event.listen(engine, "after_cursor_execute", count_statement)

    @classmethod
    def from_url(cls, url: str, *, table_prefix: str = "kasify_", schema: str | None = None) -> SqlStore:
        """Create the engine for *url* with the settings each database needs."""
        parsed = sa.engine.make_url(url)
        # Errors must not print customers' names and emails bound into a statement.
        options: dict[str, Any] = {"hide_parameters": True}
        backend = parsed.get_backend_name()
        if backend in {"mysql", "mariadb"}:
            # READ COMMITTED: fewer gap locks, so fewer deadlocks under concurrent placement.
            options.update(isolation_level="READ COMMITTED", pool_pre_ping=True)
        elif backend == "postgresql":
            options.update(pool_pre_ping=True)
        try:
            engine = sa.create_engine(parsed, **options)
        except ImportError as error:  # the URL's driver (DBAPI module) is not installed
            missing_driver(parsed, error)
        if backend == "sqlite":
            _configure_sqlite(engine)
        return cls(engine, build_tables(table_prefix, schema))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _begin(self, *, write: bool, snapshot: bool = False) -> Iterator[Transaction]:
        with self.engine.connect() as conn:
            conn.execution_options(kasify_write=write)
            if snapshot and self.dialect != "sqlite":  # SQLite's reads hold one snapshot already
                conn.execution_options(isolation_level="REPEATABLE READ")
            elif not write and self.dialect == "postgresql":
                # In READ COMMITTED each statement reads its own snapshot, in a transaction or
                # not; outside one, a read saves the BEGIN and COMMIT round trips.
                conn.execution_options(isolation_level="AUTOCOMMIT")
                yield Transaction(conn, self.tables, self._statements)
                return
            with conn.begin():
                yield Transaction(conn, self.tables, self._statements)

    def atomic(self, work: Callable[[Transaction], T]) -> T:
        """Run *work* in one write transaction; retry it on deadlock or serialisation failure.

        A connection lost before any of *work*'s statements completed is retried once (the
        database has nothing of it, and *work* has not got far enough to act on a result);
        one lost later is not, as *work* may have acted (asked a payment provider) already.

        :raises StorageError: any other database failure (the driver's error is its cause).
        """
        attempt, reconnected = 0, False
        while True:
            sent = [0]
            counting = statements_sent.set(sent)
            try:
                with self._begin(write=True) as tx:
                    return work(tx)
            except sa.exc.DBAPIError as error:
                if attempt < _RETRIES - 1 and _is_transient(error):
                    time.sleep(random.uniform(0, 0.01 * 2**attempt))
                    attempt += 1
                    continue
                if error.connection_invalidated and not sent[0] and self.reconnects and not reconnected:
                    reconnected = True
                    continue
                raise storage_error(operation_of(work), error) from error
            except sa.exc.SQLAlchemyError as error:
                raise storage_error(operation_of(work), error) from error
            finally:
                statements_sent.reset(counting)

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run *callback* once the last :meth:`atomic` call's changes are committed.

        Here that is at once (:meth:`atomic` commits before it returns). A store that joins a
        host's transaction (the Django adapter's) defers it to the host's commit instead.
        """
        callback()

    def read(self, work: Callable[[Transaction], T], *, snapshot: bool = False) -> T:
        """Run *work* without taking locks; each statement reads one consistent snapshot.

        *snapshot*: all of *work*'s statements read the same one (REPEATABLE READ), for reads
        whose statements must agree with each other. A read whose connection the database
        dropped is retried once on a new one.

        :raises StorageError: any other database failure (the driver's error is its cause).
        """
        tries = 2 if self.reconnects else 1
        for attempt in range(tries):
            try:
                with self._begin(write=False, snapshot=snapshot) as tx:
                    return work(tx)
            except sa.exc.DBAPIError as error:
                if attempt < tries - 1 and error.connection_invalidated:
                    continue
                raise storage_error(operation_of(work), error) from error
            except sa.exc.SQLAlchemyError as error:
                raise storage_error(operation_of(work), error) from error
        raise AssertionError("unreachable")

    # -- reads --------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order:
        """The order with this id; raises :class:`OrderNotFound`."""
        return self.read(lambda tx: tx.order(order_id))

    def get_order_by_number(self, number: int) -> Order:
        """The order with this human number; raises :class:`OrderNotFound`."""
        return self.read(lambda tx: tx.order_by_number(number))

    def list_orders(self, where: OrderFilter, *, limit: int, after: int | None) -> list[OrderSummary]:
        """Up to *limit* orders, newest first, numbered below *after* (keyset paging)."""
        return self.read(lambda tx: tx.list_orders(where, limit=limit, after=after))

    def iter_orders(self, where: OrderFilter, *, batch_size: int = 500) -> Iterator[Order]:
        """Every matching order, oldest first, read *batch_size* at a time (constant memory)."""
        batch = functools.partial(Transaction.orders_after, limit=batch_size)
        # Each batch's order rows and their children as of one moment.
        return self._oldest_first(where, batch, snapshot=True)

    def iter_summaries(self, where: OrderFilter, *, batch_size: int = 2000) -> Iterator[OrderSummary]:
        """Like :meth:`iter_orders`, without lines, refunds and timelines (cheaper)."""
        return self._oldest_first(where, functools.partial(Transaction.summaries_after, limit=batch_size))

    def _oldest_first(
        self, where: OrderFilter, batch: Callable[..., list[Exported]], *, snapshot: bool = False
    ) -> Iterator[Exported]:
        """Every order *batch* reads for *where*, a batch per read, keyed on the order number."""
        common = self.read(lambda tx: is_common(tx.conn, self.tables, where))
        after = 0
        while rows := self.read(
            functools.partial(batch, where=where, after=after, common=common), snapshot=snapshot
        ):
            yield from rows
            after = rows[-1].number

    def count_orders(self, where: OrderFilter) -> int:
        """How many orders match *where*."""
        return self.read(lambda tx: tx.count_orders(where))

    def count_by_status(self) -> dict[Status, int]:
        """How many orders are in each status (from the counter rows: ``storage/counters.py``)."""
        return self.read(lambda tx: counters.by_status(tx.conn, self.tables))

    def stock(self, sku: str) -> int | None:
        """Units in stock for a tracked SKU; None when the SKU is not tracked."""
        t = self.tables.inventory
        return self.read(lambda tx: tx.conn.scalar(sa.select(t.c.quantity).where(t.c.sku == sku)))

    def coupon(self, code: str) -> Coupon | None:
        """The coupon with this code (case-insensitive), or None."""
        t = self.tables.coupons
        query = sa.select(t).where(t.c.code == code.strip().upper())
        row = self.read(lambda tx: tx.conn.execute(query).first())
        return coupon_from_row(row) if row else None

    def coupons(self) -> list[Coupon]:
        """Every coupon, by code."""
        t = self.tables.coupons
        rows = self.read(lambda tx: tx.conn.execute(sa.select(t).order_by(t.c.code)).all())
        return [coupon_from_row(row) for row in rows]

    # -- inventory and coupons ----------------------------------------------------------

    def set_stock(self, sku: str, quantity: int) -> None:
        """Track *sku* with *quantity* units."""
        t = self.tables.inventory
        values = {"sku": sku, "quantity": quantity, "updated_at": utcnow()}
        self.atomic(lambda tx: tx.conn.execute(upsert(tx.conn, t, values, ["sku"])))

    def untrack(self, sku: str) -> None:
        """Stop tracking *sku*; orders for it are no longer checked."""
        t = self.tables.inventory
        self.atomic(lambda tx: tx.conn.execute(sa.delete(t).where(t.c.sku == sku)))

    def create_coupon(self, coupon: Coupon) -> None:
        """Store a new coupon; refuses a code that exists."""
        values = {**coupon_values(coupon), "times_used": 0, "created_at": utcnow()}
        try:
            self.atomic(lambda tx: tx.conn.execute(sa.insert(self.tables.coupons).values(values)))
        except ConstraintViolation:
            raise ValidationError.single("code", f"a coupon {coupon.code} already exists") from None

    def update_coupon(self, coupon: Coupon) -> None:
        """Change a coupon's rules (its usage count is kept)."""
        t = self.tables.coupons

        def work(tx: Transaction) -> None:
            result = tx.conn.execute(
                sa.update(t).where(t.c.code == coupon.code).values(coupon_values(coupon))
            )
            if result.rowcount != 1:
                raise ValidationError.single("code", f"no coupon {coupon.code}")

        self.atomic(work)

    # -- refunds ------------------------------------------------------------------------

    def pending_refunds(self, *, asked_before: datetime, limit: int) -> list[tuple[str, str]]:
        """``(order_id, refund_id)`` of refunds still pending that were asked for before *asked_before*."""
        r = self.tables.refunds
        query = (
            sa.select(r.c.order_id, r.c.id)
            .where(r.c.status == "pending", r.c.created_at < asked_before)
            .order_by(r.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(order_id, refund_id) for order_id, refund_id in conn.execute(query)]

    # -- outbox -------------------------------------------------------------------------

    def claim_due(
        self, *, token: str, now: datetime, lease_until: datetime, limit: int, retry_now: bool
    ) -> list[OutboxItem]:
        """Claim up to *limit* due events for this worker (skipping ones another worker holds)."""
        t = self.tables.outbox

        def work(tx: Transaction) -> list[OutboxItem]:
            free = sa.or_(t.c.claimed_until.is_(None), t.c.claimed_until < now)
            query = sa.select(t).where(~t.c.dead, free)
            if not retry_now:
                query = query.where(t.c.due_at <= now)
            query = query.order_by(t.c.due_at, t.c.created_at).limit(limit)
            rows = tx.conn.execute(query.with_for_update(skip_locked=True)).all()
            if rows:
                tx.conn.execute(
                    sa.update(t)
                    .where(t.c.id.in_([row.id for row in rows]))
                    .values(claim_token=token, claimed_until=lease_until)
                )
            return [outbox_item_from_row(row) for row in rows]

        return self.atomic(work)

    def complete(self, item_id: str, token: str) -> None:
        """Every hook handled the event: remove it (only if this worker still holds it)."""
        t = self.tables.outbox
        self.atomic(
            lambda tx: tx.conn.execute(sa.delete(t).where(t.c.id == item_id, t.c.claim_token == token))
        )

    def fail(
        self,
        item: OutboxItem,
        *,
        token: str,
        done: Iterable[str],
        error: str,
        due_at: datetime,
        dead: bool,
    ) -> bool:
        """Record a failed attempt; returns False if another worker had taken the event over."""
        t = self.tables.outbox
        values = {
            "attempts": item.attempts + 1,
            "done": sorted(done),
            "last_error": error[:4000],
            "due_at": due_at,
            "dead": dead,
            "claim_token": None,
            "claimed_until": None,
        }
        statement = sa.update(t).where(t.c.id == item.id, t.c.claim_token == token).values(values)
        return bool(self.atomic(lambda tx: tx.conn.execute(statement).rowcount))

    def revive_dead(self, now: datetime) -> int:
        """Make dead events due again; returns how many."""
        t = self.tables.outbox
        statement = sa.update(t).where(t.c.dead).values(dead=False, attempts=0, due_at=now)
        return int(self.atomic(lambda tx: tx.conn.execute(statement).rowcount))

    def outbox_items(self, *, dead: bool | None = None) -> list[OutboxItem]:
        """Events waiting in the outbox (all, or only the dead or the live ones)."""
        t = self.tables.outbox
        query = sa.select(t).order_by(t.c.created_at)
        if dead is not None:
            query = query.where(t.c.dead.is_(dead))
        return [outbox_item_from_row(row) for row in self.read(lambda tx: tx.conn.execute(query).all())]

    # -- the search index -----------------------------------------------------------------

    def _unindexed(self) -> sa.ColumnElement[bool]:
        terms = self.tables.search_terms
        return ~sa.exists().where(terms.c.number == self.tables.orders.c.number)

    def count_unindexed_orders(self) -> int:
        """How many orders have no search terms (placed by a version older than the index).

        One anti-join on the terms' ``(number, term)`` index; no order's data is read.
        """
        query = sa.select(sa.func.count()).select_from(self.tables.orders).where(self._unindexed())
        return int(self.read(lambda tx: tx.conn.scalar(query)) or 0)

    def rebuild_search_terms(self, *, only_missing: bool = False, batch_size: int = 1000) -> int:
        """Write the search terms of every order (or only those with none) again; returns how many.

        A batch of orders per transaction, oldest first, so it runs beside live traffic: an
        order placed meanwhile writes its own terms, and is never in a batch already read.
        """
        o, terms = self.tables.orders, self.tables.search_terms
        query = sa.select(o.c.number, o.c.customer_name, o.c.customer_email).order_by(o.c.number)
        if only_missing:
            query = query.where(self._unindexed())
        query = query.where(o.c.number > sa.bindparam("b_after")).limit(batch_size)

        def reindex(tx: Transaction, after: int) -> tuple[int, int]:
            """Re-index the batch after order *after*: (orders done, the last one's number)."""
            rows = tx.conn.execute(query, {"b_after": after}).all()
            if not rows:
                return 0, after
            numbers = [row.number for row in rows]
            tx.conn.execute(sa.delete(terms).where(terms.c.number.in_(numbers)))
            found = [
                {"term": term, "number": row.number}
                for row in rows
                for term in terms_of(row.customer_name, row.customer_email)
            ]
            if found:
                tx.conn.execute(self._statements.insert_search_terms, found)
            return len(rows), int(numbers[-1])

        total, after = 0, 0
        while True:
            count, after = self.atomic(functools.partial(reindex, after=after))
            if not count:
                return total
            total += count


def _union(t: Tables, dialect: str, *, whole: bool) -> sa.CompoundSelect[Any]:
    """Lines, refunds and timeline entries in one query: of one order, or of several.

    *whole*: of one order (``:b_id``), with the order's own row first (``kind`` ORDER, its
    :func:`order_columns` filled): the whole order in one round trip, and so from one
    snapshot (two statements could straddle another transaction's commit). Otherwise of
    the orders in ``:ids``, children only.

    Each branch fills the same labelled columns (``kind`` says which table); the NULLs are
    typed so every database agrees on each column's type.
    """

    def null(type_: Any) -> sa.ColumnElement[Any]:
        # PostgreSQL needs real casts to unify the branches. MariaDB and SQLite take a plain
        # NULL (a shorter statement: MariaDB spends a third of this query's time parsing it).
        if dialect == "postgresql":
            return sa.cast(sa.null(), type_)
        return sa.type_coerce(sa.null(), type_)

    def of(table: sa.Table) -> sa.ColumnElement[bool]:
        if whole:
            return table.c.order_id == sa.bindparam("b_id")
        return table.c.order_id.in_(sa.bindparam("ids", expanding=True))

    o, lines, refunds, timeline = t.orders, t.lines, t.refunds, t.timeline
    text, number = sa.String(), sa.BigInteger()
    head = order_columns(o) if whole else []
    no_head = [null(column.type) for column in head]
    branches = [
        sa.select(
            sa.literal(LINE).label("kind"),
            *no_head,
            lines.c.order_id,
            sa.cast(lines.c.position, number).label("seq"),
            lines.c.sku.label("s1"),
            sa.cast(lines.c.name, sa.Text).label("s2"),
            lines.c.variant.label("s3"),
            null(text).label("s4"),
            null(text).label("s5"),
            null(text).label("s6"),
            null(sa.Text).label("s7"),
            sa.cast(lines.c.quantity, number).label("i1"),
            lines.c.unit_price.label("i2"),
            lines.c.total.label("i3"),
            null(UTCDateTime).label("t1"),
            null(UTCDateTime).label("t2"),
            null(sa.JSON).label("j"),
        ).where(of(lines)),
        sa.select(
            sa.literal(REFUND),
            *no_head,
            refunds.c.order_id,
            sa.cast(sa.literal(0), number),
            refunds.c.id,
            refunds.c.note,
            refunds.c.actor,
            refunds.c.reference,
            refunds.c.idempotency_key,
            refunds.c.status,
            refunds.c.failure,
            null(number),
            refunds.c.amount,
            null(number),
            refunds.c.created_at,
            refunds.c.resolved_at,
            null(sa.JSON),
        ).where(of(refunds)),
        sa.select(
            sa.literal(TIMELINE),
            *no_head,
            timeline.c.order_id,
            timeline.c.id,
            timeline.c.kind,
            timeline.c.message,
            timeline.c.actor,
            null(text),
            null(text),
            null(text),
            null(sa.Text),
            null(number),
            null(number),
            null(number),
            timeline.c.at,
            null(UTCDateTime),
            timeline.c.data,
        ).where(of(timeline)),
    ]
    if whole:
        # First, so the union's columns take its names (``id``, ``currency``...); NULL in
        # each children's column, typed and named as the lines branch has it.
        children_columns = branches[0].selected_columns[1 + len(head) :]
        order_row = sa.select(
            sa.literal(ORDER).label("kind"),
            *head,
            *(null(column.type).label(column.name) for column in children_columns),
        ).where(o.c.id == sa.bindparam("b_id"))
        branches.insert(0, order_row)
    # No ORDER BY: MariaDB would sort the union in a temporary table; Python orders the
    # few rows of one order instead (children_from_union).
    return sa.union_all(*branches)


def _json_union(t: Tables, *, lock: bool) -> sa.CompoundSelect[Any]:
    """MariaDB/MySQL: the whole order of ``:b_id`` as ``(kind, JSON array)`` rows, one per row read.

    Two columns rather than :func:`_union`'s forty: the protocol sends a description of every
    column with every result, and reading those cost PyMySQL more than the read itself
    (:func:`~kasify_orders.storage.rows.order_from_json_rows` says which values go where).
    *lock*: every branch ``FOR UPDATE`` (parenthesised, as MariaDB requires), so the reads
    are of the latest committed rows, the order row first.
    """
    order_id = sa.bindparam("b_id", type_=sa.String())

    def branch(kind: int, table: sa.Table, columns: Sequence[str], key: str) -> sa.Select[Any]:
        values = sa.func.json_array(*(table.c[name] for name in columns))
        return sa.select(sa.literal(kind).label("kind"), values.label("doc")).where(table.c[key] == order_id)

    branches = [
        branch(ORDER, t.orders, SUMMARY_COLUMNS + ADDRESS_COLUMNS, "id"),
        branch(LINE, t.lines, JSON_LINE_COLUMNS, "order_id"),
        branch(REFUND, t.refunds, JSON_REFUND_COLUMNS, "order_id"),
        branch(TIMELINE, t.timeline, JSON_TIMELINE_COLUMNS, "order_id"),
    ]
    if lock:
        return sa.union_all(*(branch.with_for_update().self_group() for branch in branches))
    return sa.union_all(*branches)


_EVERY_ORDER = OrderFilter()


class _Statements:
    """The hot-path statements, built once per store so SQLAlchemy reuses their compiled form."""

    def __init__(self, t: Tables, dialect: str) -> None:
        o = t.orders
        self.id_by_id = sa.select(o.c.id).where(o.c.id == sa.bindparam("b_id"))
        if dialect in {"mysql", "mariadb"}:
            # One round trip: the locking union reads the order row, then its children.
            self.whole_order = _json_union(t, lock=False)
            self.lock_order: sa.Select[Any] | None = None
            self.lock_whole_order = _json_union(t, lock=True)
            #: How a whole-order read's rows become the order.
            self.order_from: Callable[[Sequence[Row[Any]]], Order | None] = order_from_json_rows
        else:
            # PostgreSQL refuses FOR UPDATE in a union: lock the row, then read (a fresh
            # snapshot, in READ COMMITTED). SQLite's write transactions are exclusive already.
            self.whole_order = _union(t, dialect, whole=True)
            self.lock_order = self.id_by_id.with_for_update() if dialect == "postgresql" else None
            self.lock_whole_order = self.whole_order
            self.order_from = order_from_union
        self.id_by_number = sa.select(o.c.id).where(o.c.number == sa.bindparam("b_number"))
        self.id_by_key = sa.select(o.c.id).where(o.c.idempotency_key == sa.bindparam("b_key"))
        self.newest_summaries = sa.select(*summary_columns(o)).order_by(o.c.number.desc())
        # Unfiltered pages, the commonest list, are prebuilt: reusing a statement object saves
        # SQLAlchemy computing its cache key on every call.
        self.page = self.newest_summaries.limit(sa.bindparam("b_limit"))
        self.page_after = self.page.where(o.c.number < sa.bindparam("b_after"))
        self.children_of_many = _union(t, dialect, whole=False)
        self.insert_order = sa.insert(o)
        c = t.counters
        self.take_order_number = sa.update(c).where(c.c.name == ORDER_NUMBER).values(value=c.c.value + 1)
        self.order_number_taken = sa.select(c.c.value).where(c.c.name == ORDER_NUMBER)
        #: MariaDB has no UPDATE ... RETURNING.
        self.take_order_number_returning = (
            None if dialect in {"mysql", "mariadb"} else self.take_order_number.returning(c.c.value)
        )
        self.insert_lines = sa.insert(t.lines)
        self.insert_refunds = sa.insert(t.refunds)
        self.insert_timeline = sa.insert(t.timeline)
        self.insert_search_terms = sa.insert(t.search_terms)
        self.insert_outbox = sa.insert(t.outbox)
        self.update_order = sa.update(o).where(
            o.c.id == sa.bindparam("b_id"), o.c.version == sa.bindparam("b_version")
        )
        inv = t.inventory
        self.lock_stock = (
            sa.select(inv.c.sku, inv.c.quantity)
            .where(inv.c.sku.in_(sa.bindparam("skus", expanding=True)))
            .order_by(inv.c.sku)
            .with_for_update()
        )
        self.add_stock = (
            sa.update(inv)
            .where(inv.c.sku == sa.bindparam("b_sku"))
            .values(quantity=inv.c.quantity + sa.bindparam("b_delta"), updated_at=sa.bindparam("b_at"))
        )


class Transaction:
    """The reads and writes of one transaction (the service's unit of work)."""

    def __init__(self, conn: Connection, tables: Tables, statements: _Statements) -> None:
        self.conn = conn
        self.t = tables
        self.sql = statements

    # -- orders -------------------------------------------------------------------------

    def order(self, order_id: str, *, lock: bool = False) -> Order:
        """The order with this id (locked for update when *lock*)."""
        params = {"b_id": order_id}
        if lock and self.sql.lock_order is not None:
            self.conn.execute(self.sql.lock_order, params)
        query = self.sql.lock_whole_order if lock else self.sql.whole_order
        order = self.sql.order_from(self.conn.execute(query, params).all())
        if order is None:
            raise OrderNotFound(order_id)
        return order

    def require_order(self, order_id: str) -> None:
        """Raise :class:`OrderNotFound` unless the order exists (without reading it)."""
        if self.conn.scalar(self.sql.id_by_id, {"b_id": order_id}) is None:
            raise OrderNotFound(order_id)

    def order_by_number(self, number: int) -> Order:
        """The order with this human number."""
        order_id = self.conn.scalar(self.sql.id_by_number, {"b_number": number})
        if order_id is None:
            raise OrderNotFound(number)
        return self.order(order_id)

    def order_by_idempotency_key(self, key: str) -> Order | None:
        """The order placed with this idempotency key, if any."""
        order_id = self.conn.scalar(self.sql.id_by_key, {"b_key": key})
        return None if order_id is None else self.order(order_id)

    def list_orders(self, where: OrderFilter, *, limit: int, after: int | None) -> list[OrderSummary]:
        """See :meth:`SqlStore.list_orders`."""
        o = self.t.orders
        params = {"b_limit": limit, "b_after": after}
        if where == _EVERY_ORDER:
            query = self.sql.page if after is None else self.sql.page_after
        else:
            common = is_common(self.conn, self.t, where)
            query = filtered(self.sql.newest_summaries, self.t, where, common=common)
            query = query.limit(sa.bindparam("b_limit"))
            if after is not None:
                query = query.where(o.c.number < sa.bindparam("b_after"))
        return [summary_from_row(row) for row in self.conn.execute(query, params).all()]

    def summaries_after(
        self, where: OrderFilter, *, after: int, limit: int, common: bool = False
    ) -> list[OrderSummary]:
        """Up to *limit* orders' summaries numbered above *after*, oldest first."""
        query = self._after(summary_columns(self.t.orders), where, after, limit, common)
        return [summary_from_row(row) for row in self.conn.execute(query)]

    def orders_after(
        self, where: OrderFilter, *, after: int, limit: int, common: bool = False
    ) -> list[Order]:
        """Up to *limit* whole orders numbered above *after*, oldest first (their children in one query).

        *common*: the search is for a common word (:func:`~kasify_orders.storage.queries.is_common`).
        """
        query = self._after(order_columns(self.t.orders), where, after, limit, common)
        rows = self.conn.execute(query).all()
        if not rows:
            return []
        grouped: dict[str, list[Row[Any]]] = {row.id: [] for row in rows}
        for child in self.conn.execute(self.sql.children_of_many, {"ids": list(grouped)}):
            grouped[child.order_id].append(child)
        return [order_from_rows(row, *children_from_union(grouped[row.id], row.currency)) for row in rows]

    def _after(
        self, columns: Sequence[sa.Column[Any]], where: OrderFilter, after: int, limit: int, common: bool
    ) -> sa.Select[Any]:
        o = self.t.orders
        query = filtered(sa.select(*columns), self.t, where, common=common)
        return query.where(o.c.number > after).order_by(o.c.number).limit(limit)

    def count_orders(self, where: OrderFilter) -> int:
        """See :meth:`SqlStore.count_orders`."""
        if (known := counters.answer(self.conn, self.t, where)) is not None:
            return known
        o = self.t.orders
        return int(self.conn.scalar(filtered(sa.select(sa.func.count()).select_from(o), self.t, where)) or 0)

    def insert_order(self, order: Order, idempotency_key: str | None) -> Order:
        """Insert a new order with its lines and first timeline entry; returns it numbered."""
        values = {
            **order_values(order),
            "id": order.id,
            "idempotency_key": idempotency_key,
            "customer_name": order.customer.name,
            "customer_email": order.customer.email,
            "ship_line1": order.shipping_address.line1,
            "ship_line2": order.shipping_address.line2,
            "ship_city": order.shipping_address.city,
            "ship_region": order.shipping_address.region,
            "ship_postal_code": order.shipping_address.postal_code,
            "ship_country": order.shipping_address.country,
            "currency": order.currency,
            "subtotal": money.to_minor(order.totals.subtotal, order.currency),
            "shipping": money.to_minor(order.totals.shipping, order.currency),
            "discount": money.to_minor(order.totals.discount, order.currency),
            "total": money.to_minor(order.totals.total, order.currency),
            "coupon_code": order.coupon_code,
            "customer_note": order.customer_note,
            "created_at": order.created_at,
        }
        number = self._next_order_number()
        try:
            self.conn.execute(self.sql.insert_order, {**values, "number": number})
        except sa.exc.IntegrityError as error:
            if idempotency_key is not None and "idempotency_key" in str(error.orig):
                raise DuplicateIdempotencyKey(idempotency_key) from error
            raise
        self.conn.execute(
            self.sql.insert_lines,
            [
                {
                    "order_id": order.id,
                    "position": position,
                    "sku": line.sku,
                    "name": line.name,
                    "variant": line.variant,
                    "quantity": line.quantity,
                    "unit_price": money.to_minor(line.unit_price, order.currency),
                    "total": money.to_minor(line.total, order.currency),
                }
                for position, line in enumerate(order.lines)
            ],
        )
        terms = terms_of(order.customer.name, order.customer.email)
        self.conn.execute(self.sql.insert_search_terms, [{"term": term, "number": number} for term in terms])
        self.append_timeline(order.id, order.timeline)
        counters.record(self.conn, self.t, None, order)
        return attrs.evolve(order, number=number)

    def _next_order_number(self) -> int:
        """The next order number, from the counter row (locked until this transaction ends).

        A rollback gives the number back, so numbers never skip; a sequence or auto-increment
        would keep it. The row is created on first use in a database made without migrations.
        """
        c = self.t.counters
        if self.sql.take_order_number_returning is not None:  # one round trip
            taken = self.conn.execute(self.sql.take_order_number_returning).scalar()
            if taken is not None:
                return int(taken)
        elif self.conn.execute(self.sql.take_order_number).rowcount:
            return int(self.conn.execute(self.sql.order_number_taken).scalar_one())
        # No row yet (a database made without the migrations, or emptied): start after the orders there.
        last = sa.select(sa.func.coalesce(sa.func.max(self.t.orders.c.number), 0)).scalar_subquery()
        dialect = self.conn.dialect.name
        seed: Any = (
            sa.insert(c).prefix_with("IGNORE")
            if dialect in {"mysql", "mariadb"}
            else (
                postgresql.insert(c) if dialect == "postgresql" else sqlite.insert(c)
            ).on_conflict_do_nothing()
        )
        self.conn.execute(seed.values(name=ORDER_NUMBER, value=last))
        self.conn.execute(self.sql.take_order_number)
        return int(self.conn.execute(self.sql.order_number_taken).scalar_one())

    def update_order(self, before: Order, after: Order) -> None:
        """Write *after* over *before*: the row (only if still at *before*'s version) and its refunds.

        New refunds are inserted; a refund whose status changed (settled, failed) is updated.
        """
        values = {**order_values(after), "b_id": before.id, "b_version": before.version}
        if self.conn.execute(self.sql.update_order, values).rowcount != 1:
            raise ConcurrentUpdate(before.id, before.version, -1)
        counters.record(self.conn, self.t, before, after)
        known = {refund.id: refund for refund in before.refunds}
        new_refunds = [refund for refund in after.refunds if refund.id not in known]
        if new_refunds:
            self.conn.execute(
                self.sql.insert_refunds,
                [refund_values(refund, after.id, after.currency) for refund in new_refunds],
            )
        r = self.t.refunds
        for refund in after.refunds:
            if refund.id in known and known[refund.id] != refund:
                self.conn.execute(
                    sa.update(r)
                    .where(r.c.id == refund.id)
                    .values(
                        status=refund.status.value,
                        reference=refund.reference,
                        resolved_at=refund.resolved_at,
                        failure=refund.failure,
                    )
                )

    def refund_id_by_key(self, order_id: str, idempotency_key: str) -> str | None:
        """The id of the order's refund asked for with this key, if any (whatever its status)."""
        r = self.t.refunds
        query = sa.select(r.c.id).where(r.c.order_id == order_id, r.c.idempotency_key == idempotency_key)
        return self.conn.scalar(query)

    def has_refund(self, order_id: str, idempotency_key: str) -> bool:
        """Whether a refund with this key was already recorded on the order."""
        return self.refund_id_by_key(order_id, idempotency_key) is not None

    def plan_cancel(self, refund_id: str, plan: Mapping[str, Any]) -> None:
        """Remember to cancel the refund's order once the refund settles (cancel and refund)."""
        r = self.t.refunds
        self.conn.execute(sa.update(r).where(r.c.id == refund_id).values(then_cancel=dict(plan)))

    def planned_cancel(self, refund_id: str) -> Mapping[str, Any] | None:
        """What :meth:`plan_cancel` saved for this refund, or None."""
        r = self.t.refunds
        plan: Mapping[str, Any] | None = self.conn.scalar(
            sa.select(r.c.then_cancel).where(r.c.id == refund_id)
        )
        return plan

    def append_timeline(self, order_id: str, entries: Iterable[TimelineEvent]) -> None:
        """Add entries to an order's timeline."""
        rows = [
            {
                "order_id": order_id,
                "at": entry.at,
                "kind": entry.kind,
                "actor": entry.actor,
                "message": entry.message,
                "data": dict(entry.data),
            }
            for entry in entries
        ]
        if rows:
            self.conn.execute(self.sql.insert_timeline, rows)

    # -- stock ----------------------------------------------------------------------------

    def take_stock(self, wanted: Mapping[str, int]) -> None:
        """Decrement every tracked SKU by its quantity, or raise :class:`OutOfStock` naming a short one."""
        inv = self.t.inventory
        skus = sorted(wanted)
        query = sa.select(inv.c.sku, inv.c.quantity).where(inv.c.sku.in_(skus)).order_by(inv.c.sku)
        tracked: dict[str, int] = {
            sku: quantity for sku, quantity in self.conn.execute(query.with_for_update())
        }
        for sku in skus:
            if sku in tracked and tracked[sku] < wanted[sku]:
                raise OutOfStock(sku, wanted[sku], tracked[sku])
        self._add_stock({sku: -wanted[sku] for sku in skus if sku in tracked})

    def return_stock(self, returned: Mapping[str, int]) -> None:
        """Put units back on the shelf for SKUs that are (still) tracked."""
        self._add_stock(dict(sorted(returned.items())))

    def _add_stock(self, deltas: Mapping[str, int]) -> None:
        if not deltas:
            return
        now = utcnow()
        self.conn.execute(
            self.sql.add_stock,
            [{"b_sku": sku, "b_delta": delta, "b_at": now} for sku, delta in deltas.items()],
        )

    # -- coupons ----------------------------------------------------------------------------

    def lock_coupon(self, code: str) -> Coupon | None:
        """The coupon, locked so its usage count cannot race."""
        c = self.t.coupons
        row = self.conn.execute(sa.select(c).where(c.c.code == code).with_for_update()).first()
        return coupon_from_row(row) if row else None

    def coupon_used_by(self, code: str, email: str) -> bool:
        """Whether this customer (by email, case-insensitive) already used the coupon."""
        r = self.t.redemptions
        query = sa.select(r.c.id).where(
            r.c.coupon_code == code, sa.func.lower(r.c.customer_email) == email.lower()
        )
        return self.conn.execute(query.limit(1)).first() is not None

    def redeem_coupon(self, coupon: Coupon, email: str, order_id: str, at: datetime) -> None:
        """Count one use of the coupon (refusing past its usage limit)."""
        c = self.t.coupons
        statement = sa.update(c).where(c.c.code == coupon.code).values(times_used=c.c.times_used + 1)
        if coupon.usage_limit is not None:
            statement = statement.where(c.c.times_used < coupon.usage_limit)
        if self.conn.execute(statement).rowcount != 1:
            raise CouponNotApplicable(coupon.code, f"it has been used the maximum {coupon.usage_limit} times")
        self.conn.execute(
            sa.insert(self.t.redemptions).values(
                coupon_code=coupon.code, customer_email=email, order_id=order_id, at=at
            )
        )

    # -- outbox -----------------------------------------------------------------------------

    def enqueue(
        self,
        items: Sequence[OutboxItem],
        *,
        now: datetime,
        token: str | None,
        lease_until: datetime | None,
    ) -> None:
        """Queue events; with a *token* they start claimed by the caller, who delivers them after commit."""
        if not items:
            return
        self.conn.execute(
            self.sql.insert_outbox,
            [
                {
                    "id": item.id,
                    "order_id": item.order_id,
                    "hook": item.hook,
                    "arguments": dict(item.arguments),
                    "created_at": now,
                    "due_at": now,
                    "attempts": 0,
                    "claim_token": token,
                    "claimed_until": lease_until,
                    "done": [],
                    "last_error": None,
                    "dead": False,
                }
                for item in items
            ],
        )


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writes."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in {None, "", ":memory:"}:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("kasify_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
