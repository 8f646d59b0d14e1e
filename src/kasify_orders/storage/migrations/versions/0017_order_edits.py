"""Order edits: what was paid is kept apart from the total, and refunds are capped by it.

An edit after payment changes an order's total but not what the customer paid, so the orders
gain ``paid`` (minor units; the total at payment): set to the total for every order already
paid, 0 for the others. The check that refunds stay within the total becomes "within the
total or within what was paid" (an order edited down may refund what was paid beyond it).
Order lines need no change: their ``position`` (from 0) is their id minus one, kept through
edits. SQLite rebuilds the orders table for the check, with foreign keys off meanwhile
(``kasify_orders.storage.migrate``). Downgrading drops ``paid`` and restores the old check
(refused while an edited order has refunded more than its total).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_PAID_STATUSES = ("paid", "partially_refunded", "refunded")


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = f"{PREFIX}orders"
    with op.batch_alter_table(orders, schema=SCHEMA) as batch:
        batch.add_column(sa.Column("paid", sa.BigInteger, nullable=False, server_default="0"))
        batch.drop_constraint(f"ck_{orders}_refunded_within_total", type_="check")
        batch.create_check_constraint(
            f"ck_{orders}_refunded_within_paid", "refunded <= total OR refunded <= paid"
        )
    table = sa.table(
        orders,
        sa.column("paid", sa.BigInteger),
        sa.column("total", sa.BigInteger),
        sa.column("payment_status", sa.String),
        schema=SCHEMA,
    )
    op.execute(table.update().where(table.c.payment_status.in_(_PAID_STATUSES)).values(paid=table.c.total))


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = f"{PREFIX}orders"
    with op.batch_alter_table(orders, schema=SCHEMA) as batch:
        batch.drop_constraint(f"ck_{orders}_refunded_within_paid", type_="check")
        batch.create_check_constraint(f"ck_{orders}_refunded_within_total", "refunded <= total")
        batch.drop_column("paid")
