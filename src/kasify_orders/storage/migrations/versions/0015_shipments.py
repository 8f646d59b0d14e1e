"""Parcels: an order ships in one or several, each with its own lines, tracking and delivery.

``kasify_shipments`` holds the parcels (carrier, tracking number and link, shipped and
delivered times, another system's id for it) and ``kasify_shipment_lines`` the units of each
order line in each (``line_id`` is the line's position in its order, from 1). The orders gain
``fulfilment_status`` (unfulfilled, partially_shipped, shipped, delivered), kept on the row so
the list reads nothing else; the row's tracking columns go on holding the latest parcel's.

Each order shipped before parcels becomes one parcel holding every unit of every line, with
the order's carrier, number, link and time; delivered when the order was (at its latest
``delivered`` timeline entry). Downgrading drops both tables and the status: the order rows
keep the latest parcel's tracking, as before parcels.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02
"""

import uuid

import sqlalchemy as sa
from alembic import context, op

from kasify_orders.storage.tables import UTCDateTime

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 500


def _where() -> tuple[str, str | None]:
    """The table prefix and schema this run migrates (read at run time, not import time)."""
    attributes = context.config.attributes
    return attributes["table_prefix"], attributes["schema"]


def upgrade() -> None:
    PREFIX, SCHEMA = _where()
    orders, shipments, lines = f"{PREFIX}orders", f"{PREFIX}shipments", f"{PREFIX}shipment_lines"
    where = f"{SCHEMA}." if SCHEMA else ""
    op.add_column(
        orders,
        sa.Column("fulfilment_status", sa.String(20), nullable=False, server_default="unfulfilled"),
        schema=SCHEMA,
    )
    op.create_table(
        shipments,
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("tracking_url", sa.String(500)),
        sa.Column("shipped_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime),
        sa.Column("reference", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name=f"pk_{shipments}"),
        sa.ForeignKeyConstraint(
            ["order_id"], [f"{where}{orders}.id"], name=f"fk_{shipments}_order_id_{orders}"
        ),
        sa.UniqueConstraint("order_id", "position", name=f"uq_{shipments}_order_id_position"),
        schema=SCHEMA,
    )
    op.create_index(f"ix_{shipments}_order_id", shipments, ["order_id"], schema=SCHEMA)
    op.create_index(f"ix_{shipments}_tracking_number", shipments, ["tracking_number"], schema=SCHEMA)
    op.create_table(
        lines,
        sa.Column("shipment_id", sa.String(32), nullable=False),
        sa.Column("line_id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", "line_id", name=f"pk_{lines}"),
        sa.ForeignKeyConstraint(
            ["shipment_id"], [f"{where}{shipments}.id"], name=f"fk_{lines}_shipment_id_{shipments}"
        ),
        sa.CheckConstraint("quantity > 0", name=f"ck_{lines}_quantity_positive"),
        schema=SCHEMA,
    )
    _carry_shipments(PREFIX, SCHEMA)


def _carry_shipments(prefix: str, schema: str | None) -> None:
    """One parcel of every unit for each order shipped before parcels, and its status."""
    conn = op.get_bind()
    o = sa.table(
        f"{prefix}orders",
        sa.column("id", sa.String),
        sa.column("number", sa.BigInteger),
        sa.column("carrier", sa.String),
        sa.column("tracking_number", sa.String),
        sa.column("tracking_url", sa.String),
        sa.column("shipped_at", UTCDateTime),
        sa.column("fulfilment_status", sa.String),
        schema=schema,
    )
    ol = sa.table(
        f"{prefix}order_lines",
        sa.column("order_id", sa.String),
        sa.column("position", sa.Integer),
        sa.column("quantity", sa.Integer),
        schema=schema,
    )
    tl = sa.table(
        f"{prefix}timeline",
        sa.column("order_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("at", UTCDateTime),
        schema=schema,
    )
    s = sa.table(
        f"{prefix}shipments",
        *(sa.column(name) for name in ("id", "order_id", "position", "carrier", "tracking_number")),
        sa.column("tracking_url"),
        sa.column("shipped_at", UTCDateTime),
        sa.column("delivered_at", UTCDateTime),
        schema=schema,
    )
    sl = sa.table(
        f"{prefix}shipment_lines",
        sa.column("shipment_id"),
        sa.column("line_id"),
        sa.column("quantity"),
        schema=schema,
    )
    after = 0
    while True:
        shipped = conn.execute(
            sa.select(o.c.number, o.c.id, o.c.carrier, o.c.tracking_number, o.c.tracking_url, o.c.shipped_at)
            .where(o.c.tracking_number.is_not(None), o.c.number > after)
            .order_by(o.c.number)
            .limit(_BATCH)
        ).all()
        if not shipped:
            return
        after = shipped[-1].number
        ids = [row.id for row in shipped]
        delivered = dict(
            conn.execute(
                sa.select(tl.c.order_id, sa.func.max(tl.c.at))
                .where(tl.c.order_id.in_(ids), tl.c.kind == "delivered")
                .group_by(tl.c.order_id)
            ).all()
        )
        units: dict[str, list[tuple[int, int]]] = {order_id: [] for order_id in ids}
        for order_id, position, quantity in conn.execute(
            sa.select(ol.c.order_id, ol.c.position, ol.c.quantity).where(ol.c.order_id.in_(ids))
        ):
            units[order_id].append((position + 1, quantity))
        parcels = {row.id: uuid.uuid4().hex for row in shipped}
        conn.execute(
            sa.insert(s),
            [
                {
                    "id": parcels[row.id],
                    "order_id": row.id,
                    "position": 1,
                    "carrier": row.carrier or "other",
                    "tracking_number": row.tracking_number,
                    "tracking_url": row.tracking_url,
                    "shipped_at": row.shipped_at,
                    "delivered_at": delivered.get(row.id),
                }
                for row in shipped
            ],
        )
        parcel_lines = [
            {"shipment_id": parcels[order_id], "line_id": line_id, "quantity": quantity}
            for order_id, positions in units.items()
            for line_id, quantity in positions
            if quantity > 0
        ]
        if parcel_lines:
            conn.execute(sa.insert(sl), parcel_lines)
        for status, chosen in (
            ("delivered", list(delivered)),
            ("shipped", [i for i in ids if i not in delivered]),
        ):
            if chosen:
                conn.execute(sa.update(o).where(o.c.id.in_(chosen)).values(fulfilment_status=status))


def downgrade() -> None:
    PREFIX, SCHEMA = _where()
    op.drop_table(f"{PREFIX}shipment_lines", schema=SCHEMA)
    op.drop_table(f"{PREFIX}shipments", schema=SCHEMA)
    # A plain DROP COLUMN (SQLite >= 3.35 has it): a batch copy would drop the referenced orders table.
    op.drop_column(f"{PREFIX}orders", "fulfilment_status", schema=SCHEMA)
