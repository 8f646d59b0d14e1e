"""Coupons and stock, as stored: counted atomically at placement, never oversold."""

from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from kasify_orders.model import utcnow
from tests.helpers import new_order, wipe


def test_percentage_coupon_shows_as_a_discount_line(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50)))
    order = orders.place(new_order(coupon_code="save20"))
    assert order.coupon_code == "SAVE20"
    assert (order.totals.subtotal, order.totals.discount, order.totals.total) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("45.00"),
    )
    assert orders.coupons.get("SAVE20").times_used == 1


def test_refused_coupon_places_nothing(orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50)))
    with pytest.raises(ko.CouponNotApplicable, match="at least 50.00 USD"):
        orders.place(new_order(quantity=1, coupon_code="SAVE20"))
    with pytest.raises(ko.CouponNotApplicable, match="no such coupon"):
        orders.place(new_order(coupon_code="NOPE"))
    assert orders.list().items == ()
    assert orders.inventory.stock("TEE-RED-M") == 5
    assert orders.coupons.get("save20").times_used == 0


def test_usage_limit_and_once_per_customer(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("TWICE", 5, usage_limit=2))
    orders.coupons.create(ko.Coupon.free_shipping("WELCOME", once_per_customer=True))
    orders.place(new_order(coupon_code="TWICE", email="a@example.com"))
    orders.place(new_order(coupon_code="TWICE", email="b@example.com"))
    with pytest.raises(ko.CouponNotApplicable, match="maximum 2 times"):
        orders.place(new_order(coupon_code="TWICE", email="c@example.com"))
    free = orders.place(new_order(coupon_code="WELCOME", email="Ada@Example.com"))
    assert free.totals.discount == free.totals.shipping == Decimal("5.00")
    with pytest.raises(ko.CouponNotApplicable, match="once per customer"):
        orders.place(new_order(coupon_code="WELCOME", email="ada@example.com"))
    orders.place(new_order(coupon_code="WELCOME", email="grace@example.com"))


def test_dates_and_disabling(orders: ko.Orders) -> None:
    now = utcnow()
    orders.coupons.create(ko.Coupon.percentage("LATER", 10, starts_at=now + timedelta(days=1)))
    orders.coupons.create(ko.Coupon.percentage("OVER", 10, ends_at=now - timedelta(seconds=1)))
    orders.coupons.create(ko.Coupon.percentage("LIVE", 10, starts_at=now - timedelta(days=1)))
    with pytest.raises(ko.CouponNotApplicable, match="valid from"):
        orders.place(new_order(coupon_code="LATER"))
    with pytest.raises(ko.CouponNotApplicable, match="expired"):
        orders.place(new_order(coupon_code="OVER"))
    orders.place(new_order(coupon_code="LIVE"))
    orders.coupons.disable("live")
    with pytest.raises(ko.CouponNotApplicable, match="disabled"):
        orders.place(new_order(coupon_code="LIVE"))
    assert orders.coupons.get("LIVE").times_used == 1


def test_coupon_codes_are_unique(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    with pytest.raises(ko.ValidationError, match="code: a coupon SAVE20 already exists"):
        orders.coupons.create(ko.Coupon.fixed("save20", 5))
    assert [c.code for c in orders.coupons.all()] == ["SAVE20"]


def test_untracked_skus_are_never_checked(orders: ko.Orders) -> None:
    assert orders.inventory.stock("MUG") is None
    orders.place(new_order(sku="MUG", quantity=1000))
    assert orders.inventory.stock("MUG") is None


def test_an_order_takes_every_tracked_line_or_none(orders: ko.Orders) -> None:
    orders.inventory.set_stock("A", 5)
    orders.inventory.set_stock("B", 1)
    lines = [
        ko.NewLine(sku="A", name="Tee", quantity=2, unit_price=Decimal("10.00")),
        ko.NewLine(sku="UNTRACKED", name="Card", quantity=1, unit_price=Decimal("1.00")),
        ko.NewLine(sku="B", name="Mug", quantity=2, unit_price=Decimal("8.00")),
    ]
    with pytest.raises(ko.OutOfStock, match=r"Mug \(B\) is out of stock: 2 requested, 1 available") as caught:
        orders.place(new_order(lines=lines))
    assert (caught.value.sku, caught.value.requested, caught.value.available) == ("B", 2, 1)
    assert (orders.inventory.stock("A"), orders.inventory.stock("B")) == (5, 1)
    orders.inventory.set_stock("B", 2)
    orders.place(new_order(lines=lines))
    assert (orders.inventory.stock("A"), orders.inventory.stock("B")) == (3, 0)


def test_the_same_sku_on_two_lines_counts_once(orders: ko.Orders) -> None:
    orders.inventory.set_stock("A", 3)
    twice = [ko.NewLine(sku="A", name="Tee", quantity=2, unit_price=Decimal(1)) for _ in range(2)]
    with pytest.raises(ko.OutOfStock, match="4 requested, 3 available"):
        orders.place(new_order(lines=twice))


def test_set_stock_validates_and_untrack_stops_tracking(orders: ko.Orders) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        orders.inventory.set_stock(" ", -1)
    assert [e.path for e in caught.value.errors] == ["sku", "quantity"]
    orders.inventory.set_stock("A", 1)
    orders.inventory.set_stock("A", 4)
    assert orders.inventory.stock("A") == 4
    orders.inventory.untrack("A")
    assert orders.inventory.stock("A") is None


def test_an_externally_computed_discount_bypasses_the_coupon_engine(orders: ko.Orders) -> None:
    cart = attrs.evolve(new_order(coupon_code="saleor-voucher-10"), discount=Decimal("10.00"))
    order = orders.place(cart)
    assert (order.totals.discount, order.totals.total) == (Decimal("10.00"), Decimal("45.00"))
    assert order.coupon_code == "SALEOR-VOUCHER-10"
    assert orders.coupons.all() == []
    with pytest.raises(ko.ValidationError, match="discount: must be at most the subtotal plus shipping"):
        orders.place(attrs.evolve(new_order(), discount=Decimal("55.01")))


def test_inventory_can_be_left_to_another_system(database_url: str) -> None:
    settings = ko.Settings(manage_inventory=False)
    try:
        with ko.Orders.connect(database_url, settings=settings, load_entrypoints=False) as orders:
            orders.inventory.set_stock("TEE-RED-M", 1)
            order = orders.place(new_order(quantity=5))
            orders.cancel(order.id)
            assert orders.inventory.stock("TEE-RED-M") == 1
    finally:
        wipe(database_url)


def test_a_coupon_is_edited_renamed_and_switched_back_on(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.percentage("SAVE2O", 20))
    with pytest.raises(ko.ValidationError, match="value: a percentage must be more than 0 and at most 100"):
        orders.coupons.update(ko.Coupon.percentage("SAVE20", 120), code="save2o")
    assert orders.coupons.get("SAVE2O") == ko.Coupon.percentage("SAVE2O", 20)  # refused: nothing changed

    renamed = orders.coupons.update(
        ko.Coupon.percentage("SAVE20", 25, minimum_order=Decimal(40)), code="SAVE2O"
    )
    orders.place(new_order(coupon_code="SAVE20"))
    assert orders.coupons.disable("save20").active is False
    with pytest.raises(ko.CouponNotApplicable, match="disabled"):
        orders.place(new_order(coupon_code="SAVE20"))
    enabled = orders.coupons.enable("SAVE20")

    assert enabled == attrs.evolve(renamed, times_used=1)
    assert orders.place(new_order(coupon_code="SAVE20")).totals.discount == Decimal("12.50")
