"""Saleor fulfillments as kasify parcels: which kasify parcel a fulfillment is, and what it holds.

A Saleor fulfillment is one parcel. kasify records the fulfillment's id on its parcel
(``Shipment.reference``), so a later tracking update of that fulfillment corrects that parcel
only. Its lines come from the fulfillment's own ``lines`` when the payload carries them (the
subscription asks for them), else from what Saleor reports fulfilled per order line
(``quantityFulfilled``) less what kasify's parcels already hold: the deliveries a Saleor 3.23
sent before kasify asked for the lines carry only that.
"""

from __future__ import annotations

from kasify_orders.adapters.saleor.payloads import SaleorFulfillment, SaleorOrder
from kasify_orders.model import Order, Shipment

__all__ = ["kasify_line_ids", "parcel_lines", "parcel_of"]


def kasify_line_ids(order: Order, saleor: SaleorOrder) -> dict[str, int]:
    """``{Saleor order line id: kasify line id}``: kasify placed one line per Saleor line, in order."""
    if len(saleor.lines) == len(order.lines):
        return {line.id: kasify.id for line, kasify in zip(saleor.lines, order.lines, strict=True)}
    by_sku = {line.sku: line.id for line in order.lines}
    return {line.id: by_sku[line.sku] for line in saleor.lines if line.sku in by_sku}


def parcel_of(order: Order, fulfillment: SaleorFulfillment, *, linked: str | None) -> Shipment | None:
    """The kasify parcel *fulfillment* is, or None when it is a new parcel.

    The parcel recorded with the fulfillment's id; else one kasify shipped itself (its
    write-back made the fulfillment, whose echo carries the parcel's number); else, for an
    order that shipped in one parcel before parcels had ids, that parcel when *linked* (the
    fulfillment id kasify's link to the Saleor order names) is this fulfillment or unknown.
    """
    recorded = next((parcel for parcel in order.shipments if parcel.reference == fulfillment.id), None)
    if recorded is not None:
        return recorded
    unmarked = [parcel for parcel in order.shipments if parcel.reference is None]
    same = [parcel for parcel in unmarked if parcel.tracking_number == fulfillment.tracking_number]
    if same:
        return same[0]
    if len(order.shipments) == 1 and unmarked and linked in {None, fulfillment.id}:
        return unmarked[0]
    return None


def parcel_lines(order: Order, saleor: SaleorOrder, fulfillment: SaleorFulfillment) -> dict[int, int] | None:
    """The ``{kasify line id: quantity}`` of a fulfillment kasify has no parcel for yet.

    Never more than kasify has left to ship of a line; empty when Saleor fulfilled nothing new;
    None when the payload does not say what is in it (neither the fulfillment's lines nor what
    is fulfilled of each order line): then a fulfilled order's parcel holds everything left.
    """
    ids = kasify_line_ids(order, saleor)
    left = order.remaining_quantities()
    wanted: dict[int, int] = {}
    known = [(ids[line], quantity) for line, quantity in fulfillment.lines if line in ids]
    if known:
        for line_id, quantity in known:
            wanted[line_id] = wanted.get(line_id, 0) + quantity
    elif any(line.quantity_fulfilled for line in saleor.lines):
        shipped = order.shipped_quantities()
        for line in saleor.lines:
            if line.id in ids:
                wanted[ids[line.id]] = line.quantity_fulfilled - shipped.get(ids[line.id], 0)
    else:
        return None
    chosen = {line_id: min(quantity, left.get(line_id, 0)) for line_id, quantity in wanted.items()}
    return {line_id: quantity for line_id, quantity in sorted(chosen.items()) if quantity > 0}
