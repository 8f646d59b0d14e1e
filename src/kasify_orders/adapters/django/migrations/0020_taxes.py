"""kasify's Alembic migration 0018: taxes from the host (line tax, shipping tax, inclusive prices)."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0017."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0019_order_edits")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0017")]
