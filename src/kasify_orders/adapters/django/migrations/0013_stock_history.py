"""kasify's Alembic migration 0012: stock history, and a name and low-stock threshold per SKU."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to the one before 0012."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0012_merchant_settings")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0011")]
