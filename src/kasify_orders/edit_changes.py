"""What an edit changes, old -> new: the parts of its ``edited`` timeline entry.

Each change is a dict: ``change`` (its kind: address, quantity, removed, added, discount, tax,
total), the values old and new, and ``text``, the English sentence of the stored record. The
order page writes each one again in the merchant's language
(:mod:`kasify_orders.web.timeline_text`), from the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from kasify_orders.addresses import address_text
from kasify_orders.model import Address, Line, Order, Totals

__all__ = ["changes"]


def changes(
    order: Order,
    *,
    shipping_address: Address | None,
    set_quantity: Mapping[int, int],
    remove_lines: Sequence[int],
    lines: Sequence[Line],
    totals: Totals,
) -> list[dict[str, Any]]:
    """Every change of *order*, old -> new: a sentence (``text``) and its parts for programs and the page.

    *shipping_address* is the new address (None: unchanged), *set_quantity* the lines whose
    quantity changes, *remove_lines* the lines removed, *lines* and *totals* the order's after the edit.
    """
    changes: list[dict[str, Any]] = []
    if shipping_address is not None:
        old, new = address_text(order.shipping_address), address_text(shipping_address)
        changes.append({"change": "address", "old": old, "new": new, "text": f"Address: {old} → {new}"})
    for line in order.lines:
        if line.id in set_quantity:
            new_quantity = set_quantity[line.id]
            changes.append(
                {
                    "change": "quantity",
                    "line_id": line.id,
                    "name": line.name,
                    "old": line.quantity,
                    "new": new_quantity,
                    "text": f"Quantity of {line.name}: {line.quantity} → {new_quantity}",
                }
            )
    for line in order.lines:
        if line.id in remove_lines:
            changes.append(
                {
                    "change": "removed",
                    "line_id": line.id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "text": f"Removed {line.quantity} x {line.name}",
                }
            )
    known = {line.id for line in order.lines}
    for line in lines:
        if line.id not in known:
            changes.append(
                {
                    "change": "added",
                    "line_id": line.id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "text": f"Added {line.quantity} x {line.name} at {line.unit_price} {order.currency}",
                }
            )
    before = order.totals
    for field, label in (("discount", "Discount"), ("tax", "Tax"), ("total", "Total")):
        old_amount: Decimal = getattr(before, field)
        new_amount: Decimal = getattr(totals, field)
        if old_amount != new_amount:
            changes.append(
                {
                    "change": field,
                    "old": str(old_amount),
                    "new": str(new_amount),
                    "text": f"{label}: {old_amount} → {new_amount} {order.currency}",
                }
            )
    return changes
