"""kasify's SQLAlchemy store on Django's own database connection.

SQLAlchemy runs kasify's statements, but on the DBAPI connection Django opened for the
database alias, and inside Django's ``transaction.atomic()``: kasify's writes commit when
the host's transaction commits and roll back with it. Django owns the transaction, so the
connection SQLAlchemy sees cannot commit, roll back or close it (those calls do nothing);
Django's ``atomic`` does that, with a savepoint when the host is already inside one.

Outbox events raised by a write are delivered from ``transaction.on_commit``, so hooks and
emails run only once the host's transaction commits, and never when it rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any

import sqlalchemy as sa
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from sqlalchemy.dialects.sqlite import DATE, DATETIME
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.pool import SingletonThreadPool

from kasify_orders.storage.store import SqlStore
from kasify_orders.storage.tables import build_tables

__all__ = ["SUPPORTED_VENDORS", "DjangoConnections", "DjangoStore", "UnsupportedDatabase", "dialect_url"]

#: Django's database vendors kasify runs on (``connection.vendor``).
SUPPORTED_VENDORS = ("sqlite", "postgresql", "mysql")

#: The SQLAlchemy dialect for each DBAPI module a Django backend may use.
_DIALECTS = {
    "sqlite3": "sqlite+kasify_django",  # pysqlite, reading Django's converted dates
    "psycopg": "postgresql+psycopg",
    "psycopg2": "postgresql+psycopg2",
    "MySQLdb": "mysql+mysqldb",
    "pymysql": "mysql+pymysql",  # pymysql.install_as_MySQLdb()
}


class UnsupportedDatabase(ImproperlyConfigured):
    """The Django database alias uses an engine kasify cannot run on."""


def dialect_url(alias: str) -> str:
    """The dialect-only SQLAlchemy URL for Django's database *alias* (``"postgresql+psycopg://"``).

    :raises UnsupportedDatabase: the alias's engine is not SQLite, PostgreSQL or MySQL/MariaDB.
    """
    wrapper = connections[alias]
    database = getattr(wrapper, "Database", None)
    module = database.__name__.split(".")[0] if database is not None else "none"
    dialect = _DIALECTS.get(module)
    if wrapper.vendor not in SUPPORTED_VENDORS or dialect is None:
        raise UnsupportedDatabase(
            f"kasify-orders cannot use the database {alias!r} ({wrapper.settings_dict['ENGINE']}, "
            f"driver {module}): it runs on SQLite, PostgreSQL and MySQL/MariaDB only"
        )
    return f"{dialect}://"


class _DjangoConnection:
    """The DBAPI connection SQLAlchemy sees: whatever connection Django holds now, in this thread.

    Every attribute is looked up on Django's current connection at the time of use, so one
    proxy survives Django closing and reopening its connection (``CONN_MAX_AGE``). Commit,
    rollback and close do nothing: Django's ``atomic`` owns the transaction and Django owns
    the connection.
    """

    def __init__(self, alias: str) -> None:
        self._alias = alias

    def _raw(self) -> Any:
        wrapper = connections[self._alias]
        wrapper.ensure_connection()
        return wrapper.connection

    def commit(self) -> None:
        """Django commits (the end of the outermost ``atomic``, or autocommit)."""

    def rollback(self) -> None:
        """Django rolls back (``atomic`` on an exception)."""

    def close(self) -> None:
        """Django closes its connections itself."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        """A raw cursor on Django's current connection."""
        return self._raw().cursor(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw(), name)


def _accept_parsed(parse: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """Keep a value Django's converters already parsed (a ``date``, or its subclass ``datetime``)."""

    def process(value: Any) -> Any:
        if value is None or isinstance(value, date):
            return value
        return parse(value) if parse else value

    return process


class _LenientDateTime(DATETIME):
    """SQLite DATETIME that also accepts the ``datetime`` Django's sqlite3 converters return.

    Django opens SQLite with ``detect_types=PARSE_DECLTYPES`` and registers a ``datetime``
    converter, so a DATETIME column arrives already parsed instead of as text.
    """

    def result_processor(self, dialect: Any, coltype: object) -> Callable[[Any], Any] | None:
        return _accept_parsed(super().result_processor(dialect, coltype))


class _LenientDate(DATE):
    """SQLite DATE that also accepts the ``date`` Django's sqlite3 converters return."""

    def result_processor(self, dialect: Any, coltype: object) -> Callable[[Any], Any] | None:
        return _accept_parsed(super().result_processor(dialect, coltype))


class _DjangoSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, reading dates that Django's sqlite3 connection already converted."""

    supports_statement_cache = True
    colspecs = {  # noqa: RUF012 - SQLAlchemy's own class attribute
        **SQLiteDialect_pysqlite.colspecs,
        sa.DateTime: _LenientDateTime,
        sa.Date: _LenientDate,
    }


sa.dialects.registry.register("sqlite.kasify_django", __name__, "_DjangoSQLiteDialect")


class DjangoConnections:
    """The seam :class:`DjangoStore` plugs into :class:`~kasify_orders.storage.store.SqlStore`.

    Each unit of work runs inside Django's ``atomic`` (a savepoint when the host is already
    inside one); a read inside the host's transaction needs no savepoint: it sees the host's
    view. The isolation level is the host's (``DATABASES[...]["OPTIONS"]``), *snapshot* or not.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias

    @contextmanager
    def begin(self, engine: sa.Engine, *, write: bool, snapshot: bool) -> Iterator[sa.Connection]:
        """See :meth:`~kasify_orders.storage.engine.ConnectionSource.begin`."""
        in_host_transaction = connections[self.alias].in_atomic_block
        scope = nullcontext() if not write and in_host_transaction else transaction.atomic(using=self.alias)
        with scope, engine.connect() as conn, conn.begin():
            yield conn

    def may_retry(self) -> bool:
        """Not inside the host's transaction.

        A deadlock there aborts the host's whole transaction (InnoDB rolls all of it back), so
        retrying kasify's savepoint would run on a dead transaction: the host sees the error
        and retries its own unit of work.
        """
        return not connections[self.alias].in_atomic_block

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run *callback* when the host's transaction commits (at once outside any ``atomic``).

        ``robust=True``: a failing callback is logged by Django and does not stop the
        host's other ``on_commit`` callbacks; the outbox retries the event later.
        """
        transaction.on_commit(callback, using=self.alias, robust=True)


class DjangoStore(SqlStore):
    """The SQLAlchemy store, on Django's connection for *alias* and inside Django's transactions.

    Only its construction differs from :class:`SqlStore`: the engine hands out Django's
    connection and :class:`DjangoConnections` opens each unit of work inside Django's ``atomic``.
    """

    #: Django owns the connection: a dropped one is Django's to replace (at the request's end),
    #: so retrying on "a new connection" would only meet the dead one again.
    reconnects = False

    def __init__(self, alias: str = "default", *, table_prefix: str = "kasify_", schema: str | None = None):
        self.alias = alias
        url = dialect_url(alias)
        options: dict[str, Any] = {
            "creator": lambda: _DjangoConnection(alias),
            # One proxy per thread, as Django keeps one connection per thread.
            "poolclass": SingletonThreadPool,
            "pool_size": 64,
            "pool_reset_on_return": None,
            # Errors must not print customers' names and emails bound into a statement.
            "hide_parameters": True,
        }
        if url.startswith("postgresql"):
            # kasify has no hstore columns, and looking its type up needs psycopg's own class.
            options["use_native_hstore"] = False
        super().__init__(
            sa.create_engine(url, **options),
            build_tables(table_prefix, schema),
            connections=DjangoConnections(alias),
        )
