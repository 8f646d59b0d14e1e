"""kasify's Alembic migration 0008: the Saleor App's tables leave kasify's core schema.

Empty Saleor tables are dropped; ones holding rows are kept for the Saleor App's own chain
(``kasify_orders.adapters.saleor.SALEOR_TABLES``) to adopt. Reverting goes back to 0007.
"""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0007."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0006_status_counters")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0007")]
