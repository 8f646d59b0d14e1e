"""The emails' ledger table: created here, or adopted as it is from an older kasify.

Up to core migration 0008 kasify's own chain made ``<prefix>sent_emails`` (0002). Core 0009
hands it over and keeps it, rows and all, so this first revision adopts the table it finds
and creates it where it is missing.

Revision ID: emails_0001
Revises: (none: the first of the emails' own chain)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

revision = "emails_0001"
down_revision = None
branch_labels = ("emails",)
depends_on = None


def upgrade() -> None:
    """Create the table if it is missing; leave the one an older kasify made, and its rows."""
    attributes = context.config.attributes
    existing = set(sa.inspect(op.get_bind()).get_table_names(schema=attributes["schema"]))
    for table in attributes["metadata"].sorted_tables:
        if table.name not in existing:
            table.create(op.get_bind())


def downgrade() -> None:
    """Drop the emails' table (and its rows)."""
    for table in reversed(context.config.attributes["metadata"].sorted_tables):
        table.drop(op.get_bind(), checkfirst=True)
