"""Order counts per status kept as counter rows, counted here once.

The list page's tabs read the ``status:<status>`` rows of ``kasify_counters``, and its "Needs
attention" count the Processing row less an index range count of the orders paid too recently
to be late (``storage/counters.py``), instead of counting every order on every visit. This
migration counts the orders already there into those rows and adds the ``(status, paid_at)``
index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage import counters as status_counters

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders_name = f"{PREFIX}orders"
    op.create_index(f"ix_{orders_name}_status_paid_at", orders_name, ["status", "paid_at"], schema=SCHEMA)
    orders = sa.table(orders_name, sa.column("status", sa.String), schema=SCHEMA)
    counters = sa.table(
        f"{PREFIX}counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger), schema=SCHEMA
    )
    status_counters.replace(op.get_bind(), orders, counters)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    counters = sa.table(f"{PREFIX}counters", sa.column("name", sa.String), schema=SCHEMA)
    prefix = status_counters.STATUS
    op.get_bind().execute(sa.delete(counters).where(counters.c.name.startswith(prefix, autoescape=True)))
    op.drop_index(f"ix_{PREFIX}orders_status_paid_at", f"{PREFIX}orders", schema=SCHEMA)
