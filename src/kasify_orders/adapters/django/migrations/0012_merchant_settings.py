"""kasify's Alembic migration 0011: the merchant's saved settings and their audit trail.

Reverting goes back to Alembic 0009 (the revision before, until the lead rechains), which drops
both tables: the shop falls back to its code settings (``KASIFY_ORDERS["SETTINGS"]``).
"""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0009."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0010_back_office_permissions")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0009")]
