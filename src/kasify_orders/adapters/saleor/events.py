"""Saleor webhook bodies in, kasify actions out.

:func:`parse` reads a (verified) body in any of Saleor's three shapes — the subscription
shape (the event object itself, from a subscription on ``event``), the filterable shape
(``{"data": {"orderCancelled": {...}}}``, Saleor >= 3.20) and the legacy shape (a JSON array
of one snake_case order) — into a :class:`SaleorEvent`. :class:`EventHandler` applies it to
kasify's orders with actor ``"saleor"``:

=====================================  ===============================================
Saleor event                           kasify
=====================================  ===============================================
ORDER_CREATED                          ``place`` (idempotency key per Saleor order)
ORDER_CONFIRMED                        a timeline entry; ``confirm_payment`` when paid
ORDER_FULLY_PAID                       ``confirm_payment``
ORDER_CANCELLED                        ``cancel`` (stock stays with Saleor)
ORDER_FULFILLED                        ``mark_shipped`` (or a note without tracking)
FULFILLMENT_TRACKING_NUMBER_UPDATED    ``update_tracking`` (``mark_shipped`` if not yet)
ORDER_REFUNDED / ORDER_FULLY_REFUNDED  ``refund`` up to Saleor's refunded total
=====================================  ===============================================

A partial fulfilment is a timeline note until Saleor has fulfilled every line (kasify has one
shipment per order); an echo of the tracking number kasify has is a duplicate, whatever
carrier the echo's (older) metadata names. APP_DELETED is the app's business (``app.py``).

Saleor sends no event id and retries: besides the webhook digest the app keeps, every step
here is idempotent on its own (the placing key, a status already reached, a refund key
derived from Saleor's refunded total), so a replay changes nothing. Webhooks arrive in any
order: any event for an order kasify has not seen places it first, from the payload when it
carries the whole order, else from Saleor's API.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from kasify_orders import carriers, money
from kasify_orders.adapters.saleor.graphql import ORDER, SaleorClient
from kasify_orders.adapters.saleor.installations import Installations, SaleorOrderLink
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.lifecycle import Status
from kasify_orders.model import Address, Customer, NewLine, NewOrder, Order, TimelineEvent, utcnow
from kasify_orders.service import Orders
from kasify_orders.storage.port import Transaction

__all__ = [
    "ACTOR",
    "APP_EVENTS",
    "CARRIER_METADATA_KEY",
    "EVENTS",
    "EventHandler",
    "SaleorEvent",
    "SaleorOrder",
    "UnusableEvent",
    "parse",
]

log = logging.getLogger(__name__)

#: The actor of every change a webhook makes; the write-back never sends those back to Saleor.
ACTOR = "saleor"
#: The fulfillment metadata key holding kasify's carrier code (Saleor has no carrier field).
CARRIER_METADATA_KEY = "kasify.carrier"
#: The fulfillment metadata key holding the carrier's tracking link.
TRACKING_URL_METADATA_KEY = "kasify.tracking_url"
#: How the idempotency keys of refunds Saleor made begin (the write-back never sends those back).
SALEOR_REFUND_KEY_PREFIX = "saleor:"

#: The Saleor events kasify follows (``Saleor-Event`` header, upper-cased).
EVENTS = (
    "ORDER_CREATED",
    "ORDER_CONFIRMED",
    "ORDER_FULLY_PAID",
    "ORDER_CANCELLED",
    "ORDER_FULFILLED",
    "FULFILLMENT_TRACKING_NUMBER_UPDATED",
    "ORDER_REFUNDED",
    "ORDER_FULLY_REFUNDED",
)
#: The app's own lifecycle events kasify follows (handled by the app, not applied to orders).
APP_EVENTS = ("APP_DELETED",)
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
    #: Gross price per unit before discounts (the discounts are one line of kasify's totals).
    unit_price: Decimal | None


@attrs.frozen
class SaleorFulfillment:
    """A Saleor fulfillment: Saleor's one free-text tracking number, and kasify's carrier if it set one."""

    id: str
    status: str
    tracking_number: str
    carrier: str | None = None
    #: The tracking link kasify wrote beside the carrier (it names the number the carrier is for).
    tracking_url: str | None = None


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
    #: Shipping before discounts (a free-shipping voucher then shows as the discount).
    shipping: Decimal | None = None
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
    return SaleorFulfillment(
        id=str(data["id"]),
        status=_status(data.get("status")),
        tracking_number=_text(number),
        carrier=metadata.get(CARRIER_METADATA_KEY) or None,
        tracking_url=metadata.get(TRACKING_URL_METADATA_KEY) or None,
    )


def _status(value: object) -> str:
    """``"partially_fulfilled"`` (legacy) or ``"PARTIALLY_FULFILLED"`` -> ``"PARTIALLY_FULFILLED"``."""
    return _text(value).upper().replace("-", "_")


def _subscription_order(raw: Mapping[str, Any]) -> SaleorOrder:
    """An ``Order`` object as GraphQL returns it (subscription and filterable shapes, and queries)."""
    order_id = raw.get("id")
    if not isinstance(order_id, str) or not order_id:
        raise UnusableEvent("the payload's order has no id")
    currency = _text(_dict(raw.get("channel")).get("currencyCode")) or None
    for key in ("total", "totalCharged", "subtotal"):
        currency = currency or _text(_dict(raw.get(key)).get("currency")) or None
    address, name = _address(raw.get("shippingAddress"), legacy=False)
    billing, billing_name = _address(raw.get("billingAddress"), legacy=False)
    lines = []
    for index, line in enumerate(map(_dict, _list(raw.get("lines")))):
        variant = _dict(line.get("variant"))
        sku = (
            _text(line.get("productSku")) or _text(variant.get("sku")) or _text(line.get("productVariantId"))
        )
        price = _money(line.get("undiscountedUnitPrice"), currency, f"lines[{index}].undiscountedUnitPrice")
        if price is None:
            price = _money(line.get("unitPrice"), currency, f"lines[{index}].unitPrice")
        quantity = line.get("quantity")
        lines.append(
            SaleorLine(
                id=_text(line.get("id")),
                sku=sku[:100],
                name=_text(line.get("productName"))[:200],
                variant=_text(line.get("variantName"))[:200],
                quantity=quantity if isinstance(quantity, int) else 0,
                unit_price=price,
            )
        )
    shipping = _money(raw.get("undiscountedShippingPrice"), currency, "undiscountedShippingPrice")
    if shipping is None:
        shipping = _money(raw.get("shippingPrice"), currency, "shippingPrice")
    charge = _text(raw.get("chargeStatus")).upper()
    paid: bool | None = None
    if charge:
        paid = charge in _PAID_CHARGE
    elif isinstance(raw.get("isPaid"), bool):
        paid = raw["isPaid"]
    refunded = _money(raw.get("totalRefunded"), currency, "totalRefunded")
    transactions = tuple(
        SaleorTransaction(
            id=str(item["id"]),
            charged=_money(item.get("chargedAmount"), currency, "transactions.chargedAmount") or Decimal(0),
            refunded=_money(item.get("refundedAmount"), currency, "transactions.refundedAmount")
            or Decimal(0),
        )
        for item in map(_dict, _list(raw.get("transactions")))
        if item.get("id")
    )
    return SaleorOrder(
        id=order_id,
        number=str(raw.get("number") or ""),
        email=_text(raw.get("userEmail")) or None,
        currency=currency,
        customer_name=name or billing_name,
        address=address or billing,
        lines=tuple(lines),
        shipping=shipping,
        total=_money(raw.get("total"), currency, "total"),
        voucher_code=_text(raw.get("voucherCode")) or None,
        customer_note=_text(raw.get("customerNote")),
        shipping_method=_text(raw.get("shippingMethodName")) or None,
        paid=paid,
        total_refunded=refunded,
        transactions=transactions,
        fulfillments=tuple(
            f for f in (_fulfillment(item, legacy=False) for item in _list(raw.get("fulfillments"))) if f
        ),
        status=_status(raw.get("status")),
    )


_VOUCHER_REASON = re.compile(r"^Voucher code:\s*(\S+)", re.IGNORECASE)


def _legacy_order(raw: Mapping[str, Any]) -> SaleorOrder:
    """A legacy (non-subscription) order payload: snake_case, money as strings."""
    order_id = raw.get("id")
    if not isinstance(order_id, str) or not order_id:
        raise UnusableEvent("the payload's order has no id")
    currency = _text(_dict(raw.get("channel")).get("currency_code")) or None
    address, name = _address(raw.get("shipping_address"), legacy=True)
    billing, billing_name = _address(raw.get("billing_address"), legacy=True)
    lines = []
    for index, line in enumerate(map(_dict, _list(raw.get("lines")))):
        currency = currency or _text(line.get("currency")) or None
        price = _amount(line.get("undiscounted_unit_price_gross_amount"), currency, f"lines[{index}]")
        if price is None:
            price = _amount(line.get("unit_price_gross_amount"), currency, f"lines[{index}]")
        sku = _text(line.get("product_sku")) or _text(line.get("product_variant_id"))
        quantity = line.get("quantity")
        lines.append(
            SaleorLine(
                id=_text(line.get("id")),
                sku=sku[:100],
                name=_text(line.get("product_name"))[:200],
                variant=_text(line.get("variant_name"))[:200],
                quantity=quantity if isinstance(quantity, int) else 0,
                unit_price=price,
            )
        )
    method = _dict(raw.get("shipping_method"))
    shipping = _amount(method.get("price_amount"), currency, "shipping_method.price_amount")
    if shipping is None:
        shipping = _amount(raw.get("shipping_price_gross_amount"), currency, "shipping_price_gross_amount")
    voucher = None
    for discount in map(_dict, _list(raw.get("discounts"))):
        found = _VOUCHER_REASON.match(_text(discount.get("reason")))
        if _text(discount.get("type")).lower() == "voucher" and found:
            voucher = found.group(1)
    payments = [_dict(p) for p in _list(raw.get("payments"))]
    paid = any(_text(p.get("charge_status")) == "fully-charged" for p in payments) if payments else None
    refunded = None
    refunding = [p for p in payments if "refunded" in _text(p.get("charge_status"))]
    if refunding:
        refunded = sum(
            (
                (_amount(p.get("total"), currency, "payments.total") or Decimal(0))
                - (_amount(p.get("captured_amount"), currency, "payments.captured_amount") or Decimal(0))
                for p in refunding
            ),
            Decimal(0),
        )
    return SaleorOrder(
        id=order_id,
        number=str(raw.get("number") or ""),
        email=_text(raw.get("user_email")) or None,
        currency=currency,
        customer_name=name or billing_name,
        address=address or billing,
        lines=tuple(lines),
        shipping=shipping,
        total=_amount(raw.get("total_gross_amount"), currency, "total_gross_amount"),
        voucher_code=voucher,
        customer_note=_text(raw.get("customer_note")),
        shipping_method=_text(raw.get("shipping_method_name")) or None,
        paid=paid,
        total_refunded=refunded,
        fulfillments=tuple(
            f for f in (_fulfillment(item, legacy=True) for item in _list(raw.get("fulfillments"))) if f
        ),
        status=_status(raw.get("status")),
    )


def parse(event_name: str, payload: object) -> SaleorEvent:
    """Read a decoded webhook body for *event_name* (``order_created`` or ``ORDER_CREATED``).

    :raises UnusableEvent: naming what is missing or malformed.
    """
    name = event_name.strip().upper()
    if name not in EVENTS:
        raise UnusableEvent(
            f"kasify does not handle the Saleor event {event_name!r}; it handles {', '.join(EVENTS)}"
        )
    if isinstance(payload, list):  # legacy: an array holding one order, or one fulfillment
        if len(payload) != 1 or not isinstance(payload[0], Mapping):
            raise UnusableEvent("a legacy payload must be an array holding one order or fulfillment object")
        item: Mapping[str, Any] = payload[0]
        if item.get("type") == "Fulfillment" or name.startswith("FULFILLMENT_"):
            # FULFILLMENT_* events: the fulfillment, with its order inside.
            raw_order = item.get("order")
            if not isinstance(raw_order, Mapping):
                raise UnusableEvent(f"the legacy {name} payload's fulfillment has no order")
            order = _legacy_order(raw_order)
            fulfillment = _fulfillment(item, legacy=True)
            if fulfillment is not None:  # its tracking number is only on the order's copy
                fulfillment = order.fulfillment(fulfillment.id) or fulfillment
            return SaleorEvent(name, order.id, order, fulfillment)
        order = _legacy_order(item)
        fulfillment = order.fulfillments[-1] if order.fulfillments else None
        return SaleorEvent(name, order.id, order, fulfillment)
    if not isinstance(payload, Mapping):
        raise UnusableEvent("the payload must be a JSON object or array")
    body: Mapping[str, Any] = payload
    if set(body) == {"data"} and isinstance(body["data"], Mapping):  # filterable subscription
        inner = [value for value in body["data"].values() if isinstance(value, Mapping)]
        if len(inner) != 1:
            raise UnusableEvent('a filterable payload must hold one event under "data"')
        body = inner[0]
    raw_order = body.get("order")
    if not isinstance(raw_order, Mapping):
        raise UnusableEvent(f"the {name} payload has no order (add `order {{ id }}` to the subscription)")
    order = _subscription_order(raw_order)
    fulfillment = _fulfillment(body.get("fulfillment"), legacy=False)
    if fulfillment is None and order.fulfillments:
        fulfillment = order.fulfillments[-1]
    return SaleorEvent(name, order.id, order, fulfillment)


def order_from_query(raw: object) -> SaleorOrder:
    """The order a ``KasifyFetchOrder`` query returned."""
    if not isinstance(raw, Mapping):
        raise UnusableEvent("Saleor does not know this order (the app may lack MANAGE_ORDERS)")
    return _subscription_order(raw)


# -- applying ------------------------------------------------------------------------------


def _guess_carrier(number: str, shipping_method: str | None, default: str) -> str:
    """Kasify's carrier for a tracking number Saleor sent without one.

    UPS's ``1Z`` numbers are recognised; else a carrier named in the shipping method
    (``"DHL Express"``); else *default*.
    """
    if re.fullmatch(r"1Z[0-9A-Z]{16}", number.upper()):
        return "ups"
    if shipping_method:
        words = shipping_method.lower()
        for code, carrier in carriers.CARRIERS.items():
            if re.search(rf"\b({re.escape(carrier.name.lower())}|{re.escape(code)})\b", words):
                return code
    return default


def _to_new_order(order: SaleorOrder) -> NewOrder:
    if not order.complete:
        raise UnusableEvent(f"Saleor order {order.number or order.id} lacks what kasify needs to place it")
    assert order.currency is not None and order.address is not None and order.total is not None
    lines = [
        NewLine(
            sku=line.sku,
            name=line.name or line.sku,
            variant=line.variant,
            quantity=line.quantity,
            unit_price=line.unit_price or Decimal(0),
        )
        for line in order.lines
    ]
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    shipping = order.shipping or Decimal(0)
    discount = subtotal + shipping - order.total
    if discount < 0:
        # Saleor charged more than its undiscounted prices add up to (a surcharge kasify has no
        # line for): show the difference as shipping so the totals match what was paid.
        shipping -= discount
        discount = Decimal(0)
    return NewOrder(
        customer=Customer(name=order.customer_name or order.email or "", email=order.email or ""),
        shipping_address=order.address,
        lines=lines,
        currency=order.currency,
        shipping_cost=shipping,
        coupon_code=order.voucher_code,
        customer_note=order.customer_note,
        discount=discount,
    )


def placing_key(api_url: str, saleor_order_id: str) -> str:
    """The idempotency key kasify places a Saleor order under (at most 255 characters)."""
    key = f"saleor:{api_url}:{saleor_order_id}"
    if len(key) <= 255:
        return key
    return "saleor:" + hashlib.sha256(f"{api_url}\n{saleor_order_id}".encode()).hexdigest()


@attrs.define
class EventHandler:
    """Applies parsed webhooks of one installed Saleor to kasify's orders."""

    orders: Orders
    installations: Installations
    api_url: str
    #: A client for this Saleor's API (to fetch an order a payload does not carry).
    client: Callable[[], SaleorClient]
    #: The carrier for Saleor tracking numbers kasify cannot attribute (``"other"``).
    default_carrier: str = "other"

    def handle(self, event: SaleorEvent) -> str:
        """Apply *event*; return what happened (``"placed"``, ``"shipped"``, ``"duplicate"``, ...).

        :raises UnusableEvent: the payload cannot be applied.
        :raises ValidationError: Saleor's order breaks one of kasify's rules (the message names it).
        """
        order, placed = self._ensure_order(event)
        outcome = {
            "ORDER_CREATED": self._created,
            "ORDER_CONFIRMED": self._confirmed,
            "ORDER_FULLY_PAID": self._fully_paid,
            "ORDER_CANCELLED": self._cancelled,
            "ORDER_FULFILLED": self._fulfilled,
            "FULFILLMENT_TRACKING_NUMBER_UPDATED": self._tracking,
            "ORDER_REFUNDED": self._refunded,
            "ORDER_FULLY_REFUNDED": self._refunded,
        }[event.name](order, event)
        return "placed" if placed and outcome == "duplicate" else outcome

    # -- the order behind the event -------------------------------------------------------------

    def _ensure_order(self, event: SaleorEvent) -> tuple[Order, bool]:
        """The kasify order behind *event*, placing it first if kasify has not seen it.

        Returns ``(order, placed)``: *placed* is true only for the one delivery that placed it
        (Saleor sends ORDER_CREATED, ORDER_CONFIRMED and ORDER_FULLY_PAID at once; the others
        get the same order through its idempotency key). The link to the Saleor order and the
        "Placed in Saleor" entry are written in the placing transaction, so no entry can land
        before them and no concurrent delivery writes them twice.
        """
        link = self.installations.link_for_saleor(self.api_url, event.order_id)
        if link is not None:
            return self.orders.get(link.order_id), False
        key = placing_key(self.api_url, event.order_id)
        saleor = event.order
        existing = self.orders.store.read(lambda tx: tx.order_by_idempotency_key(key))
        if existing is not None:  # placed by an older version, which linked it afterwards
            self.installations.link(self._link_for(existing.id, saleor, event.order_id))
            return existing, False
        if not saleor.complete:
            fetched = self.client().execute(ORDER, {"id": event.order_id})
            saleor = order_from_query(fetched.get("order"))
        placed_here: list[str] = []

        def record_origin(tx: Transaction, order: Order) -> None:
            placed_here.append(order.id)
            self.installations.link_in(tx, self._link_for(order.id, saleor, event.order_id))
            entry = TimelineEvent(
                "saleor",
                utcnow(),
                ACTOR,
                f"Placed in Saleor as order #{saleor.number}",
                {"saleor_order_id": event.order_id, "saleor_number": saleor.number, "api_url": self.api_url},
            )
            tx.append_timeline(order.id, [entry])

        order = self.orders.place(_to_new_order(saleor), idempotency_key=key, actor=ACTOR, also=record_origin)
        return order, order.id in placed_here

    def _link_for(self, order_id: str, saleor: SaleorOrder, saleor_order_id: str) -> SaleorOrderLink:
        return SaleorOrderLink(
            order_id=order_id,
            api_url=self.api_url,
            saleor_order_id=saleor_order_id,
            saleor_number=saleor.number[:32],
            transaction_id=next((t.id for t in saleor.transactions), None),
            fulfillment_id=saleor.fulfillments[-1].id if saleor.fulfillments else None,
        )

    def _sync_payment(self, order: Order, saleor: SaleorOrder) -> Order:
        if saleor.paid and order.status is Status.PENDING:
            try:
                return self.orders.confirm_payment(order.id, actor=ACTOR)
            except InvalidTransition:  # confirmed concurrently
                return self.orders.get(order.id)
        return order

    # -- one method per event ------------------------------------------------------------------

    def _created(self, order: Order, event: SaleorEvent) -> str:
        after = self._sync_payment(order, event.order)
        return "payment_confirmed" if after.status is not order.status else "duplicate"

    def _confirmed(self, order: Order, event: SaleorEvent) -> str:
        self.orders.record_event(order.id, "saleor", "Confirmed in Saleor", actor=ACTOR)
        self._sync_payment(order, event.order)
        return "confirmed"

    def _fully_paid(self, order: Order, event: SaleorEvent) -> str:
        if order.status is not Status.PENDING:
            return "duplicate"
        try:
            order = self.orders.confirm_payment(order.id, actor=ACTOR)
        except InvalidTransition:
            return "duplicate"
        # Saleor may have fulfilled the order before it was paid (kasify noted it could not follow).
        shipped = _shipping_fulfillment(event.order)
        if shipped is not None and not event.order.partially_fulfilled:
            self._ship_or_track(order, event.order, shipped)
        return "payment_confirmed"

    def _cancelled(self, order: Order, event: SaleorEvent) -> str:
        if order.status is Status.CANCELLED:
            return "duplicate"
        try:
            self.orders.cancel(order.id, reason="Cancelled in Saleor", restock=False, actor=ACTOR)
        except InvalidTransition as error:
            return self._conflict(
                order, f"Saleor cancelled this order, but here it is {order.status.value}", error
            )
        return "cancelled"

    def _fulfilled(self, order: Order, event: SaleorEvent) -> str:
        fulfillment = _shipping_fulfillment(event.order) or event.fulfillment
        if fulfillment is None or not fulfillment.tracking_number:
            if order.status is Status.SHIPPED or order.status is Status.DELIVERED:
                return "duplicate"
            return self._note_once(
                order,
                "Fulfilled in Saleor without a tracking number: "
                "mark it shipped here with the carrier and number",
            )
        return self._ship_or_track(order, event.order, fulfillment)

    def _tracking(self, order: Order, event: SaleorEvent) -> str:
        if event.fulfillment is None or not event.fulfillment.tracking_number:
            return "ignored"
        # ``event.fulfillment`` can carry the metadata from before kasify's own write-back (the
        # carrier kasify just replaced); the order's copy of the same fulfillment is current.
        fulfillment = event.order.fulfillment(event.fulfillment.id) or event.fulfillment
        if fulfillment.tracking_number != event.fulfillment.tracking_number:
            fulfillment = event.fulfillment
        return self._ship_or_track(order, event.order, fulfillment)

    def _ship_or_track(  # noqa: PLR0911 - one outcome per status
        self, order: Order, saleor: SaleorOrder, fulfillment: SaleorFulfillment
    ) -> str:
        number = fulfillment.tracking_number
        if saleor.partially_fulfilled and order.status in (Status.PENDING, Status.PROCESSING):
            # Until kasify knows parcels, a part shipped is not the order shipped.
            return self._note_once(
                order,
                f"Saleor shipped part of this order (parcel tracking {number}); "
                "it is marked shipped here when Saleor has fulfilled every line",
                data={"fulfillment_id": fulfillment.id, "tracking_number": number},
            )
        self.installations.update_link(order.id, fulfillment_id=fulfillment.id)
        if order.status is Status.PENDING:
            order = self._sync_payment(order, saleor)
        if order.status is Status.PROCESSING:
            carrier = fulfillment.carrier or _guess_carrier(
                number, saleor.shipping_method, self.default_carrier
            )
            try:
                self.orders.mark_shipped(order.id, tracking_number=number, carrier=carrier, actor=ACTOR)
            except InvalidTransition:
                return "duplicate"
            return "shipped"
        if order.status in (Status.SHIPPED, Status.DELIVERED):
            shipment = order.shipment
            assert shipment is not None
            if shipment.tracking_number == number:
                # kasify's own write-back echoed (its metadata may still name the old carrier),
                # or Saleor repeating itself: nothing to correct.
                return "duplicate"
            if self._kasify_replaced(order, number):
                return "stale"
            new_carrier = fulfillment.carrier
            url = fulfillment.tracking_url
            if new_carrier is not None and url and number not in url:
                # kasify's metadata describes the number Saleor just replaced, not this one.
                new_carrier = _guess_carrier(number, saleor.shipping_method, shipment.carrier)
            try:
                self.orders.update_tracking(
                    order.id, tracking_number=number, carrier=new_carrier, actor=ACTOR
                )
            except ValidationError as error:
                if "already" in str(error):
                    return "duplicate"
                raise
            return "tracking_updated"
        return self._conflict(
            order, f"Saleor fulfilled this order (tracking {number}), but here it is {order.status.value}"
        )

    @staticmethod
    def _kasify_replaced(order: Order, number: str) -> bool:
        """Whether a merchant in kasify replaced *number* already: Saleor is echoing an older edit."""
        return any(
            entry.kind == "tracking_updated"
            and entry.actor != ACTOR
            and entry.data.get("previous_tracking_number") == number
            for entry in order.timeline
        )

    def _refunded(self, order: Order, event: SaleorEvent) -> str:
        saleor = event.order
        target = saleor.total_refunded
        if target is None and event.name == "ORDER_FULLY_REFUNDED":
            target = order.totals.total
        if target is None:
            return self._note_once(
                order, "Saleor reports a refund, but its payload carries no amount: record it here by hand"
            )
        target = min(target, order.totals.total)
        amount = target - order.totals.refunded
        if amount <= 0:
            return "duplicate"
        if order.status is Status.PENDING:  # Saleor refunded money kasify never saw arrive
            try:
                order = self.orders.confirm_payment(order.id, actor=ACTOR)
            except InvalidTransition:
                order = self.orders.get(order.id)
        key = saleor_refund_key(event.order_id, target)
        try:
            self.orders.refund(
                order.id,
                amount,
                note="Refunded in Saleor",
                idempotency_key=key,
                provider_reference=key,
                actor=ACTOR,
            )
        except (InvalidTransition, RefundExceedsBalance) as error:
            return self._conflict(
                order, f"Saleor refunded {amount} {order.currency}, which kasify cannot record", error
            )
        return "refunded"

    def _conflict(self, order: Order, message: str, error: Exception | None = None) -> str:
        """Note on the timeline (once) that Saleor did something kasify's order cannot follow."""
        log.warning("Saleor order for kasify order %s: %s (%s)", order.number, message, error)
        self._note_once(
            order,
            f"{message}; nothing changed here",
            kind="saleor_conflict",
            data={"error": str(error or "")},
        )
        return "conflict"

    def _note_once(
        self, order: Order, message: str, *, kind: str = "saleor", data: Mapping[str, Any] | None = None
    ) -> str:
        """Add a timeline entry unless the order has it already (Saleor tells one thing in several events)."""
        if not any(entry.kind == kind and entry.message == message for entry in order.timeline):
            self.orders.record_event(order.id, kind, message, data=data, actor=ACTOR)
        return "noted"


def _shipping_fulfillment(order: SaleorOrder) -> SaleorFulfillment | None:
    """The newest live fulfillment with a tracking number: the one kasify ships with."""
    live = [f for f in order.fulfillments if f.status in _LIVE_FULFILLMENT and f.tracking_number]
    return live[-1] if live else None


def saleor_refund_key(saleor_order_id: str, refunded_total: Decimal) -> str:
    """The idempotency key of a refund Saleor made (its refunded total reached *refunded_total*)."""
    return f"{SALEOR_REFUND_KEY_PREFIX}{saleor_order_id}:refunded-to:{refunded_total}"[:255]
