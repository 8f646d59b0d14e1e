"""Hand the Saleor App's tables over to its own migrations: a core-only database has none.

Migrations 0003 and 0006 made ``kasify_saleor_installations``, ``kasify_saleor_orders`` and
``kasify_saleor_webhooks`` in every database, Saleor or not. From here the Saleor App owns them
(``kasify_orders.adapters.saleor.SALEOR_TABLES``, its own chain and version table
``kasify_saleor_alembic_version``):

* tables that hold rows (a shop that used the Saleor App) are kept, untouched: the Saleor
  chain's first revision adopts them as they are;
* empty tables the Saleor chain does not own yet are dropped: nothing is lost, and the Saleor
  App makes them again when it is set up.

Downgrading puts any missing one back, empty, as 0006 left it, so 0006 and 0003 can revert.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SALEOR = ("saleor_orders", "saleor_webhooks", "saleor_installations")  # links first: they refer to orders


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    prefix, schema = _where()
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names(schema=schema))
    if f"{prefix}saleor_alembic_version" in present:
        return  # the Saleor App's chain owns them already
    tables = [f"{prefix}{name}" for name in _SALEOR if f"{prefix}{name}" in present]
    used = any(
        bind.scalar(sa.select(sa.func.count()).select_from(sa.table(name, schema=schema))) for name in tables
    )
    if used:
        return  # kept with their rows, for the Saleor chain to adopt
    for name in tables:
        op.drop_table(name, schema=schema)


def downgrade() -> None:
    prefix, schema = _where()
    present = set(sa.inspect(op.get_bind()).get_table_names(schema=schema))
    installations = f"{prefix}saleor_installations"
    if installations not in present:
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
            sa.Column("email_warning", sa.Text),
            sa.PrimaryKeyConstraint("api_url", name=f"pk_{installations}"),
            schema=schema,
        )
    mapped = f"{prefix}saleor_orders"
    if mapped not in present:
        orders_ref = f"{schema + '.' if schema else ''}{prefix}orders.id"
        op.create_table(
            mapped,
            sa.Column("order_id", sa.String(32), nullable=False),
            sa.Column("api_url", sa.String(255), nullable=False),
            sa.Column("saleor_order_id", sa.String(255), nullable=False),
            sa.Column("saleor_number", sa.String(32), nullable=False),
            sa.Column("transaction_id", sa.String(255)),
            sa.Column("fulfillment_id", sa.String(255)),
            sa.PrimaryKeyConstraint("order_id", name=f"pk_{mapped}"),
            sa.ForeignKeyConstraint(["order_id"], [orders_ref], name=f"fk_{mapped}_order_id_{prefix}orders"),
            sa.UniqueConstraint("api_url", "saleor_order_id", name=f"uq_{mapped}_api_url_saleor_order_id"),
            schema=schema,
        )
    webhooks = f"{prefix}saleor_webhooks"
    if webhooks not in present:
        op.create_table(
            webhooks,
            sa.Column("digest", sa.String(64), nullable=False),
            sa.Column("api_url", sa.String(255), nullable=False),
            sa.Column("event", sa.String(64), nullable=False),
            sa.Column("received_at", UTCDateTime, nullable=False),
            sa.PrimaryKeyConstraint("digest", name=f"pk_{webhooks}"),
            schema=schema,
        )
        op.create_index(f"ix_{webhooks}_received_at", webhooks, ["received_at"], schema=schema)
