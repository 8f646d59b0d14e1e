"""Stock history, and a product name and low-stock threshold per tracked SKU.

``kasify_stock_history`` keeps every change to a tracked SKU's count (who, when, delta, the
count after, the reason, the order that caused it), written in the change's own transaction.
The inventory gains ``name`` (shown when an order would oversell) and ``low_stock_at`` (a SKU
is low at or below it; 5 for the SKUs already tracked).

The SKUs already tracked start their history with one ``tracked`` row holding their count,
so a history always adds up to the count. Downgrading drops the history and both columns
(the counts stay).

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: The reason on the first history row of a SKU tracked before the history began.
BEFORE_HISTORY = "count when stock history began"


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    inventory, history = f"{PREFIX}inventory", f"{PREFIX}stock_history"
    op.add_column(inventory, sa.Column("name", sa.String(200)), schema=SCHEMA)
    op.add_column(
        inventory,
        sa.Column("low_stock_at", sa.Integer, nullable=False, server_default=sa.text("5")),
        schema=SCHEMA,
    )
    op.create_table(
        history,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("order_id", sa.String(32)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{history}"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{history}_sku_id", history, ["sku", "id"], schema=SCHEMA)
    op.create_index(f"ix_{history}_order_id", history, ["order_id"], schema=SCHEMA)
    stock = sa.table(
        inventory,
        sa.column("sku", sa.String),
        sa.column("quantity", sa.Integer),
        sa.column("updated_at", UTCDateTime),
        schema=SCHEMA,
    )
    rows = sa.table(
        history,
        *(sa.column(name) for name in ("sku", "kind", "delta", "quantity", "reason", "at")),
        schema=SCHEMA,
    )
    op.execute(
        sa.insert(rows).from_select(
            ["sku", "kind", "delta", "quantity", "reason", "at"],
            sa.select(
                stock.c.sku,
                sa.literal("tracked"),
                stock.c.quantity,
                stock.c.quantity,
                sa.literal(BEFORE_HISTORY),
                stock.c.updated_at,
            ).order_by(stock.c.sku),
        )
    )


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    inventory, history = f"{PREFIX}inventory", f"{PREFIX}stock_history"
    op.drop_table(history, schema=SCHEMA)
    with op.batch_alter_table(inventory, schema=SCHEMA) as batch:
        batch.drop_column("low_stock_at")
        batch.drop_column("name")
