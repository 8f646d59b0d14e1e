"""What a refund by line refunds: each unit's price after its share of the order's discount, and its tax.

The order's discount (a coupon's or another system's) is shared across its lines in proportion
to their totals, largest remainder first in minor units, so the shares add up exactly to the
discount; what the lines cannot take (a free-shipping discount larger than the subtotal) comes
off the shipping. Within a line the units are refunded on a running total, so refunding every
unit of a line, however many at a time, refunds exactly the line's price after its share.

Tax: when the order's prices exclude tax, each unit also refunds its share of the line's tax
(the host's, on a running total too, so a line's units refunded one by one add up exactly to
its tax), and the shipping refunds its tax. When they include it, the price already holds the
tax and nothing is added. The discount never changes the tax (the host's, taken as given).
Pure arithmetic and checks: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import money
from kasify_orders.model import ZERO, Order, describe_lines
from kasify_orders.validation import Checker

__all__ = ["LineRefund", "allocate", "describe", "discount_shares", "line_refund", "refund_lines"]


@attrs.frozen
class LineRefund:
    """The amounts of one refund by line: per line, the shipping's, and their sum."""

    lines: Mapping[int, int]
    line_amounts: Mapping[int, Decimal]
    shipping: bool
    shipping_amount: Decimal

    @property
    def amount(self) -> Decimal:
        """What the refund refunds in all."""
        return sum(self.line_amounts.values(), ZERO) + self.shipping_amount


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Share *amount* across *weights* proportionally, in minor units, adding up exactly to *amount*.

    Each share is rounded down to the minor unit; the units left over go one each to the
    largest remainders (the first of equal ones first). Zero weights get nothing.
    """
    total_weight = sum(weights, ZERO)
    exponent = money.minor_unit(currency)
    units = int(money.quantize(amount, currency).scaleb(exponent))
    if total_weight <= 0 or units == 0:
        return [money.from_minor(0, currency) for _weight in weights]
    exact = [Decimal(units) * weight / total_weight for weight in weights]
    floors = [int(share) for share in exact]  # shares are never negative: int() rounds down
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [money.from_minor(share, currency) for share in floors]


def discount_shares(order: Order) -> tuple[dict[int, Decimal], Decimal]:
    """``({line_id: its share of the discount}, the shipping's share)`` of *order*."""
    totals = order.totals
    on_lines = min(totals.discount, totals.subtotal)
    shares = allocate(on_lines, [line.total for line in order.lines], order.currency)
    return (
        {line.id: share for line, share in zip(order.lines, shares, strict=True)},
        money.quantize(totals.discount - on_lines, order.currency),
    )


def refund_lines(order: Order, lines: Mapping[Any, Any] | None, *, shipping: bool) -> dict[int, int]:
    """*lines* (``{line_id: quantity}``) checked against what is left to refund of each.

    :raises ValidationError: naming ``lines[<id>]`` for an unknown line, a quantity that is not a
        positive whole number or more than is left to refund; ``lines`` when nothing is chosen;
        ``shipping`` when the shipping was refunded already (or the order has none).
    """
    known = {line.id for line in order.lines}
    left = order.refundable_quantities()
    refunded = order.refunded_quantities()
    checker = Checker()
    chosen: dict[int, int] = {}
    for raw_id, raw_quantity in (lines or {}).items():
        line_id = _int(raw_id)
        path = f"lines[{raw_id}]"
        if line_id is None or line_id not in known:
            ids = ", ".join(str(i) for i in sorted(known))
            checker.fail(path, f"is not a line of order #{order.number} (its lines are {ids})")
            continue
        quantity = _int(raw_quantity) if not isinstance(raw_quantity, bool) else None
        if quantity is None or quantity < 0:
            checker.fail(path, f"must be a whole number of units, at least 1, got {raw_quantity!r}")
            continue
        if quantity == 0:
            continue  # a line shown on a form and left at 0
        units = left.get(line_id, 0)
        if quantity > units:
            ordered = units + refunded.get(line_id, 0)
            plural = "s" if ordered != 1 else ""
            checker.fail(path, f"only {units} of {ordered} unit{plural} is left to refund")
            continue
        chosen[line_id] = quantity
    if shipping and order.shipping_refunded:
        checker.fail("shipping", "the shipping was refunded already")
    elif shipping and order.totals.shipping <= 0:
        checker.fail("shipping", "this order has no shipping to refund")
    if not chosen and not shipping and not checker.errors:
        checker.fail("lines", "choose at least one line (or the shipping) to refund")
    checker.done()
    return chosen


def line_refund(order: Order, lines: Mapping[int, int], *, shipping: bool) -> LineRefund:
    """The amounts refunding the (checked) *lines* and, with *shipping*, the shipping, would refund."""
    currency = order.currency
    shares, shipping_share = discount_shares(order)
    refunded = order.refunded_quantities()
    by_id = {line.id: line for line in order.lines}
    amounts: dict[int, Decimal] = {}
    added_tax = not order.totals.prices_include_tax
    for line_id, quantity in lines.items():
        line = by_id[line_id]
        before, after = refunded.get(line_id, 0), refunded.get(line_id, 0) + quantity
        parts = [line.total - shares[line_id]] + ([line.tax] if added_tax else [])
        amounts[line_id] = sum(
            (
                _running(part, after, line.quantity, currency)
                - _running(part, before, line.quantity, currency)
                for part in parts
            ),
            money.quantize(ZERO, currency),
        )
    shipping_amount = money.quantize(ZERO, currency)
    if shipping:
        shipping_amount = money.quantize(order.totals.shipping - shipping_share, currency)
        if added_tax:
            shipping_amount += order.totals.shipping_tax
    return LineRefund(dict(lines), amounts, shipping, shipping_amount)


def _units(worth: Decimal, before: int, after: int, of: int, currency: str) -> Decimal:
    """What units ``before+1 .. after`` of a line of *of* units *worth* this in all refund.

    The difference of two running totals, each rounded: the units of a line, refunded one by
    one or all at once, add up exactly to *worth*.
    """
    return _running(worth, after, of, currency) - _running(worth, before, of, currency)


def _running(net: Decimal, units: int, of: int, currency: str) -> Decimal:
    """What the first *units* of a line of *of* units worth *net* in all refund."""
    return money.quantize(net * units / of, currency)


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def describe(order: Order, lines: Mapping[int, int], shipping: bool) -> str:
    """``"2 x T-shirt, 1 x Mug, shipping"``: what a refund by line refunds (English, the record's)."""
    return ", ".join(filter(None, [describe_lines(order, lines), "shipping" if shipping else ""]))
