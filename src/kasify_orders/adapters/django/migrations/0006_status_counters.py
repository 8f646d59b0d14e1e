"""kasify's Alembic migration 0007: order counts per status kept as counter rows, counted once."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0006."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0005_order_admin")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0006")]
