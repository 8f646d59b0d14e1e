"""Placing an order: price it, apply its coupon, take its stock, record it, once per idempotency key."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from kasify_orders import actions, pricing
from kasify_orders.errors import DuplicateIdempotencyKey, OutOfStock
from kasify_orders.model import NewOrder, Order
from kasify_orders.service.writes import Writer, checked_key, quantities
from kasify_orders.stock import StockCause, StockKind
from kasify_orders.storage.port import Transaction
from kasify_orders.storage.records import OutboxItem
from kasify_orders.validation import validate_new_order

__all__ = ["place"]


def place(
    writer: Writer,
    new_order: NewOrder,
    *,
    idempotency_key: str | None,
    actor: str | None,
    also: Callable[[Transaction, Order], None] | None,
) -> Order:
    """Place *new_order* in one transaction (see :meth:`Orders.place`)."""
    new_order = validate_new_order(new_order)
    key = checked_key("idempotency_key", idempotency_key)
    if key is not None:
        existing = _placed_with(writer, key)
        if existing is not None:
            return existing
    order_id = uuid.uuid4().hex
    lines = pricing.lines_for(new_order.lines)

    def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
        now = writer.clock()
        coupon = None
        code = new_order.coupon_code
        email = new_order.customer.email
        if code is not None and new_order.discount is None:
            found = tx.lock_coupon(code)
            coupon = pricing.check_coupon(
                found,
                code,
                subtotal=pricing.subtotal_of(lines, new_order.currency),
                currency=new_order.currency,
                now=now,
                used_by_customer=bool(found and found.once_per_customer and tx.coupon_used_by(code, email)),
            )
        if writer.settings.manage_inventory:
            cause = StockCause(StockKind.PLACED, now, actor=actor, order_id=order_id)
            try:
                tx.take_stock(quantities(lines), cause)
            except OutOfStock as short:
                if short.name is not None:
                    raise
                # The inventory knows no name for it: the customer still reads which product.
                name = next(line.name for line in lines if line.sku == short.sku)
                raise OutOfStock(short.sku, short.requested, short.available, name=name) from None
        change = actions.place(new_order, coupon, order_id=order_id, at=now, actor=actor)
        order = tx.insert_order(change.order, key)
        if coupon is not None:
            tx.redeem_coupon(coupon, email, order_id, now)
        if also is not None:
            also(tx, order)
            order = tx.order(order_id)
        return order, writer.enqueue(tx, order_id, change, now)

    try:
        order, items = writer.store.atomic(work)
    except DuplicateIdempotencyKey as duplicate:
        # A concurrent call with the same key committed first: its order is the answer.
        existing = _placed_with(writer, duplicate.key)
        assert existing is not None
        return existing
    writer.deliver_now(order, items)
    return order


def _placed_with(writer: Writer, key: str) -> Order | None:
    return writer.store.read(lambda tx: tx.order_by_idempotency_key(key))
