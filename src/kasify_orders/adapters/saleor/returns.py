"""Saleor returns on kasify's timeline: "Saleor: 1 x T-shirt returned", once per return.

Saleor's ``orderFulfillmentReturnProducts`` moves the returned units into a fulfillment in
status RETURNED (REFUNDED_AND_RETURNED when Saleor refunded them too, through the old Payment
API); :func:`~kasify_orders.adapters.saleor.parsing.returns` reads those. Saleor announces a
return with ``ORDER_UPDATED``, and every later order event carries it too. This module records
each return as a ``saleor_returned`` timeline entry whose data holds the returned kasify lines
(``{"lines": {kasify line id: quantity}, "refunded": bool, "saleor_fulfillment_id": id}``),
which is what kasify's returns API (``orders.returns``) takes when the merger wires the two
together. The refund of a REFUNDED_AND_RETURNED return is not recorded here: it arrives as the
order's refunded total and, when Saleor granted it with lines, as a refund by line
(:mod:`~kasify_orders.adapters.saleor.grants`).
"""

from __future__ import annotations

from kasify_orders.adapters.saleor.names import ACTOR
from kasify_orders.adapters.saleor.parcels import kasify_line_ids
from kasify_orders.adapters.saleor.payloads import SaleorOrder
from kasify_orders.model import Order, describe_lines
from kasify_orders.service import Orders

__all__ = ["RETURNED_KIND", "record_returns"]

#: The timeline kind of a return made in Saleor.
RETURNED_KIND = "saleor_returned"


def record_returns(orders: Orders, order: Order, saleor: SaleorOrder) -> int:
    """Note each of *saleor*'s returns kasify's timeline does not have yet; returns how many were noted.

    A return is known by its fulfillment id and what it holds, so a repeated webhook notes
    nothing, and a return Saleor added units to is noted again with what it holds now. Lines
    kasify does not know (none, unless the order was edited here) are left out.
    """
    ids = kasify_line_ids(order, saleor)
    noted = {
        (entry.data.get("saleor_fulfillment_id"), tuple(sorted((entry.data.get("lines") or {}).items())))
        for entry in order.timeline
        if entry.kind == RETURNED_KIND
    }
    count = 0
    for returned in saleor.returns:
        lines: dict[int, int] = {}
        for saleor_line, quantity in returned.lines:
            if saleor_line in ids:
                lines[ids[saleor_line]] = lines.get(ids[saleor_line], 0) + quantity
        if not lines:
            continue
        data_lines = {str(line_id): quantity for line_id, quantity in sorted(lines.items())}
        if (returned.id, tuple(sorted(data_lines.items()))) in noted:
            continue
        what = "returned and refunded" if returned.refunded else "returned"
        orders.record_event(
            order.id,
            RETURNED_KIND,
            f"Saleor: {describe_lines(order, dict(sorted(lines.items())))} {what}",
            data={"saleor_fulfillment_id": returned.id, "lines": data_lines, "refunded": returned.refunded},
            actor=ACTOR,
        )
        count += 1
    return count
