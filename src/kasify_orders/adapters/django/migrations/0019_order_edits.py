"""kasify's Alembic migration 0017: what was paid, kept apart from the total (order edits)."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0015."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0017_shipments")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0015")]
