"""Saleor returns as kasify returns: opened, received at once, and refunded by Saleor's grant.

Saleor's ``orderFulfillmentReturnProducts`` moves the returned units into a fulfillment in
status RETURNED (REFUNDED_AND_RETURNED when Saleor refunded them too);
:func:`~kasify_orders.adapters.saleor.parsing.returns` reads those. Saleor announces a return
with ``ORDER_UPDATED``, and every later order event carries it too. Each return becomes a kasify
return (``orders.returns``) of the same units, reason "Returned in Saleor", received at once:
Saleor's return means the goods came back. It is **not restocked** in kasify: Saleor owns the
stock of its orders (the app runs with ``manage_inventory=False``; a cancel in Saleor restocks
nothing here either), and its webhook does not say whether Saleor put the units back.

A return is known by its fulfillment id: the kasify return is opened with an idempotency key
naming the fulfillment and what it holds, so a repeated webhook opens nothing, and units Saleor
added to the return later open a kasify return of those units only. When the fulfillment is
REFUNDED_AND_RETURNED and the settled refund Saleor granted for exactly its units is in the
payload, that refund is the return's: recorded with the return (``returns.refund`` with the
grant's id as ``provider_reference``) or, when :mod:`~kasify_orders.adapters.saleor.grants`
recorded the grant already, linked to it; either way it is one refund. A return kasify cannot
take (more units than kasify shipped, an order kasify shows as Pending or Cancelled) is a
``saleor_returned`` timeline entry instead, noted once, and never an error Saleor would retry.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from kasify_orders.adapters.saleor.grants import (
    KASIFY_GRANT_MARKER,
    grant_kasify_lines,
    grant_key,
    recordable_grant,
)
from kasify_orders.adapters.saleor.names import ACTOR
from kasify_orders.adapters.saleor.parcels import kasify_line_ids
from kasify_orders.adapters.saleor.payloads import SaleorGrantedRefund, SaleorOrder, SaleorReturn
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.model import Order, describe_lines
from kasify_orders.return_model import Return, ReturnStatus
from kasify_orders.service import Orders
from kasify_orders.timeline import TimelineKind

__all__ = ["RETURNED_KIND", "RETURN_KEY_PREFIX", "RETURN_REASON", "follow_returns", "return_key"]

#: The timeline kind of a return made in Saleor that kasify could not follow.
RETURNED_KIND = "saleor_returned"

#: The reason of a kasify return opened for a Saleor return.
RETURN_REASON = "Returned in Saleor"

#: How the idempotency key of a kasify return opened for a Saleor return begins.
RETURN_KEY_PREFIX = "saleor-return:"


def return_key(fulfillment_id: str, holds: Mapping[int, int]) -> str:
    """The key of the kasify return opened when Saleor's return *fulfillment_id* held *holds*."""
    what = ",".join(f"{line_id}x{quantity}" for line_id, quantity in sorted(holds.items()))
    digest = hashlib.sha256(what.encode()).hexdigest()[:16]
    return f"{RETURN_KEY_PREFIX}{fulfillment_id}:{digest}"[:255]


def follow_returns(orders: Orders, order: Order, saleor: SaleorOrder) -> int:
    """Follow each of *saleor*'s returns in kasify; returns how many steps were taken or noted.

    Lines kasify does not know (none, unless the order was edited here) are left out.
    """
    ids = kasify_line_ids(order, saleor)
    count = 0
    for returned in saleor.returns:
        holds: dict[int, int] = {}
        for saleor_line, quantity in returned.lines:
            if saleor_line in ids:
                holds[ids[saleor_line]] = holds.get(ids[saleor_line], 0) + quantity
        if holds:
            order, done = _follow(orders, order, saleor, returned, dict(sorted(holds.items())))
            count += done
    return count


def _returns_of(order: Order, fulfillment_id: str) -> list[Return]:
    """The kasify returns opened for the Saleor return *fulfillment_id*, oldest first."""
    prefix = f"{RETURN_KEY_PREFIX}{fulfillment_id}:"
    opened = {
        str(entry.data.get("return_id"))
        for entry in order.timeline
        if entry.kind == TimelineKind.RETURN_OPENED
        and str(entry.data.get("idempotency_key") or "").startswith(prefix)
    }
    return [found for found in order.returns if found.id in opened]


