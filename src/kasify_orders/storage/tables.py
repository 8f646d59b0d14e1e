"""kasify's tables, built for a table prefix and schema so they sit beside a host's own.

Money is stored exactly, as integer minor units (cents) beside the order's currency;
times are stored in UTC and always read back timezone-aware.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from kasify_orders.storage.child_tables import refund_lines_table, return_tables, shipment_tables
from kasify_orders.storage.column_types import BigId, Money, OrderRef, SearchTerm, UTCDateTime

__all__ = ["NAMING_CONVENTION", "BigId", "OrderRef", "Tables", "UTCDateTime", "build_tables"]

#: Stable constraint names on every database (Alembic relies on them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@attrs.frozen
class Tables:
    """Every table kasify owns, on one :class:`~sqlalchemy.MetaData`."""

    #: Prepended to every table name (``"kasify_"``).
    prefix: str
    metadata: sa.MetaData
    orders: sa.Table
    lines: sa.Table
    refunds: sa.Table
    timeline: sa.Table
    inventory: sa.Table
    coupons: sa.Table
    redemptions: sa.Table
    outbox: sa.Table
    #: The words each order is found by in a search (``storage/search.py``).
    search_terms: sa.Table
    #: Named counters; ``order_number`` hands out order numbers inside the placing transaction,
    #: so a placement that rolls back (a duplicate idempotency key) never uses one up.
    counters: sa.Table
    #: The merchant's saved settings (Settings page), one row per field, over the code's.
    merchant_settings: sa.Table
    #: Every change to the merchant's settings: who, when, field, old -> new.
    settings_changes: sa.Table
    #: Every change to a tracked SKU's count (``kasify_orders.stock``), written with the change.
    stock_history: sa.Table
    #: An order's parcels (``order.shipments``); the order row keeps the latest one's tracking.
    shipments: sa.Table
    #: The units of each order line in each parcel.
    shipment_lines: sa.Table
    #: The units of each order line each refund by line refunded, and what they refunded.
    refund_lines: sa.Table
    returns: sa.Table  #: An order's returns (``storage/returns.py``); ``return_lines`` their units.
    return_lines: sa.Table

    @property
    def info(self) -> dict[Any, Any]:
        """The ``MetaData``'s ``info``: where ``table_cache`` keeps what is built from these tables."""
        return self.metadata.info


