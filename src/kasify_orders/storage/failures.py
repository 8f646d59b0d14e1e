"""Turning the database's errors into kasify's, without the statement's parameters.

SQLAlchemy's errors print the statement and its parameters (customers' names and emails),
and a driver's own message may quote values too (PostgreSQL's ``DETAIL: Failing row
contains (...)``, MariaDB's ``Duplicate entry '...'``). :func:`storage_error` keeps only what
names no data: the kind of error, the database's error code, and the names of the constraint
or table involved. The original stays chained as ``__cause__``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from kasify_orders.errors import ConstraintViolation, StorageError, TablesMissing

__all__ = ["count_statement", "operation_of", "statements_sent", "storage_error"]

#: Statements completed in the current :meth:`SqlStore.atomic` attempt (None outside one).
statements_sent: ContextVar[list[int] | None] = ContextVar("kasify_statements_sent", default=None)

_MISSING_TABLE = (
    re.compile(r'relation "([^"]+)" does not exist'),  # PostgreSQL
    re.compile(r"Table '([^']+)' doesn't exist"),  # MariaDB/MySQL
    re.compile(r"no such table: (\S+)"),  # SQLite
)
_UNDEFINED_TABLE_SQLSTATE = "42P01"
_MYSQL_NO_SUCH_TABLE = 1146


def count_statement(*_args: Any) -> None:
    """``after_cursor_execute`` listener: one more statement of this attempt reached the database."""
    sent = statements_sent.get()
    if sent is not None:
        sent[0] += 1


def operation_of(work: Callable[..., Any]) -> str:
    """A readable name for the unit of work: ``Orders.place`` for ``Orders.place.<locals>.work``."""
    while isinstance(work, functools.partial):
        work = work.func
    name = getattr(work, "__qualname__", None) or type(work).__name__
    return name.split(".<locals>")[0]


def _codes(orig: BaseException | None) -> list[str]:
    """The database's error codes: SQLSTATE, and MariaDB's error number."""
    codes = []
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        codes.append(f"SQLSTATE {sqlstate}")
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        codes.append(f"error {args[0]}")
    return codes


def _names(orig: BaseException | None) -> list[str]:
    """The schema objects PostgreSQL names in its diagnostics (never the values)."""
    diag = getattr(orig, "diag", None)
    found = []
    for kind in ("table_name", "column_name", "constraint_name"):
        value = getattr(diag, kind, None)
        if value:
            found.append(f"{kind.split('_')[0]} {value}")
    return found


def _missing_table(error: sa.exc.DBAPIError) -> tuple[bool, str | None]:
    """Whether *error* says a table does not exist, and which (PostgreSQL, MariaDB, SQLite)."""
    orig = error.orig
    first = orig.args[0] if orig is not None and orig.args else None
    if not (
        getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE_SQLSTATE
        or first == _MYSQL_NO_SUCH_TABLE
        or (isinstance(first, str) and first.startswith("no such table"))
    ):
        return False, None
    text = str(orig)
    for pattern in _MISSING_TABLE:
        found = pattern.search(text)
        if found:
            return True, found.group(1)
    return True, None


def storage_error(operation: str, error: sa.exc.SQLAlchemyError) -> StorageError:
    """The kasify error for *error* raised during *operation*; raise it ``from error``."""
    if isinstance(error, sa.exc.DBAPIError):
        missing, table = _missing_table(error)
        if missing:
            return TablesMissing(operation, table)
        orig = error.orig
        kind = type(orig).__name__ if orig is not None else type(error).__name__
        if error.connection_invalidated:
            return StorageError(operation, f"the connection to the database was lost ({kind})")
        if error.statement is None and isinstance(error, sa.exc.OperationalError):
            # Refused before any statement: the driver's words name the server, never any data.
            said = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else kind
            return StorageError(operation, f"cannot connect to the database: {said}")
        details = [*_codes(orig), *_names(orig)]
        if orig is not None and type(orig).__module__.startswith("sqlite3") and orig.args:
            # SQLite's messages name the table and column only ("UNIQUE constraint failed: t.c").
            details.append(str(orig.args[0]))
        reason = kind + (f" ({', '.join(details)})" if details else "")
        if isinstance(error, sa.exc.IntegrityError):
            return ConstraintViolation(operation, f"a constraint was violated: {reason}")
        return StorageError(operation, reason)
    return StorageError(operation, type(error).__name__)
