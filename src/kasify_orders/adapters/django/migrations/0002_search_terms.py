"""kasify's Alembic migration 0004: the search terms that find orders by any word of the customer."""

from typing import Any, ClassVar

from django.db import migrations


def _step(revision: str, *, up: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        from kasify_orders.adapters.django.orders import store_for  # noqa: PLC0415
        from kasify_orders.storage import migrate  # noqa: PLC0415

        store = store_for(schema_editor.connection.alias)
        try:
            (migrate.upgrade if up else migrate.downgrade)(store, revision)
        finally:
            store.dispose()

    return run


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision (0004 or later); reverting goes to 0003.

    Forwards is "head", as in ``0001``, so a database already upgraded by ``kasify-orders db
    upgrade`` or by ``0001`` is left as it is.
    """

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0001_kasify_tables")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.RunPython(_step("head", up=True), _step("0003", up=False), elidable=False)
    ]
