"""Refunds as pure functions: issued by hand, or asked of the payment provider and then settled or failed.

Part of :mod:`kasify_orders.actions` (which re-exports every name here).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import line_refunds, money, restocking
from kasify_orders.change import Change, next_change
from kasify_orders.errors import RefundExceedsBalance
from kasify_orders.events import OrderRefunded
from kasify_orders.lifecycle import Action, PaymentStatus, RefundStatus, Status, require
from kasify_orders.model import Order, Refund, TimelineEvent, describe_lines
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import Checker

__all__ = ["check_refund", "fail_refund", "refund", "request_refund", "settle_refund"]


def refund(
    order: Order,
    *,
    amount: Decimal | None,
    note: str,
    refund_id: str,
    at: datetime,
    actor: str | None,
    reference: str | None = None,
    idempotency_key: str | None = None,
    lines: Mapping[Any, Any] | None = None,
    shipping: bool = False,
    restock: bool = False,
) -> Change:
    """Record a refund as issued (by hand, with no payment plugin): SETTLED at once.

    The whole balance when *amount* is None, else *amount*; or, by line, the units of *lines*
    (``{line_id: quantity}``) each at its price after its share of the discount, plus the
    shipping with *shipping* (see :mod:`kasify_orders.line_refunds`). A refund that brings the
    refunded total to the amount paid makes the payment REFUNDED and the order Refunded (a
    Cancelled order stays Cancelled); a partial refund keeps the order's status, so a partly
    refunded order can still ship. *restock*: the service puts the units back in stock.
    """
    value, parts = check_refund(order, amount, note, lines=lines, shipping=shipping, restock=restock)
    record = Refund(
        refund_id,
        value,
        at,
        note.strip(),
        actor,
        reference,
        idempotency_key,
        resolved_at=at,
        **_by_line(parts, restock),
    )
    return _settle(order, record, at)


def _by_line(parts: line_refunds.LineRefund | None, restock: bool) -> dict[str, Any]:
    """The Refund fields of a refund by line (none for a refund by amount)."""
    if parts is None:
        return {}
    return {
        "lines": parts.lines,
        "line_amounts": parts.line_amounts,
        "shipping": parts.shipping,
        "restock": restock and bool(parts.lines),
    }


def _what(order: Order, record: Refund) -> str:
    """`` for 1 x T-shirt, shipping`` (a refund by line), or nothing."""
    if not record.by_line:
        return ""
    return " for " + line_refunds.describe(order, record.lines, record.shipping)


def _back_already(order: Order, record: Refund) -> dict[int, int]:
    """The units of a settling refund by line with restock already back in stock (not put back again)."""
    if not record.restock or order.status is Status.CANCELLED:
        return {}
    return restocking.already_back(order, record.lines)


def _line_data(record: Refund) -> dict[str, Any]:
    """The timeline data of a refund by line: its lines, shipping and restock."""
    if not record.by_line:
        return {}
    return {
        "lines": {str(line_id): quantity for line_id, quantity in record.lines.items()},
        "shipping": record.shipping,
        "restock": record.restock,
    }


def request_refund(
    order: Order,
    *,
    amount: Decimal | None,
    note: str,
    refund_id: str,
    at: datetime,
    actor: str | None,
    idempotency_key: str | None = None,
    lines: Mapping[Any, Any] | None = None,
    shipping: bool = False,
    restock: bool = False,
) -> Change:
    """Record a refund about to be asked of the payment provider: PENDING, its amount held.

    The held amount is no longer refundable, so two refunds asked at once never exceed what
    was paid, and the units of a refund by line can not be refunded again meanwhile;
    :func:`settle_refund` or :func:`fail_refund` releases them.
    """
    value, parts = check_refund(order, amount, note, lines=lines, shipping=shipping, restock=restock)
    record = Refund(
        refund_id,
        value,
        at,
        note.strip(),
        actor,
        None,
        idempotency_key,
        status=RefundStatus.PENDING,
        **_by_line(parts, restock),
    )
    message = f"Refund of {value} {order.currency}{_what(order, record)} asked of the payment provider" + (
        f" — note: {record.note}" if record.note else ""
    )
    entry = TimelineEvent(
        TimelineKind.REFUND_REQUESTED,
        at,
        actor,
        message,
        {"refund_id": refund_id, "amount": str(value), "note": record.note, **_line_data(record)},
    )
    return next_change(
        order,
        entry,
        totals=attrs.evolve(order.totals, refund_pending=order.totals.refund_pending + value),
        refunds=(*order.refunds, record),
    )


def _pending(order: Order, refund_id: str) -> Refund:
    """The pending refund *refund_id* of *order*."""
    found = order.refund(refund_id)
    if found is None or found.status is not RefundStatus.PENDING:
        raise ValueError(f"order {order.id} has no pending refund {refund_id}")
    return found


def settle_refund(order: Order, refund_id: str, *, reference: str | None, at: datetime) -> Change:
    """The provider paid out the pending refund *refund_id*: it now counts as refunded."""
    pending = _pending(order, refund_id)
    record = attrs.evolve(pending, status=RefundStatus.SETTLED, reference=reference, resolved_at=at)
    return _settle(order, record, at)


def fail_refund(order: Order, refund_id: str, *, reason: str, at: datetime) -> Change:
    """The provider refused the pending refund *refund_id*: the held amount is refundable again.

    Nothing else changes (payment status, order status, refunded total) and no event is raised,
    so no refund email goes out; the timeline says what failed and why.
    """
    pending = _pending(order, refund_id)
    reason = " ".join(reason.split())[:1000] or "no reason given"
    record = attrs.evolve(pending, status=RefundStatus.FAILED, failure=reason, resolved_at=at)
    entry = TimelineEvent(
        TimelineKind.REFUND_FAILED,
        at,
        pending.actor,
        f"Refund of {pending.amount} {order.currency} failed: {reason}",
        {"refund_id": refund_id, "amount": str(pending.amount), "reason": reason},
    )
    return next_change(
        order,
        entry,
        totals=attrs.evolve(order.totals, refund_pending=order.totals.refund_pending - pending.amount),
        refunds=tuple(record if r.id == refund_id else r for r in order.refunds),
    )


def _settle(order: Order, record: Refund, at: datetime) -> Change:
    """Count the settled *record* as refunded (in place of the pending refund of its id, if any)."""
    value = record.amount
    held = order.totals.refund_pending
    was = order.refund(record.id)
    pending = was is not None and was.status is RefundStatus.PENDING
    if pending:  # release what it held
        held -= value
    refunded = order.totals.refunded + value
    full = refunded == order.totals.refund_basis
    status = order.status
    if full and status is not Status.CANCELLED:
        status = Status.REFUNDED
    kept = _back_already(order, record)
    message = f"Refunded {value} {order.currency}{_what(order, record)}" + (
        f" ({describe_lines(order, kept)} back in stock already: not put back again)" if kept else ""
    )
    message += f" — note: {record.note}" if record.note else ""
    entry = TimelineEvent(
        TimelineKind.REFUNDED,
        at,
        record.actor,
        message,
        {
            "refund_id": record.id,
            "amount": str(value),
            "reference": record.reference,
            "note": record.note,
            **_line_data(record),
            **({"back_already": {str(line_id): units for line_id, units in kept.items()}} if kept else {}),
        },
    )
    if pending:
        refunds = tuple(record if r.id == record.id else r for r in order.refunds)
    else:
        refunds = (*order.refunds, record)
    return next_change(
        order,
        entry,
        (OrderRefunded(record),),
        status=status,
        payment_status=PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
        totals=attrs.evolve(order.totals, refunded=refunded, refund_pending=held),
        refunds=refunds,
    )


def check_refund(
    order: Order,
    amount: Decimal | None,
    note: str,
    *,
    lines: Mapping[Any, Any] | None = None,
    shipping: bool = False,
    restock: bool = False,
) -> tuple[Decimal, line_refunds.LineRefund | None]:
    """Raise unless the refund may be issued; return the amount it would refund (and its lines).

    A refund is by amount, or by line when *lines* or *shipping* are given (never both).
    """
    require(Action.REFUND, order.status, order.payment_status)
    checker = Checker()
    checker.text("note", note, required=False, max_length=2000, multiline=True)
    by_line = bool(lines) or shipping
    if amount is not None:
        amount = checker.amount("amount", amount, order.currency, positive=True)
        if by_line:
            checker.fail("amount", "give an amount or lines and shipping to refund, not both")
    if restock and not lines:
        checker.fail("restock", "only a refund of lines puts units back in stock: choose the lines")
    checker.done()
    parts = None
    if by_line:
        chosen = line_refunds.refund_lines(order, lines, shipping=shipping)
        parts = line_refunds.line_refund(order, chosen, shipping=shipping)
        amount = parts.amount
    refundable = order.totals.refundable
    if refundable <= 0 or (amount is not None and amount > refundable):
        raise RefundExceedsBalance(amount, money.quantize(refundable, order.currency), order.currency)
    return refundable if amount is None else money.quantize(amount, order.currency), parts  # 10 -> 10.00
