"""Create kasify's tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import BigId, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


OrderRef = sa.String(32)


def _ref(table: str, column: str) -> str:
    prefix, schema = _where()
    return f"{schema + '.' if schema else ''}{prefix}{table}.{column}"


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = f"{PREFIX}orders"
    op.create_table(
        orders,
        sa.Column("number", BigId, primary_key=True, autoincrement=True),
        sa.Column("id", OrderRef, nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
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
        sa.Column("subtotal", sa.BigInteger, nullable=False),
        sa.Column("shipping", sa.BigInteger, nullable=False),
        sa.Column("discount", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("refunded", sa.BigInteger, nullable=False),
        sa.Column("coupon_code", sa.String(64)),
        sa.Column("customer_note", sa.Text, nullable=False),
        sa.Column("carrier", sa.String(64)),
        sa.Column("tracking_number", sa.String(64)),
        sa.Column("tracking_url", sa.String(500)),
        sa.Column("shipped_at", UTCDateTime),
        sa.Column("paid_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("number", name=f"pk_{orders}"),
        sa.UniqueConstraint("id", name=f"uq_{orders}_id"),
        sa.UniqueConstraint("idempotency_key", name=f"uq_{orders}_idempotency_key"),
        sa.CheckConstraint("refunded <= total", name=f"ck_{orders}_refunded_within_total"),
        schema=SCHEMA,
    )
    for columns in (
        ["status", "number"],
        ["payment_status", "number"],
        ["created_at"],
        ["customer_email"],
        ["tracking_number"],
        ["coupon_code"],
    ):
        op.create_index(f"ix_{orders}_{'_'.join(columns)}", orders, columns, schema=SCHEMA)

    lines = f"{PREFIX}order_lines"
    op.create_table(
        lines,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("variant", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{lines}"),
        sa.ForeignKeyConstraint(["order_id"], [_ref("orders", "id")], name=f"fk_{lines}_order_id_{orders}"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{lines}_order_id", lines, ["order_id"], schema=SCHEMA)

    refunds = f"{PREFIX}refunds"
    op.create_table(
        refunds,
        sa.Column("id", OrderRef, nullable=False),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("reference", sa.String(255)),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{refunds}"),
        sa.ForeignKeyConstraint(["order_id"], [_ref("orders", "id")], name=f"fk_{refunds}_order_id_{orders}"),
        sa.UniqueConstraint("order_id", "idempotency_key", name=f"uq_{refunds}_order_id_idempotency_key"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{refunds}_order_id", refunds, ["order_id"], schema=SCHEMA)

    timeline = f"{PREFIX}timeline"
    op.create_table(
        timeline,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{timeline}"),
        sa.ForeignKeyConstraint(
            ["order_id"], [_ref("orders", "id")], name=f"fk_{timeline}_order_id_{orders}"
        ),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{timeline}_order_id", timeline, ["order_id"], schema=SCHEMA)

    inventory = f"{PREFIX}inventory"
    op.create_table(
        inventory,
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("sku", name=f"pk_{inventory}"),
        sa.CheckConstraint("quantity >= 0", name=f"ck_{inventory}_quantity_not_negative"),
        schema=SCHEMA,
    )

    coupons = f"{PREFIX}coupons"
    op.create_table(
        coupons,
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
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
        sa.PrimaryKeyConstraint("code", name=f"pk_{coupons}"),
        schema=SCHEMA,
    )

    redemptions = f"{PREFIX}coupon_redemptions"
    op.create_table(
        redemptions,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("coupon_code", sa.String(64), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=False),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{redemptions}"),
        sa.ForeignKeyConstraint(
            ["coupon_code"],
            [_ref("coupons", "code")],
            name=f"fk_{redemptions}_coupon_code_{coupons}",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], [_ref("orders", "id")], name=f"fk_{redemptions}_order_id_{orders}"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        f"ix_{redemptions}_coupon_code_customer_email",
        redemptions,
        ["coupon_code", "customer_email"],
        schema=SCHEMA,
    )

    outbox = f"{PREFIX}outbox"
    op.create_table(
        outbox,
        sa.Column("id", OrderRef, nullable=False),
        sa.Column("order_id", OrderRef, nullable=False),
        sa.Column("hook", sa.String(64), nullable=False),
        sa.Column("arguments", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claim_token", sa.String(32)),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("done", sa.JSON, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("dead", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{outbox}"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{outbox}_dead_due_at", outbox, ["dead", "due_at"], schema=SCHEMA)
    op.create_index(f"ix_{outbox}_order_id", outbox, ["order_id"], schema=SCHEMA)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    for table in (
        "outbox",
        "coupon_redemptions",
        "coupons",
        "inventory",
        "timeline",
        "refunds",
        "order_lines",
        "orders",
    ):
        op.drop_table(f"{PREFIX}{table}", schema=SCHEMA)
