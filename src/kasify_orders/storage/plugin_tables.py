"""Tables a plugin owns: declared once, migrated by the plugin's own Alembic chain, reached narrowly.

A plugin that keeps data (the Saleor App's installations, a ledger of sent emails) declares a
:class:`PluginTables`: a short *name*, a function that defines its tables, and a directory of
Alembic revisions of its own. kasify's core migrations never create or alter them, so a host
that never uses the plugin has none of them::

    SHOP_TABLES = PluginTables(
        name="shop",  # version table: kasify_shop_alembic_version
        define=lambda md, prefix, core: {  # core: kasify's Tables, for foreign keys
            "notes": sa.Table(f"{prefix}shop_notes", md, sa.Column("id", sa.String(32), primary_key=True)),
        },
        versions=Path(__file__).with_name("migrations"),  # first revision: down_revision None
    )
    SHOP_TABLES.upgrade(orders.store)  # idempotent; run it at the plugin's set-up or deploy
    data = SHOP_TABLES.bind(orders.store)  # the plugin's handle
    data.atomic(lambda tx: tx.execute(sa.insert(data.tables["notes"]).values(id="n1")))

Its statements run inside kasify's units of work (:meth:`PluginData.atomic`, :meth:`read`, or
:meth:`within` a transaction kasify hands to a hook such as ``Orders.place(also=...)``), so a
plugin's write commits or rolls back with the order it belongs to. The plugin sees its own
tables and the core's orders table (:attr:`PluginData.orders`, for joins; it never writes it),
and the core :class:`~kasify_orders.storage.port.Transaction` (``tx.core``) for everything else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, CursorResult

from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.store import SqlStore, sql_store
from kasify_orders.storage.table_cache import per_tables
from kasify_orders.storage.tables import Tables
from kasify_orders.storage.transaction import SqlTransaction

__all__ = ["DECLARED", "PluginData", "PluginTables", "PluginTransaction"]

T = TypeVar("T")

#: ``define(metadata, table_prefix, core_tables) -> {key: Table}``: the plugin's tables on *metadata*.
Define = Callable[[sa.MetaData, str, Tables], Mapping[str, sa.Table]]

_ENV = Path(__file__).with_name("migrations")

#: Every plugin's tables declared in this process, by name (a declaration registers itself).
DECLARED: dict[str, PluginTables] = {}


@attrs.frozen
class PluginTables:
    """A plugin's own tables and its own Alembic chain (see the module docstring)."""

    #: Short and unique among plugins: names the version table ``<prefix><name>_alembic_version``.
    name: str
    define: Define
    #: The directory of the plugin's Alembic revision files.
    versions: Path

    def __attrs_post_init__(self) -> None:
        """Declare the plugin: a host's Alembic then sees its tables (``storage.metadata()``)."""
        DECLARED[self.name] = self

    def version_table(self, store: Store) -> str:
        """The table recording which of the plugin's revisions ran."""
        return f"{sql_store(store).tables.prefix}{self.name}_alembic_version"

    def metadata(self, store: Store) -> sa.MetaData:
        """The plugin's tables for *store*'s prefix and schema, on a metadata of their own."""
        return _defined(self, sql_store(store))[0]

    def bind(self, store: Store) -> PluginData:
        """The plugin's handle on its tables in *store*."""
        return PluginData(self, sql_store(store))

    def upgrade(self, store: Store, revision: str = "head") -> None:
        """Apply the plugin's migrations up to *revision* (nothing to do at head)."""
        sql = sql_store(store)
        with sql.engine.begin() as connection:
            command.upgrade(self._config(sql, connection), revision)

    def downgrade(self, store: Store, revision: str = "base") -> None:
        """Revert the plugin's migrations down to *revision* (``"base"`` drops its tables)."""
        sql = sql_store(store)
        with sql.engine.begin() as connection:
            command.downgrade(self._config(sql, connection), revision)

    def current(self, store: Store) -> str | None:
        """The plugin's revision in *store*'s database, or None before its first migration."""
        sql = sql_store(store)
        with sql.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "version_table": self.version_table(sql),
                    "version_table_schema": sql.tables.metadata.schema,
                },
            )
            return context.get_current_revision()

    def _config(self, store: SqlStore, connection: Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(_ENV))  # kasify's env.py
        config.set_main_option("path_separator", "os")  # one location: no splitting on spaces
        config.set_main_option("version_locations", str(self.versions))
        config.attributes.update(
            connection=connection,
            tables=store.tables,
            metadata=self.metadata(store),
            version_table=self.version_table(store),
            table_prefix=store.tables.prefix,
            schema=store.tables.metadata.schema,
        )
        return config


@per_tables
def _cached(core: Tables, plugin: PluginTables, prefix: str, schema: str | None) -> tuple[sa.MetaData, Any]:
    convention: Any = core.metadata.naming_convention
    md = sa.MetaData(schema=schema, naming_convention=convention)
    return md, dict(plugin.define(md, prefix, core))


def _defined(plugin: PluginTables, store: SqlStore) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    md, tables = _cached(store.tables, plugin, store.tables.prefix, store.tables.metadata.schema)
    return md, tables


class PluginTransaction:
    """A plugin's statements inside one of kasify's units of work."""

    def __init__(self, core: SqlTransaction) -> None:
        #: The unit of work's core operations (``append_timeline``, ``order``...).
        self.core: Transaction = core
        self._conn = core.conn

    def execute(self, statement: sa.Executable, parameters: Any = None) -> CursorResult[Any]:
        """Run a statement on the plugin's tables (or a read joining the core's orders table)."""
        return self._conn.execute(statement, parameters)

    def scalar(self, statement: sa.Executable, parameters: Any = None) -> Any:
        """The first column of the first row, or None."""
        return self._conn.scalar(statement, parameters)

    def scalars(self, statement: sa.Executable, parameters: Any = None) -> list[Any]:
        """The first column of every row."""
        return list(self._conn.scalars(statement, parameters).all())


class PluginData:
    """A plugin's handle on its tables in one store: its tables, and units of work to use them in."""

    def __init__(self, plugin: PluginTables, store: SqlStore) -> None:
        self.plugin = plugin
        self.store = store
        self.tables: Mapping[str, sa.Table] = _defined(plugin, store)[1]
        #: kasify's orders table, for reads that join it (a plugin never writes it).
        self.orders: sa.Table = store.tables.orders

    def atomic(self, work: Callable[[PluginTransaction], T]) -> T:
        """Run *work* in one of the store's write units of work (retried as :meth:`SqlStore.atomic`)."""
        return self.store.atomic(_named(work, lambda tx: work(PluginTransaction(tx))))

    def read(self, work: Callable[[PluginTransaction], T]) -> T:
        """Run *work* in one of the store's reads."""
        return self.store.read(_named(work, lambda tx: work(PluginTransaction(tx))))

    def within(self, tx: Transaction) -> PluginTransaction:
        """The plugin's statements inside *tx*, a unit of work kasify handed to the plugin."""
        if not isinstance(tx, SqlTransaction):
            raise TypeError(f"{type(tx).__name__} is not a transaction of a SqlStore")
        return PluginTransaction(tx)


def _named(work: Callable[..., Any], wrapper: Callable[[SqlTransaction], T]) -> Callable[[SqlTransaction], T]:
    """*wrapper*, named after *work*, so a failure names the plugin's operation."""
    functools.update_wrapper(wrapper, work, assigned=("__qualname__", "__name__", "__module__"), updated=())
    return wrapper
