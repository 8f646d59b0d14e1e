"""Reading a verified webhook body, in any of Saleor's three shapes, into a :class:`SaleorEvent`.

The subscription shape (the event object itself), the filterable shape
(``{"data": {"orderCancelled": {...}}}``, Saleor >= 3.20) and the legacy shape (a JSON array
of one snake_case order).
"""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from kasify_orders.adapters.saleor.names import (
    EVENTS,
)
from kasify_orders.adapters.saleor.payloads import (
    _PAID_CHARGE,
    SaleorEvent,
    SaleorFulfillment,
    SaleorGrantedRefund,
    SaleorLine,
    SaleorOrder,
    SaleorReturn,
    SaleorTransaction,
    UnusableEvent,
    _address,
    _amount,
    _dict,
    _fulfillment,
    _list,
    _money,
    _net_and_tax,
    _status,
    _text,
)

__all__ = ["granted_refunds", "order_from_query", "parse", "returns"]


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
        price, tax = _line_price(line, currency, index)
        quantity, fulfilled = line.get("quantity"), line.get("quantityFulfilled")
        lines.append(
            SaleorLine(
                id=_text(line.get("id")),
                sku=sku[:100],
                name=_text(line.get("productName"))[:200],
                variant=_text(line.get("variantName"))[:200],
                quantity=quantity if isinstance(quantity, int) else 0,
                unit_price=price,
                quantity_fulfilled=fulfilled if isinstance(fulfilled, int) else 0,
                tax=tax,
            )
        )
    shipping, shipping_tax = _shipping(raw, currency)
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
        shipping_tax=shipping_tax,
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
        granted_refunds=granted_refunds(raw.get("grantedRefunds"), currency),
        returns=returns(_fulfillment(item, legacy=False) for item in _list(raw.get("fulfillments"))),
    )


def _refund_lines(items: object) -> tuple[tuple[str, int], ...]:
    """``[{quantity, orderLine {id}}]`` -> ``((order line id, quantity), ...)``, the positive ones."""
    found = []
    for item in map(_dict, _list(items)):
        line_id = _text(_dict(item.get("orderLine")).get("id"))
        quantity = item.get("quantity")
        if line_id and isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0:
            found.append((line_id, quantity))
    return tuple(found)


def granted_refunds(raw: object, currency: str | None) -> tuple[SaleorGrantedRefund, ...]:
    """An order's ``grantedRefunds`` (subscription shape); () when the payload does not carry them.

    The deliveries Saleor 3.23.28 made before kasify asked for them carry none: their refunds
    are known only by the order's ``totalRefunded``.
    """
    grants = []
    for index, item in enumerate(map(_dict, _list(raw))):
        amount = _money(item.get("amount"), currency, f"grantedRefunds[{index}].amount")
        if not item.get("id") or amount is None:
            continue
        grants.append(
            SaleorGrantedRefund(
                id=str(item["id"]),
                amount=amount,
                status=_status(item.get("status")),
                shipping=item.get("shippingCostsIncluded") is True,
                lines=_refund_lines(item.get("lines")),
                reason=_text(item.get("reason")),
            )
        )
    return tuple(grants)


_RETURNED = {"RETURNED": False, "REFUNDED_AND_RETURNED": True}


def returns(fulfillments: Iterable[SaleorFulfillment | None]) -> tuple[SaleorReturn, ...]:
    """The returns among an order's fulfillments: those in status RETURNED or REFUNDED_AND_RETURNED.

    Saleor's ``orderFulfillmentReturnProducts`` moves the returned units into such a fulfillment
    (REFUNDED_AND_RETURNED when it refunded them too); one with no lines is not a return.
    """
    return tuple(
        SaleorReturn(id=f.id, lines=f.lines, refunded=_RETURNED[f.status])
        for f in fulfillments
        if f is not None and f.status in _RETURNED and f.lines
    )


def _line_price(line: Mapping[str, Any], currency: str | None, index: int) -> tuple[Decimal | None, Decimal]:
    """A line's unit price before discounts and its tax: net and ``totalPrice.tax`` when Saleor says.

    Prices exclusive of tax, so kasify's total (net lines and shipping, less the discount, plus
    the tax) is Saleor's ``total.gross``. A payload without net amounts gives the gross, no tax.
    """
    path = f"lines[{index}]"
    taxed = _net_and_tax(line.get("totalPrice"), currency, f"{path}.totalPrice")
    for key in ("undiscountedUnitPrice", "unitPrice"):
        net = _net_and_tax(line.get(key), currency, f"{path}.{key}")
        if net is not None and taxed is not None:
            return net[0], taxed[1]
    price = _money(line.get("undiscountedUnitPrice"), currency, f"{path}.undiscountedUnitPrice")
    if price is None:
        price = _money(line.get("unitPrice"), currency, f"{path}.unitPrice")
    return price, Decimal(0)


def _shipping(raw: Mapping[str, Any], currency: str | None) -> tuple[Decimal | None, Decimal]:
    """The shipping and its tax: ``shippingPrice.net`` and ``.tax``, when it is charged.

    Shipping Saleor charges nothing for (a free-shipping voucher) is its undiscounted price, so
    the voucher shows as kasify's discount, as before taxes; so is a payload without net amounts.
    """
    taxed = _net_and_tax(raw.get("shippingPrice"), currency, "shippingPrice")
    if taxed is not None and (taxed[0] or taxed[1]):
        return taxed
    shipping = _money(raw.get("undiscountedShippingPrice"), currency, "undiscountedShippingPrice")
    if shipping is None:
        shipping = _money(raw.get("shippingPrice"), currency, "shippingPrice")
    return shipping, Decimal(0)


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
        quantity, fulfilled = line.get("quantity"), line.get("quantity_fulfilled")
        lines.append(
            SaleorLine(
                id=_text(line.get("id")),
                sku=sku[:100],
                name=_text(line.get("product_name"))[:200],
                variant=_text(line.get("variant_name"))[:200],
                quantity=quantity if isinstance(quantity, int) else 0,
                unit_price=price,
                quantity_fulfilled=fulfilled if isinstance(fulfilled, int) else 0,
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
