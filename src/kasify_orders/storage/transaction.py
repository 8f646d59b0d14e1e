"""One SQL transaction: the reads and writes of the service's unit of work (the port's ``Transaction``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from kasify_orders import money
from kasify_orders.errors import ConcurrentUpdate, DuplicateIdempotencyKey, OrderNotFound
from kasify_orders.lifecycle import Status
from kasify_orders.model import Line, Order, OrderSummary, TimelineEvent
from kasify_orders.storage import counters
from kasify_orders.storage.engine import for_its_values
from kasify_orders.storage.queries import at_most as bounded_count
from kasify_orders.storage.queries import filtered, is_common, sorted_page
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort
from kasify_orders.storage.refund_lines import with_refund_lines, write_refund_lines
from kasify_orders.storage.returns import with_returns
from kasify_orders.storage.rows import (
    children_from_union,
    order_columns,
    order_from_rows,
    order_values,
    refund_values,
    summary_columns,
    summary_from_row,
)
from kasify_orders.storage.search import terms_of
from kasify_orders.storage.settings_ops import SettingsOps
from kasify_orders.storage.shipments import with_shipments
from kasify_orders.storage.statements import ORDER_NUMBER, Statements
from kasify_orders.storage.stock import StockStatements
from kasify_orders.storage.stock_coupons import StockCouponsOutbox
from kasify_orders.storage.tables import Tables

__all__ = ["SqlTransaction"]

_EVERY_ORDER = OrderFilter()


class SqlTransaction(StockStatements, StockCouponsOutbox, SettingsOps):
    """The reads and writes of one transaction (the service's unit of work)."""

    def __init__(self, conn: Connection, tables: Tables, statements: Statements) -> None:
        self.conn = conn
        self.t = tables
        self.sql = statements

    # -- orders -------------------------------------------------------------------------

    def order(self, order_id: str, *, lock: bool = False) -> Order:
        """The order with this id (locked for update when *lock*)."""
        params = {"b_id": order_id}
        if lock and self.sql.lock_order is not None:
            self.conn.execute(self.sql.lock_order, params)
        query = self.sql.lock_whole_order if lock else self.sql.whole_order
        order = self.sql.order_from(self.conn.execute(query, params).all())
        if order is None:
            raise OrderNotFound(order_id)
        if order.status is Status.PENDING:
            return order  # not paid, so not shipped or refunded: no parcel or refund line to read
        order = with_refund_lines(self.conn, self.sql.refund_lines, [order])[0]
        order = with_shipments(self.conn, self.sql.shipments, [order], lock=lock)[0]
        return with_returns(self.conn, self.sql.returns, [order])[0]

    def require_order(self, order_id: str) -> None:
        """Raise :class:`OrderNotFound` unless the order exists (without reading it)."""
        if self.conn.scalar(self.sql.id_by_id, {"b_id": order_id}) is None:
            raise OrderNotFound(order_id)

    def order_by_number(self, number: int) -> Order:
        """The order with this human number."""
        order_id = self.conn.scalar(self.sql.id_by_number, {"b_number": number})
        if order_id is None:
            raise OrderNotFound(number)
        return self.order(order_id)

    def order_by_idempotency_key(self, key: str) -> Order | None:
        """The order placed with this idempotency key, if any."""
        order_id = self.conn.scalar(self.sql.id_by_key, {"b_key": key})
        return None if order_id is None else self.order(order_id)

    def list_orders(
        self,
        where: OrderFilter,
        *,
        limit: int,
        after: int | Keyset | None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> list[OrderSummary]:
        """See :meth:`SqlStore.list_orders`."""
        key = Keyset(after) if isinstance(after, int) else after
        if where == _EVERY_ORDER and sort is OrderSort.DATE_DESC:
            query = self.sql.page if key is None else self.sql.page_after
            params = {"b_limit": limit, "b_after": None if key is None else key.number}
            return [summary_from_row(row) for row in self.conn.execute(query, params).all()]
        common = is_common(self.conn, self.t, where)
        query = filtered(sa.select(*summary_columns(self.t.orders)), self.t, where, common=common)
        query = for_its_values(sorted_page(query, self.t, sort, key).limit(limit))
        return [summary_from_row(row) for row in self.conn.execute(query).all()]

    def summaries_after(
        self, where: OrderFilter, *, after: int, limit: int, common: bool = False
    ) -> list[OrderSummary]:
        """Up to *limit* orders' summaries numbered above *after*, oldest first."""
        query = self._after(summary_columns(self.t.orders), where, after, limit, common)
        return [summary_from_row(row) for row in self.conn.execute(query)]

    def orders_after(
        self, where: OrderFilter, *, after: int, limit: int, common: bool = False
    ) -> list[Order]:
        """Up to *limit* whole orders numbered above *after*, oldest first (their children in one query).

        *common*: the search is for a common word (:func:`~kasify_orders.storage.queries.is_common`).
        """
        query = self._after(order_columns(self.t.orders), where, after, limit, common)
        rows = self.conn.execute(query).all()
        if not rows:
            return []
        grouped: dict[str, list[Row[Any]]] = {row.id: [] for row in rows}
        for child in self.conn.execute(self.sql.children_of_many, {"ids": list(grouped)}):
            grouped[child.order_id].append(child)
        orders = [order_from_rows(row, *children_from_union(grouped[row.id], row.currency)) for row in rows]
        orders = with_refund_lines(self.conn, self.sql.refund_lines, orders)
        orders = with_shipments(self.conn, self.sql.shipments, orders)
        return with_returns(self.conn, self.sql.returns, orders)

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders with these ids that exist, by id (two queries however many: the outbox's batch)."""
        if not order_ids:
            return {}
        o = self.t.orders
        rows = self.conn.execute(sa.select(*order_columns(o)).where(o.c.id.in_(set(order_ids)))).all()
        if not rows:
            return {}
        grouped: dict[str, list[Row[Any]]] = {row.id: [] for row in rows}
        for child in self.conn.execute(self.sql.children_of_many, {"ids": list(grouped)}):
            grouped[child.order_id].append(child)
        orders = [order_from_rows(row, *children_from_union(grouped[row.id], row.currency)) for row in rows]
        orders = with_refund_lines(self.conn, self.sql.refund_lines, orders)
        orders = with_returns(
            self.conn, self.sql.returns, with_shipments(self.conn, self.sql.shipments, orders)
        )
        return {order.id: order for order in orders}

    def _after(
        self, columns: Sequence[sa.Column[Any]], where: OrderFilter, after: int, limit: int, common: bool
    ) -> sa.Select[Any]:
        o = self.t.orders
        query = filtered(sa.select(*columns), self.t, where, common=common)
        return for_its_values(query.where(o.c.number > after).order_by(o.c.number).limit(limit))

    def count_orders(
        self,
        where: OrderFilter,
        *,
        at_most: int | None = None,
        after: Keyset | None = None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> int:
        """See :meth:`SqlStore.count_orders`."""
        if after is None and (known := counters.answer(self.conn, self.t, where)) is not None:
            return known
        if at_most is not None:
            return bounded_count(self.conn, self.t, where, at_most, after=after, sort=sort)
        o = self.t.orders
        if after is not None:
            rest = sorted_page(filtered(sa.select(o.c.number), self.t, where), self.t, sort, after)
            count = sa.select(sa.func.count()).select_from(rest.subquery())
        else:
            count = filtered(sa.select(sa.func.count()).select_from(o), self.t, where)
        return int(self.conn.scalar(for_its_values(count)) or 0)

    def insert_order(self, order: Order, idempotency_key: str | None) -> Order:
        """Insert a new order with its lines and first timeline entry; returns it numbered."""
        values = {
            **order_values(order),
            **_address_values(order),
            "id": order.id,
            "idempotency_key": idempotency_key,
            "customer_name": order.customer.name,
            "customer_email": order.customer.email,
            "currency": order.currency,
            "coupon_code": order.coupon_code,
            "customer_note": order.customer_note,
            "created_at": order.created_at,
        }
        number = self._next_order_number()
        try:
            self.conn.execute(self.sql.insert_order, {**values, "number": number})
        except sa.exc.IntegrityError as error:
            if idempotency_key is not None and "idempotency_key" in str(error.orig):
                raise DuplicateIdempotencyKey(idempotency_key) from error
            raise
        self.conn.execute(self.sql.insert_lines, [_line_values(order, line) for line in order.lines])
        terms = terms_of(order.customer.name, order.customer.email)
        self.conn.execute(self.sql.insert_search_terms, [{"term": term, "number": number} for term in terms])
        self.append_timeline(order.id, order.timeline)
        if order.shipments:
            self.sql.shipments.write(self.conn, order.id, (), order.shipments)
        counters.record(self.conn, self.t, None, order)
        return attrs.evolve(order, number=number)

    def _next_order_number(self) -> int:
        """The next order number, from the counter row (locked until this transaction ends).

        A rollback gives the number back, so numbers never skip; a sequence or auto-increment
        would keep it. The row is created on first use in a database made without migrations.
        """
        c = self.t.counters
        if self.sql.take_order_number_returning is not None:  # one round trip
            taken = self.conn.execute(self.sql.take_order_number_returning).scalar()
            if taken is not None:
                return int(taken)
        elif self.conn.execute(self.sql.take_order_number).rowcount:
            return int(self.conn.execute(self.sql.order_number_taken).scalar_one())
        # No row yet (a database made without the migrations, or emptied): start after the orders there.
        last = sa.select(sa.func.coalesce(sa.func.max(self.t.orders.c.number), 0)).scalar_subquery()
        dialect = self.conn.dialect.name
        seed: Any = (
            sa.insert(c).prefix_with("IGNORE")
            if dialect in {"mysql", "mariadb"}
            else (
                postgresql.insert(c) if dialect == "postgresql" else sqlite.insert(c)
            ).on_conflict_do_nothing()
        )
        self.conn.execute(seed.values(name=ORDER_NUMBER, value=last))
        self.conn.execute(self.sql.take_order_number)
        return int(self.conn.execute(self.sql.order_number_taken).scalar_one())

    def update_order(self, before: Order, after: Order) -> None:
        """Write *after* over *before*: the row (only if still at *before*'s version) and its refunds.

        New refunds are inserted; a refund whose status changed (settled, failed) is updated.
        """
        values = {**order_values(after), "b_id": before.id, "b_version": before.version}
        if self.conn.execute(self.sql.update_order, values).rowcount != 1:
            raise ConcurrentUpdate(before.id, before.version, -1)
        counters.record(self.conn, self.t, before, after)
        if before.shipping_address != after.shipping_address:
            self.conn.execute(
                sa.update(self.t.orders).where(self.t.orders.c.id == after.id).values(_address_values(after))
            )
        if before.lines != after.lines:
            self._write_lines(before, after)
        if before.shipments != after.shipments:
            self.sql.shipments.write(self.conn, after.id, before.shipments, after.shipments)
        known = {refund.id: refund for refund in before.refunds}
        new_refunds = [refund for refund in after.refunds if refund.id not in known]
        if new_refunds:
            self.conn.execute(
                self.sql.insert_refunds,
                [
                    {
                        **refund_values(refund, after.id, after.currency),
                        "shipping": refund.shipping,
                        "restock": refund.restock,
                    }
                    for refund in new_refunds
                ],
            )
            write_refund_lines(self.conn, self.sql.refund_lines, after, new_refunds)
        if before.returns != after.returns:
            self.sql.returns.write(self.conn, after.id, before.returns, after.returns)
        r = self.t.refunds
        for refund in after.refunds:
            if refund.id in known and known[refund.id] != refund:
                self.conn.execute(
                    sa.update(r)
                    .where(r.c.id == refund.id)
                    .values(
                        status=refund.status.value,
                        reference=refund.reference,
                        resolved_at=refund.resolved_at,
                        failure=refund.failure,
                    )
                )

    def _write_lines(self, before: Order, after: Order) -> None:
        """An edit's lines: changed ones updated, removed ones deleted, new ones inserted (by id)."""
        lines = self.t.lines
        was = {line.id: line for line in before.lines}
        now = {line.id: line for line in after.lines}
        gone = [line_id - 1 for line_id in was if line_id not in now]
        if gone:
            self.conn.execute(
                sa.delete(lines).where(lines.c.order_id == after.id, lines.c.position.in_(gone))
            )
        for line_id, line in now.items():
            if line_id in was and was[line_id] != line:
                values = _line_values(after, line)
                self.conn.execute(
                    sa.update(lines)
                    .where(lines.c.order_id == after.id, lines.c.position == line_id - 1)
                    .values(
                        quantity=values["quantity"],
                        unit_price=values["unit_price"],
                        total=values["total"],
                        tax=values["tax"],
                    )
                )
        new = [_line_values(after, line) for line_id, line in now.items() if line_id not in was]
        if new:
            self.conn.execute(self.sql.insert_lines, new)

    def refund_id_by_key(self, order_id: str, idempotency_key: str) -> str | None:
        """The id of the order's refund asked for with this key, if any (whatever its status)."""
        r = self.t.refunds
        query = sa.select(r.c.id).where(r.c.order_id == order_id, r.c.idempotency_key == idempotency_key)
        return self.conn.scalar(query)

    def has_refund(self, order_id: str, idempotency_key: str) -> bool:
        """Whether a refund with this key was already recorded on the order."""
        return self.refund_id_by_key(order_id, idempotency_key) is not None

    def plan_cancel(self, refund_id: str, plan: Mapping[str, Any]) -> None:
        """Remember to cancel the refund's order once the refund settles (cancel and refund)."""
        r = self.t.refunds
        self.conn.execute(sa.update(r).where(r.c.id == refund_id).values(then_cancel=dict(plan)))

    def planned_cancel(self, refund_id: str) -> Mapping[str, Any] | None:
        """What :meth:`plan_cancel` saved for this refund, or None."""
        r = self.t.refunds
        plan: Mapping[str, Any] | None = self.conn.scalar(
            sa.select(r.c.then_cancel).where(r.c.id == refund_id)
        )
        return plan

    def append_timeline(self, order_id: str, entries: Iterable[TimelineEvent]) -> None:
        """Add entries to an order's timeline."""
        rows = [
            {
                "order_id": order_id,
                "at": entry.at,
                "kind": entry.kind,
                "actor": entry.actor,
                "message": entry.message,
                "data": dict(entry.data),
            }
            for entry in entries
        ]
        if rows:
            self.conn.execute(self.sql.insert_timeline, rows)


def _address_values(order: Order) -> dict[str, str]:
    address = order.shipping_address
    return {
        "ship_line1": address.line1,
        "ship_line2": address.line2,
        "ship_city": address.city,
        "ship_region": address.region,
        "ship_postal_code": address.postal_code,
        "ship_country": address.country,
    }


def _line_values(order: Order, line: Line) -> dict[str, Any]:
    """A line's row: its id is kept as ``position`` (id - 1, as lines were numbered before edits)."""
    return {
        "order_id": order.id,
        "position": line.id - 1,
        "sku": line.sku,
        "name": line.name,
        "variant": line.variant,
        "quantity": line.quantity,
        "unit_price": money.to_minor(line.unit_price, order.currency),
        "total": money.to_minor(line.total, order.currency),
        "tax": money.to_minor(line.tax, order.currency),
    }
