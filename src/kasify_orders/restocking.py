"""Which units of an order are back in stock: a unit goes back at most once, whichever way.

Three ways put units back: a return received with ``restock=True``, a refund by line with
``restock=True``, a cancel with ``restock=True``. They may name the same units (a return
received and restocked, then refunded by line by hand with restock ticked), so each puts back
only what it adds to the line's units back in stock:

    back = max(units in received returns restocked,
               units refunded by settled refunds that restock, or that refund a restocked return)

A refund by line's units are thus first the line's units that came back with a restocked return
and are not refunded yet (they are in stock already); only the rest are put back. A return
received after a refund that restocked its units puts back only the units beyond those. A
cancel puts back every unit not back yet. Pure arithmetic on the order: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from kasify_orders.lifecycle import RefundStatus
from kasify_orders.model import Order

__all__ = ["already_back", "by_sku", "put_back", "units_back"]


def _add(into: dict[int, int], lines: Mapping[int, int]) -> None:
    for line_id, quantity in lines.items():
        into[line_id] = into.get(line_id, 0) + quantity


def _parts(order: Order) -> tuple[dict[int, int], dict[int, int]]:
    """(units in received restocked returns, units refunded and back) per line."""
    returned: dict[int, int] = {}
    restocked_refunds: set[str] = set()
    for made in order.returns:
        if made.restocked and made.received_at is not None:
            _add(returned, made.lines)
            if made.refund_id:
                restocked_refunds.add(made.refund_id)
    refunded: dict[int, int] = {}
    for refund in order.refunds:
        if refund.status is RefundStatus.SETTLED and (refund.restock or refund.id in restocked_refunds):
            _add(refunded, refund.lines)
    return returned, refunded


def units_back(order: Order) -> dict[int, int]:
    """``{line_id: units of it back in stock}`` by the rule above (at most the line's quantity)."""
    returned, refunded = _parts(order)
    return {
        line.id: min(line.quantity, max(returned.get(line.id, 0), refunded.get(line.id, 0)))
        for line in order.lines
    }


def put_back(before: Order, after: Order) -> dict[int, int]:
    """``{line_id: units}`` a step from *before* to *after* puts back in stock (those it adds)."""
    was, now = units_back(before), units_back(after)
    return {
        line_id: units - was.get(line_id, 0) for line_id, units in now.items() if units > was.get(line_id, 0)
    }


def already_back(order: Order, lines: Mapping[int, int]) -> dict[int, int]:
    """Of a refund by line with restock of *lines*, settling now: ``{line_id: units back already}``."""
    returned, refunded = _parts(order)
    back = units_back(order)
    quantity = {line.id: line.quantity for line in order.lines}
    skipped: dict[int, int] = {}
    for line_id, units in lines.items():
        after = min(quantity[line_id], max(returned.get(line_id, 0), refunded.get(line_id, 0) + units))
        added = after - back.get(line_id, 0)
        if units > added:
            skipped[line_id] = units - added
    return skipped


def by_sku(order: Order, lines: Mapping[int, int]) -> Counter[str]:
    """*lines* (``{line_id: units}``) as units per SKU, to put back on their tracked SKUs."""
    skus: Counter[str] = Counter()
    by_id = {line.id: line for line in order.lines}
    for line_id, units in lines.items():
        skus[by_id[line_id].sku] += units
    return skus
