"""The merchant's settings saved from the Settings page, and their audit trail.

``<prefix>merchant_settings``: one row per setting the merchant saved (its value as JSON), layered
over the host's code settings (``kasify_orders.editable_settings``). ``<prefix>settings_changes``:
one row per field a save changed, who and when, old and new. Downgrading drops both, with the
merchant's values: the shop goes back to its code settings.

Revision ID: 0011
Revises: 0009 (the lead rechains the back-office migrations at merge)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import BigId, UTCDateTime

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    prefix, schema = _where()
    saved = f"{prefix}merchant_settings"
    op.create_table(
        saved,
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.PrimaryKeyConstraint("name", name=f"pk_{saved}"),
        schema=schema,
    )
    audit = f"{prefix}settings_changes"
    op.create_table(
        audit,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old", sa.JSON, nullable=True),
        sa.Column("new", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{audit}"),
        schema=schema,
    )


def downgrade() -> None:
    prefix, schema = _where()
    op.drop_table(f"{prefix}settings_changes", schema=schema)
    op.drop_table(f"{prefix}merchant_settings", schema=schema)
    counters = sa.table(f"{prefix}counters", sa.column("name", sa.String), schema=schema)
    op.get_bind().execute(sa.delete(counters).where(counters.c.name == "merchant_settings"))
