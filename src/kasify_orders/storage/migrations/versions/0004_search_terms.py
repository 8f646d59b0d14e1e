"""Add the search terms that find orders by the start of any word of the customer's name or email.

Existing orders get their terms here, in batches, so a search finds them as it finds new ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.search import terms_of

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 5000


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    terms = f"{PREFIX}search_terms"
    orders_ref = f"{SCHEMA + '.' if SCHEMA else ''}{PREFIX}orders.number"
    term_type = (
        sa.String(64)
        .with_variant(sa.String(64, collation="C"), "postgresql")
        .with_variant(sa.String(64, collation="utf8mb4_bin"), "mysql", "mariadb")
    )
    number_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    table = op.create_table(
        terms,
        sa.Column("term", term_type, nullable=False),
        sa.Column("number", number_type, nullable=False),
        sa.PrimaryKeyConstraint("term", "number", name=f"pk_{terms}"),
        sa.ForeignKeyConstraint(["number"], [orders_ref], name=f"fk_{terms}_number_{PREFIX}orders"),
        schema=SCHEMA,
    )
    assert table is not None
    op.create_index(f"ix_{terms}_number_term", terms, ["number", "term"], schema=SCHEMA)
    orders = sa.table(
        f"{PREFIX}orders",
        sa.column("number", sa.BigInteger),
        sa.column("customer_name", sa.String),
        sa.column("customer_email", sa.String),
        schema=SCHEMA,
    )
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(
            sa.select(orders.c.number, orders.c.customer_name, orders.c.customer_email)
            .where(orders.c.number > after)
            .order_by(orders.c.number)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        found = [{"term": term, "number": row.number} for row in rows for term in terms_of(*row[1:])]
        bind.execute(sa.insert(table), found)
        after = rows[-1].number


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    op.drop_table(f"{PREFIX}search_terms", schema=SCHEMA)
