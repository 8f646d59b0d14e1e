"""Add the Saleor adapter's tables: installations, the order mapping and processed webhooks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    installations = f"{PREFIX}saleor_installations"
    op.create_table(
        installations,
        sa.Column("api_url", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("app_id", sa.String(255), nullable=False),
        sa.Column("app_token", sa.Text, nullable=False),
        sa.Column("jwks", sa.JSON),
        sa.Column("jwks_fetched_at", UTCDateTime),
        sa.Column("installed_at", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime),
        sa.PrimaryKeyConstraint("api_url", name=f"pk_{installations}"),
        schema=SCHEMA,
    )
    mapped = f"{PREFIX}saleor_orders"
    orders_ref = f"{SCHEMA + '.' if SCHEMA else ''}{PREFIX}orders.id"
    op.create_table(
        mapped,
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("api_url", sa.String(255), nullable=False),
        sa.Column("saleor_order_id", sa.String(255), nullable=False),
        sa.Column("saleor_number", sa.String(32), nullable=False),
        sa.Column("transaction_id", sa.String(255)),
        sa.Column("fulfillment_id", sa.String(255)),
        sa.PrimaryKeyConstraint("order_id", name=f"pk_{mapped}"),
        sa.ForeignKeyConstraint(["order_id"], [orders_ref], name=f"fk_{mapped}_order_id_{PREFIX}orders"),
        sa.UniqueConstraint("api_url", "saleor_order_id", name=f"uq_{mapped}_api_url_saleor_order_id"),
        schema=SCHEMA,
    )
    webhooks = f"{PREFIX}saleor_webhooks"
    op.create_table(
        webhooks,
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("api_url", sa.String(255), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("digest", name=f"pk_{webhooks}"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{webhooks}_received_at", webhooks, ["received_at"], schema=SCHEMA)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    op.drop_table(f"{PREFIX}saleor_webhooks", schema=SCHEMA)
    op.drop_table(f"{PREFIX}saleor_orders", schema=SCHEMA)
    op.drop_table(f"{PREFIX}saleor_installations", schema=SCHEMA)
