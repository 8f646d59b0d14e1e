"""What a Saleor webhook carries, as kasify reads it: orders, lines, fulfillments, and the field readers."""

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from kasify_orders import money
from kasify_orders.adapters.saleor.names import (
    CARRIER_METADATA_KEY,
    TRACKING_URL_METADATA_KEY,
)
from kasify_orders.model import Address

__all__ = [
    "SaleorEvent",
    "SaleorFulfillment",
    "SaleorGrantedRefund",
    "SaleorLine",
    "SaleorOrder",
    "SaleorReturn",
    "SaleorTransaction",
    "UnusableEvent",
]

_PAID_CHARGE = {"FULL", "OVERCHARGED"}
_LIVE_FULFILLMENT = {"FULFILLED", "WAITING_FOR_APPROVAL"}


class UnusableEvent(ValueError):
    """The body cannot be applied (a malformed or incomplete payload); the message says why."""


@attrs.frozen
class SaleorLine:
    """An order line as kasify places it."""

    id: str
    sku: str
    name: str
    variant: str
    quantity: int
    #: Price per unit before discounts (the discounts are one line of kasify's totals): net
    #: when the payload says (its tax is then :attr:`tax`), else gross (the legacy shape).
    unit_price: Decimal | None
    #: How many units Saleor has fulfilled (in all its fulfillments).
    quantity_fulfilled: int = 0
    #: Saleor's tax on the whole line (its ``totalPrice.tax``); 0 when the payload has none.
    tax: Decimal = Decimal(0)


@attrs.frozen
class SaleorFulfillment:
    """A Saleor fulfillment: Saleor's one free-text tracking number, and kasify's carrier if it set one."""

    id: str
    status: str
    tracking_number: str
    carrier: str | None = None
    #: The tracking link kasify wrote beside the carrier (it names the number the carrier is for).
    tracking_url: str | None = None
    #: ``(Saleor order line id, quantity)`` of each line in the parcel, when the payload says.
    lines: tuple[tuple[str, int], ...] = ()


@attrs.frozen
class SaleorGrantedRefund:
    """A refund granted on a Saleor order (``Order.grantedRefunds``), by line when it names lines."""

    id: str
    amount: Decimal
    #: ``"NONE"``, ``"PENDING"``, ``"SUCCESS"`` or ``"FAILURE"`` (Saleor's ``OrderGrantedRefundStatusEnum``).
    status: str
    #: Whether it refunds the order's shipping (``shippingCostsIncluded``).
    shipping: bool = False
    #: ``(Saleor order line id, quantity)`` of each line it refunds; empty: by amount only.
    lines: tuple[tuple[str, int], ...] = ()
    reason: str = ""

    @property
    def settled(self) -> bool:
        """Whether Saleor's payment app paid it out."""
        return self.status == "SUCCESS"


@attrs.frozen
class SaleorReturn:
    """Units the customer sent back: a Saleor fulfillment in status RETURNED or REFUNDED_AND_RETURNED."""

    #: The return fulfillment's id (kasify's key for it).
    id: str
    #: ``(Saleor order line id, quantity)`` of each returned line.
    lines: tuple[tuple[str, int], ...]
    #: True for REFUNDED_AND_RETURNED: Saleor refunded the units too (that refund arrives as the
    #: order's refunded total, and as a granted refund when the order has one for them).
    refunded: bool


@attrs.frozen
class SaleorTransaction:
    """A Saleor payment transaction (Transactions API)."""

    id: str
    charged: Decimal
    refunded: Decimal


@attrs.frozen
class SaleorOrder:
    """What kasify reads from a Saleor order, whichever payload shape it came in."""

    id: str
    number: str
    email: str | None = None
    currency: str | None = None
    customer_name: str = ""
    address: Address | None = None
    lines: tuple[SaleorLine, ...] = ()
    #: Shipping before discounts (a free-shipping voucher then shows as the discount); net
    #: when the payload says (its tax is then :attr:`shipping_tax`).
    shipping: Decimal | None = None
    #: Saleor's tax on the shipping (``shippingPrice.tax``); 0 when the payload has none.
    shipping_tax: Decimal = Decimal(0)
    #: What the customer pays (gross).
    total: Decimal | None = None
    voucher_code: str | None = None
    customer_note: str = ""
    shipping_method: str | None = None
    #: True when Saleor says the order is fully paid; None when the payload does not say.
    paid: bool | None = None
    #: Saleor's refunded total; None when the payload does not say.
    total_refunded: Decimal | None = None
    transactions: tuple[SaleorTransaction, ...] = ()
    fulfillments: tuple[SaleorFulfillment, ...] = ()
    #: Saleor's order status (``"UNFULFILLED"``, ``"PARTIALLY_FULFILLED"``, ``"FULFILLED"``, ...); "" unknown.
    status: str = ""
    #: The refunds granted on the order (empty when the payload does not carry them).
    granted_refunds: tuple[SaleorGrantedRefund, ...] = ()
    #: The order's returns (its RETURNED and REFUNDED_AND_RETURNED fulfillments).
    returns: tuple[SaleorReturn, ...] = ()

    @property
    def partially_fulfilled(self) -> bool:
        """Whether Saleor has fulfilled some of the order's units but not all of them."""
        return self.status == "PARTIALLY_FULFILLED"

    def fulfillment(self, fulfillment_id: str) -> SaleorFulfillment | None:
        """The order's fulfillment with this id, as the order's payload carries it."""
        return next((f for f in self.fulfillments if f.id == fulfillment_id), None)

    @property
    def complete(self) -> bool:
        """Whether this payload carries enough to place the order."""
        return bool(
            self.email
            and self.currency
            and self.address is not None
            and self.lines
            and all(line.unit_price is not None for line in self.lines)
            and self.total is not None
        )


