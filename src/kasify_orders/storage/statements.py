"""The statements a store runs on every request, built once: the whole-order unions and the hot writes.

A whole order (its row, lines, refunds and timeline) is read in one round trip, so from one
snapshot: :func:`children_union` on SQLite and PostgreSQL, :func:`json_union` on MariaDB/MySQL.
:class:`Statements` holds them and the other hot-path statements, so SQLAlchemy reuses their
compiled form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from kasify_orders.model import Order
from kasify_orders.storage.json_rows import (
    JSON_LINE_COLUMNS,
    JSON_REFUND_COLUMNS,
    JSON_TIMELINE_COLUMNS,
    order_from_json_rows,
)
from kasify_orders.storage.refund_lines import RefundLineStatements
from kasify_orders.storage.returns import ReturnStatements
from kasify_orders.storage.rows import (
    ADDRESS_COLUMNS,
    LINE,
    ORDER,
    REFUND,
    SUMMARY_COLUMNS,
    TIMELINE,
    order_columns,
    order_from_union,
    summary_columns,
)
from kasify_orders.storage.shipments import ShipmentStatements
from kasify_orders.storage.tables import Tables, UTCDateTime

__all__ = ["CHILD_COLUMNS", "ORDER_NUMBER", "Statements", "children_union", "json_union"]

#: The counter row order numbers are taken from.
ORDER_NUMBER = "order_number"

#: The union's shared children columns, in order, and what each holds for a line, a refund
#: and a timeline entry (NULL where a kind has nothing there).
CHILD_COLUMNS = {
    "ref": "line sku | refund id | timeline kind",
    "body": "line name | refund note | timeline message",
    "variant_or_actor": "line variant | refund actor | timeline actor",
    "refund_reference": "- | refund reference | -",
    "refund_key": "- | refund idempotency key | -",
    "refund_status": "- | refund status | -",
    "refund_failure": "- | refund failure | -",
    "quantity": "line quantity | - | -",
    "amount": "line unit price | refund amount | -",
    "line_total": "line total | - | -",
    "line_tax": "line tax | - | -",
    "at": "- | refund asked at | timeline at",
    "resolved_at": "- | refund resolved at | -",
    "data": "- | - | timeline data",
}


def children_union(t: Tables, dialect: str, *, whole: bool) -> sa.CompoundSelect[Any]:
    """Lines, refunds and timeline entries in one query: of one order, or of several.

    *whole*: of one order (``:b_id``), with the order's own row first (``kind`` ORDER, its
    :func:`order_columns` filled): the whole order in one round trip, and so from one
    snapshot (two statements could straddle another transaction's commit). Otherwise of
    the orders in ``:ids``, children only.

    Each branch fills the same labelled columns (``kind`` says which table; :data:`CHILD_COLUMNS`
    says what each holds); the NULLs are typed so every database agrees on each column's type.
    """

    def null(type_: Any) -> sa.ColumnElement[Any]:
        # PostgreSQL needs real casts to unify the branches. MariaDB and SQLite take a plain
        # NULL (a shorter statement: MariaDB spends a third of this query's time parsing it).
        if dialect == "postgresql":
            return sa.cast(sa.null(), type_)
        return sa.type_coerce(sa.null(), type_)

    def of(table: sa.Table) -> sa.ColumnElement[bool]:
        if whole:
            return table.c.order_id == sa.bindparam("b_id")
        return table.c.order_id.in_(sa.bindparam("ids", expanding=True))

    o, lines, refunds, timeline = t.orders, t.lines, t.refunds, t.timeline
    text, number = sa.String(), sa.BigInteger()
    head = order_columns(o) if whole else []
    no_head = [null(column.type) for column in head]
    branches = [
        sa.select(
            sa.literal(LINE).label("kind"),
            *no_head,
            lines.c.order_id,
            sa.cast(lines.c.position, number).label("seq"),
            lines.c.sku.label("ref"),
            sa.cast(lines.c.name, sa.Text).label("body"),
            lines.c.variant.label("variant_or_actor"),
            null(text).label("refund_reference"),
            null(text).label("refund_key"),
            null(text).label("refund_status"),
            null(sa.Text).label("refund_failure"),
            sa.cast(lines.c.quantity, number).label("quantity"),
            lines.c.unit_price.label("amount"),
            lines.c.total.label("line_total"),
            lines.c.tax.label("line_tax"),
            null(UTCDateTime).label("at"),
            null(UTCDateTime).label("resolved_at"),
            null(sa.JSON).label("data"),
        ).where(of(lines)),
        sa.select(
            sa.literal(REFUND),
            *no_head,
            refunds.c.order_id,
            sa.cast(sa.literal(0), number),
            refunds.c.id,
            refunds.c.note,
            refunds.c.actor,
            refunds.c.reference,
            refunds.c.idempotency_key,
            refunds.c.status,
            refunds.c.failure,
            null(number),
            refunds.c.amount,
            null(number),
            null(number),
            refunds.c.created_at,
            refunds.c.resolved_at,
            null(sa.JSON),
        ).where(of(refunds)),
        sa.select(
            sa.literal(TIMELINE),
            *no_head,
            timeline.c.order_id,
            timeline.c.id,
            timeline.c.kind,
            timeline.c.message,
            timeline.c.actor,
            null(text),
            null(text),
            null(text),
            null(sa.Text),
            null(number),
            null(number),
            null(number),
            null(number),
            timeline.c.at,
            null(UTCDateTime),
            timeline.c.data,
        ).where(of(timeline)),
    ]
    if whole:
        # First, so the union's columns take its names (``id``, ``currency``...); NULL in
        # each children's column, typed and named as the lines branch has it.
        children_columns = branches[0].selected_columns[1 + len(head) :]
        order_row = sa.select(
            sa.literal(ORDER).label("kind"),
            *head,
            *(null(column.type).label(column.name) for column in children_columns),
        ).where(o.c.id == sa.bindparam("b_id"))
        branches.insert(0, order_row)
    # No ORDER BY: MariaDB would sort the union in a temporary table; Python orders the
    # few rows of one order instead (children_from_union).
    return sa.union_all(*branches)


def json_union(t: Tables, *, lock: bool) -> sa.CompoundSelect[Any]:
    """MariaDB/MySQL: the whole order of ``:b_id`` as ``(kind, JSON array)`` rows, one per row read.

    Two columns rather than :func:`children_union`'s forty: the protocol sends a description of every
    column with every result, and reading those cost PyMySQL more than the read itself
    (:func:`~kasify_orders.storage.json_rows.order_from_json_rows` says which values go where).
    *lock*: every branch ``FOR UPDATE`` (parenthesised, as MariaDB requires), so the reads
    are of the latest committed rows, the order row first.
    """
    order_id = sa.bindparam("b_id", type_=sa.String())

    def branch(kind: int, table: sa.Table, columns: Sequence[str], key: str) -> sa.Select[Any]:
        values = sa.func.json_array(*(table.c[name] for name in columns))
        return sa.select(sa.literal(kind).label("kind"), values.label("doc")).where(table.c[key] == order_id)

    branches = [
        branch(ORDER, t.orders, SUMMARY_COLUMNS + ADDRESS_COLUMNS, "id"),
        branch(LINE, t.lines, JSON_LINE_COLUMNS, "order_id"),
        branch(REFUND, t.refunds, JSON_REFUND_COLUMNS, "order_id"),
        branch(TIMELINE, t.timeline, JSON_TIMELINE_COLUMNS, "order_id"),
    ]
    if lock:
        return sa.union_all(*(branch.with_for_update().self_group() for branch in branches))
    return sa.union_all(*branches)


class Statements:
    """The hot-path statements, built once per store so SQLAlchemy reuses their compiled form."""

    def __init__(self, t: Tables, dialect: str) -> None:
        o = t.orders
        #: The parcels' reads and writes.
        self.shipments = ShipmentStatements(t)
        #: The refunds by line's reads and writes.
        self.refund_lines = RefundLineStatements(t)
        self.returns = ReturnStatements(t.returns, t.return_lines, o, t.lines)
        self.id_by_id = sa.select(o.c.id).where(o.c.id == sa.bindparam("b_id"))
        if dialect in {"mysql", "mariadb"}:
            # One round trip: the locking union reads the order row, then its children.
            self.whole_order = json_union(t, lock=False)
            self.lock_order: sa.Select[Any] | None = None
            self.lock_whole_order = json_union(t, lock=True)
            #: How a whole-order read's rows become the order.
            self.order_from: Callable[[Sequence[Row[Any]]], Order | None] = order_from_json_rows
        else:
            # PostgreSQL refuses FOR UPDATE in a union: lock the row, then read (a fresh
            # snapshot, in READ COMMITTED). SQLite's write transactions are exclusive already.
            self.whole_order = children_union(t, dialect, whole=True)
            self.lock_order = self.id_by_id.with_for_update() if dialect == "postgresql" else None
            self.lock_whole_order = self.whole_order
            self.order_from = order_from_union
        self.id_by_number = sa.select(o.c.id).where(o.c.number == sa.bindparam("b_number"))
        self.id_by_key = sa.select(o.c.id).where(o.c.idempotency_key == sa.bindparam("b_key"))
        self.newest_summaries = sa.select(*summary_columns(o)).order_by(o.c.number.desc())
        # Unfiltered pages, the commonest list, are prebuilt: reusing a statement object saves
        # SQLAlchemy computing its cache key on every call.
        self.page = self.newest_summaries.limit(sa.bindparam("b_limit"))
        self.page_after = self.page.where(o.c.number < sa.bindparam("b_after"))
        self.children_of_many = children_union(t, dialect, whole=False)
        self.insert_order = sa.insert(o)
        c = t.counters
        self.take_order_number = sa.update(c).where(c.c.name == ORDER_NUMBER).values(value=c.c.value + 1)
        self.order_number_taken = sa.select(c.c.value).where(c.c.name == ORDER_NUMBER)
        #: MariaDB has no UPDATE ... RETURNING.
        self.take_order_number_returning = (
            None if dialect in {"mysql", "mariadb"} else self.take_order_number.returning(c.c.value)
        )
        self.insert_lines = sa.insert(t.lines)
        self.insert_refunds = sa.insert(t.refunds)
        self.insert_timeline = sa.insert(t.timeline)
        self.insert_search_terms = sa.insert(t.search_terms)
        self.insert_outbox = sa.insert(t.outbox)
        self.update_order = sa.update(o).where(
            o.c.id == sa.bindparam("b_id"), o.c.version == sa.bindparam("b_version")
        )