def build_tables(prefix: str = "kasify_", schema: str | None = None) -> Tables:
    """Build kasify's tables named ``<prefix><name>`` in *schema*."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION, schema=schema)

    def fk(table: str, column: str) -> sa.ForeignKey:
        where = f"{schema}." if schema else ""
        return sa.ForeignKey(f"{where}{prefix}{table}.{column}")

    orders = sa.Table(
        f"{prefix}orders",
        md,
        sa.Column("number", BigId, primary_key=True, autoincrement=True),
        sa.Column("id", OrderRef, nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(255), unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payment_status", sa.String(20), nullable=False),
        sa.Column("customer_name", sa.String(200), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=False),
        sa.Column("ship_line1", sa.String(200), nullable=False),
        sa.Column("ship_line2", sa.String(200), nullable=False),
        sa.Column("ship_city", sa.String(200), nullable=False),
        sa.Column("ship_region", sa.String(200), nullable=False),
        sa.Column("ship_postal_code", sa.String(20), nullable=False),
        sa.Column("ship_country", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal", Money, nullable=False),
        sa.Column("shipping", Money, nullable=False),
        sa.Column("discount", Money, nullable=False),
        sa.Column("total", Money, nullable=False),
        sa.Column("refunded", Money, nullable=False),
        #: refunds asked of the payment provider and not answered yet (held against the balance)
        sa.Column("refund_pending", Money, nullable=False),
        #: what the customer paid (the total at payment; an edit may change the total since)
        sa.Column("paid", Money, nullable=False, server_default="0"),
        #: the host's tax (lines' and shipping's), of it the shipping's, and whether prices hold it
        sa.Column("tax", Money, nullable=False, server_default="0"),
        sa.Column("shipping_tax", Money, nullable=False, server_default="0"),
        sa.Column("prices_include_tax", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("coupon_code", sa.String(64)),
        sa.Column("customer_note", sa.Text, nullable=False),
        sa.Column("carrier", sa.String(64)),
        sa.Column("tracking_number", sa.String(64)),
        sa.Column("tracking_url", sa.String(500)),
        sa.Column("shipped_at", UTCDateTime),
        #: derived from the parcels, kept on the row so a list reads nothing else
        sa.Column("fulfilment_status", sa.String(20), nullable=False, server_default="unfulfilled"),
        sa.Column("paid_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("refunded <= total OR refunded <= paid", name="refunded_within_paid"),
        sa.Index(None, "status", "number"),
        sa.Index(None, "payment_status", "number"),
        # "Needs attention": the orders waiting to ship paid in one day (``storage/counters.py``).
        sa.Index(None, "status", "paid_at"),
        sa.Index(None, "created_at"),
        sa.Index(None, "customer_email"),
        sa.Index(None, "tracking_number"),
        sa.Index(None, "coupon_code"),
        # The list's sort by total (keyset on total, number) and its country filter.
        sa.Index(None, "total", "number"),
        sa.Index(None, "ship_country", "number"),
    )
    lines = sa.Table(
        f"{prefix}order_lines",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False, index=True),
        #: the line's id in its order minus one: set once, kept through edits (never renumbered)
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("variant", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", Money, nullable=False),
        sa.Column("total", Money, nullable=False),
        #: the host's tax on the whole line
        sa.Column("tax", Money, nullable=False, server_default="0"),
    )
    refunds = sa.Table(
        f"{prefix}refunds",
        md,
        sa.Column("id", OrderRef, primary_key=True),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False, index=True),
        sa.Column("amount", Money, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("reference", sa.String(255)),
        sa.Column("idempotency_key", sa.String(255)),
        #: when it was asked for (or made, by hand)
        sa.Column("created_at", UTCDateTime, nullable=False),
        #: "pending" (asked of the provider), "settled" or "failed"
        sa.Column("status", sa.String(10), nullable=False),
        #: when it settled or failed
        sa.Column("resolved_at", UTCDateTime),
        #: why the provider refused it
        sa.Column("failure", sa.Text),
        #: ``{"reason", "restock"}``: cancel the order once this refund settles (cancel and refund)
        sa.Column("then_cancel", sa.JSON),
        #: a refund by line that refunds the shipping too (once per order)
        sa.Column("shipping", sa.Boolean, nullable=False, server_default=sa.false()),
        #: a refund by line whose units go back in stock when it settles
        sa.Column("restock", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("order_id", "idempotency_key"),
        # The sweep's lookup of refunds left pending.
        sa.Index(None, "status", "created_at"),
    )
    timeline = sa.Table(
        f"{prefix}timeline",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False, index=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    inventory = sa.Table(
        f"{prefix}inventory",
        md,
        sa.Column("sku", sa.String(100), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        #: the product's name, when the merchant gave one (shown when an order would oversell)
        sa.Column("name", sa.String(200)),
        #: low when quantity <= low_stock_at (per SKU: each product sells at its own pace)
        sa.Column("low_stock_at", sa.Integer, nullable=False, server_default=sa.text("5")),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )
    stock_history = sa.Table(
        f"{prefix}stock_history",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
        #: the count after the change; NULL once tracking stopped
        sa.Column("quantity", sa.Integer),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200)),
        #: no foreign key: the placing transaction takes stock before it inserts the order
        sa.Column("order_id", OrderRef),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index(None, "sku", "id"),
        sa.Index(None, "order_id"),
    )
    coupons = sa.Table(
        f"{prefix}coupons",
        md,
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        # Decimal text: percentages such as 12.5 and currency-less amounts, stored exactly.
        sa.Column("value", sa.String(40)),
        sa.Column("minimum_order", sa.String(40)),
        sa.Column("currency", sa.String(3)),
        sa.Column("usage_limit", sa.Integer),
        sa.Column("once_per_customer", sa.Boolean, nullable=False),
        sa.Column("starts_at", UTCDateTime),
        sa.Column("ends_at", UTCDateTime),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("times_used", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    redemptions = sa.Table(
        f"{prefix}coupon_redemptions",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("coupon_code", sa.String(64), fk("coupons", "code"), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=False),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index(None, "coupon_code", "customer_email"),
    )
    outbox = sa.Table(
        f"{prefix}outbox",
        md,
        sa.Column("id", OrderRef, primary_key=True),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("hook", sa.String(64), nullable=False),
        sa.Column("arguments", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claim_token", sa.String(32)),
        sa.Column("claimed_until", UTCDateTime),
        #: names of the plugins that already handled the event
        sa.Column("done", sa.JSON, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("dead", sa.Boolean, nullable=False),
        sa.Index(None, "dead", "due_at"),
        sa.Index(None, "order_id"),
    )
    search_terms = sa.Table(
        f"{prefix}search_terms",
        md,
        sa.Column("term", SearchTerm, primary_key=True),
        sa.Column("number", BigId, fk("orders", "number"), primary_key=True),
        # Whether one order has a word: how a search for a common word tests each order.
        sa.Index(None, "number", "term"),
    )
    counters = sa.Table(
        f"{prefix}counters",
        md,
        sa.Column("name", sa.String(32), primary_key=True),
        #: the last value handed out
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    merchant_settings = sa.Table(
        f"{prefix}merchant_settings",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        #: the value as JSON (a string, a list of strings, or null)
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200)),
    )
    settings_changes = sa.Table(
        f"{prefix}settings_changes",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old", sa.JSON, nullable=True),
        sa.Column("new", sa.JSON, nullable=True),
    )
    shipments, shipment_lines = shipment_tables(md, fk, prefix)
    returns, return_lines = return_tables(md, fk, prefix)
    return Tables(
        prefix,
        md,
        orders,
        lines,
        refunds,
        timeline,
        inventory,
        coupons,
        redemptions,
        outbox,
        search_terms,
        counters=counters,
        merchant_settings=merchant_settings,
        settings_changes=settings_changes,
        stock_history=stock_history,
        shipments=shipments,
        shipment_lines=shipment_lines,
        refund_lines=refund_lines_table(md, fk, prefix),
        returns=returns,
        return_lines=return_lines,
    )
