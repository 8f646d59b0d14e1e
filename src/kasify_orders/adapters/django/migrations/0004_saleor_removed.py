"""kasify's Alembic migration 0006: order numbers from a counter row; Saleor's emails."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0005."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0003_refund_states")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0005")]
