"""Totals and coupons: examples for each rule, and properties over random carts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasify_orders import money, pricing
from kasify_orders.errors import CouponNotApplicable
from kasify_orders.model import Coupon, Line, NewLine

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def lines(*prices_and_quantities: tuple[str, int]) -> list[Line]:
    return pricing.lines_for(
        [
            NewLine(sku=f"S{i}", name="x", quantity=q, unit_price=Decimal(p))
            for i, (p, q) in enumerate(prices_and_quantities)
        ]
    )


def totals(
    coupon: Coupon | None, shipping: str = "5.00", currency: str = "USD"
) -> tuple[Decimal, Decimal, Decimal]:
    t = pricing.totals_for(lines(("25.00", 2)), shipping=Decimal(shipping), coupon=coupon, currency=currency)
    return t.subtotal, t.discount, t.total


def test_percentage_coupon_takes_a_share_of_the_subtotal_only() -> None:
    assert totals(Coupon.percentage("P", 20)) == (Decimal("50.00"), Decimal("10.00"), Decimal("45.00"))


def test_percentage_rounds_half_up_to_the_cent() -> None:
    t = pricing.totals_for(
        lines(("0.25", 1)), shipping=Decimal(0), coupon=Coupon.percentage("P", 10), currency="USD"
    )
    assert t.discount == Decimal("0.03")  # 0.025 -> 0.03


def test_fixed_coupon_is_capped_at_the_subtotal() -> None:
    assert totals(Coupon.fixed("F", "10")) == (Decimal("50.00"), Decimal("10.00"), Decimal("45.00"))
    assert totals(Coupon.fixed("F", "80")) == (Decimal("50.00"), Decimal("50.00"), Decimal("5.00"))


def test_free_shipping_discount_equals_the_shipping_cost() -> None:
    assert totals(Coupon.free_shipping("S"), shipping="7.95") == (
        Decimal("50.00"),
        Decimal("7.95"),
        Decimal("50.00"),
    )


def check(
    coupon: Coupon, subtotal: str = "50.00", *, now: datetime = NOW, used: bool = False, currency: str = "USD"
) -> Coupon:
    return pricing.check_coupon(
        coupon, coupon.code, subtotal=Decimal(subtotal), currency=currency, now=now, used_by_customer=used
    )


def test_minimum_order_is_inclusive_and_compared_before_discount() -> None:
    coupon = Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50))
    assert check(coupon, "50.00") is coupon
    with pytest.raises(CouponNotApplicable, match="at least 50.00 USD; this order's is 49.99 USD"):
        check(coupon, "49.99")


@pytest.mark.parametrize(
    ("coupon", "kwargs", "reason"),
    [
        (Coupon.percentage("C", 10, active=False), {}, "disabled"),
        (Coupon.percentage("C", 10, starts_at=NOW + timedelta(days=1)), {}, "valid from"),
        (Coupon.percentage("C", 10, ends_at=NOW), {}, "expired"),
        (Coupon.percentage("C", 10, usage_limit=3, times_used=3), {}, "maximum 3 times"),
        (Coupon.percentage("C", 10, once_per_customer=True), {"used": True}, "once per customer"),
        (Coupon.fixed("C", 10, currency="EUR"), {}, "only valid for orders in EUR"),
    ],
)
def test_refusals_say_why(coupon: Coupon, kwargs: dict[str, bool], reason: str) -> None:
    with pytest.raises(CouponNotApplicable, match=reason):
        check(coupon, **kwargs)


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(CouponNotApplicable, match="no such coupon"):
        pricing.check_coupon(
            None, "NOPE", subtotal=Decimal(1), currency="USD", now=NOW, used_by_customer=False
        )


currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])


@st.composite
def carts(draw: st.DrawFn) -> tuple[str, list[Line], Decimal, Coupon | None]:
    currency = draw(currencies)
    places = money.minor_unit(currency)
    amounts = st.integers(min_value=0, max_value=10**7).map(lambda units: Decimal(units).scaleb(-places))
    priced = [
        NewLine(sku=f"S{i}", name="x", quantity=draw(st.integers(1, 50)), unit_price=draw(amounts))
        for i in range(draw(st.integers(1, 5)))
    ]
    coupon = draw(
        st.one_of(
            st.none(),
            st.decimals(min_value=Decimal("0.01"), max_value=100, places=2).map(
                lambda p: Coupon.percentage("P", p)
            ),
            amounts.filter(lambda a: a > 0).map(lambda a: Coupon.fixed("F", a)),
            st.just(Coupon.free_shipping("S")),
        )
    )
    return currency, pricing.lines_for(priced), draw(amounts), coupon


@given(carts())
def test_total_identity_and_discount_bounds(cart: tuple[str, list[Line], Decimal, Coupon | None]) -> None:
    currency, priced, shipping, coupon = cart
    t = pricing.totals_for(priced, shipping=shipping, coupon=coupon, currency=currency)
    assert t.total == t.subtotal + t.shipping - t.discount
    assert 0 <= t.discount <= t.subtotal + t.shipping
    assert t.total >= 0
    for amount in (t.subtotal, t.shipping, t.discount, t.total):
        assert money.is_exact(amount, currency)
    if coupon is not None and coupon.kind.value != "free_shipping":
        assert t.discount <= t.subtotal


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6), currencies)
def test_quantize_is_idempotent_and_within_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    rounded = money.quantize(amount, currency)
    assert money.quantize(rounded, currency) == rounded
    assert abs(rounded - amount) <= Decimal(1).scaleb(-money.minor_unit(currency)) / 2
