"""Editing an order before it ships, as a pure function: the address, quantities and lines.

Allowed while nothing has shipped (Pending, Processing or On hold, no parcel). The totals are
added up again (:func:`~kasify_orders.pricing.totals_for`): a kasify coupon's discount is
recomputed and its minimum order re-checked; a discount another system computed is kept (no
more than the new subtotal and shipping). What was paid does not change, so a paid order edited
up shows an amount due and one edited down a refundable difference
(:attr:`~kasify_orders.model.Totals.amount_due`, :attr:`~kasify_orders.model.Totals.refund_due`).

Line ids stay as they were: a removed line's id is not given to another line of the order
(new lines take ids after the highest the order has had, removed lines included), so parcels
and refunds naming a line keep naming the same one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import edit_changes, money, pricing
from kasify_orders.change import Change, next_change
from kasify_orders.errors import InvalidTransition, ValidationError
from kasify_orders.events import OrderUpdated
from kasify_orders.lifecycle import Status
from kasify_orders.model import Address, Coupon, Line, NewLine, Order, TimelineEvent, Totals
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import MAX_QUANTITY, MAX_REASON, Checker, _address, _line, whole_number

__all__ = [
    "EDITABLE",
    "OrderEdit",
    "check_edit",
    "edit",
    "edited_lines",
    "highest_line_id",
    "is_editable",
    "require_editable",
    "scaled_tax",
    "stock_changes",
]


@attrs.frozen
class OrderEdit:
    """An edit checked against its order: what each field asks for, normalised."""

    shipping_address: Address | None
    #: ``{line_id: new quantity}`` for the lines whose quantity changes.
    set_quantity: Mapping[int, int]
    add_lines: tuple[NewLine, ...]
    remove_lines: tuple[int, ...]
    note: str


#: The statuses an order may be edited from (and only while no parcel has shipped). Not a row
#: of ``lifecycle.ACTIONS``: the edit has its own page, API route and command, not a registry form.
EDITABLE = frozenset({Status.PENDING, Status.PROCESSING, Status.ON_HOLD})
_EDITABLE_NAMES = [status.value for status in Status if status in EDITABLE]


def is_editable(order: Order) -> bool:
    """Whether the order may be edited now: Pending, Processing or On hold, and nothing shipped."""
    return order.status in EDITABLE and not order.shipments


def require_editable(order: Order) -> None:
    """Raise :class:`InvalidTransition` unless the order may be edited: not shipped, not closed."""
    if order.status not in EDITABLE:
        raise InvalidTransition("edit", order.status.value, _EDITABLE_NAMES)
    if order.shipments:
        raise InvalidTransition(
            "edit", order.status.value, _EDITABLE_NAMES, reason="a parcel has already shipped"
        )


def check_edit(
    order: Order,
    *,
    shipping_address: object,
    set_quantity: Mapping[Any, Any] | None,
    add_lines: Sequence[object],
    remove_lines: Sequence[Any],
    note: str,
) -> OrderEdit:
    """Check every field of the edit against *order*; raise one :class:`ValidationError` naming them."""
    checker = Checker()
    address = None
    if shipping_address is not None:
        if isinstance(shipping_address, Address):
            address = _address(checker, "shipping_address", shipping_address)
        else:
            checker.fail("shipping_address", f"must be an Address, got {type(shipping_address).__name__}")
    removed = _removed(checker, order, remove_lines)
    quantities = _quantities(checker, order, set_quantity or {}, removed)
    added: list[NewLine] = []
    for index, new_line in enumerate(add_lines):
        path = f"add_lines[{index}]"
        if isinstance(new_line, NewLine):
            added.append(
                _line(checker, path, new_line, order.currency, tax_included=order.totals.prices_include_tax)
            )
        else:
            checker.fail(path, f"must be a NewLine, got {type(new_line).__name__}")
    text = checker.text("note", note, required=False, max_length=MAX_REASON)
    if not checker.errors and len(removed) == len(order.lines) and not added:
        checker.fail("remove_lines", "an order keeps at least one line: add one, or cancel the order")
    checker.done()
    if address == order.shipping_address:
        address = None
    if address is None and not quantities and not added and not removed:
        raise ValidationError.single("order", "nothing to change: the edit asks for the order as it is")
    return OrderEdit(address, quantities, tuple(added), tuple(removed), text)


def _not_a_line(checker: Checker, path: str, order: Order) -> None:
    ids = ", ".join(str(line.id) for line in order.lines)
    checker.fail(
        path, "is not a line of order #%(number)s (its lines are %(ids)s)", number=order.number, ids=ids
    )


def _removed(checker: Checker, order: Order, remove_lines: Sequence[Any]) -> list[int]:
    known = {line.id for line in order.lines}
    refunded = order.refunded_quantities()
    removed: list[int] = []
    for index, raw in enumerate(remove_lines):
        line_id = whole_number(raw)
        if line_id is None or line_id not in known:
            _not_a_line(checker, f"remove_lines[{index}]", order)
        elif refunded.get(line_id):
            checker.fail(
                f"remove_lines[{index}]",
                "line %(line)s stays: %(units)s of its units were refunded",
                line=line_id,
                units=refunded[line_id],
            )
        elif line_id in removed:
            checker.fail(f"remove_lines[{index}]", "line %(line)s is named twice", line=line_id)
        else:
            removed.append(line_id)
    return removed


def _quantities(
    checker: Checker, order: Order, set_quantity: Mapping[Any, Any], removed: Sequence[int]
) -> dict[int, int]:
    """``{line_id: quantity}`` of the lines whose quantity changes (one equal to today's is no change)."""
    known = {line.id: line for line in order.lines}
    refunded = order.refunded_quantities()
    quantities: dict[int, int] = {}
    for raw_id, raw_quantity in set_quantity.items():
        path = f"set_quantity[{raw_id}]"
        line_id = whole_number(raw_id)
        quantity = whole_number(raw_quantity)
        if line_id is None or line_id not in known:
            _not_a_line(checker, path, order)
        elif line_id in removed:
            checker.fail(path, "line %(line)s is also in remove_lines", line=line_id)
        elif quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            checker.fail(
                path,
                "must be a whole number of units from 1 to %(most)s (remove_lines removes a line),"
                " got %(got)s",
                most=f"{MAX_QUANTITY:,}",
                got=repr(raw_quantity),
            )
        elif quantity < refunded.get(line_id, 0):
            checker.fail(
                path,
                "must be at least %(units)s: that many of its units were refunded",
                units=refunded[line_id],
            )
        elif quantity != known[line_id].quantity:
            quantities[line_id] = quantity
    return quantities


def edit(
    order: Order,
    *,
    shipping_address: Address | None = None,
    set_quantity: Mapping[Any, Any] | None = None,
    add_lines: Sequence[NewLine] = (),
    remove_lines: Sequence[Any] = (),
    note: str = "",
    coupon: Coupon | None = None,
    at: datetime,
    actor: str | None,
) -> Change:
    """The order as edited, its ``edited`` timeline entry (every change old -> new) and OrderUpdated.

    *coupon*: the kasify coupon the order was placed with (its discount is recomputed and its
    minimum re-checked); None keeps the order's discount as it is (none, or another system's).

    :raises InvalidTransition: a parcel has shipped, or the order is closed.
    :raises ValidationError: naming ``shipping_address.<field>``, ``set_quantity[<id>]``,
        ``remove_lines[<i>]``, ``add_lines[<i>].<field>``, ``note``, ``coupon_code`` (the
        coupon's minimum), or ``order`` when nothing would change.
    """
    require_editable(order)
    wanted = check_edit(
        order,
        shipping_address=shipping_address,
        set_quantity=set_quantity,
        add_lines=add_lines,
        remove_lines=remove_lines,
        note=note,
    )
    lines = edited_lines(order, wanted)
    totals = _totals(order, lines, coupon)
    changes = edit_changes.changes(
        order,
        shipping_address=wanted.shipping_address,
        set_quantity=wanted.set_quantity,
        remove_lines=wanted.remove_lines,
        lines=lines,
        totals=totals,
    )
    message = "Order edited: " + "; ".join(change["text"] for change in changes)
    if wanted.note:
        message += f" — note: {wanted.note}"
    entry = TimelineEvent(
        TimelineKind.EDITED,
        at,
        actor,
        message,
        {"changes": [dict(change) for change in changes], "note": wanted.note},
    )
    return next_change(
        order,
        entry,
        (OrderUpdated(),),
        lines=lines,
        totals=totals,
        shipping_address=wanted.shipping_address or order.shipping_address,
    )


def edited_lines(order: Order, wanted: OrderEdit) -> tuple[Line, ...]:
    """The order's lines after *wanted*: kept ones with their ids, new ones after the highest id used."""
    kept = []
    for line in order.lines:
        if line.id in wanted.remove_lines:
            continue
        quantity = wanted.set_quantity.get(line.id, line.quantity)
        tax = scaled_tax(line, quantity, order.currency)
        kept.append(attrs.evolve(line, quantity=quantity, total=line.unit_price * quantity, tax=tax))
    next_id = highest_line_id(order) + 1
    for offset, priced in enumerate(pricing.lines_for(wanted.add_lines)):
        kept.append(attrs.evolve(priced, id=next_id + offset))
    return tuple(kept)


def scaled_tax(line: Line, quantity: int, currency: str) -> Decimal:
    """The line's tax for *quantity* units: its tax scaled by ``quantity / line.quantity``.

    Rounded half up to the currency's minor unit (kasify computes no tax: this keeps the host's
    per-unit tax, to the cent, for the units the edit keeps or adds). Unchanged when the
    quantity is.
    """
    if quantity == line.quantity:
        return line.tax
    return money.quantize(line.tax * quantity / line.quantity, currency)


def highest_line_id(order: Order) -> int:
    """The highest line id the order has had: its lines' and those its earlier edits removed."""
    highest = max((line.id for line in order.lines), default=0)
    for entry in order.timeline:
        if entry.kind != TimelineKind.EDITED:
            continue
        for change in entry.data.get("changes", ()):
            if isinstance(change, Mapping) and isinstance(change.get("line_id"), int):
                highest = max(highest, change["line_id"])
    return highest


def _totals(order: Order, lines: Sequence[Line], coupon: Coupon | None) -> Totals:
    currency = order.currency
    if coupon is not None and coupon.minimum_order is not None:
        subtotal = pricing.subtotal_of(lines, currency)
        if subtotal < coupon.minimum_order:
            minimum = money.quantize(coupon.minimum_order, currency)
            raise ValidationError.single(
                "coupon_code",
                "coupon %(code)s needs a subtotal of at least %(minimum)s %(currency)s;"
                " the edited order's would be %(subtotal)s %(currency)s",
                code=coupon.code,
                minimum=minimum,
                currency=currency,
                subtotal=subtotal,
            )
    external = None
    if coupon is None:
        # No kasify coupon: keep the discount given (none, or another system's), within the order.
        subtotal = pricing.subtotal_of(lines, currency)
        external = min(order.totals.discount, subtotal + order.totals.shipping)
    fresh = pricing.totals_for(
        lines,
        shipping=order.totals.shipping,
        coupon=coupon,
        currency=currency,
        external_discount=external,
        shipping_tax=order.totals.shipping_tax,
        prices_include_tax=order.totals.prices_include_tax,
    )
    return attrs.evolve(
        fresh,
        refunded=order.totals.refunded,
        refund_pending=order.totals.refund_pending,
        paid=order.totals.paid,
    )


def stock_changes(before: Iterable[Line], after: Iterable[Line]) -> dict[str, int]:
    """Units per SKU the edit takes (positive) or gives back (negative); SKUs unchanged left out."""
    delta: dict[str, int] = {}
    for line in before:
        delta[line.sku] = delta.get(line.sku, 0) - line.quantity
    for line in after:
        delta[line.sku] = delta.get(line.sku, 0) + line.quantity
    return {sku: units for sku, units in delta.items() if units}
