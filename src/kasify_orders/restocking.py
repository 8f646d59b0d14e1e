"""Which units of an order are back in stock: a unit goes back at most once, whichever way.

Three ways put units back: a return received with ``restock=True``, a refund by line with
``restock=True``, a cancel with ``restock=True``. They may name the same units (a return
received and restocked, then refunded by line by hand with restock ticked), so each puts back
only what it adds to the line's units back in stock. Per line, a refund by line with restock
(by hand: not a restocked return's own refund) names, in this order:

1. units never shipped when it settled, not named by an earlier such refund: put back (an
   unshipped unit cannot have been returned, so no return brought it back);
2. then units a restocked return brought back that no refund names yet: in stock already;
3. then other shipped units (the customer sent them back outside a return): put back, and a
   return received later of shipped units brings back only the units beyond those.

A restocked return's own refund names that return's units. So, per line::

    back = min(quantity, returned + unshipped + max(0, shipped - (returned - returns_refunded)))

with *returned* the units in received restocked returns, *returns_refunded* those of them
their own settled refunds refund, *unshipped* and *shipped* the units of the refunds above in
step 1 and in steps 2-3. Step 1 counts the parcels shipped by the refund's settling time, so a
unit shipped later (even a refunded one) never takes back what was put back: every step only
adds to ``back``, and :func:`put_back` (the difference) never puts a unit back twice. A cancel
(only before the first parcel) puts back every unit not back yet. Pure arithmetic on the
order: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

from kasify_orders.lifecycle import RefundStatus
from kasify_orders.model import Order, Refund

__all__ = ["already_back", "by_sku", "put_back", "units_back"]


def _add(into: dict[int, int], line_id: int, units: int) -> None:
    into[line_id] = into.get(line_id, 0) + units


def _shipped_by(order: Order, line_id: int, at: datetime | None) -> int:
    """Units of the line in parcels shipped by *at* (None: every parcel, for a refund settling now)."""
    return sum(
        parcel.lines.get(line_id, 0) for parcel in order.shipments if at is None or parcel.shipped_at <= at
    )


def _units_back(order: Order, settling: Mapping[int, int] | None = None) -> dict[int, int]:
    """``{line_id: units back}`` by the rule above; *settling*: a refund by line with restock settling now."""
    returned: dict[int, int] = {}
    own_refunds: set[str] = set()
    for made in order.returns:
        if made.restocked and made.received_at is not None:
            for line_id, units in made.lines.items():
                _add(returned, line_id, units)
            if made.refund_id:
                own_refunds.add(made.refund_id)
    returns_refunded: dict[int, int] = {}
    by_hand: list[tuple[datetime | None, Mapping[int, int]]] = []
    for refund in _settled(order.refunds):
        if refund.id in own_refunds:
            for line_id, units in refund.lines.items():
                _add(returns_refunded, line_id, units)
        elif refund.restock:
            by_hand.append((refund.resolved_at or refund.created_at, refund.lines))
    if settling:
        by_hand.append((None, settling))
    quantity = {line.id: line.quantity for line in order.lines}
    unshipped: dict[int, int] = {}
    shipped: dict[int, int] = {}
    for at, lines in by_hand:  # in the order they settled: each names the unshipped units left then
        for line_id, units in lines.items():
            left = quantity.get(line_id, 0) - _shipped_by(order, line_id, at) - unshipped.get(line_id, 0)
            never = min(units, max(0, left))
            _add(unshipped, line_id, never)
            _add(shipped, line_id, units - never)
    back: dict[int, int] = {}
    for line in order.lines:
        came_back = returned.get(line.id, 0)
        in_stock_unrefunded = max(0, came_back - returns_refunded.get(line.id, 0))
        beyond = max(0, shipped.get(line.id, 0) - in_stock_unrefunded)
        back[line.id] = min(line.quantity, came_back + unshipped.get(line.id, 0) + beyond)
    return back


def _settled(refunds: Iterable[Refund]) -> list[Refund]:
    """The settled refunds by line, in the order they settled (ties: as recorded)."""
    settled = [refund for refund in refunds if refund.status is RefundStatus.SETTLED and refund.lines]
    return sorted(settled, key=lambda refund: refund.resolved_at or refund.created_at)


def units_back(order: Order) -> dict[int, int]:
    """``{line_id: units of it back in stock}`` by the rule above (at most the line's quantity)."""
    return _units_back(order)


def put_back(before: Order, after: Order) -> dict[int, int]:
    """``{line_id: units}`` a step from *before* to *after* puts back in stock (those it adds)."""
    was, now = units_back(before), units_back(after)
    return {
        line_id: units - was.get(line_id, 0) for line_id, units in now.items() if units > was.get(line_id, 0)
    }


def already_back(order: Order, lines: Mapping[int, int]) -> dict[int, int]:
    """Of a refund by line with restock of *lines*, settling now: ``{line_id: units back already}``."""
    was, now = units_back(order), _units_back(order, lines)
    skipped: dict[int, int] = {}
    for line_id, units in lines.items():
        added = now.get(line_id, 0) - was.get(line_id, 0)
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
