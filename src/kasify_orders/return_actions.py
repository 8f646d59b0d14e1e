"""Returns (RMAs) as pure functions: open, receive, mark refunded, close.

open -> received (restock or not) -> refunded or closed; open -> closed too (the customer never
sent it). A line is never returned more than was shipped: the returns that hold units (every
one but those closed unreceived) add up to at most the line's shipped units. The service puts
received units back in stock and refunds a return by line (:mod:`kasify_orders.service.returns`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from kasify_orders import restocking
from kasify_orders.change import Change, next_change
from kasify_orders.errors import ValidationError
from kasify_orders.events import ReturnUpdated
from kasify_orders.lifecycle import Action, RefundStatus, require
from kasify_orders.model import Order, TimelineEvent, describe_lines
from kasify_orders.return_model import Return, ReturnStatus
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import MAX_REASON, Checker, whole_number

__all__ = [
    "close_return",
    "link_refund",
    "mark_refunded",
    "open_return",
    "receive_return",
    "refund_failed",
    "return_lines",
    "returning",
]


def return_lines(order: Order, lines: Mapping[Any, Any] | None, checker: Checker) -> dict[int, int]:
    """*lines* (``{line_id: quantity}``) checked against the shipped units not in a return yet."""
    known = {line.id for line in order.lines}
    left = order.returnable_quantities()
    shipped = order.shipped_quantities()
    chosen: dict[int, int] = {}
    for raw_id, raw_quantity in (lines or {}).items():
        path = f"lines[{raw_id}]"
        line_id = whole_number(raw_id)
        if line_id is None or line_id not in known:
            ids = ", ".join(str(i) for i in sorted(known))
            checker.fail(
                path,
                "is not a line of order #%(number)s (its lines are %(ids)s)",
                number=order.number,
                ids=ids,
            )
            continue
        quantity = whole_number(raw_quantity)
        if quantity is None or quantity < 0:
            checker.fail(
                path, "must be a whole number of units, at least 1, got %(got)s", got=repr(raw_quantity)
            )
            continue
        if quantity == 0:
            continue  # a line shown on a form and left at 0
        if quantity > left.get(line_id, 0):
            checker.fail(
                path,
                "only %(left)s of its %(shipped)s shipped units may still be returned",
                left=left.get(line_id, 0),
                shipped=shipped.get(line_id, 0),
            )
            continue
        chosen[line_id] = quantity
    if not chosen and not checker.errors:
        checker.fail("lines", "choose at least one shipped line to return")
    return chosen


def open_return(
    order: Order,
    *,
    lines: Mapping[Any, Any] | None,
    reason: str,
    return_id: str,
    at: datetime,
    actor: str | None,
    idempotency_key: str | None = None,
) -> Change:
    """Open a return of *lines* (shipped units) for *reason*: OPEN, on the timeline.

    *idempotency_key*, when given, is kept in the timeline entry's data, where
    :func:`opened_with` finds it.

    :raises InvalidTransition: the order cannot have shipped units (Pending, Cancelled).
    :raises ValidationError: naming ``lines[<id>]``, ``lines`` or ``reason``.
    """
    require(Action.OPEN_RETURN, order.status, order.payment_status)
    checker = Checker()
    chosen = return_lines(order, lines, checker)
    reason = checker.text("reason", reason, max_length=MAX_REASON)
    checker.done()
    made = Return(return_id, chosen, reason, ReturnStatus.OPEN, at)
    what = describe_lines(order, made.lines)
    data: dict[str, Any] = {"return_id": return_id, "lines": _data(made.lines), "reason": reason}
    if idempotency_key is not None:
        data["idempotency_key"] = idempotency_key
    entry = TimelineEvent(TimelineKind.RETURN_OPENED, at, actor, f"Return opened for {what}: {reason}", data)
    return next_change(order, entry, (ReturnUpdated(return_id, "opened"),), returns=(*order.returns, made))


def returning(
    order: Order, return_id: object, *, action: Action, allowed: tuple[ReturnStatus, ...]
) -> Return:
    """The return *return_id* of *order*, if it is in one of the *allowed* statuses.

    :raises ValidationError: naming ``return_id`` (no such return) or ``status`` (not now).
    """
    require(action, order.status, order.payment_status)
    found = order.return_by_id(return_id) if isinstance(return_id, str) else None
    if found is None:
        ids = ", ".join(r.id for r in order.returns) or "none"
        raise ValidationError.single(
            "return_id",
            "is not a return of order #%(number)s (its returns: %(ids)s)",
            number=order.number,
            ids=ids,
        )
    if found.status not in allowed:
        raise ValidationError.single(
            "status",
            "the return is %(status)s; only a return that is %(allowed)s can be %(done)s",
            status=found.status.value,
            allowed=" or ".join(status.value for status in allowed),
            done=_DONE[action],
        )
    return found


_DONE = {
    Action.RECEIVE_RETURN: "received",
    Action.REFUND_RETURN: "refunded",
    Action.CLOSE_RETURN: "closed",
}


def _data(lines: Mapping[int, int]) -> dict[str, int]:
    return {str(line_id): quantity for line_id, quantity in lines.items()}


def _replace(order: Order, changed: Return) -> tuple[Return, ...]:
    return tuple(changed if r.id == changed.id else r for r in order.returns)


def receive_return(
    order: Order, return_id: object, *, restock: bool, at: datetime, actor: str | None
) -> Change:
    """The open return's units came back: RECEIVED (*restock*: the service puts them back in stock)."""
    found = returning(order, return_id, action=Action.RECEIVE_RETURN, allowed=(ReturnStatus.OPEN,))
    received = attrs.evolve(found, status=ReturnStatus.RECEIVED, received_at=at, restocked=bool(restock))
    what = describe_lines(order, found.lines)
    data: dict[str, Any] = {"return_id": found.id, "lines": _data(found.lines), "restock": bool(restock)}
    message = f"Return received: {what}"
    kept: dict[int, int] = {}
    if restock:  # a unit a refund by line put back already is not put back again
        put = restocking.put_back(order, attrs.evolve(order, returns=_replace(order, received)))
        kept = {i: units - put.get(i, 0) for i, units in found.lines.items() if units > put.get(i, 0)}
    if kept:
        message += f" ({describe_lines(order, kept)} back in stock already: not put back again)"
        data["back_already"] = _data(kept)
    elif restock:
        message += " (put back in stock)"
    entry = TimelineEvent(TimelineKind.RETURN_RECEIVED, at, actor, message, data)
    return next_change(
        order, entry, (ReturnUpdated(found.id, "received"),), returns=_replace(order, received)
    )


