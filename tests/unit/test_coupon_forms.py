"""The back office's coupon form: the text a merchant posts, read into a checked Coupon or errors by field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from kasify_orders.web.coupon_forms import blank_form, coupon_state, form_values, read_coupon_form, rules_seen


def _form(**fields: str) -> dict[str, str]:
    return {**blank_form(), "code": "SAVE20", "value": "20", **fields}


def _errors(**fields: str) -> dict[str, str]:
    with pytest.raises(ko.ValidationError) as caught:
        read_coupon_form(_form(**fields))
    found: dict[str, str] = {}
    for error in caught.value.errors:
        assert error.path not in found, f"two errors on {error.path}"
        found[error.path] = error.message
    return found


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"code": "save20", "kind": "percentage", "value": "20"}, ko.Coupon.percentage("SAVE20", 20)),
        (
            {"code": "TENOFF", "kind": "fixed", "value": "10.00", "currency": "usd"},
            ko.Coupon.fixed("TENOFF", Decimal("10.00"), currency="USD"),
        ),
        ({"code": "SHIPFREE", "kind": "free_shipping", "value": ""}, ko.Coupon.free_shipping("SHIPFREE")),
        # The help page's fourth type: any kind with a minimum order value.
        (
            {"code": "BIG5", "kind": "fixed", "value": "5", "minimum_order": "40.00"},
            ko.Coupon.fixed("BIG5", 5, minimum_order=Decimal("40.00")),
        ),
    ],
)
def test_each_type_of_coupon_is_read_from_its_form(fields: dict[str, str], expected: ko.Coupon) -> None:
    assert read_coupon_form(_form(**fields)) == expected


def test_every_rule_is_read() -> None:
    coupon = read_coupon_form(
        _form(
            usage_limit="100",
            once_per_customer="on",
            starts_at="2026-12-01T09:00",
            ends_at="2026-12-31",
            active="",
        )
    )

    assert coupon.usage_limit == 100
    assert coupon.once_per_customer is True
    assert coupon.starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert coupon.ends_at == datetime(2026, 12, 31, tzinfo=UTC)  # a date alone: its midnight, UTC
    assert coupon.active is False


def test_a_coupon_shows_in_its_form_as_it_reads_back() -> None:
    coupon = ko.Coupon.fixed(
        "BIG5",
        Decimal("5.50"),
        minimum_order=Decimal(40),
        currency="EUR",
        usage_limit=3,
        once_per_customer=True,
        starts_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        ends_at=datetime(2027, 1, 1, tzinfo=UTC),
        active=False,
    )

    assert read_coupon_form(form_values(coupon)) == coupon


@pytest.mark.parametrize(
    ("fields", "path", "says"),
    [
        ({"code": ""}, "code", "Enter the code customers type"),
        ({"code": "TWO WORDS"}, "code", "Must be 1-64 letters, digits, '-' or '_'"),
        ({"kind": "bogo"}, "kind", "Choose the type: percentage off, fixed amount off, free shipping."),
        ({"value": ""}, "value", "Enter the percent off, more than 0 and at most 100"),
        ({"value": "150"}, "value", "A percentage must be more than 0 and at most 100, got 150."),
        ({"value": "twenty"}, "value", "Enter the discount in digits, such as 12.50, not “twenty”."),
        ({"kind": "fixed", "value": ""}, "value", "Enter the amount off, such as 10.00."),
        ({"kind": "fixed", "value": "0"}, "value", "Must be greater than 0, got 0."),
        (
            {"kind": "fixed", "value": "1.005", "currency": "USD"},
            "value",
            "1.005 has more than 2 decimal places, the minor unit of USD.",
        ),
        ({"kind": "free_shipping", "value": "5"}, "value", "A free-shipping coupon takes no discount value"),
        ({"minimum_order": "-5"}, "minimum_order", "Must not be negative, got -5."),
        ({"minimum_order": "5,00"}, "minimum_order", "Enter the minimum order value in digits"),
        ({"currency": "XX"}, "currency", "Must be an ISO 4217 currency code such as USD, EUR or JPY"),
        ({"usage_limit": "0"}, "usage_limit", "Must be at least 1, got 0."),
        ({"usage_limit": "lots"}, "usage_limit", "Enter a whole number of orders, such as 100"),
        ({"starts_at": "next week"}, "starts_at", "Enter a date and time such as 2026-12-01 09:00"),
        (
            {"starts_at": "2026-12-31T00:00", "ends_at": "2026-12-01T00:00"},
            "ends_at",
            "Must be later than the start.",
        ),
    ],
)
def test_a_bad_field_is_named_with_what_is_allowed(fields: dict[str, str], path: str, says: str) -> None:
    errors = _errors(**fields)

    assert list(errors) == [path]
    assert errors[path].startswith(says), errors[path]


def test_every_bad_field_is_named_at_once_in_the_forms_order() -> None:
    errors = _errors(code="", value="150", usage_limit="0", currency="XX")

    assert list(errors) == ["code", "value", "currency", "usage_limit"]


def test_the_form_keeps_what_was_typed_and_puts_each_error_beside_its_field() -> None:
    typed = _form(value="150", usage_limit="zero")
    with pytest.raises(ko.ValidationError) as caught:
        read_coupon_form(typed)

    state = coupon_state(typed, caught.value.errors)

    assert state.values["value"] == "150" and state.values["usage_limit"] == "zero"
    assert set(state.errors) == {"value", "usage_limit"}
    assert all(message.endswith(".") for messages in state.errors.values() for message in messages)


def test_the_rules_fingerprint_moves_with_every_rule_and_not_with_the_use_count() -> None:
    coupon = ko.Coupon.fixed("TENOFF", 10, usage_limit=5)

    assert rules_seen(attrs.evolve(coupon, times_used=3)) == rules_seen(coupon)
    for changed in (
        attrs.evolve(coupon, value=Decimal(11)),
        attrs.evolve(coupon, usage_limit=6),
        attrs.evolve(coupon, active=False),
        attrs.evolve(coupon, ends_at=datetime(2027, 1, 1, tzinfo=UTC)),
    ):
        assert rules_seen(changed) != rules_seen(coupon)
