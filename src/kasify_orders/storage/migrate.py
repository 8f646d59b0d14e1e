"""Applying kasify's shipped Alembic migrations, with their own version table.

The version table is ``<table_prefix>alembic_version`` (``kasify_alembic_version`` by
default), so kasify's migrations never mix with a host's own Alembic history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from kasify_orders.storage.port import Store
from kasify_orders.storage.store import SqlStore, sql_store

__all__ = ["MIGRATIONS", "current", "downgrade", "head", "upgrade", "version_table"]

MIGRATIONS = Path(__file__).with_name("migrations")


def version_table(store: Store) -> str:
    """The name of the table recording which migrations ran."""
    return f"{sql_store(store).tables.prefix}alembic_version"


def _config(store: SqlStore, connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(
        connection=connection,
        tables=store.tables,
        table_prefix=store.tables.prefix,
        schema=store.tables.metadata.schema,
    )
    return config


def head() -> str:
    """The newest migration kasify ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    revision = ScriptDirectory.from_config(config).get_current_head()
    assert revision is not None, "kasify ships at least one migration"
    return revision


def upgrade(store: Store, revision: str = "head") -> None:
    """Apply migrations up to *revision* (idempotent: nothing to do at head).

    On PostgreSQL a configured schema (``Settings.db_schema``) is created first if missing.
    A plugin's own tables are migrated by its own chain
    (:meth:`~kasify_orders.storage.plugin_tables.PluginTables.upgrade`), not here.
    """
    store = sql_store(store)
    with _migrating(store) as connection:
        schema = store.tables.metadata.schema
        if schema and connection.dialect.name == "postgresql":
            connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        command.upgrade(_config(store, connection), revision)


def downgrade(store: Store, revision: str = "base") -> None:
    """Revert migrations down to *revision* (``"base"`` drops every kasify table).

    Downgrade the plugins' own chains first: their tables may refer to kasify's.
    """
    store = sql_store(store)
    with _migrating(store) as connection:
        command.downgrade(_config(store, connection), revision)


@contextmanager
def _migrating(store: SqlStore) -> Iterator[sa.Connection]:
    """A connection in a transaction to migrate on; on SQLite with its foreign keys off meanwhile.

    SQLite changes a table's checks by rebuilding it (Alembic's batch mode), and dropping the
    old orders table would trip the foreign keys of its lines, refunds, ... although the rebuilt
    one takes its name at once. This is SQLite's documented procedure for a rebuild: keys off
    outside the transaction, ``foreign_key_check`` before the commit, keys on again. A connection
    already in a transaction (a host's, e.g. Django's migration) is left as it is.
    """
    with store.engine.connect() as connection:
        raw: Any = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
        switch = (
            raw is not None
            and not raw.in_transaction
            and bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])
        )
        if switch:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if switch:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"a migration left rows pointing at nothing: {broken[:5]}")
        finally:
            if switch:
                raw.execute("PRAGMA foreign_keys=ON")


def current(store: Store) -> str | None:
    """The revision the database is at, or None before the first migration."""
    store = sql_store(store)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "version_table": version_table(store),
                "version_table_schema": store.tables.metadata.schema,
            },
        )
        return context.get_current_revision()
