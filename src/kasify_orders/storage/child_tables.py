"""The tables of an order's parts beside its lines: parcels, refunds by line and returns.

Each function builds its tables as the migration that created them left them.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from kasify_orders.storage.column_types import Money, OrderRef, UTCDateTime

__all__ = ["refund_lines_table", "return_tables", "shipment_tables"]


def shipment_tables(
    md: sa.MetaData, fk: Callable[[str, str], sa.ForeignKey], prefix: str
) -> tuple[sa.Table, sa.Table]:
    """The parcels and their lines (migration 0015 creates them as they are here)."""
    shipments = sa.Table(
        f"{prefix}shipments",
        md,
        sa.Column("id", OrderRef, primary_key=True),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False, index=True),
        #: the parcel's place among the order's, from 1
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False, index=True),
        sa.Column("tracking_url", sa.String(500)),
        sa.Column("shipped_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime),
        #: another system's id for the parcel (a Saleor fulfillment's)
        sa.Column("reference", sa.String(255)),
        sa.UniqueConstraint("order_id", "position"),
    )
    shipment_lines = sa.Table(
        f"{prefix}shipment_lines",
        md,
        sa.Column("shipment_id", OrderRef, fk("shipments", "id"), primary_key=True),
        #: the order line's id: its position in the order, from 1
        sa.Column("line_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    return shipments, shipment_lines


def refund_lines_table(md: sa.MetaData, fk: Callable[[str, str], sa.ForeignKey], prefix: str) -> sa.Table:
    """The lines of the refunds by line (migration 0016 creates it as it is here)."""
    return sa.Table(
        f"{prefix}refund_lines",
        md,
        sa.Column("refund_id", OrderRef, fk("refunds", "id"), primary_key=True),
        #: the order line's id: its position in the order, from 1
        sa.Column("line_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        #: what those units refunded (their price after their share of the discount)
        sa.Column("amount", Money, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


def return_tables(
    md: sa.MetaData, fk: Callable[[str, str], sa.ForeignKey], prefix: str
) -> tuple[sa.Table, sa.Table]:
    """The returns and their lines (migration 0019 creates them as they are here)."""
    returns = sa.Table(
        f"{prefix}returns",
        md,
        sa.Column("id", OrderRef, primary_key=True),
        sa.Column("order_id", OrderRef, fk("orders", "id"), nullable=False, index=True),
        #: the return's place among the order's, from 1
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        #: open, received, refunded or closed
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        #: the refund that refunded it (a refund by line of its lines)
        sa.Column("refund_id", OrderRef),
        sa.Column("restocked", sa.Boolean, nullable=False),
        sa.UniqueConstraint("order_id", "position"),
    )
    return_lines = sa.Table(
        f"{prefix}return_lines",
        md,
        sa.Column("return_id", OrderRef, fk("returns", "id"), primary_key=True),
        #: the order line's id: its position in the order, from 1
        sa.Column("line_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    return returns, return_lines
