"""Applying kasify's shipped Alembic migrations, with their own version table.

The version table is ``<table_prefix>alembic_version`` (``kasify_alembic_version`` by
default), so kasify's migrations never mix with a host's own Alembic history.
"""

from __future__ import annotations

from pathlib import Path

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
    with store.engine.begin() as connection:
        schema = store.tables.metadata.schema
        if schema and connection.dialect.name == "postgresql":
            connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        command.upgrade(_config(store, connection), revision)


def downgrade(store: Store, revision: str = "base") -> None:
    """Revert migrations down to *revision* (``"base"`` drops every kasify table).

    Downgrade the plugins' own chains first: their tables may refer to kasify's.
    """
    store = sql_store(store)
    with store.engine.begin() as connection:
        command.downgrade(_config(store, connection), revision)


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
