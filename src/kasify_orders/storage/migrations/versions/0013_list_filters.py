"""Indexes for the order list's sort by total and its country filter.

``(total, number)``: the list sorted by total pages by the key ``(total, number)``, so each
page is one range of this index, however many orders there are. ``(ship_country, number)``:
the orders shipped to one country, newest first, without reading the others. No data changes;
downgrading drops both indexes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from alembic import context, op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: The new indexes: their columns.
INDEXES = (("total", "number"), ("ship_country", "number"))


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = f"{PREFIX}orders"
    for columns in INDEXES:
        op.create_index(f"ix_{orders}_{'_'.join(columns)}", orders, list(columns), schema=SCHEMA)


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders = f"{PREFIX}orders"
    for columns in reversed(INDEXES):
        op.drop_index(f"ix_{orders}_{'_'.join(columns)}", table_name=orders, schema=SCHEMA)