def _follow(
    orders: Orders, order: Order, saleor: SaleorOrder, returned: SaleorReturn, holds: dict[int, int]
) -> tuple[Order, int]:
    """Open the units of *returned* kasify has no return of yet, receive, and link Saleor's refund."""
    done = 0
    covered: Counter[int] = Counter()
    for known in _returns_of(order, returned.id):
        covered.update(known.lines)
    new = {
        line_id: quantity - covered[line_id]
        for line_id, quantity in holds.items()
        if quantity > covered[line_id]
    }
    if new:
        try:
            order = orders.returns.open(
                order.id,
                lines=new,
                reason=RETURN_REASON,
                idempotency_key=return_key(returned.id, holds),
                actor=ACTOR,
            )
            done += 1
        except (InvalidTransition, ValidationError) as error:
            done += _note(orders, order, returned, new, error)
    for known in _returns_of(order, returned.id):
        if known.status is ReturnStatus.OPEN:
            try:
                order = orders.returns.receive(known.id, restock=False, order_id=order.id, actor=ACTOR)
                done += 1
            except (InvalidTransition, ValidationError):
                order = orders.get(order.id)  # received meanwhile by a concurrent delivery
    if returned.refunded:
        for known in _returns_of(order, returned.id):
            if known.status is ReturnStatus.RECEIVED:
                refunded = _refund_by_grant(orders, order, saleor, known)
                if refunded is not None:
                    order, done = refunded, done + 1
    return order, done


def _grant_of(order: Order, saleor: SaleorOrder, found: Return) -> SaleorGrantedRefund | None:
    """The settled refund Saleor granted for exactly *found*'s units, not another return's yet."""
    taken = {r.refund_id for r in order.returns if r.refund_id}
    for grant in saleor.granted_refunds:
        if not grant.settled or grant_kasify_lines(order, saleor, grant) != dict(found.lines):
            continue
        made = next((refund for refund in order.refunds if refund.reference == grant.id), None)
        if made is not None and made.id in taken:
            continue
        if made is None and KASIFY_GRANT_MARKER in grant.reason:
            continue  # kasify's own refund, recorded under kasify's reference
        return grant
    return None


def _refund_by_grant(orders: Orders, order: Order, saleor: SaleorOrder, found: Return) -> Order | None:
    """*found* refunded by Saleor's grant for its units (recorded now, or linked); None if none fits."""
    grant = _grant_of(order, saleor, found)
    if grant is None:
        return None
    shipping = False
    if not any(refund.reference == grant.id for refund in order.refunds):
        recordable = recordable_grant(order, saleor, grant)
        if recordable is None:
            return None  # left to the refund by amount, as grants.py leaves it
        shipping = recordable[1]
    try:
        return orders.returns.refund(
            found.id,
            shipping=shipping,
            note="Refunded in Saleor",
            idempotency_key=grant_key(saleor.id, grant.id),
            provider_reference=grant.id,
            order_id=order.id,
            actor=ACTOR,
        )
    except (InvalidTransition, RefundExceedsBalance, ValidationError):
        return None


def _note(
    orders: Orders, order: Order, returned: SaleorReturn, lines: dict[int, int], error: Exception
) -> int:
    """Note once that kasify cannot take *returned*'s *lines*; returns 1 when noted now."""
    data_lines = {str(line_id): quantity for line_id, quantity in sorted(lines.items())}
    if any(
        entry.kind == RETURNED_KIND
        and entry.data.get("saleor_fulfillment_id") == returned.id
        and entry.data.get("lines") == data_lines
        for entry in order.timeline
    ):
        return 0
    what = "returned and refunded" if returned.refunded else "returned"
    orders.record_event(
        order.id,
        RETURNED_KIND,
        f"Saleor: {describe_lines(order, lines)} {what}, which kasify cannot take as a return "
        f"({error}); nothing changed here",
        data={
            "saleor_fulfillment_id": returned.id,
            "lines": data_lines,
            "refunded": returned.refunded,
            "error": str(error),
        },
        actor=ACTOR,
    )
    return 1
