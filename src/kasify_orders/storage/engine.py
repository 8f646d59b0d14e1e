"""Engines and connections: how a :class:`~kasify_orders.storage.store.SqlStore` opens its transactions.

:class:`ConnectionSource` is the public seam a store on someone else's connection plugs into
(the Django adapter's :class:`~kasify_orders.adapters.django.store.DjangoConnections`): it opens
the SQLAlchemy connection and transaction each unit of work runs in, says whether a failed one
may run again, and when "after commit" is. :class:`EngineConnections` is the default: the
engine's own pooled connections, one transaction per unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from kasify_orders._extras import missing_driver

__all__ = ["ConnectionSource", "EngineConnections", "create_engine", "for_its_values", "is_transient"]

E = TypeVar("E", bound=sa.Executable)


class ConnectionSource(Protocol):
    """Where a SQL store's units of work get their connection and transaction."""

    def begin(self, engine: Engine, *, write: bool, snapshot: bool) -> AbstractContextManager[Connection]:
        """A connection inside a transaction that commits when the block ends (rolls back on error).

        *write*: the unit of work writes (SQLite takes its write lock up front). *snapshot*:
        every statement must read the same snapshot (REPEATABLE READ where the database has it).
        """
        ...

    def may_retry(self) -> bool:
        """Whether a unit of work that hit a deadlock may run again (not inside a host's transaction)."""
        ...

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run *callback* once the last unit of work's changes are committed."""
        ...


class EngineConnections:
    """The engine's pooled connections: each unit of work its own transaction, committed at its end."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    @contextmanager
    def begin(self, engine: Engine, *, write: bool, snapshot: bool) -> Iterator[Connection]:
        """See :meth:`ConnectionSource.begin`."""
        with engine.connect() as conn:
            # kasify_own_transaction: the commit is kasify's (it may relax its durability).
            conn.execution_options(kasify_write=write, kasify_own_transaction=True)
            if snapshot and self.dialect != "sqlite":  # SQLite's reads hold one snapshot already
                conn.execution_options(isolation_level="REPEATABLE READ")
            elif not write and self.dialect == "postgresql":
                # In READ COMMITTED each statement reads its own snapshot, in a transaction or
                # not; outside one, a read saves the BEGIN and COMMIT round trips.
                conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
                return
            with conn.begin():
                yield conn

    def may_retry(self) -> bool:
        """Always: the whole transaction is kasify's own."""
        return True

    def after_commit(self, callback: Callable[[], object]) -> None:
        """At once: ``atomic`` has committed before it returns."""
        callback()


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Whether *error* is a deadlock or serialisation failure, worth running the work again for."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in {"40001", "40P01"}:  # serialization failure, deadlock (PostgreSQL)
        return True
    code = orig.args[0] if orig is not None and orig.args else None
    if code in {1205, 1213}:  # lock wait timeout, deadlock (MySQL/MariaDB)
        return True
    return "database is locked" in str(orig)  # SQLite, past busy_timeout


def create_engine(url: str) -> Engine:
    """The engine for *url* with the settings each database needs."""
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
    elif parsed.get_driver_name() == "psycopg":
        _plan_for_values(engine)
    return engine


def for_its_values(statement: E) -> E:
    """*statement*, to be planned for the values it is run with, each time (a filtered list's).

    psycopg 3 prepares a statement a connection runs five times; PostgreSQL may then plan it
    once for any values (a generic plan). For a filtered list that plan knows neither the dates
    nor the cursor, and at a million orders it read half a million of them (300 ms) where the
    plan for the values reads a thousand (3 ms). Such statements are sent unprepared; the
    others keep their prepared plans (planning the tab counts alone costs a millisecond).
    """
    return statement.execution_options(**{_FOR_ITS_VALUES: True})


#: The execution option :func:`for_its_values` sets.
_FOR_ITS_VALUES = "kasify_for_its_values"


def _plan_for_values(engine: Engine) -> None:
    """Psycopg 3: a :func:`for_its_values` statement is sent unprepared (``prepare=False``)."""

    @event.listens_for(engine, "do_execute")
    def _do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        if not context.execution_options.get(_FOR_ITS_VALUES):
            return None  # the dialect's own execute
        cursor.execute(statement, parameters, prepare=False)
        return True


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
