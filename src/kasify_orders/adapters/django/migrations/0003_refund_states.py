"""kasify's Alembic migration 0005: refunds pending at the payment provider, then settled or failed."""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Bring kasify's tables to its newest Alembic revision; reverting goes back to 0004."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0002_search_terms")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [follow_alembic("0004")]
