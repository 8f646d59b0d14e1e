"""A Saleor order as kasify places it: its lines, taxes and discount, and the key it is placed under."""

import hashlib
import re
from decimal import Decimal

from kasify_orders import carriers
from kasify_orders.adapters.saleor.payloads import SaleorOrder, UnusableEvent
from kasify_orders.model import Customer, NewLine, NewOrder

__all__ = ["guess_carrier", "placing_key", "to_new_order"]


def guess_carrier(number: str, shipping_method: str | None, default: str) -> str:
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


def to_new_order(order: SaleorOrder) -> NewOrder:
    """The cart kasify places for a Saleor order, so that kasify's total is Saleor's gross total."""
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
            tax=line.tax,
        )
        for line in order.lines
    ]
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    shipping = order.shipping or Decimal(0)
    # Saleor's taxes are added (net prices): whatever else makes its gross total is the discount.
    tax = sum((line.tax for line in lines), order.shipping_tax)
    discount = subtotal + shipping + tax - order.total
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
        shipping_tax=order.shipping_tax,
    )


def placing_key(api_url: str, saleor_order_id: str) -> str:
    """The idempotency key kasify places a Saleor order under (at most 255 characters)."""
    key = f"saleor:{api_url}:{saleor_order_id}"
    if len(key) <= 255:
        return key
    return "saleor:" + hashlib.sha256(f"{api_url}\n{saleor_order_id}".encode()).hexdigest()
