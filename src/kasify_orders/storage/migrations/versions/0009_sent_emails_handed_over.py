"""Hand the emails' ledger (``sent_emails``) over to the email plugin's own migrations.

Migration 0002 made ``kasify_sent_emails`` in kasify's core schema. From here the email plugin
owns it (``kasify_orders.notifications.tables.EMAIL_TABLES``, its own chain and version table
``kasify_emails_alembic_version``), as the Saleor App owns its tables since 0008:

* once the emails' chain owns it, or when it holds rows (a shop that sent emails), it is kept,
  untouched: its markers are what stop a retry sending an email twice, and the emails' chain
  adopts it, rows and all, at its first revision;
* an empty table the emails' chain does not own yet is dropped: nothing is lost, and the
  emails' chain makes it again, the same, in the same ``Orders.migrate()`` (so
  ``Orders.connect(migrate=True)``), ``kasify-orders db upgrade`` or Django ``migrate``.

Downgrading hands it back to the core: the table is put back, empty, if the emails' chain had
dropped it, and the emails' version table is removed, so 0002 can revert it as before and a
later upgrade adopts it again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    prefix, schema = _where()
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names(schema=schema))
    sent = f"{prefix}sent_emails"
    if f"{prefix}emails_alembic_version" in present or sent not in present:
        return  # the emails' chain owns it already (or made it afresh)
    if bind.scalar(sa.select(sa.func.count()).select_from(sa.table(sent, schema=schema))):
        return  # kept with its rows, for the emails' chain to adopt
    op.drop_table(sent, schema=schema)


def downgrade() -> None:
    prefix, schema = _where()
    present = set(sa.inspect(op.get_bind()).get_table_names(schema=schema))
    sent = f"{prefix}sent_emails"
    if sent not in present:
        op.create_table(
            sent,
            sa.Column("event_id", sa.String(32), nullable=False),
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("recipient", sa.String(254), nullable=False),
            sa.Column("order_id", sa.String(32), nullable=False),
            sa.Column("message_id", sa.String(255), nullable=False),
            sa.Column("state", sa.String(10), nullable=False),
            sa.Column("claim_token", sa.String(32)),
            sa.Column("claimed_until", UTCDateTime),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("last_error", sa.Text),
            sa.Column("created_at", UTCDateTime, nullable=False),
            sa.Column("sent_at", UTCDateTime),
            sa.PrimaryKeyConstraint("event_id", "kind", "recipient", name=f"pk_{sent}"),
            schema=schema,
        )
        op.create_index(f"ix_{sent}_order_id", sent, ["order_id"], schema=schema)
    version = f"{prefix}emails_alembic_version"
    if version in present:
        op.drop_table(version, schema=schema)
