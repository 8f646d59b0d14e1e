"""The SQLAlchemy Core store: every read and write kasify makes, one transaction at a time.

Writes lock what they change, always in the same order (coupon row, then stock rows by
SKU, then the order row, on MariaDB with its children's rows), so concurrent actions
serialise instead of losing updates;
a deadlock or serialisation failure the database reports anyway is retried a few times.
SQLite takes its write lock up front with ``BEGIN IMMEDIATE``.

Every other database failure leaves as a :class:`~kasify_orders.StorageError` naming the
operation, never the statement's parameters (:mod:`~kasify_orders.storage.failures`); a
connection lost before anything was written is retried once on a new one.

:class:`SqlStore` implements the storage port (:class:`~kasify_orders.storage.port.Store`);
its transactions come from a :class:`~kasify_orders.storage.engine.ConnectionSource`, the
seam a store on a host's connection plugs into. The pieces: the hot statements
(:mod:`~kasify_orders.storage.statements`), one transaction's operations
(:mod:`~kasify_orders.storage.transaction`, :mod:`~kasify_orders.storage.stock_coupons`),
the outbox and search index (:mod:`~kasify_orders.storage.outbox_ops`), engines
(:mod:`~kasify_orders.storage.engine`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import random
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from kasify_orders import errors
from kasify_orders.errors import ConstraintViolation, ValidationError
from kasify_orders.lifecycle import Status
from kasify_orders.model import Coupon, Order, OrderSummary, utcnow
from kasify_orders.return_model import ReturnSummary
from kasify_orders.storage import counters
from kasify_orders.storage.engine import ConnectionSource, EngineConnections, create_engine, is_transient
from kasify_orders.storage.failures import count_statement, operation_of, statements_sent, storage_error
from kasify_orders.storage.outbox_ops import OutboxAndSearch
from kasify_orders.storage.port import Store
from kasify_orders.storage.queries import is_common
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort, OutboxItem
from kasify_orders.storage.returns import needing_merchant
from kasify_orders.storage.rows import coupon_from_row, coupon_values
from kasify_orders.storage.settings_ops import SettingsReads
from kasify_orders.storage.statements import Statements
from kasify_orders.storage.stock_reads import StockReads
from kasify_orders.storage.tables import Tables, build_tables
from kasify_orders.storage.transaction import SqlTransaction

__all__ = ["OrderFilter", "OutboxItem", "SqlStore", "SqlTransaction", "Transaction", "sql_store"]

T = TypeVar("T")
#: What an export reads in batches: whole orders or their summaries.
Exported = TypeVar("Exported", Order, OrderSummary)

_RETRIES = 5

#: The concrete transaction's former name (the port's protocol is ``storage.port.Transaction``).
Transaction = SqlTransaction


def __getattr__(name: str) -> Any:
    """``DuplicateIdempotencyKey`` moved to :mod:`kasify_orders.errors`; the old path warns."""
    if name == "DuplicateIdempotencyKey":
        warnings.warn(
            "kasify_orders.storage.store.DuplicateIdempotencyKey moved to kasify_orders.errors",
            DeprecationWarning,
            stacklevel=2,
        )
        return errors.DuplicateIdempotencyKey
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SqlStore(StockReads, OutboxAndSearch, SettingsReads):
    """Orders, stock, coupons and the outbox in a SQL database.

    :param connections: Where units of work get their connection and transaction; the
        default is the engine's own pool. A host store passes its own (the Django adapter's).
    """

    #: Retry a unit of work once on a new connection when the database dropped the old one.
    reconnects = True

    def __init__(
        self, engine: Engine, tables: Tables, *, connections: ConnectionSource | None = None
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.dialect = engine.dialect.name
        self.statements = Statements(tables, self.dialect)
        self.connections: ConnectionSource = connections or EngineConnections(self.dialect)
        #: The connection of the :meth:`reads_together` block this context is in, if any.
        self._together: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            f"kasify_reads_together_{id(self)}", default=None
        )
        # Counts the statements of an atomic() attempt: a write is retried only before any.
        event.listen(engine, "after_cursor_execute", count_statement)

    @classmethod
    def from_url(cls, url: str, *, table_prefix: str = "kasify_", schema: str | None = None) -> SqlStore:
        """Create the engine for *url* with the settings each database needs."""
        return cls(create_engine(url), build_tables(table_prefix, schema))

    def location(self) -> str:
        """The database URL, its password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------

    def atomic(self, work: Callable[[SqlTransaction], T]) -> T:
        """Run *work* in one write transaction; retry it on deadlock or serialisation failure.

        A connection lost before any of *work*'s statements completed is retried once (the
        database has nothing of it, and *work* has not got far enough to act on a result);
        one lost later is not, as *work* may have acted (asked a payment provider) already.
        Neither is retried when the connection source says no (inside a host's transaction).

        :raises StorageError: any other database failure (the driver's error is its cause).
        """
        attempt, reconnected = 0, False
        retries = _RETRIES if self.connections.may_retry() else 1
        while True:
            sent = [0]
            counting = statements_sent.set(sent)
            try:
                with self.connections.begin(self.engine, write=True, snapshot=False) as conn:
                    return work(SqlTransaction(conn, self.tables, self.statements))
            except sa.exc.DBAPIError as error:
                if attempt < retries - 1 and is_transient(error):
                    time.sleep(random.uniform(0, 0.01 * 2**attempt))
                    attempt += 1
                    continue
                if (
                    error.connection_invalidated
                    and not sent[0]
                    and self.reconnects
                    and retries > 1
                    and not reconnected
                ):
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
        self.connections.after_commit(callback)

    def read(self, work: Callable[[SqlTransaction], T], *, snapshot: bool = False) -> T:
        """Run *work* without taking locks; each statement reads one consistent snapshot.

        *snapshot*: all of *work*'s statements read the same one (REPEATABLE READ), for reads
        whose statements must agree with each other. A read whose connection the database
        dropped is retried once on a new one.

        :raises StorageError: any other database failure (the driver's error is its cause).
        """
        held = None if snapshot else self._together.get()
        if held is not None:
            try:
                return work(SqlTransaction(held, self.tables, self.statements))
            except sa.exc.SQLAlchemyError as error:
                raise storage_error(operation_of(work), error) from error
        tries = 2 if self.reconnects else 1
        for attempt in range(tries):
            try:
                with self.connections.begin(self.engine, write=False, snapshot=snapshot) as conn:
                    return work(SqlTransaction(conn, self.tables, self.statements))
            except sa.exc.DBAPIError as error:
                if attempt < tries - 1 and error.connection_invalidated:
                    continue
                raise storage_error(operation_of(work), error) from error
            except sa.exc.SQLAlchemyError as error:
                raise storage_error(operation_of(work), error) from error
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def reads_together(self) -> Iterator[None]:
        """See :meth:`~kasify_orders.storage.port.UnitOfWork.reads_together` (nested: the outer block's)."""
        if self._together.get() is not None:
            yield
            return
        try:
            with self.connections.begin(self.engine, write=False, snapshot=False) as conn:
                token = self._together.set(conn)
                try:
                    yield
                finally:
                    self._together.reset(token)
        except sa.exc.SQLAlchemyError as error:  # opening or ending it (a read's own are raised as theirs)
            raise storage_error("read", error) from error

    # -- reads --------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order:
        """The order with this id; raises :class:`OrderNotFound`."""
        return self.read(lambda tx: tx.order(order_id))

    def get_order_by_number(self, number: int) -> Order:
        """The order with this human number; raises :class:`OrderNotFound`."""
        return self.read(lambda tx: tx.order_by_number(number))

    def order_of_return(self, return_id: str) -> str | None:
        """The id of the order the return *return_id* belongs to, or None."""
        r = self.tables.returns
        query = sa.select(r.c.order_id).where(r.c.id == return_id)
        return self.read(lambda tx: tx.conn.scalar(query))

    def returns_needing_merchant(self, *, limit: int) -> tuple[list[ReturnSummary], int]:
        """The newest *limit* returns open or received (newest first), and how many there are."""
        return self.read(lambda tx: needing_merchant(tx.conn, self.statements.returns, limit=limit))

    def list_orders(
        self,
        where: OrderFilter,
        *,
        limit: int,
        after: int | Keyset | None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> list[OrderSummary]:
        """Up to *limit* orders in *sort*'s order (newest first), after the key *after* (keyset paging).

        An int *after* is an order number (the key of a sort by date).
        """
        return self.read(lambda tx: tx.list_orders(where, limit=limit, after=after, sort=sort))

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

    def count_orders(
        self,
        where: OrderFilter,
        *,
        at_most: int | None = None,
        after: Keyset | None = None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> int:
        """How many orders match *where*; with *at_most*, counting no further than *at_most* + 1.

        The counters answer the unfiltered list and the status tabs exactly in O(1); any other
        filter with *at_most* is a scan that stops after *at_most* + 1 orders (a result above
        *at_most* means "more than *at_most*"). *after*: only the orders after that key in
        *sort*'s order, scanned from the key on (the list's first page counts the rest from its end).
        """
        return self.read(lambda tx: tx.count_orders(where, at_most=at_most, after=after, sort=sort))

    def count_by_status(self) -> dict[Status, int]:
        """How many orders are in each status (from the counter rows: ``storage/counters.py``)."""
        return self.read(lambda tx: counters.by_status(tx.conn, self.tables))

    def count_tabs(self, paid_before: datetime) -> tuple[dict[Status, int], int]:
        """See :meth:`~kasify_orders.storage.port.OrderQueries.count_tabs`."""
        return self.read(lambda tx: counters.tabs(tx.conn, self.tables, paid_before))

    def rebuild_status_counts(self) -> dict[str, int]:
        """See :meth:`~kasify_orders.storage.port.StatusCounts.rebuild_status_counts`."""
        return counters.rebuild(self)

    def status_count_drift(self) -> dict[str, tuple[int, int]]:
        """See :meth:`~kasify_orders.storage.port.StatusCounts.status_count_drift`."""
        return counters.drift(self)

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

    # -- coupons ----------------------------------------------------------

    def create_coupon(self, coupon: Coupon) -> None:
        """Store a new coupon; refuses a code that exists."""
        values = {**coupon_values(coupon), "times_used": 0, "created_at": utcnow()}
        try:
            self.atomic(lambda tx: tx.conn.execute(sa.insert(self.tables.coupons).values(values)))
        except ConstraintViolation:
            raise ValidationError.single(
                "code", "a coupon %(code)s already exists", code=coupon.code
            ) from None

    def update_coupon(self, coupon: Coupon, *, code: str | None = None) -> None:
        """Change the coupon *code* (default: ``coupon.code``) to *coupon*'s rules, its usage count kept.

        A new code is refused (``ValidationError`` on ``code``) when another coupon has it, or
        once the coupon has been used: its orders and customers know it by its code. The row is
        locked first, so an order redeeming it meanwhile waits, then sees the coupon as it is now.
        """
        t = self.tables.coupons
        current = (code or coupon.code).strip().upper()

        def work(tx: Transaction) -> None:
            found = tx.lock_coupon(current)
            if found is None:
                raise ValidationError.single("code", "no coupon %(code)s", code=current)
            if coupon.code != current and found.times_used:
                raise ValidationError.single(
                    "code",
                    "the code of a coupon that has been used cannot change (%(code)s was used "
                    "%(times)s times); create a new coupon instead",
                    code=current,
                    times=found.times_used,
                )
            tx.conn.execute(sa.update(t).where(t.c.code == current).values(coupon_values(coupon)))

        try:
            self.atomic(work)
        except ConstraintViolation:
            raise ValidationError.single(
                "code", "a coupon %(code)s already exists", code=coupon.code
            ) from None

    def set_coupon_active(self, code: str, active: bool) -> None:
        """Enable or disable a coupon, changing nothing else about it."""
        t = self.tables.coupons
        current = code.strip().upper()

        def work(tx: Transaction) -> None:
            done = tx.conn.execute(sa.update(t).where(t.c.code == current).values(active=active))
            if done.rowcount != 1:
                raise ValidationError.single("code", "no coupon %(code)s", code=current)

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
        rows = self.read(lambda tx: tx.conn.execute(query).all())
        return [(order_id, refund_id) for order_id, refund_id in rows]


def sql_store(store: Store) -> SqlStore:
    """*store* as a SQL store: for what only one has (migrations, a plugin's own tables).

    :raises TypeError: *store* keeps its data some other way (a store of a plugin's own).
    """
    if not isinstance(store, SqlStore):
        raise TypeError(
            f"{type(store).__name__} is not a SqlStore: kasify's migrations and plugin tables "
            "need a SQL store (kasify_orders.storage.store.SqlStore or a subclass)"
        )
    return store


def _implements_the_port(store: SqlStore) -> Store:
    """Mypy checks here that :class:`SqlStore` is a :class:`~kasify_orders.storage.port.Store`."""
    return store
