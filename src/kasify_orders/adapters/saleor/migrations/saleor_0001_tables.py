"""The Saleor App's tables: created here, or adopted as they are from an older kasify.

Up to core migration 0006 kasify's own chain made these tables (0003, 0006). Core 0008 hands
them over: it keeps tables that hold rows (and drops empty ones). So this first revision
adopts tables it finds, with their rows, and creates any that are missing.

Revision ID: saleor_0001
Revises: (none: the first of the Saleor App's own chain)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

revision = "saleor_0001"
down_revision = None
branch_labels = ("saleor",)
depends_on = None


def upgrade() -> None:
    """Create the tables that are missing; leave those an older kasify made, and their rows."""
    attributes = context.config.attributes
    schema = attributes["schema"]
    existing = set(sa.inspect(op.get_bind()).get_table_names(schema=schema))
    wanted = [table for table in attributes["metadata"].sorted_tables if table.name not in existing]
    for table in wanted:  # kasify's orders table, which the order links refer to, exists already
        table.create(op.get_bind())


def downgrade() -> None:
    """Drop the Saleor App's tables (and their rows)."""
    for table in reversed(context.config.attributes["metadata"].sorted_tables):
        table.drop(op.get_bind(), checkfirst=True)
