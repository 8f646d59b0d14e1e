"""Refunds by line, on plain objects: the discount's shares, the caps, no unit refunded twice."""

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kasify_orders as ko
from kasify_orders import actions, line_refunds
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.lifecycle import PaymentStatus, RefundStatus, Status
from kasify_orders.model import Order
from kasify_orders.validation import validate_new_order
from tests.helpers import new_order

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

#: Three lines whose shares of a 10.00 discount do not divide evenly: 10 x 10/37 and so on.
LINES = [
    ko.NewLine(sku="TEE", name="T-shirt", quantity=3, unit_price=Decimal("10.00")),
    ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("7.00")),
]


def paid(
    discount: str | None = "10.00", lines: list[ko.NewLine] | None = None, shipping: str = "5.00"
) -> Order:
    cart = attrs.evolve(
        new_order(lines=lines or LINES, shipping=shipping),
        discount=None if discount is None else Decimal(discount),
    )
    order = actions.place(validate_new_order(cart), None, order_id="a" * 32, at=T0, actor=None).order
    return actions.confirm_payment(order, at=T0, actor=None).order


def refund(order: Order, **kwargs: object) -> Order:
    arguments = {"amount": None, "note": "", "refund_id": f"r{len(order.refunds)}", "at": T0, "actor": None}
    return actions.refund(order, **{**arguments, **kwargs}).order  # type: ignore[arg-type]


def test_allocation_adds_up_to_the_discount_exactly_largest_remainder_first() -> None:
    # 10.00 over 1:1:1 is 3.33 each with one cent left: it goes to the first of the equal remainders.
    shares = line_refunds.allocate(Decimal("10.00"), [Decimal(1)] * 3, "USD")
    assert shares == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    # 1000 cents over 30 : 7 is 810.81.. and 189.18..: the larger remainder (.81) takes the cent.
    assert line_refunds.allocate(Decimal("10.00"), [Decimal(30), Decimal(7)], "USD") == [
        Decimal("8.11"),
        Decimal("1.89"),
    ]
    assert line_refunds.allocate(Decimal(7), [Decimal(1), Decimal(2)], "JPY") == [Decimal(2), Decimal(5)]
    assert line_refunds.allocate(Decimal("5.00"), [Decimal(0), Decimal(0)], "USD") == [Decimal("0.00")] * 2


