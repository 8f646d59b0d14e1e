"""Totals and coupons: pure arithmetic on Decimals, rounded to the currency's minor unit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from kasify_orders import money
from kasify_orders.errors import CouponNotApplicable
from kasify_orders.model import ZERO, Coupon, CouponKind, Line, NewLine, Totals

__all__ = ["check_coupon", "discount", "lines_for", "subtotal_of", "totals_for"]


def lines_for(new_lines: Sequence[NewLine]) -> list[Line]:
    """Price each cart line: ``total = unit_price * quantity``."""
    return [
        Line(
            sku=line.sku,
            name=line.name,
            variant=line.variant,
            quantity=line.quantity,
            unit_price=line.unit_price,
            total=line.unit_price * line.quantity,
            tax=line.tax,
        )
        for line in new_lines
    ]


def subtotal_of(lines: Sequence[Line], currency: str) -> Decimal:
    """The sum of the line totals, in the currency's minor unit."""
    return money.quantize(sum((line.total for line in lines), ZERO), currency)


def check_coupon(
    coupon: Coupon | None,
    code: str,
    *,
    subtotal: Decimal,
    currency: str,
    now: datetime,
    used_by_customer: bool,
) -> Coupon:
    """Return *coupon* if it applies to this order; otherwise raise :class:`CouponNotApplicable`."""
    if coupon is None:
        raise CouponNotApplicable(code, "no such coupon")
    if not coupon.active:
        raise CouponNotApplicable(code, "it has been disabled")
    if coupon.starts_at is not None and now < coupon.starts_at:
        raise CouponNotApplicable(code, f"it is valid from {coupon.starts_at:%Y-%m-%d %H:%M} UTC")
    if coupon.ends_at is not None and now >= coupon.ends_at:
        raise CouponNotApplicable(code, f"it expired at {coupon.ends_at:%Y-%m-%d %H:%M} UTC")
    if coupon.currency is not None and coupon.currency != currency:
        raise CouponNotApplicable(code, f"it is only valid for orders in {coupon.currency}")
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise CouponNotApplicable(code, f"it has been used the maximum {coupon.usage_limit} times")
    if coupon.once_per_customer and used_by_customer:
        raise CouponNotApplicable(code, "it can be used once per customer and this customer has used it")
    if coupon.minimum_order is not None and subtotal < coupon.minimum_order:
        raise CouponNotApplicable(
            code,
            f"it needs a subtotal of at least {money.quantize(coupon.minimum_order, currency)} "
            f"{currency}; this order's is {subtotal} {currency}",
        )
    return coupon


def discount(coupon: Coupon | None, *, subtotal: Decimal, shipping: Decimal, currency: str) -> Decimal:
    """The coupon's discount: never negative, never more than ``subtotal + shipping``."""
    if coupon is None:
        return money.quantize(ZERO, currency)
    if coupon.kind is CouponKind.FREE_SHIPPING:
        amount = shipping
    elif coupon.kind is CouponKind.PERCENTAGE:
        assert coupon.value is not None
        amount = subtotal * coupon.value / 100
    else:
        assert coupon.value is not None
        amount = min(coupon.value, subtotal)
    return money.quantize(amount, currency)


def totals_for(
    lines: Sequence[Line],
    *,
    shipping: Decimal,
    coupon: Coupon | None,
    currency: str,
    external_discount: Decimal | None = None,
    shipping_tax: Decimal = ZERO,
    prices_include_tax: bool = False,
) -> Totals:
    """Add up an order: ``total = subtotal + shipping - discount``, ``+ tax`` unless prices include it.

    The discount is the coupon's, or *external_discount* when another system computed it. The
    tax is the host's (the lines' and *shipping_tax*), taken as given: a discount does not
    change it (the host taxed the lines as it sent them).
    """
    subtotal = subtotal_of(lines, currency)
    shipping = money.quantize(shipping, currency)
    if external_discount is not None:
        off = money.quantize(external_discount, currency)
    else:
        off = discount(coupon, subtotal=subtotal, shipping=shipping, currency=currency)
    shipping_tax = money.quantize(shipping_tax, currency)
    tax = money.quantize(sum((line.tax for line in lines), shipping_tax), currency)
    return Totals(
        subtotal=subtotal,
        shipping=shipping,
        discount=off,
        total=subtotal + shipping - off + (ZERO if prices_include_tax else tax),
        refunded=money.quantize(ZERO, currency),
        tax=tax,
        shipping_tax=shipping_tax,
        prices_include_tax=prices_include_tax,
    )
