"""Returns (RMAs): the units of an order's shipped lines a customer sends back, and where each is.

``kasify_returns`` holds the returns (reason, status open/received/refunded/closed, when opened,
received and closed, the refund that refunded it, whether its units were put back in stock) and
``kasify_return_lines`` the units of each order line in each (``line_id`` is the line's position
in its order, from 1). No order had a return before, so nothing is carried over. Downgrading
drops both tables (the returns' refunds stay, as refunds by line; their stock moves stay in the
stock history).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders, returns, lines = f"{PREFIX}orders", f"{PREFIX}returns", f"{PREFIX}return_lines"
    where = f"{SCHEMA}." if SCHEMA else ""
    op.create_table(
        returns,
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("refund_id", sa.String(32)),
        sa.Column("restocked", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{returns}"),
        sa.ForeignKeyConstraint(
            ["order_id"], [f"{where}{orders}.id"], name=f"fk_{returns}_order_id_{orders}"
        ),
        sa.UniqueConstraint("order_id", "position", name=f"uq_{returns}_order_id_position"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{returns}_order_id", returns, ["order_id"], schema=SCHEMA)
    op.create_table(
        lines,
        sa.Column("return_id", sa.String(32), nullable=False),
        sa.Column("line_id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("return_id", "line_id", name=f"pk_{lines}"),
        sa.ForeignKeyConstraint(
            ["return_id"], [f"{where}{returns}.id"], name=f"fk_{lines}_return_id_{returns}"
        ),
        sa.CheckConstraint("quantity > 0", name=f"ck_{lines}_quantity_positive"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    op.drop_table(f"{PREFIX}return_lines", schema=SCHEMA)
    op.drop_table(f"{PREFIX}returns", schema=SCHEMA)