@given(
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=10**7),
)
def test_allocation_is_exact_to_the_cent_for_any_weights(weights: list[int], cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    shares = line_refunds.allocate(amount, [Decimal(w) for w in weights], "USD")
    if sum(weights) == 0:
        assert set(shares) == {Decimal("0.00")}
        return
    assert sum(shares) == amount
    assert all(share >= 0 and share == share.quantize(Decimal("0.01")) for share in shares)
    assert all(share == 0 for share, weight in zip(shares, weights, strict=True) if weight == 0)


def test_a_line_refund_refunds_each_units_price_after_its_share_of_the_discount() -> None:
    order = paid()
    assert order.totals.total == Decimal("32.00")  # 37 + 5 - 10
    after = refund(order, lines={1: 2}, note="torn")
    (made,) = after.refunds
    # The tee line takes 8.11 of the discount: 21.89 for three units, 14.59 for the first two.
    assert made.amount == Decimal("14.59") and made.line_amounts == {1: Decimal("14.59")}
    assert made.lines == {1: 2} and made.shipping is False and made.by_line
    assert after.refunded_quantities() == {1: 2} and after.refundable_quantities() == {1: 1, 2: 1}
    assert after.timeline[-1].message == "Refunded 14.59 USD for 2 x T-shirt — note: torn"
    assert after.timeline[-1].data["lines"] == {"1": 2} and after.timeline[-1].data["shipping"] is False
    assert after.payment_status is PaymentStatus.PARTIALLY_REFUNDED


def test_refunding_every_unit_and_the_shipping_refunds_the_total_exactly() -> None:
    order = refund(paid(), lines={1: 1})
    order = refund(order, lines={1: 1, 2: 1})
    order = refund(order, lines={1: 1}, shipping=True)
    # The tee's units on a running total: 7.30, 7.29, 7.30 (21.89); the mug 5.11; shipping 5.00.
    assert [r.amount for r in order.refunds] == [Decimal("7.30"), Decimal("12.40"), Decimal("12.30")]
    assert order.totals.refunded == order.totals.total == Decimal("32.00")
    assert order.status is Status.REFUNDED and order.payment_status is PaymentStatus.REFUNDED


def test_a_free_shipping_sized_discount_beyond_the_lines_comes_off_the_shipping() -> None:
    order = paid(
        discount="9.00", lines=[ko.NewLine(sku="PIN", name="Pin", quantity=1, unit_price=Decimal("4.00"))]
    )
    shares, on_shipping = line_refunds.discount_shares(order)
    assert shares == {1: Decimal("4.00")} and on_shipping == Decimal("5.00")
    with pytest.raises(RefundExceedsBalance):  # the pin refunds nothing: the customer paid 0.00
        refund(order, lines={1: 1})


def test_a_unit_is_never_refunded_twice_and_the_error_names_the_line() -> None:
    order = refund(paid(), lines={1: 2})
    with pytest.raises(ValidationError) as caught:
        refund(order, lines={1: 2})
    assert [(e.path, e.message) for e in caught.value.errors] == [
        ("lines[1]", "only 1 of 3 units is left to refund")
    ]
    order = refund(order, lines={1: 1})
    with pytest.raises(ValidationError, match=r"lines\[1\]: only 0 of 3 units"):
        refund(order, lines={1: 1})


def test_the_shipping_is_refunded_once_over_all_refunds() -> None:
    order = refund(paid(), shipping=True)
    assert order.refunds[0].amount == Decimal("5.00") and order.refunds[0].lines == {}
    with pytest.raises(ValidationError, match="shipping: the shipping was refunded already"):
        refund(order, lines={2: 1}, shipping=True)
    with pytest.raises(ValidationError, match="shipping: this order has no shipping"):
        refund(paid(shipping="0.00"), shipping=True)


def test_bad_lines_and_mixed_kinds_name_their_fields() -> None:
    order = paid()
    with pytest.raises(ValidationError) as caught:
        refund(order, lines={9: 1, 2: "x", "1": -1})
    assert {e.path for e in caught.value.errors} == {"lines[9]", "lines[2]", "lines[1]"}
    with pytest.raises(ValidationError, match="lines: choose at least one line"):
        refund(order, lines={1: 0})
    with pytest.raises(ValidationError, match="amount: give an amount or lines"):
        refund(order, amount=Decimal("1.00"), lines={1: 1})
    with pytest.raises(ValidationError, match="restock: only a refund of lines"):
        refund(order, amount=Decimal("1.00"), restock=True)


def test_the_cap_holds_with_amount_and_line_refunds_mixed() -> None:
    order = refund(paid(), amount=Decimal("25.00"))  # 7.00 left
    with pytest.raises(RefundExceedsBalance, match="refundable balance is 7.00 USD"):
        refund(order, lines={1: 2})  # 14.59
    order = refund(order, lines={2: 1})  # the mug: 7.00 - 1.89 = 5.11
    assert order.totals.refundable == Decimal("1.89")
    with pytest.raises(RefundExceedsBalance):
        refund(order, shipping=True)


def test_a_pending_line_refund_holds_its_units_and_a_failed_one_gives_them_back() -> None:
    order = paid()
    asked = actions.request_refund(
        order, amount=None, note="", refund_id="p1", at=T0, actor=None, lines={1: 3}, restock=True
    ).order
    assert asked.refunds[0].status is RefundStatus.PENDING and asked.refundable_quantities() == {2: 1}
    with pytest.raises(ValidationError, match=r"lines\[1\]"):
        refund(asked, lines={1: 1})
    failed = actions.fail_refund(asked, "p1", reason="declined", at=T0).order
    assert failed.refundable_quantities() == {1: 3, 2: 1}
    assert refund(failed, lines={1: 3}).totals.refunded == Decimal("21.89")


def test_an_order_with_a_parcel_shipped_is_not_cancelled() -> None:
    order = paid()
    shipped = actions.mark_shipped(
        order, carrier="ups", tracking_number="1Z999AA10123456784", at=T0, actor=None, lines={1: 1}
    ).order
    with pytest.raises(InvalidTransition, match="1 parcel shipped already; refund the lines instead"):
        actions.cancel(shipped, reason="", restock=True, at=T0, actor=None)
    assert actions.cancel(order, reason="", restock=True, at=T0, actor=None).order.status is Status.CANCELLED
