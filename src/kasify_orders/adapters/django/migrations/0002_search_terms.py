"""kasify's Alembic migration 0004: the search terms that find orders by any word of the customer."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0003."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0001_kasify_tables")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0003")]
