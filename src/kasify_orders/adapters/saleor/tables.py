"""The Saleor App's own tables, declared as a plugin's (a ``PluginTables``).

They are not in kasify's core schema: the Saleor App creates them with its own Alembic chain
(``adapters/saleor/migrations``, version table ``kasify_saleor_alembic_version``) when it is
set up (``SaleorApp(...)``, or ``SALEOR_TABLES.upgrade(orders.store)`` as a deploy step). Its
first revision adopts the tables an older kasify made (core migrations 0003 and 0006) as they
are, rows and all.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa

from kasify_orders.storage.plugin_tables import PluginTables
from kasify_orders.storage.tables import Tables, UTCDateTime

__all__ = ["SALEOR_TABLES", "define_saleor_tables"]


def define_saleor_tables(md: sa.MetaData, prefix: str, core: Tables) -> Mapping[str, sa.Table]:
    """``installations``, ``orders`` (the Saleor order behind each kasify order) and ``webhooks``."""
    installations = sa.Table(
        f"{prefix}saleor_installations",
        md,
        #: the Saleor GraphQL endpoint, exactly as Saleor sends it in ``Saleor-Api-Url``
        sa.Column("api_url", sa.String(255), primary_key=True),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("app_id", sa.String(255), nullable=False),
        sa.Column("app_token", sa.Text, nullable=False),
        #: the last JWKS fetched from ``<origin>/.well-known/jwks.json`` (None before the first fetch)
        sa.Column("jwks", sa.JSON),
        sa.Column("jwks_fetched_at", UTCDateTime),
        sa.Column("installed_at", UTCDateTime, nullable=False),
        #: set when the app is uninstalled: webhooks from this URL are refused from then on
        sa.Column("removed_at", UTCDateTime),
        #: what the merchant must fix about Saleor's own customer emails, found at install (None: nothing)
        sa.Column("email_warning", sa.Text),
    )
    links = sa.Table(
        f"{prefix}saleor_orders",
        md,
        sa.Column("order_id", sa.String(32), sa.ForeignKey(core.orders.c.id), primary_key=True),
        sa.Column("api_url", sa.String(255), nullable=False),
        sa.Column("saleor_order_id", sa.String(255), nullable=False),
        sa.Column("saleor_number", sa.String(32), nullable=False),
        #: the Saleor transaction refunds are granted against (None: the order has none)
        sa.Column("transaction_id", sa.String(255)),
        #: the latest Saleor fulfillment, whose tracking number kasify keeps in step
        sa.Column("fulfillment_id", sa.String(255)),
        sa.UniqueConstraint("api_url", "saleor_order_id"),
    )
    webhooks = sa.Table(
        f"{prefix}saleor_webhooks",
        md,
        #: sha256 of the API URL, the event name and the raw body
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("api_url", sa.String(255), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Index(None, "received_at"),
    )
    return {"installations": installations, "orders": links, "webhooks": webhooks}


#: The Saleor App's tables and migrations.
SALEOR_TABLES = PluginTables(
    name="saleor", define=define_saleor_tables, versions=Path(__file__).with_name("migrations")
)
