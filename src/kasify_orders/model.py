"""The value objects: frozen attrs classes that cannot be put into an invalid state.

Inputs (:class:`NewOrder` and what it holds) are plain records checked all at once by
:func:`kasify_orders.validation.validate_new_order`, so a caller hears about every bad
field in one :class:`~kasify_orders.errors.ValidationError`. Stored state
(:class:`Order` and what it holds) checks its invariants in validators: ``attrs.evolve``
re-runs them, so no transition can produce an order whose totals do not add up.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Self

import attrs

from kasify_orders.lifecycle import FulfilmentStatus, PaymentStatus, RefundStatus, Status
from kasify_orders.return_model import Return
from kasify_orders.timeline import timeline_kind
from kasify_orders.utc import aware, to_utc

__all__ = [
    "Address",
    "Coupon",
    "CouponKind",
    "Customer",
    "Line",
    "NewLine",
    "NewOrder",
    "Order",
    "OrderSummary",
    "Page",
    "Refund",
    "Return",
    "Shipment",
    "TimelineEvent",
    "Totals",
    "describe_lines",
    "utcnow",
]

ZERO = Decimal(0)


def _new_lines(lines: Iterable[NewLine]) -> tuple[NewLine, ...]:
    return tuple(lines)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _frozen_dict(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


# -- inputs -----------------------------------------------------------------------------


@attrs.frozen
class Customer:
    """Who placed the order."""

    #: Full name, as the customer typed it.
    name: str
    #: Where order emails go.
    email: str


@attrs.frozen
class Address:
    """A postal address; ``country`` is an ISO 3166-1 alpha-2 code."""

    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    #: State, province or county, where the country uses one.
    region: str = ""


@attrs.frozen
class NewLine:
    """One line of a cart being turned into an order."""

    #: Stock-keeping unit; inventory is tracked per SKU.
    sku: str
    #: Product name, as the customer saw it.
    name: str
    quantity: int
    #: Price of one unit, in the order's currency.
    unit_price: Decimal
    #: Variant description, for example ``"Red / M"``.
    variant: str = ""
    #: The tax on the whole line (all its units), as the host computed it: kasify computes
    #: no tax. Part of the price when the order's ``prices_include_tax``, else added to it.
    tax: Decimal = ZERO


@attrs.frozen
class NewOrder:
    """Everything needed to place an order from a cart."""

    customer: Customer
    shipping_address: Address
    lines: tuple[NewLine, ...] = attrs.field(converter=_new_lines)
    #: ISO 4217 code; every amount of the order is in this currency.
    currency: str
    shipping_cost: Decimal = ZERO
    #: A coupon to apply; codes are case-insensitive.
    coupon_code: str | None = None
    #: What the customer asked for at checkout (shown to whoever packs the order).
    customer_note: str = ""
    #: A discount already computed by another system (a Saleor voucher, say). When set,
    #: kasify's coupon engine is not consulted and ``coupon_code`` is kept as a label only.
    discount: Decimal | None = None
    #: The tax on the shipping, as the host computed it (see :attr:`NewLine.tax`).
    shipping_tax: Decimal = ZERO
    #: Whether the unit prices and the shipping cost include their tax (a European shop's
    #: gross prices) or exclude it (the tax is added to the total).
    prices_include_tax: bool = False


# -- stored state -----------------------------------------------------------------------


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class Line:
    """One line of a placed order; its prices never change after placement."""

    sku: str
    name: str
    variant: str
    quantity: int
    unit_price: Decimal
    #: ``unit_price * quantity``.
    total: Decimal
    #: The line's number in its order, from 1: what ``lines={line_id: quantity}`` names.
    #: Stored, not positional: an edit that removes a line leaves the others' ids (and so
    #: their parcels) as they were, and a line added later takes the next free id. 0 on a
    #: line not in an order yet (:class:`Order` numbers those after the ones it has).
    id: int = attrs.field(default=0, kw_only=True)
    #: The tax on the whole line, as the host said (0 on orders placed before taxes).
    tax: Decimal = attrs.field(default=ZERO, kw_only=True, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.total != self.unit_price * self.quantity:
            raise ValueError(f"line {self.sku}: total {self.total} != unit price x quantity")


@attrs.frozen
class Totals:
    """An order's money; ``total = subtotal + shipping - discount (+ tax)``, always.

    The tax is added when the prices exclude it; when they include it (``prices_include_tax``)
    it is already inside the subtotal and the shipping, and shown as "incl. tax".
    """

    subtotal: Decimal = attrs.field(validator=_non_negative)
    shipping: Decimal = attrs.field(validator=_non_negative)
    #: The coupon's discount, shown as its own line.
    discount: Decimal = attrs.field(validator=_non_negative)
    #: What the customer pays.
    total: Decimal = attrs.field(validator=_non_negative)
    #: The sum of every refund paid out (settled).
    refunded: Decimal = attrs.field(default=ZERO, validator=_non_negative)
    #: The sum of the refunds asked of the payment provider and not answered yet: held
    #: against the refundable balance, so concurrent refunds never exceed what was paid.
    refund_pending: Decimal = attrs.field(default=ZERO, validator=_non_negative)
    #: What the customer paid: the total when the payment was confirmed (0 before). An edit
    #: after payment changes the total but not this, so the two may differ: see
    #: :attr:`amount_due` and :attr:`refund_due`.
    paid: Decimal = attrs.field(default=ZERO, validator=_non_negative)
    #: The host's tax: the lines' taxes plus :attr:`shipping_tax` (0 on orders placed before taxes).
    tax: Decimal = attrs.field(default=ZERO, kw_only=True, validator=_non_negative)
    #: The part of :attr:`tax` on the shipping.
    shipping_tax: Decimal = attrs.field(default=ZERO, kw_only=True, validator=_non_negative)
    #: Whether the subtotal and shipping include :attr:`tax` (else the total adds it).
    prices_include_tax: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        added = ZERO if self.prices_include_tax else self.tax
        if self.total != self.subtotal + self.shipping - self.discount + added:
            raise ValueError(
                f"total {self.total} != subtotal {self.subtotal} + shipping {self.shipping}"
                f" - discount {self.discount}" + ("" if self.prices_include_tax else f" + tax {self.tax}")
            )
        if self.shipping_tax > self.tax:
            raise ValueError(f"shipping tax {self.shipping_tax} exceeds the tax {self.tax}")
        if self.refunded + self.refund_pending > self.refund_basis:
            raise ValueError(
                f"refunded {self.refunded} and pending {self.refund_pending} exceed"
                f" what was paid {self.refund_basis}"
            )

    @property
    def refund_basis(self) -> Decimal:
        """What refunds are capped by: what was paid (the total, for totals recorded without it)."""
        return self.paid if self.paid else self.total

    @property
    def refundable(self) -> Decimal:
        """What is left to refund: what was paid (:attr:`refund_basis`) ``- refunded - refund_pending``."""
        return self.refund_basis - self.refunded - self.refund_pending

    @property
    def amount_due(self) -> Decimal:
        """What the customer still owes: ``max(0, total - paid)`` (an edit raised a paid total)."""
        return max(ZERO, self.total - self.paid)

    @property
    def refund_due(self) -> Decimal:
        """What was paid beyond the total and not refunded yet (an edit lowered a paid total)."""
        if not self.paid:
            return ZERO
        return max(ZERO, self.paid - self.refunded - self.refund_pending - self.total)


def _line_quantities(value: Mapping[int, int] | None) -> Mapping[int, int]:
    return {int(line_id): int(quantity) for line_id, quantity in sorted((value or {}).items())}


def _line_amounts(value: Mapping[int, Decimal] | None) -> Mapping[int, Decimal]:
    return {int(line_id): Decimal(amount) for line_id, amount in sorted((value or {}).items())}


@attrs.frozen
class Shipment:
    """One parcel of an order: which units it holds and how it travels.

    An order ships in one or several parcels (``order.shipments``); the tracking number of
    each may be corrected later, and each is delivered on its own.
    """

    #: Opaque identifier (32 hex digits); what ``shipment_id=`` names.
    id: str
    #: ``{line_id: quantity}``: the units of each of the order's lines in this parcel.
    lines: Mapping[int, int] = attrs.field(converter=_line_quantities)
    #: Carrier code from the registry (``"ups"``) or a custom carrier name.
    carrier: str
    tracking_number: str
    #: Where the customer follows the parcel, when the carrier has a tracking page.
    tracking_url: str | None
    shipped_at: datetime = attrs.field(converter=to_utc, validator=aware)
    #: When the parcel arrived (None until it is marked delivered).
    delivered_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    #: Another system's id for this parcel (a Saleor fulfillment's), when it came from there.
    reference: str | None = None

    @property
    def units(self) -> int:
        """How many units the parcel holds."""
        return sum(self.lines.values())


@attrs.frozen
class Refund:
    """Money returned to the customer."""

    id: str
    amount: Decimal
    created_at: datetime = attrs.field(converter=to_utc, validator=aware)
    #: Internal note; never shown to the customer.
    note: str = ""
    actor: str | None = None
    #: The payment provider's reference, when a plugin made the refund.
    reference: str | None = None
    idempotency_key: str | None = None
    #: PENDING while the provider has not answered; only SETTLED refunds count as refunded.
    status: RefundStatus = attrs.field(default=RefundStatus.SETTLED, converter=RefundStatus)
    #: When it settled or failed (None while pending); ``created_at`` is when it was asked for.
    resolved_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    #: Why the provider refused it (FAILED only).
    failure: str | None = None
    #: A refund by line: ``{line_id: quantity}`` of the units it refunds (empty: by amount).
    lines: Mapping[int, int] = attrs.field(factory=dict, converter=_line_quantities, kw_only=True)
    #: What it refunds of each of those lines (their price after their share of the discount,
    #: plus their share of the line's tax when the prices exclude it).
    line_amounts: Mapping[int, Decimal] = attrs.field(factory=dict, converter=_line_amounts, kw_only=True)
    #: Whether it refunds the order's shipping (once per order, over all refunds).
    shipping: bool = attrs.field(default=False, kw_only=True)
    #: Whether its units go back in stock (when it settles).
    restock: bool = attrs.field(default=False, kw_only=True)

    @property
    def by_line(self) -> bool:
        """Whether it refunds chosen lines or the shipping (not just an amount)."""
        return bool(self.lines) or self.shipping

    @property
    def provider_key(self) -> str:
        """The key kasify passes to ``kasify_refund_payment``: the caller's, else the refund's id."""
        return self.idempotency_key or self.id


@attrs.frozen
class TimelineEvent:
    """One entry of an order's history: what happened, when, and who did it."""

    #: Machine-readable: a :class:`~kasify_orders.TimelineKind` (``"placed"``, ``"shipped"``,
    #: ``"tracking_updated"``, ``"note"``, ...; equal to its string), or a plugin's own kind.
    kind: str = attrs.field(converter=timeline_kind)
    at: datetime = attrs.field(converter=to_utc, validator=aware)
    #: Who acted (``"staff:7"``), or None for the system.
    actor: str | None
    #: What a merchant reads.
    message: str
    #: Details for programs (old and new tracking numbers, refund amount, ...).
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_dict)


