"""The emails' own table, ``<prefix>sent_emails``, declared as a plugin's (a ``PluginTables``).

It is not in kasify's core schema: the email plugin's own Alembic chain (``notifications/
migrations``, version table ``kasify_emails_alembic_version``) creates it, or adopts the table
an older kasify made (core migration 0002) as it is, rows and all. ``Orders.migrate()`` (so
``Orders.connect(migrate=True)`` and ``kasify-orders db upgrade``) and the Django migration
``0009`` run that chain; ``EMAIL_TABLES.upgrade(orders.store)`` does it as a deploy step.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa

from kasify_orders.storage.plugin_tables import PluginTables
from kasify_orders.storage.tables import OrderRef, Tables, UTCDateTime

__all__ = ["EMAIL_TABLES", "define_email_tables"]


def define_email_tables(md: sa.MetaData, prefix: str, core: Tables) -> Mapping[str, sa.Table]:
    """``sent``: one row per email (event, kind, recipient), the marker that stops a retry resending it."""
    sent = sa.Table(
        f"{prefix}sent_emails",
        md,
        sa.Column("event_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(40), primary_key=True),
        #: the lower-cased address
        sa.Column("recipient", sa.String(254), primary_key=True),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        #: "sending" (claimed until claimed_until), "sent" or "failed"
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claim_token", sa.String(32)),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Index(None, "order_id"),
    )
    return {"sent": sent}


#: The emails' table and migrations.
EMAIL_TABLES = PluginTables(
    name="emails", define=define_email_tables, versions=Path(__file__).with_name("migrations")
)