@attrs.frozen
class SaleorEvent:
    """One verified webhook, parsed."""

    #: ``ORDER_CREATED``, ...
    name: str
    #: The Saleor order id (a GraphQL global id).
    order_id: str
    #: The order as the payload carries it (possibly only a few fields).
    order: SaleorOrder
    #: The fulfillment a FULFILLMENT_* event is about.
    fulfillment: SaleorFulfillment | None = None


# -- parsing -------------------------------------------------------------------------------


def _amount(value: object, currency: str | None, path: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnusableEvent(f"{path} must be a number, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UnusableEvent(f"{path} must be a number, got {value!r}") from None
    if not amount.is_finite():
        raise UnusableEvent(f"{path} must be a finite number, got {value!r}")
    if currency:
        try:
            amount = money.quantize(amount, currency)
        except ValueError as error:
            raise UnusableEvent(str(error)) from None
    return amount


def _money(value: object, currency: str | None, path: str) -> Decimal | None:
    """``{"amount": 6.0}`` (or a TaxedMoney's gross) -> Decimal."""
    if not isinstance(value, Mapping):
        return None
    if "gross" in value:
        return _money(value.get("gross"), currency, f"{path}.gross")
    return _amount(value.get("amount"), currency, f"{path}.amount")


def _net_and_tax(value: object, currency: str | None, path: str) -> tuple[Decimal, Decimal] | None:
    """A TaxedMoney's ``(net, tax)``: ``{"net": {"amount": 10.0}, "tax": {"amount": 1.9}}``.

    None when it is not a TaxedMoney with a net amount (the legacy shape, a plain Money).
    """
    if not isinstance(value, Mapping) or not isinstance(value.get("net"), Mapping):
        return None
    net = _money(value.get("net"), currency, f"{path}.net")
    if net is None:
        return None
    tax = _money(value.get("tax"), currency, f"{path}.tax") or Decimal(0)
    if tax < 0:
        raise UnusableEvent(f"{path}.tax must not be negative, got {tax}")
    return net, tax


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _metadata(items: object) -> dict[str, str]:
    if isinstance(items, Mapping):  # legacy payloads: a plain object
        return {str(k): str(v) for k, v in items.items()}
    return {
        str(item.get("key")): str(item.get("value"))
        for item in _list(items)
        if isinstance(item, Mapping) and "key" in item
    }


def _address(raw: object, *, legacy: bool) -> tuple[Address | None, str]:
    data = _dict(raw)
    if not data:
        return None, ""
    if legacy:
        country = _text(data.get("country"))
        line1, line2 = _text(data.get("street_address_1")), _text(data.get("street_address_2"))
        names = (_text(data.get("first_name")), _text(data.get("last_name")))
        region, postal = _text(data.get("country_area")), _text(data.get("postal_code"))
    else:
        country = _text(_dict(data.get("country")).get("code"))
        line1, line2 = _text(data.get("streetAddress1")), _text(data.get("streetAddress2"))
        names = (_text(data.get("firstName")), _text(data.get("lastName")))
        region, postal = _text(data.get("countryArea")), _text(data.get("postalCode"))
    address = Address(
        line1=line1,
        line2=line2,
        city=_text(data.get("city")),
        postal_code=postal,
        country=country,
        region=region,
    )
    return address, " ".join(name for name in names if name)


def _fulfillment(raw: object, *, legacy: bool) -> SaleorFulfillment | None:
    data = _dict(raw)
    if not data.get("id"):
        return None
    number = data.get("tracking_number" if legacy else "trackingNumber")
    metadata = _metadata(data.get("metadata"))
    parcel = []
    for item in map(_dict, _list(data.get("lines"))):
        line_id = _text(_dict(item.get("order_line" if legacy else "orderLine")).get("id"))
        quantity = item.get("quantity")
        if line_id and isinstance(quantity, int) and quantity > 0:
            parcel.append((line_id, quantity))
    return SaleorFulfillment(
        id=str(data["id"]),
        status=_status(data.get("status")),
        tracking_number=_text(number),
        carrier=metadata.get(CARRIER_METADATA_KEY) or None,
        tracking_url=metadata.get(TRACKING_URL_METADATA_KEY) or None,
        lines=tuple(parcel),
    )


def _status(value: object) -> str:
    """``"partially_fulfilled"`` (legacy) or ``"PARTIALLY_FULFILLED"`` -> ``"PARTIALLY_FULFILLED"``."""
    return _text(value).upper().replace("-", "_")