def describe_lines(order: Order, lines: Mapping[int, int]) -> str:
    """``{line_id: quantity}`` as the timeline says it: ``"2 x T-shirt, 1 x Mug"`` (parcels, refunds)."""
    names = {line.id: line.name for line in order.lines}
    return ", ".join(
        f"{quantity} x {names.get(line_id, f'line {line_id}')}" for line_id, quantity in lines.items()
    )


def _numbered_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The order's lines with their ids: a line's own, else the next after the highest so far.

    A new order's lines (all 0) are numbered 1, 2, ...; an edited order's keep theirs.
    """
    numbered: list[Line] = []
    last = 0
    for given in lines:
        line = given if given.id > 0 else attrs.evolve(given, id=last + 1)
        last = max(last, line.id)
        numbered.append(line)
    return tuple(numbered)


@attrs.frozen
class Order:
    """A placed order and everything that has happened to it."""

    #: Opaque, unguessable identifier (32 hex digits); use it in URLs and API calls.
    id: str
    #: The human order number: unique and increasing.
    number: int
    status: Status
    payment_status: PaymentStatus
    customer: Customer
    shipping_address: Address
    lines: tuple[Line, ...] = attrs.field(converter=_numbered_lines)
    currency: str
    totals: Totals
    coupon_code: str | None
    customer_note: str
    #: The parcels, in the order they were shipped.
    shipments: tuple[Shipment, ...]
    refunds: tuple[Refund, ...]
    timeline: tuple[TimelineEvent, ...]
    created_at: datetime = attrs.field(converter=to_utc, validator=aware)
    #: When payment was confirmed (None while pending).
    paid_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    #: Bumped by every change; pass it back as ``expected_version`` to detect lost updates.
    version: int = 1
    #: The returns (RMAs), in the order they were opened.
    returns: tuple[Return, ...] = attrs.field(default=(), kw_only=True)

    def __attrs_post_init__(self) -> None:
        self._check_money()
        self._check_units()

    def _check_money(self) -> None:
        """The taxes and the refunds add up to the totals."""
        line_tax = sum((line.tax for line in self.lines), ZERO)
        if line_tax + self.totals.shipping_tax != self.totals.tax:
            raise ValueError(
                f"the lines' tax {line_tax} and the shipping's {self.totals.shipping_tax}"
                f" do not add up to totals.tax {self.totals.tax}"
            )
        if _refunds_in(self.refunds, RefundStatus.SETTLED) != self.totals.refunded:
            raise ValueError("the settled refunds do not add up to totals.refunded")
        if _refunds_in(self.refunds, RefundStatus.PENDING) != self.totals.refund_pending:
            raise ValueError("the pending refunds do not add up to totals.refund_pending")

    def _check_units(self) -> None:
        """No line is shipped, refunded or returned beyond its units, nor unknown to the order."""
        line_ids = [line.id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise ValueError(f"two lines have the same id: {line_ids}")
        shipped = self.shipped_quantities()
        for line in self.lines:
            if shipped.get(line.id, 0) > line.quantity:
                raise ValueError(
                    f"line {line.id} is shipped {shipped[line.id]} times, ordered {line.quantity}"
                )
        ids = {line.id for line in self.lines}
        if any(line_id not in ids for line_id in shipped):
            raise ValueError("a parcel holds a line the order does not have")
        refunded = self.refunded_quantities()
        for line in self.lines:
            if refunded.get(line.id, 0) > line.quantity:
                raise ValueError(
                    f"line {line.id} is refunded {refunded[line.id]} times, ordered {line.quantity}"
                )
        if any(line_id not in ids for line_id in refunded):
            raise ValueError("a refund holds a line the order does not have")
        if sum(1 for refund in self._live_refunds() if refund.shipping) > 1:
            raise ValueError("the shipping is refunded more than once")
        for line_id, quantity in self.returned_quantities().items():
            if quantity > shipped.get(line_id, 0):
                raise ValueError(
                    f"line {line_id} is returned {quantity} times, shipped {shipped.get(line_id, 0)}"
                )

    def line(self, line_id: int) -> Line | None:
        """The line with this id, or None."""
        return next((line for line in self.lines if line.id == line_id), None)

    def refund(self, refund_id: str) -> Refund | None:
        """The refund with this id, or None."""
        return next((refund for refund in self.refunds if refund.id == refund_id), None)

    def _live_refunds(self) -> Iterable[Refund]:
        """The refunds that hold or took money: settled and pending (a failed one gave it back)."""
        return (refund for refund in self.refunds if refund.status is not RefundStatus.FAILED)

    def refunded_quantities(self) -> dict[int, int]:
        """``{line_id: units refunded or being refunded}`` over the settled and pending refunds."""
        refunded: dict[int, int] = {}
        for refund in self._live_refunds():
            for line_id, quantity in refund.lines.items():
                refunded[line_id] = refunded.get(line_id, 0) + quantity
        return refunded

    def refundable_quantities(self) -> dict[int, int]:
        """``{line_id: units left to refund}``, for the lines with some left."""
        refunded = self.refunded_quantities()
        left = {line.id: line.quantity - refunded.get(line.id, 0) for line in self.lines}
        return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}

    def return_by_id(self, return_id: str) -> Return | None:
        """The return with this id, or None."""
        return next((found for found in self.returns if found.id == return_id), None)

    def returned_quantities(self) -> dict[int, int]:
        """``{line_id: units in returns}`` over the returns that hold units (not closed unreceived)."""
        returned: dict[int, int] = {}
        for found in self.returns:
            if found.holds_units:
                for line_id, quantity in found.lines.items():
                    returned[line_id] = returned.get(line_id, 0) + quantity
        return returned

    def returnable_quantities(self) -> dict[int, int]:
        """``{line_id: shipped units not in a return yet}``, for the lines with some left."""
        returned = self.returned_quantities()
        left = {
            line_id: units - returned.get(line_id, 0) for line_id, units in self.shipped_quantities().items()
        }
        return {line_id: units for line_id, units in left.items() if units > 0}

    @property
    def shipping_refunded(self) -> bool:
        """Whether a settled or pending refund took the shipping."""
        return any(refund.shipping for refund in self._live_refunds())

    @property
    def shipment(self) -> Shipment | None:
        """The latest parcel, or None before the first (kept for callers of one-parcel orders)."""
        return self.shipments[-1] if self.shipments else None

    def shipment_by_id(self, shipment_id: str) -> Shipment | None:
        """The parcel with this id, or None."""
        return next((shipment for shipment in self.shipments if shipment.id == shipment_id), None)

    def shipped_quantities(self) -> dict[int, int]:
        """``{line_id: units in parcels}`` over every parcel."""
        shipped: dict[int, int] = {}
        for shipment in self.shipments:
            for line_id, quantity in shipment.lines.items():
                shipped[line_id] = shipped.get(line_id, 0) + quantity
        return shipped

    def remaining_quantities(self) -> dict[int, int]:
        """``{line_id: units not in any parcel yet}``, for the lines with some left."""
        shipped = self.shipped_quantities()
        left = {line.id: line.quantity - shipped.get(line.id, 0) for line in self.lines}
        return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}

    @property
    def fulfilment_status(self) -> FulfilmentStatus:
        """UNFULFILLED, PARTIALLY_SHIPPED, SHIPPED (every unit in a parcel) or DELIVERED (every parcel)."""
        return fulfilment_status_of(self.lines, self.shipments)


def fulfilment_status_of(lines: Iterable[Line], shipments: Iterable[Shipment]) -> FulfilmentStatus:
    """How much of an order with these *lines* the *shipments* hold, and whether all arrived."""
    parcels = tuple(shipments)
    if not parcels:
        return FulfilmentStatus.UNFULFILLED
    ordered = sum(line.quantity for line in lines)
    if sum(parcel.units for parcel in parcels) < ordered:
        return FulfilmentStatus.PARTIALLY_SHIPPED
    if all(parcel.delivered_at is not None for parcel in parcels):
        return FulfilmentStatus.DELIVERED
    return FulfilmentStatus.SHIPPED


def _refunds_in(refunds: Iterable[Refund], status: RefundStatus) -> Decimal:
    return sum((refund.amount for refund in refunds if refund.status is status), ZERO)


# -- coupons ----------------------------------------------------------------------------


def _code(code: str) -> str:
    return str(code).strip().upper()


class CouponKind(enum.StrEnum):
    """What a coupon takes off."""

    PERCENTAGE = "percentage"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


@attrs.frozen
class Coupon:
    """A discount code. Build one with :meth:`percentage`, :meth:`fixed` or :meth:`free_shipping`."""

    #: The code customers type; stored and matched upper-cased.
    code: str = attrs.field(converter=_code)
    kind: CouponKind = attrs.field(converter=CouponKind)
    #: Percent off (``PERCENTAGE``) or amount off (``FIXED``); None for free shipping.
    value: Decimal | None = None
    #: The subtotal (before discount) must be at least this much; inclusive.
    minimum_order: Decimal | None = None
    #: Restricts a fixed-amount coupon (and its minimum) to one currency.
    currency: str | None = None
    #: How many orders may use it in all; None for no limit.
    usage_limit: int | None = None
    #: When true, each customer (by email) may use it once.
    once_per_customer: bool = False
    starts_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    ends_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    active: bool = True
    #: How many orders have used it (maintained by the store).
    times_used: int = 0

    @classmethod
    def percentage(cls, code: str, percent: Decimal | int | str, **options: Any) -> Self:
        """A coupon taking *percent* (0 < p <= 100) off the subtotal."""
        return cls(code, CouponKind.PERCENTAGE, value=Decimal(percent), **options)

    @classmethod
    def fixed(cls, code: str, amount: Decimal | int | str, **options: Any) -> Self:
        """A coupon taking *amount* off the subtotal (never more than the subtotal)."""
        return cls(code, CouponKind.FIXED, value=Decimal(amount), **options)

    @classmethod
    def free_shipping(cls, code: str, **options: Any) -> Self:
        """A coupon whose discount equals the order's shipping cost."""
        return cls(code, CouponKind.FREE_SHIPPING, **options)


# -- listing ----------------------------------------------------------------------------


@attrs.frozen
class OrderSummary:
    """An order as a list shows it, without its lines, refunds and timeline.

    ``orders.get(summary.id)`` returns the whole :class:`Order`.
    """

    id: str
    number: int
    status: Status
    payment_status: PaymentStatus
    customer: Customer
    currency: str
    totals: Totals
    coupon_code: str | None
    customer_note: str
    #: The latest parcel's carrier and tracking (its ``id``; its ``lines`` are on the whole order).
    shipment: Shipment | None
    created_at: datetime = attrs.field(converter=to_utc, validator=aware)
    paid_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    version: int = 1
    #: How much has shipped (from the order's own row: a list reads nothing else).
    fulfilment_status: FulfilmentStatus = attrs.field(
        default=FulfilmentStatus.UNFULFILLED, converter=FulfilmentStatus
    )


@attrs.frozen
class Page:
    """One page of :meth:`Orders.list`; pass ``next_cursor`` back for the next one."""

    items: tuple[OrderSummary, ...]
    #: None on the last page.
    next_cursor: str | None
