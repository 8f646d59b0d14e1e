"""Refunds by line: which lines and units each refund took, and whether it took the shipping.

``kasify_refund_lines`` holds, per refund by line, the units of each order line it refunded and
what they refunded (``line_id`` is the line's position in its order, from 1). The refunds gain
``shipping`` (it refunded the order's shipping) and ``restock`` (its units go back in stock when
it settles), both false for the refunds made before: they were refunds by amount. Downgrading
drops the table and the two columns; the refunds' amounts stay, as refunds by amount.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    refunds, lines = f"{PREFIX}refunds", f"{PREFIX}refund_lines"
    where = f"{SCHEMA}." if SCHEMA else ""
    for name in ("shipping", "restock"):
        op.add_column(
            refunds,
            sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false()),
            schema=SCHEMA,
        )
    op.create_table(
        lines,
        sa.Column("refund_id", sa.String(32), nullable=False),
        sa.Column("line_id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("refund_id", "line_id", name=f"pk_{lines}"),
        sa.ForeignKeyConstraint(
            ["refund_id"], [f"{where}{refunds}.id"], name=f"fk_{lines}_refund_id_{refunds}"
        ),
        sa.CheckConstraint("quantity > 0", name=f"ck_{lines}_quantity_positive"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    op.drop_table(f"{PREFIX}refund_lines", schema=SCHEMA)
    # A plain DROP COLUMN (SQLite >= 3.35 has it): a batch copy would drop the referenced table.
    for name in ("restock", "shipping"):
        op.drop_column(f"{PREFIX}refunds", name, schema=SCHEMA)
