"""The default storage plugin: SQLAlchemy Core on SQLite, PostgreSQL and MariaDB/MySQL.

A host that autogenerates its own Alembic migrations must tell Alembic about kasify's
tables, or Alembic proposes dropping them. Either list them::

    from kasify_orders.storage import metadata

    target_metadata = [my_metadata, metadata()]

or leave them out of the comparison::

    from kasify_orders.storage import exclude_kasify_tables

    context.configure(..., include_name=exclude_kasify_tables())

kasify's own migrations are applied by ``orders.migrate()`` (or ``kasify-orders db upgrade``)
and recorded in their own version table, ``kasify_alembic_version``. A plugin's own tables
(:mod:`~kasify_orders.storage.plugin_tables`, the Saleor App's) have their own chain and
version table; :func:`metadata` lists those of every plugin declared in the process too.

What the service needs from a store is :mod:`~kasify_orders.storage.port`; ``SqlStore``
(:mod:`~kasify_orders.storage.store`) is the implementation here.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import sqlalchemy as sa

from kasify_orders.settings import Settings
from kasify_orders.storage.tables import build_tables

__all__ = ["exclude_kasify_tables", "metadata"]


def metadata(settings: Settings | None = None) -> sa.MetaData:
    """The tables kasify owns (with the settings' prefix and schema), for a host's Alembic.

    With them, the tables of every plugin declared in this process (the emails' ledger always;
    the Saleor App's, once ``kasify_orders.adapters.saleor`` is imported) and their version tables.
    """
    # The emails' ledger is a default plugin's table: declared here even before the emails load.
    import kasify_orders.notifications.tables  # noqa: F401, PLC0415
    from kasify_orders.storage.plugin_tables import DECLARED  # noqa: PLC0415 - it imports the store

    settings = settings or Settings()
    prefix = settings.table_prefix
    core = build_tables(prefix, settings.db_schema)
    md = core.metadata
    # The version tables of kasify's own migrations, so a host's autogenerate leaves them alone.
    for name in ["", *(f"{plugin}_" for plugin in DECLARED)]:
        sa.Table(
            f"{prefix}{name}alembic_version", md, sa.Column("version_num", sa.String(32), primary_key=True)
        )
    for plugin in DECLARED.values():
        plugin.define(md, prefix, core)
    return md


def exclude_kasify_tables(
    settings: Settings | None = None,
) -> Callable[[str | None, str, MutableMapping[str, Any]], bool]:
    """An Alembic ``include_name`` hook that skips kasify's tables and its version table."""
    prefix = (settings or Settings()).table_prefix

    def include_name(name: str | None, type_: str, _parent_names: MutableMapping[str, Any]) -> bool:
        return not (type_ == "table" and name is not None and name.startswith(prefix))

    return include_name
