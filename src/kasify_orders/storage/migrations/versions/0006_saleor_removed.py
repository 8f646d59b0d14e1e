"""Order numbers from a counter row, and the Saleor installation's warning about Saleor's own emails.

``kasify_counters`` holds the last order number handed out (``order_number``), seeded here
from the orders already placed: a number taken in a placing transaction that rolls back (two
webhooks placing one Saleor order at once) goes back with it, where a PostgreSQL sequence or
a MariaDB auto-increment would skip it. ``kasify_saleor_installations.email_warning`` keeps
what the app found at install about Saleor's user-email plugin (None: nothing to fix).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    counters = op.create_table(
        f"{PREFIX}counters",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name=f"pk_{PREFIX}counters"),
        schema=SCHEMA,
    )
    assert counters is not None
    orders = sa.table(f"{PREFIX}orders", sa.column("number", sa.BigInteger), schema=SCHEMA)
    bind = op.get_bind()
    last = bind.scalar(sa.select(sa.func.coalesce(sa.func.max(orders.c.number), 0)))
    bind.execute(sa.insert(counters).values(name="order_number", value=int(last or 0)))
    op.add_column(f"{PREFIX}saleor_installations", sa.Column("email_warning", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    with op.batch_alter_table(f"{PREFIX}saleor_installations", schema=SCHEMA) as batch:
        batch.drop_column("email_warning")
    op.drop_table(f"{PREFIX}counters", schema=SCHEMA)
