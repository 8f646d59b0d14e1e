"""kasify's default ``kasify_storage``: the SQLAlchemy Core store for any SQLAlchemy URL."""

from __future__ import annotations

from kasify_orders.hookspecs import hookimpl
from kasify_orders.settings import Settings
from kasify_orders.storage.store import SqlStore

__all__ = ["kasify_storage"]


@hookimpl(trylast=True)
def kasify_storage(url: str, settings: Settings) -> SqlStore:
    """The SQLAlchemy store, with the settings' table prefix and schema."""
    return SqlStore.from_url(url, table_prefix=settings.table_prefix, schema=settings.db_schema)
