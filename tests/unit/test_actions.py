"""The domain rules, on plain objects: no database, no clock, no plugins."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from kasify_orders import actions
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.events import PaymentConfirmed
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import Order
from kasify_orders.validation import validate_new_order
from tests.helpers import new_order

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def placed(**kwargs: object) -> Order:
    cart = validate_new_order(new_order(**kwargs))  # type: ignore[arg-type]
    return actions.place(cart, None, order_id="a" * 32, at=T0, actor="customer").order


def paid(**kwargs: object) -> Order:
    return actions.confirm_payment(placed(**kwargs), at=T0, actor="staff:1").order


def shipped(**kwargs: object) -> Order:
    return actions.mark_shipped(
        paid(**kwargs), carrier="UPS", tracking_number="1Z999AA10123456784", at=T0, actor="staff:1"
    ).order


def test_placing_prices_the_cart() -> None:
    order = placed(quantity=3, unit_price="19.99", shipping="4.50")
    assert order.status is Status.PENDING and order.payment_status is PaymentStatus.PENDING
    assert order.totals.subtotal == Decimal("59.97")
    assert order.totals.total == Decimal("64.47")
    assert [entry.kind for entry in order.timeline] == ["placed"]
    assert order.timeline[0].actor == "customer"


def test_confirm_payment_moves_to_processing_and_paid() -> None:
    change = actions.confirm_payment(placed(), at=T0, actor="staff:7")
    assert change.order.status is Status.PROCESSING
    assert change.order.payment_status is PaymentStatus.PAID
    assert change.order.paid_at == T0
    assert change.order.version == 2
    assert change.events == (PaymentConfirmed(),)
    assert change.entries[0].actor == "staff:7"


def test_shipping_needs_tracking_and_carrier_and_strips_whitespace() -> None:
    with pytest.raises(ValidationError) as caught:
        actions.mark_shipped(paid(), carrier="  ", tracking_number=" \t", at=T0, actor=None)
    assert {error.path for error in caught.value.errors} == {"carrier", "tracking_number"}
    order = actions.mark_shipped(
        paid(), carrier=" ups ", tracking_number=" 1Z999AA10123456784 ", at=T0, actor=None
    ).order
    assert order.status is Status.SHIPPED
    assert order.shipment is not None
    assert order.shipment.tracking_number == "1Z999AA10123456784"
    assert order.shipment.carrier == "ups"
    assert order.shipment.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"


def test_shipping_a_pending_order_is_refused_and_says_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition, match="cannot mark shipped an order that is pending.*processing"):
        actions.mark_shipped(placed(), carrier="ups", tracking_number="1Z999AA10123456784", at=T0, actor=None)


def test_tracking_corrections_keep_every_number_on_the_timeline() -> None:
    order = shipped()
    later = T0 + timedelta(hours=1)
    order = actions.update_tracking(
        order, tracking_number="1Z999AA10123456785", carrier=None, at=later, actor="staff:2"
    ).order
    order = actions.update_tracking(
        order, tracking_number="JD014600006281230000", carrier="DHL", at=later, actor="staff:3"
    ).order
    assert order.shipment is not None and order.shipment.carrier == "dhl"
    history = [
        (e.data.get("previous_tracking_number"), e.data.get("tracking_number"), e.actor)
        for e in order.timeline
        if e.kind == "tracking_updated"
    ]
    assert history == [
        ("1Z999AA10123456784", "1Z999AA10123456785", "staff:2"),
        ("1Z999AA10123456785", "JD014600006281230000", "staff:3"),
    ]
    assert order.shipment.shipped_at == T0


def test_unchanged_tracking_is_refused() -> None:
    with pytest.raises(ValidationError, match="tracking_number: is already"):
        actions.update_tracking(
            shipped(), tracking_number="1Z999AA10123456784", carrier="ups", at=T0, actor=None
        )


def test_tracking_can_be_corrected_after_delivery_but_not_before_shipping() -> None:
    delivered = actions.mark_delivered(shipped(), at=T0, actor=None).order
    actions.update_tracking(delivered, tracking_number="1Z999AA10123456799", carrier=None, at=T0, actor=None)
    with pytest.raises(InvalidTransition):
        actions.update_tracking(
            paid(), tracking_number="1Z999AA10123456799", carrier="ups", at=T0, actor=None
        )


def refund(order: Order, amount: str | None, note: str = "") -> Order:
    value = None if amount is None else Decimal(amount)
    return actions.refund(order, amount=value, note=note, refund_id="r" * 32, at=T0, actor="staff:1").order


def test_partial_refund_keeps_the_status_so_the_order_can_still_ship() -> None:
    order = refund(paid(), "10.00", note="strap broken")
    assert order.status is Status.PROCESSING
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    assert order.totals.refunded == Decimal("10.00")
    assert order.totals.refundable == Decimal("45.00")
    assert order.refunds[0].note == "strap broken"
    actions.mark_shipped(order, carrier="ups", tracking_number="1Z999AA10123456784", at=T0, actor=None)


def test_refunds_add_up_and_the_last_one_refunds_the_order() -> None:
    order = refund(refund(shipped(), "10.00"), None)
    assert order.totals.refunded == order.totals.total == Decimal("55.00")
    assert order.status is Status.REFUNDED
    assert order.payment_status is PaymentStatus.REFUNDED
    assert [r.amount for r in order.refunds] == [Decimal("10.00"), Decimal("45.00")]


def test_a_cancelled_paid_order_stays_cancelled_when_fully_refunded() -> None:
    cancelled = actions.cancel(paid(), reason="customer asked", restock=True, at=T0, actor=None).order
    order = refund(cancelled, None)
    assert order.status is Status.CANCELLED
    assert order.payment_status is PaymentStatus.REFUNDED


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "greater than 0"), ("-1.00", "must not be negative"), ("10.001", "more than 2 decimal places")],
)
def test_bad_refund_amounts_are_refused_never_rounded(amount: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        refund(paid(), amount)


def test_a_refund_over_the_balance_says_the_balance() -> None:
    with pytest.raises(RefundExceedsBalance, match="refundable balance is 45.00 USD") as caught:
        refund(refund(paid(), "10.00"), "45.01")
    assert caught.value.refundable == Decimal("45.00")
    fully = refund(paid(), None)
    with pytest.raises(RefundExceedsBalance, match="0.00 USD"):
        refund(fully, None)


def test_a_never_paid_order_cannot_be_refunded() -> None:
    cancelled = actions.cancel(placed(), reason="", restock=True, at=T0, actor=None).order
    with pytest.raises(InvalidTransition, match="payment was never confirmed"):
        refund(cancelled, None)


def test_jpy_refunds_have_no_decimals() -> None:
    order = paid(currency="JPY", unit_price="1500", shipping="500")
    with pytest.raises(ValidationError, match="more than 0 decimal places"):
        refund(order, "100.5")
    assert refund(order, "100").totals.refundable == Decimal(3400)


def test_notes_go_on_the_timeline_in_any_status() -> None:
    order = actions.add_note(refund(paid(), None), text=" called the customer ", at=T0, actor="staff:9").order
    assert order.timeline[-1].kind == "note"
    assert order.timeline[-1].message == "called the customer"
    with pytest.raises(ValidationError, match="text: must not be blank"):
        actions.add_note(order, text="  ", at=T0, actor=None)


def test_an_order_cannot_be_built_with_totals_that_do_not_add_up() -> None:
    order = placed()
    with pytest.raises(ValueError, match="total"):
        attrs.evolve(order, totals=attrs.evolve(order.totals, discount=Decimal("1.00")))


def test_an_order_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        attrs.evolve(placed(), created_at=datetime(2026, 1, 1))
