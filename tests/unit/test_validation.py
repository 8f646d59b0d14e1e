from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from kasify_orders import i18n
from kasify_orders.validation import Checker, validate_coupon, validate_new_order
from tests.helpers import new_order


def paths(error: ko.ValidationError) -> set[str]:
    return {field.path for field in error.errors}


def test_every_bad_field_is_reported_at_once() -> None:
    bad = ko.NewOrder(
        customer=ko.Customer(name="Ada\r\nBcc: x@evil.example", email="not-an-email"),
        shipping_address=ko.Address(line1="", city="London", postal_code="SW1", country="XX"),
        lines=[
            ko.NewLine(sku="A", name="Tee", quantity=0, unit_price=Decimal(-1)),
            ko.NewLine(sku="B", name="Mug", quantity=2, unit_price=Decimal("3.001")),
        ],
        currency="ZZZ",
        shipping_cost=Decimal(-5),
    )
    with pytest.raises(ko.ValidationError) as caught:
        validate_new_order(bad)
    assert paths(caught.value) == {
        "customer.name",
        "customer.email",
        "shipping_address.line1",
        "shipping_address.country",
        "lines[0].quantity",
        "lines[0].unit_price",
        "currency",
        "shipping_cost",
    }
    message = str(caught.value)
    assert "control characters" in message
    assert "ISO 3166-1 alpha-2" in message
    assert "ISO 4217" in message


def test_exactness_of_prices_is_checked_against_the_currency() -> None:
    with pytest.raises(ko.ValidationError) as caught:
        validate_new_order(new_order(unit_price="3.001"))
    assert [str(e) for e in caught.value.errors] == [
        "lines[0].unit_price: 3.001 has more than 2 decimal places, the minor unit of USD"
    ]


def test_input_is_normalised() -> None:
    cart = validate_new_order(
        ko.NewOrder(
            customer=ko.Customer(name="  Ada  ", email="Ada@Example.COM"),
            shipping_address=ko.Address(line1=" 1 Road ", city="Paris", postal_code="75001", country="fr"),
            lines=[ko.NewLine(sku=" S1 ", name="Tee", quantity=1, unit_price=Decimal("1.00"))],
            currency="eur",
            coupon_code=" save20 ",
        )
    )
    assert cart.customer.name == "Ada"
    assert cart.customer.email == "ada@example.com"
    assert cart.shipping_address.country == "FR"
    assert cart.lines[0].sku == "S1"
    assert cart.currency == "EUR"
    assert cart.coupon_code == "SAVE20"


def test_an_order_needs_at_least_one_line() -> None:
    cart = new_order()
    empty = ko.NewOrder(
        customer=cart.customer, shipping_address=cart.shipping_address, lines=[], currency="USD"
    )
    with pytest.raises(ko.ValidationError, match="lines: must hold at least one line"):
        validate_new_order(empty)


def test_booleans_are_not_quantities() -> None:
    cart = new_order(lines=[ko.NewLine(sku="A", name="Tee", quantity=True, unit_price=Decimal(1))])  # type: ignore[arg-type]
    with pytest.raises(ko.ValidationError, match="lines\\[0\\].quantity: must be a whole number"):
        validate_new_order(cart)


def test_customer_notes_may_span_lines_but_hold_no_other_control_characters() -> None:
    assert validate_new_order(new_order(note="Gift wrap\r\nplease")).customer_note == "Gift wrap\r\nplease"
    with pytest.raises(ko.ValidationError, match="customer_note"):
        validate_new_order(new_order(note="bell\x07"))


@pytest.mark.parametrize(
    ("coupon", "path"),
    [
        (ko.Coupon.percentage("P0", 0), "value"),
        (ko.Coupon.percentage("P101", 101), "value"),
        (ko.Coupon.fixed("F0", 0), "value"),
        (ko.Coupon.fixed("FX", "1.005", currency="USD"), "value"),
        (ko.Coupon.percentage("has space", 10), "code"),
        (ko.Coupon.free_shipping("S", minimum_order=Decimal(-1)), "minimum_order"),
        (ko.Coupon.free_shipping("S", usage_limit=0), "usage_limit"),
        (ko.Coupon.fixed("F", 5, currency="NOPE"), "currency"),
    ],
)
def test_bad_coupons_name_the_field(coupon: ko.Coupon, path: str) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        validate_coupon(coupon)
    assert path in paths(caught.value)


def test_coupon_codes_are_upper_cased() -> None:
    assert ko.Coupon.percentage(" save20 ", 20).code == "SAVE20"


def test_the_checkers_messages_stay_english_and_read_german_on_a_german_page() -> None:
    checker = Checker()
    checker.text("name", "  ")
    checker.text("note", "x" * 612, max_length=500)
    checker.amount("amount", Decimal("1.234"), "EUR")
    checker.integer("usage_limit", 0, minimum=1)
    assert [error.message for error in checker.errors] == [
        "must not be blank",
        "must be at most 500 characters, got 612",
        "1.234 has more than 2 decimal places, the minor unit of EUR",
        "must be at least 1, got 0",
    ]
    with i18n.activate("de"):
        assert [error.translated() for error in checker.errors] == [
            "darf nicht leer sein",
            "darf höchstens 500 Zeichen lang sein, angegeben: 612",
            "1.234 hat mehr als 2 Nachkommastellen, die kleinste Einheit von EUR",
            "muss mindestens 1 sein, angegeben: 0",
        ]


def test_a_coupons_errors_read_german() -> None:
    start = datetime(2031, 7, 1, tzinfo=UTC)
    coupon = attrs.evolve(ko.Coupon.percentage("SUMMER", 10), starts_at=start, ends_at=start)
    with pytest.raises(ko.ValidationError) as raised:
        validate_coupon(attrs.evolve(coupon, value=Decimal(120)))
    assert [str(error) for error in raised.value.errors] == [
        "value: a percentage must be more than 0 and at most 100, got 120",
        "ends_at: must be later than starts_at",
    ]
    with i18n.activate("de"):
        assert raised.value.errors[0].translated() == (
            "ein Prozentsatz muss größer als 0 und höchstens 100 sein, angegeben: 120"
        )
