"""The rows of an order's children with lines (parcels, returns, refunds by line): one reader and writer.

A child is a row of its own table (``shipments``, ``returns``, ``refunds``) and one row per order
line it holds in its lines table (``shipment_lines``, ...), keyed by the child's id and the line's
id. The children of a batch of orders are read in one statement per table, never one per order
(the list page and the export read many orders at once); they are written in the action's own
transaction, under the order's row lock.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from kasify_orders.model import Order

__all__ = ["ChildRows", "attach", "line_rows", "of_orders", "rows_of_orders"]


class Child(Protocol):
    """What a child with lines has: its id and ``{line_id: quantity}``."""

    @property
    def id(self) -> str:
        """Its id: the primary key of its row."""

    @property
    def lines(self) -> Mapping[int, int]:
        """The units of each of the order's lines it holds: one row each in its lines table."""


C = TypeVar("C", bound=Child)
V = TypeVar("V")


def of_orders(query: sa.Select[Any], parent: sa.Table) -> sa.Select[Any]:
    """*query* narrowed to the children of the orders bound as ``ids`` (a list: one statement a batch)."""
    return query.where(parent.c.order_id.in_(sa.bindparam("ids", expanding=True)))


def rows_of_orders(
    conn: Connection, statement: sa.Select[Any], order_ids: Sequence[str]
) -> Sequence[Row[Any]]:
    """The rows an :func:`of_orders` *statement* reads for *order_ids* (nothing is read for none)."""
    return conn.execute(statement, {"ids": list(order_ids)}).all() if order_ids else ()


def attach(orders: Sequence[Order], found: Mapping[str, V], add: Callable[[Order, V], Order]) -> list[Order]:
    """*orders* in their order; *add* gives each its share of *found* (by order id), if it has one."""
    return [add(order, found[order.id]) if order.id in found else order for order in orders]


def line_rows(
    link: str, children: Iterable[C], more: Callable[[C, int], Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The lines table's rows of *children*: ``{link: child id, line_id, quantity}``, and what *more* adds."""
    return [
        {link: child.id, "line_id": line_id, "quantity": quantity, **(more(child, line_id) if more else {})}
        for child in children
        for line_id, quantity in child.lines.items()
    ]


def _column_values(child: Any, names: Iterable[str]) -> dict[str, Any]:
    """Each named attribute of *child*, as its column stores it (an enum as its value)."""
    values = {name: getattr(child, name) for name in names}
    return {name: value.value if isinstance(value, enum.Enum) else value for name, value in values.items()}


class ChildRows(Generic[C]):
    """The statements, reader and writer of one kind of child with a place among the order's and lines.

    The child's table has ``id``, ``order_id``, ``position`` (from 1) and one column per name in
    *fields*, each an attribute of the child of the same name; its lines table has *link* (the
    child's id), ``line_id`` and ``quantity``. *changing* names the fields an action may change
    later; *build* makes a child from its id, its lines and its fields, all by keyword.
    """

    def __init__(
        self,
        parent: sa.Table,
        lines: sa.Table,
        *,
        link: str,
        fields: Sequence[str],
        changing: Sequence[str],
        build: Callable[..., C],
    ) -> None:
        self.link, self.fields, self.changing, self.build = link, tuple(fields), tuple(changing), build
        columns = (
            parent.c.order_id,
            parent.c.id,
            parent.c.position,
            *(parent.c[name] for name in self.fields),
            lines.c.line_id,
            lines.c.quantity,
        )
        #: One row per child line, with its child's columns: narrowed to one order or to many.
        self.joined = sa.select(*columns).select_from(parent.join(lines, lines.c[link] == parent.c.id))
        self.of_many = of_orders(self.joined, parent)
        self.insert = sa.insert(parent)
        self.insert_lines = sa.insert(lines)
        self.update = (
            sa.update(parent)
            .where(parent.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(f"b_{name}") for name in self.changing})
        )

    def grouped(self, rows: Iterable[Sequence[Any]]) -> dict[str, tuple[C, ...]]:
        """``{order_id: its children in order}`` from the joined rows (one row per child line)."""
        heads: dict[str, tuple[str, int, tuple[Any, ...]]] = {}
        lines: dict[str, dict[int, int]] = {}
        for order_id, child_id, position, *values, line_id, quantity in rows:
            heads.setdefault(child_id, (order_id, position, tuple(values)))
            lines.setdefault(child_id, {})[line_id] = quantity
        by_order: dict[str, list[tuple[int, C]]] = {}
        for child_id, (order_id, position, fields) in heads.items():
            named = dict(zip(self.fields, fields, strict=True))
            child = self.build(id=child_id, lines=lines[child_id], **named)
            by_order.setdefault(order_id, []).append((position, child))
        return {
            order_id: tuple(child for _, child in sorted(children, key=lambda item: item[0]))
            for order_id, children in by_order.items()
        }

    def write(self, conn: Connection, order_id: str, before: Sequence[C], after: Sequence[C]) -> None:
        """Insert the children of *after* not in *before* (with their lines); update those that changed."""
        known = {child.id: child for child in before}
        new = [(position, child) for position, child in enumerate(after, start=1) if child.id not in known]
        if new:
            conn.execute(
                self.insert,
                [
                    {"id": child.id, "order_id": order_id, "position": position}
                    | _column_values(child, self.fields)
                    for position, child in new
                ],
            )
            conn.execute(self.insert_lines, line_rows(self.link, (child for _, child in new)))
        changed = [child for child in after if child.id in known and known[child.id] != child]
        if changed:
            conn.execute(
                self.update,
                [
                    {"b_id": child.id}
                    | {f"b_{name}": value for name, value in _column_values(child, self.changing).items()}
                    for child in changed
                ],
            )
