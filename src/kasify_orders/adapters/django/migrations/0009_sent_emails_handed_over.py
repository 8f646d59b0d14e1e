"""kasify's Alembic migration 0009: the emails' ledger (``sent_emails``) leaves kasify's core schema.

A table holding rows is kept, and the email plugin's own chain
(``kasify_orders.notifications.tables.EMAIL_TABLES``) adopts it here, or makes it afresh where
Alembic 0009 dropped it empty. Reverting goes back to Alembic 0008, which hands the table back
to the core (it stays, with its rows).
"""

from typing import Any, ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


def adopt_sent_emails(apps: Any, schema_editor: Any) -> None:
    """Run the emails' own chain, which adopts the table as it is."""
    from kasify_orders.adapters.django.orders import store_for  # noqa: PLC0415
    from kasify_orders.notifications.tables import EMAIL_TABLES  # noqa: PLC0415

    store = store_for(schema_editor.connection.alias)
    try:
        EMAIL_TABLES.upgrade(store)
    finally:
        store.dispose()


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision, then the emails' chain; reverting: 0008."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0008_hold_permissions")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        follow_alembic("0008"),
        # Backwards: nothing here; Alembic 0009's downgrade (above, reversed) hands the table back.
        migrations.RunPython(adopt_sent_emails, migrations.RunPython.noop, elidable=False),
    ]
