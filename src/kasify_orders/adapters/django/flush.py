"""Emptying kasify's tables when Django flushes a database (``manage.py flush``, ``TransactionTestCase``).

Django's flush empties the tables of models only (``django_table_names()``), and kasify's
tables are not models: they are defined once, in SQLAlchemy, and made by Alembic migrations.
So the app ships its own ``flush`` and ``sqlflush`` commands, Django's with kasify's tables
added (Django's test framework runs ``call_command("flush")`` after every
``TransactionTestCase``, and finds the app's command like ``manage.py`` does). The statements
are Django's own for the backend (``connection.ops.sql_flush``), so the tables are emptied as
Django empties its own: TRUNCATE or DELETE, sequences reset when Django resets its own. The
migration version table (``kasify_alembic_version``) is kept, as Django keeps ``django_migrations``.
"""

from __future__ import annotations

import sqlalchemy as sa
from django.core.management.color import Style, no_style
from django.db import connections

from kasify_orders.adapters.django.orders import store_for
from kasify_orders.adapters.django.store import UnsupportedDatabase

__all__ = ["kasify_tables", "sql_flush"]


def kasify_tables(alias: str) -> list[sa.Table]:
    """The tables of kasify that exist on *alias*, each after the tables referring to it."""
    try:
        store = store_for(alias)
    except UnsupportedDatabase:
        return []  # kasify cannot have tables there
    try:
        with store.engine.connect() as conn:
            existing = set(sa.inspect(conn).get_table_names(schema=store.tables.metadata.schema))
    finally:
        store.dispose()
    return [table for table in reversed(store.tables.metadata.sorted_tables) if table.name in existing]


def sql_flush(alias: str, *, reset_sequences: bool, style: Style | None = None) -> list[str]:
    """The statements that empty kasify's tables on *alias* (none when it has none there)."""
    tables = kasify_tables(alias)
    if not tables:
        return []
    connection = connections[alias]
    style = style or no_style()
    if tables[0].schema is None:
        return list(
            connection.ops.sql_flush(style, [table.name for table in tables], reset_sequences=reset_sequences)
        )
    # A PostgreSQL schema of their own (Settings.db_schema): Django's quoting takes bare names only.
    quote = connection.ops.quote_name
    names = ", ".join(f"{quote(table.schema or '')}.{quote(table.name)}" for table in tables)
    return [f"TRUNCATE {names}{' RESTART IDENTITY' if reset_sequences else ''};"]
