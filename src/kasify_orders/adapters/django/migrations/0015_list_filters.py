"""kasify's Alembic migration 0013: indexes for the order list's sort by total and country filter."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to the one before 0013."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0014_customer_email_permissions")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0012")]
