"""kasify's tables, by its own Alembic migrations, on the database ``migrate`` is running on.

kasify's schema is defined once, in ``kasify_orders/storage/migrations`` (Alembic, with its own
version table ``kasify_alembic_version``), for every host. This migration applies them through
Django's connection, inside the migration's transaction where the database allows it, so
``manage.py migrate`` is the one command; ``manage.py migrate kasify_orders zero`` drops the
tables again. Upgrading is idempotent: tables created earlier with ``kasify-orders db upgrade``
are recognised by their version table. A kasify release that adds Alembic revisions ships a
Django migration that applies them the same way (``0002_search_terms``), so reverting to it
takes them off again.

The database routers decide where it runs (``allow_migrate(db, "kasify_orders")``).
"""

from typing import Any, ClassVar

from django.db import migrations


def _store(schema_editor: Any) -> Any:
    from kasify_orders.adapters.django.orders import store_for  # noqa: PLC0415

    return store_for(schema_editor.connection.alias)


def create_tables(apps: Any, schema_editor: Any) -> None:
    """Apply every Alembic migration kasify ships."""
    from kasify_orders.storage import migrate  # noqa: PLC0415

    store = _store(schema_editor)
    try:
        migrate.upgrade(store)
    finally:
        store.dispose()


def drop_tables(apps: Any, schema_editor: Any) -> None:
    """Revert every Alembic migration, then drop Alembic's version table: nothing of kasify is left."""
    import sqlalchemy as sa  # noqa: PLC0415

    from kasify_orders.storage import migrate  # noqa: PLC0415

    store = _store(schema_editor)
    try:
        migrate.downgrade(store, "base")
        version = sa.Table(migrate.version_table(store), sa.MetaData(), schema=store.tables.metadata.schema)
        with store.engine.begin() as connection:
            version.drop(connection, checkfirst=True)
    finally:
        store.dispose()


class Migration(migrations.Migration):
    """Create kasify's tables with its shipped Alembic migrations."""

    initial = True
    dependencies: ClassVar[list[tuple[str, str]]] = []
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.RunPython(create_tables, drop_tables, elidable=False)
    ]
