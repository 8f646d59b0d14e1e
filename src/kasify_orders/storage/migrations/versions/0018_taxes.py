"""Taxes from the host: the tax of each line, the shipping's, and whether prices include it.

kasify computes no tax; it records what the host says. Order lines gain ``tax`` (minor units,
the whole line's); orders gain ``tax`` (the lines' and the shipping's, so a list reads it from
the row alone), ``shipping_tax`` and ``prices_include_tax``. Every order already there reads
as today: no tax, prices exclusive, its total unchanged. Downgrading drops the columns, and is
refused while an order holds tax: the older code has nowhere to keep it, and an order whose
total includes tax it cannot see would not add up.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    with op.batch_alter_table(f"{PREFIX}order_lines", schema=SCHEMA) as batch:
        batch.add_column(sa.Column("tax", sa.BigInteger, nullable=False, server_default="0"))
    with op.batch_alter_table(f"{PREFIX}orders", schema=SCHEMA) as batch:
        batch.add_column(sa.Column("tax", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("shipping_tax", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("prices_include_tax", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = sa.table(f"{PREFIX}orders", sa.column("tax", sa.BigInteger), schema=SCHEMA)
    taxed = op.get_bind().scalar(sa.select(sa.func.count()).select_from(orders).where(orders.c.tax != 0))
    if taxed:
        raise RuntimeError(
            f"cannot downgrade below 0018: {taxed} order{' holds' if taxed == 1 else 's hold'} tax,"
            " which the older schema cannot keep"
        )
    with op.batch_alter_table(f"{PREFIX}orders", schema=SCHEMA) as batch:
        batch.drop_column("prices_include_tax")
        batch.drop_column("shipping_tax")
        batch.drop_column("tax")
    with op.batch_alter_table(f"{PREFIX}order_lines", schema=SCHEMA) as batch:
        batch.drop_column("tax")