def mark_refunded(
    order: Order, return_id: object, *, refund_id: str, note: str, at: datetime, actor: str | None
) -> Change:
    """The received return was refunded by the refund *refund_id* (made in the same transaction)."""
    found = returning(order, return_id, action=Action.REFUND_RETURN, allowed=(ReturnStatus.RECEIVED,))
    refunded = attrs.evolve(found, status=ReturnStatus.REFUNDED, closed_at=at, refund_id=refund_id)
    made = order.refund(refund_id)
    amount = f" {made.amount} {order.currency}" if made is not None else ""
    entry = TimelineEvent(
        TimelineKind.RETURN_REFUNDED,
        at,
        actor,
        f"Return refunded{amount}: {describe_lines(order, found.lines)}"
        + (f" — note: {note}" if note else ""),
        {
            "return_id": found.id,
            "refund_id": refund_id,
            "lines": _data(found.lines),
            "amount": str(made.amount) if made is not None else "",
            "note": note,
        },
    )
    return next_change(
        order, entry, (ReturnUpdated(found.id, "refunded"),), returns=_replace(order, refunded)
    )


def opened_with(order: Order, idempotency_key: str) -> str | None:
    """The id of the return of *order* opened with *idempotency_key*, or None."""
    for entry in order.timeline:
        if entry.kind == TimelineKind.RETURN_OPENED and entry.data.get("idempotency_key") == idempotency_key:
            return str(entry.data.get("return_id"))
    return None


def link_refund(
    order: Order, return_id: object, *, refund_id: str, note: str, at: datetime, actor: str | None
) -> Change | None:
    """The received return was refunded by *refund_id*, a settled refund by line of just its lines.

    Returns None when the return names that refund already (a retry).

    :raises ValidationError: naming ``return_id``, ``status``, or ``provider_reference`` (the
        refund is not settled, is not of the return's lines, or refunded another return).
    """
    found = returning(
        order, return_id, action=Action.REFUND_RETURN, allowed=(ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
    )
    if found.refund_id == refund_id:
        return None
    returning(order, return_id, action=Action.REFUND_RETURN, allowed=(ReturnStatus.RECEIVED,))
    made = order.refund(refund_id)
    if (
        made is None
        or made.status is not RefundStatus.SETTLED
        or dict(made.lines) != dict(found.lines)
        or any(r.refund_id == refund_id for r in order.returns)
    ):
        raise ValidationError.single(
            "provider_reference",
            "names a refund that is not a settled refund of just this return's lines (%(lines)s)",
            lines=describe_lines(order, found.lines),
        )
    return mark_refunded(order, found.id, refund_id=refund_id, note=note, at=at, actor=actor)


def close_return(order: Order, return_id: object, *, note: str, at: datetime, actor: str | None) -> Change:
    """Close an open or received return without a refund (an open one frees its units)."""
    found = returning(
        order, return_id, action=Action.CLOSE_RETURN, allowed=(ReturnStatus.OPEN, ReturnStatus.RECEIVED)
    )
    checker = Checker()
    note = checker.text("note", note, required=False, max_length=MAX_REASON)
    checker.done()
    closed = attrs.evolve(found, status=ReturnStatus.CLOSED, closed_at=at)
    unreceived = found.received_at is None
    message = f"Return closed without a refund: {describe_lines(order, found.lines)}"
    if unreceived:
        message += " (never received)"
    if note:
        message += f" — note: {note}"
    entry = TimelineEvent(
        TimelineKind.RETURN_CLOSED,
        at,
        actor,
        message,
        {"return_id": found.id, "lines": _data(found.lines), "received": not unreceived, "note": note},
    )
    return next_change(order, entry, (ReturnUpdated(found.id, "closed"),), returns=_replace(order, closed))


def refund_failed(order: Order, refund_id: str) -> Order:
    """*order* with the return its failed refund *refund_id* was for received again (refundable anew)."""
    if not any(r.refund_id == refund_id for r in order.returns):
        return order
    returns = tuple(
        attrs.evolve(r, status=ReturnStatus.RECEIVED, closed_at=None, refund_id=None)
        if r.refund_id == refund_id
        else r
        for r in order.returns
    )
    return attrs.evolve(order, returns=returns)
