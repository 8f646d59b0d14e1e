"""Taxes from the host, on each database: placed, stored, refunded by line and edited with the order.

kasify computes no tax: the carts here carry the tax a host computed, and the tests check that
kasify adds it up, stores it and gives it back exactly.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from tests.helpers import new_order

D = Decimal


def taxed_cart(*, included: bool = False, coupon_code: str | None = None) -> ko.NewOrder:
    """Three T-shirts at 10.00 taxed 1.00 in all (line 1), a mug at 8.00 taxed 1.52 (line 2).

    Shipping 5.00 taxed 0.95. Exclusive: total 43.00 + 3.47 tax = 46.47. The T-shirts' 1.00
    does not divide by 3: refunded one by one they must still give back exactly 1.00.
    """
    return attrs.evolve(
        new_order(
            lines=[
                ko.NewLine(sku="TEE", name="T-shirt", quantity=3, unit_price=D("10.00"), tax=D("1.00")),
                ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=D("8.00"), tax=D("1.52")),
            ],
            coupon_code=coupon_code,
        ),
        shipping_tax=D("0.95"),
        prices_include_tax=included,
    )


def test_exclusive_prices_add_the_hosts_tax_to_the_total_and_it_is_stored(orders: ko.Orders) -> None:
    placed = orders.place(taxed_cart())
    totals = placed.totals
    assert (totals.subtotal, totals.shipping, totals.discount) == (D("38.00"), D("5.00"), D("0.00"))
    assert (totals.tax, totals.shipping_tax, totals.prices_include_tax) == (D("3.47"), D("0.95"), False)
    assert totals.total == D("46.47")
    assert [line.tax for line in placed.lines] == [D("1.00"), D("1.52")]
    assert orders.get(placed.id) == placed
    (summary,) = orders.list().items
    assert summary.totals == placed.totals


def test_inclusive_prices_keep_the_total_and_hold_the_tax(orders: ko.Orders) -> None:
    placed = orders.place(taxed_cart(included=True))
    assert placed.totals.total == D("43.00") and placed.totals.tax == D("3.47")
    assert placed.totals.prices_include_tax
    assert orders.get(placed.id) == placed
    assert orders.list().items[0].totals.prices_include_tax


def test_a_coupon_does_not_change_the_hosts_tax(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("FIVE", D(5)))
    placed = orders.place(taxed_cart(coupon_code="FIVE"))
    assert placed.totals.discount == D("5.00") and placed.totals.tax == D("3.47")
    assert placed.totals.total == D("41.47")


def test_orders_without_tax_read_as_before(orders: ko.Orders) -> None:
    placed = orders.place(new_order())
    assert placed.totals.tax == 0 and not placed.totals.prices_include_tax
    assert placed.totals.total == D("55.00") and orders.get(placed.id).lines[0].tax == 0


def test_bad_taxes_are_named_and_nothing_is_placed(orders: ko.Orders) -> None:
    cart = taxed_cart()
    bad = attrs.evolve(
        cart,
        lines=[
            attrs.evolve(cart.lines[0], tax=D("-1.00")),
            attrs.evolve(cart.lines[1], tax=D("0.005")),
        ],
        shipping_tax="0.95",
    )
    with pytest.raises(ko.ValidationError) as caught:
        orders.place(bad)
    fields = {error.path: error.message for error in caught.value.errors}
    assert fields == {
        "lines[0].tax": "must not be negative, got -1.00",
        "lines[1].tax": "0.005 has more than 2 decimal places, the minor unit of USD",
        "shipping_tax": "must be an amount (a Decimal or an int), got str '0.95'",
    }
    assert orders.list().items == ()


def test_inclusive_tax_may_not_exceed_the_price(orders: ko.Orders) -> None:
    cart = taxed_cart(included=True)
    bad = attrs.evolve(
        cart, lines=[attrs.evolve(cart.lines[0], tax=D("30.01")), cart.lines[1]], shipping_tax=D("5.01")
    )
    with pytest.raises(ko.ValidationError) as caught:
        orders.place(bad)
    fields = {error.path: error.message for error in caught.value.errors}
    assert fields == {
        "lines[0].tax": "must be at most the line's price (30.00) when prices include tax, got 30.01",
        "shipping_tax": "must be at most the shipping cost (5.00) when prices include tax, got 5.01",
    }
    assert orders.list().items == ()


def test_refunding_a_lines_units_one_by_one_gives_back_exactly_its_price_and_tax(orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(taxed_cart()).id)
    amounts = []
    for _unit in range(3):
        order = orders.refund(order.id, lines={1: 1})
        amounts.append(order.refunds[-1].amount)
    # 10.00 each, and the 1.00 of tax on running shares: 0.33, 0.34, 0.33.
    assert amounts == [D("10.33"), D("10.34"), D("10.33")]
    assert sum(amounts) == D("31.00")
    assert orders.get(order.id) == order


def test_the_shipping_refunds_its_tax_and_everything_refunds_the_whole_total(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("FIVE", D(5)))
    order = orders.confirm_payment(orders.place(taxed_cart(coupon_code="FIVE")).id)
    shipping = orders.refund(order.id, shipping=True)
    assert shipping.refunds[-1].amount == D("5.95")
    done = orders.refund(order.id, lines={1: 2, 2: 1})
    done = orders.refund(order.id, lines={1: 1})
    assert done.totals.refunded == done.totals.total == D("41.47")
    assert done.payment_status is ko.PaymentStatus.REFUNDED


def test_with_inclusive_prices_a_refund_by_line_adds_no_tax(orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(taxed_cart(included=True)).id)
    after = orders.refund(order.id, lines={2: 1}, shipping=True)
    assert after.refunds[-1].amount == D("13.00")  # the mug's 8.00 and the shipping's 5.00, tax inside


def test_an_edit_scales_a_lines_tax_and_added_lines_bring_theirs(orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(taxed_cart()).id)
    added = ko.NewLine(sku="CAP", name="Cap", quantity=1, unit_price=D("12.00"), tax=D("2.28"))
    edited = orders.edit(order.id, set_quantity={1: 2}, add_lines=[added])
    # 1.00 for three T-shirts is 0.666... for two: rounded half up to 0.67.
    assert [line.tax for line in edited.lines] == [D("0.67"), D("1.52"), D("2.28")]
    assert edited.totals.tax == D("0.67") + D("1.52") + D("2.28") + D("0.95") == D("5.42")
    assert edited.totals.total == D("20.00") + D("8.00") + D("12.00") + D("5.00") + D("5.42")
    assert edited.totals.amount_due == edited.totals.total - D("46.47")
    assert orders.get(order.id) == edited
    lower = orders.edit(order.id, remove_lines=[3], set_quantity={1: 1})
    assert lower.totals.tax == D("0.34") + D("1.52") + D("0.95")
    assert lower.totals.refund_due == D("46.47") - lower.totals.total


def test_an_added_line_with_a_bad_tax_is_named(orders: ko.Orders) -> None:
    order = orders.place(taxed_cart(included=True))
    added = ko.NewLine(sku="CAP", name="Cap", quantity=1, unit_price=D("12.00"), tax=D("12.01"))
    with pytest.raises(ko.ValidationError) as caught:
        orders.edit(order.id, add_lines=[added])
    assert [error.path for error in caught.value.errors] == ["add_lines[0].tax"]
    assert orders.get(order.id) == order
