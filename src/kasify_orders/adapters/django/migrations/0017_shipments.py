"""kasify's Alembic migration 0015: parcels (shipments and their lines), and the fulfilment status."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to the one before 0015."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0015_list_filters")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0013")]
