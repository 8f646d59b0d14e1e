"""Refunds in two phases: a refund is pending at the payment provider, then settled or failed.

``orders.refund_pending`` holds what pending refunds keep out of the refundable balance;
each refund gets its ``status`` (existing refunds were all paid out: "settled"), when it
was resolved, why it failed, and the cancellation to make once it settles. The server
defaults keep rows written by an older kasify (during a rolling deploy) valid.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders, refunds = f"{PREFIX}orders", f"{PREFIX}refunds"
    op.add_column(
        orders, sa.Column("refund_pending", sa.BigInteger, nullable=False, server_default="0"), schema=SCHEMA
    )
    op.add_column(
        refunds, sa.Column("status", sa.String(10), nullable=False, server_default="settled"), schema=SCHEMA
    )
    op.add_column(refunds, sa.Column("resolved_at", UTCDateTime), schema=SCHEMA)
    op.add_column(refunds, sa.Column("failure", sa.Text), schema=SCHEMA)
    op.add_column(refunds, sa.Column("then_cancel", sa.JSON), schema=SCHEMA)
    table = sa.table(
        refunds, sa.column("created_at", UTCDateTime), sa.column("resolved_at", UTCDateTime), schema=SCHEMA
    )
    op.execute(sa.update(table).values(resolved_at=table.c.created_at))
    op.create_index(f"ix_{refunds}_status_created_at", refunds, ["status", "created_at"], schema=SCHEMA)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders, refunds = f"{PREFIX}orders", f"{PREFIX}refunds"
    op.drop_index(f"ix_{refunds}_status_created_at", refunds, schema=SCHEMA)
    for column in ("then_cancel", "failure", "resolved_at", "status"):
        op.drop_column(refunds, column, schema=SCHEMA)
    op.drop_column(orders, "refund_pending", schema=SCHEMA)
