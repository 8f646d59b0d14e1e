"""Editing an order before it ships: the domain's edit, its stock and coupon, in one transaction.

Stock moves with the edit for tracked SKUs, in the order's transaction and under the same row
locks as placing an order (``take_stock``), so an edit and a checkout at once never oversell;
a shortfall refuses the whole edit naming the product, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kasify_orders import edit_actions, pricing
from kasify_orders.change import Change
from kasify_orders.errors import OutOfStock
from kasify_orders.model import Address, Coupon, NewLine, Order
from kasify_orders.service.writes import Step
from kasify_orders.stock import StockCause, StockKind
from kasify_orders.storage.port import Transaction

__all__ = ["EDITED", "editing"]

#: The reason on the stock history rows an edit writes.
EDITED = "order edited"


def editing(
    *,
    manage_inventory: bool,
    shipping_address: Address | None,
    set_quantity: Mapping[Any, Any] | None,
    add_lines: Sequence[NewLine],
    remove_lines: Sequence[Any],
    note: str,
    actor: str | None,
) -> Step:
    """The step that edits the locked order (see :meth:`Orders.edit`)."""

    def step(tx: Transaction, order: Order, now: datetime) -> Change:
        edit_actions.require_editable(order)
        change = edit_actions.edit(
            order,
            shipping_address=shipping_address,
            set_quantity=set_quantity,
            add_lines=add_lines,
            remove_lines=remove_lines,
            note=note,
            coupon=_kasify_coupon(tx, order),
            at=now,
            actor=actor,
        )
        if manage_inventory:
            _move_stock(tx, order, change.order, now, actor)
        return change

    return step


def _kasify_coupon(tx: Transaction, order: Order) -> Coupon | None:
    """The order's coupon when kasify priced it (its discount is the coupon's on these lines), else None.

    A discount another system computed (a Saleor voucher; the code kept as a label) is not
    recomputed: no coupon of that code, or one whose discount is not the order's.
    """
    if order.coupon_code is None or not order.totals.discount:
        return None
    coupon = tx.lock_coupon(order.coupon_code)
    if coupon is None:
        return None
    subtotal = pricing.subtotal_of(order.lines, order.currency)
    ours = pricing.discount(
        coupon, subtotal=subtotal, shipping=order.totals.shipping, currency=order.currency
    )
    return coupon if ours == order.totals.discount else None


def _move_stock(tx: Transaction, before: Order, after: Order, now: datetime, actor: str | None) -> None:
    delta = edit_actions.stock_changes(before.lines, after.lines)
    taken = {sku: units for sku, units in delta.items() if units > 0}
    given = {sku: -units for sku, units in delta.items() if units < 0}
    if taken and given:
        tx.lock_stock(delta)
    if given:
        cause = StockCause(StockKind.RETURNED, now, actor=actor, reason=EDITED, order_id=before.id)
        tx.return_stock(given, cause)
    if taken:
        cause = StockCause(StockKind.PLACED, now, actor=actor, reason=EDITED, order_id=before.id)
        try:
            tx.take_stock(taken, cause)
        except OutOfStock as short:
            if short.name is not None:
                raise
            name = next(line.name for line in after.lines if line.sku == short.sku)
            raise OutOfStock(short.sku, short.requested, short.available, name=name) from None
