"""kasify's Alembic migration 0006: order numbers from a counter row; Saleor's emails."""

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
    """Bring kasify's tables to the newest Alembic revision (0006 or later); back: 0005.

    Forwards is "head", as in ``0001``, so a database already upgraded by ``kasify-orders db
    upgrade`` is left as it is.
    """

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0003_refund_states")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.RunPython(_step("head", up=True), _step("0005", up=False), elidable=False)
    ]
