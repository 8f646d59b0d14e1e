"""What people read when their input is refused: each message names the field, what was given
and what is allowed, in proper case; and every bad field is named at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

import kasify_orders as ko
from kasify_orders import money
from kasify_orders.validation import Checker
from kasify_orders.web.formatting import sentence
from tests.unit.test_convert import cart

AMOUNT_TEXT = "must be digits with an optional decimal point, such as 12.50, got "


def structured(**changes: Any) -> Callable[[], object]:
    return lambda: ko.structure(cart(**changes), ko.NewOrder)


def refund_amount(value: object) -> Callable[[], object]:
    def check() -> None:
        checker = Checker()
        checker.amount("amount", value, "USD", positive=True)
        checker.done()

    return check


def address(**changes: str) -> dict[str, str]:
    return {"line1": "1 Road", "city": "Town", "postal_code": "1", "country": "GB", **changes}


CASES: list[tuple[str, Callable[[], object], list[tuple[str, str]]]] = [
    ("arabic-indic digit", structured(shipping_cost="\u0665"), [("shipping_cost", AMOUNT_TEXT + "'\u0665'")]),
    ("full-width digit", structured(shipping_cost="\uff15"), [("shipping_cost", AMOUNT_TEXT + "'\uff15'")]),
    ("spaces", structured(shipping_cost=" 5 "), [("shipping_cost", AMOUNT_TEXT + "' 5 '")]),
    ("underscore", structured(shipping_cost="1_0"), [("shipping_cost", AMOUNT_TEXT + "'1_0'")]),
    ("exponent text", structured(shipping_cost="1e400"), [("shipping_cost", AMOUNT_TEXT + "'1e400'")]),
    ("not a number", structured(shipping_cost="NaN"), [("shipping_cost", AMOUNT_TEXT + "'NaN'")]),
    (
        "huge JSON number",
        structured(shipping_cost=json.loads("1e400", parse_float=Decimal)),
        [("shipping_cost", "is too large: an amount must be less than 1,000,000,000,000, got 1E+400")],
    ),
    ("negative text", structured(shipping_cost="-5"), [("shipping_cost", "must not be negative, got -5")]),
    ("negative refund", refund_amount(Decimal(-5)), [("amount", "must not be negative, got -5")]),
    ("zero refund", refund_amount(Decimal(0)), [("amount", "must be greater than 0, got 0")]),
    (
        "refund finer than cents",
        refund_amount(Decimal("1.001")),
        [("amount", "1.001 has more than 2 decimal places, the minor unit of USD")],
    ),
    (
        "refund of the wrong type",
        refund_amount("5"),
        [("amount", "must be an amount (a Decimal or an int), got str '5'")],
    ),
    (
        "control character in a name",
        structured(customer={"name": "Ada\nBcc: x@evil.example", "email": "ada@example.com"}),
        [
            (
                "customer.name",
                (
                    "must not contain control characters (not even a line break or a tab), "
                    "got 'Ada\\nBcc: x@evil.example'"
                ),
            )
        ],
    ),
    (
        "control character in a note",
        structured(customer_note="Ring\x07 twice\nplease"),
        [
            (
                "customer_note",
                (
                    "must not contain control characters other than line breaks and tabs, "
                    "got 'Ring\\x07 twice\\nplease'"
                ),
            )
        ],
    ),
    (
        "unknown currency",
        structured(currency="usdx"),
        [("currency", "must be an ISO 4217 currency code such as USD, EUR or JPY, got 'usdx'")],
    ),
    (
        "unknown country",
        structured(shipping_address=address(country="zz")),
        [("shipping_address.country", "must be an ISO 3166-1 alpha-2 code such as GB or US, got 'zz'")],
    ),
    (
        "a wrong type beside bad values",
        structured(
            customer={"name": "Ada", "email": "nope"},
            lines=[{"sku": "A", "name": "", "quantity": "2", "unit_price": "1.001"}],
        ),
        [
            ("lines[0].quantity", "must be a whole number, got str"),
            # What follows is email-validator's own reason, worded differently across its versions.
            ("customer.email", "is not a valid email address: …"),
            ("lines[0].name", "must not be blank"),
            ("lines[0].unit_price", "1.001 has more than 2 decimal places, the minor unit of USD"),
        ],
    ),
    (
        "a wrong-typed object beside bad values",
        structured(customer="Ada", shipping_address=address(country="zz"), currency="usdx"),
        [
            ("customer", "must be an object, got str"),
            ("shipping_address.country", "must be an ISO 3166-1 alpha-2 code such as GB or US, got 'zz'"),
            ("currency", "must be an ISO 4217 currency code such as USD, EUR or JPY, got 'usdx'"),
        ],
    ),
    (
        "too many units",
        structured(lines=[{"sku": "A", "name": "Tee", "quantity": 10**20, "unit_price": "1.00"}]),
        [("lines[0].quantity", "must be at most 1,000,000, got 100000000000000000000")],
    ),
    (
        "a total too large",
        structured(lines=[{"sku": "A", "name": "Tee", "quantity": 1000, "unit_price": "999999999999"}]),
        [
            (
                "lines",
                (
                    "the order's total is too large: it must be less than 1,000,000,000,000, "
                    "got 999999999999005.00"
                ),
            )
        ],
    ),
    (
        "a misspelt setting",
        lambda: ko.Settings(stor_name="Shop"),  # type: ignore[call-arg]
        [("stor_name", "is not a known setting: did you mean 'store_name'?")],
    ),
    (
        "a misspelt field",
        structured(
            lines=[{"sku": "A", "name": "Tee", "quantity": 1, "unit_price": "1.00", "varient": "Red"}],
            colour="red",
        ),
        [
            ("lines[0].varient", "is not a known field: did you mean 'variant'?"),
            (
                "colour",
                (
                    "is not a known field; the fields are: customer, shipping_address, lines, currency, "
                    "shipping_cost, coupon_code, customer_note, discount, shipping_tax, prices_include_tax"
                ),
            ),
        ],
    ),
]


@pytest.mark.parametrize(("case", "call", "expected"), CASES, ids=[case[0] for case in CASES])
def test_messages(case: str, call: Callable[[], object], expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        call()
    found = sorted((error.path, error.message) for error in caught.value.errors)
    wanted = sorted(expected)
    # An expected message ending in "…" is the start of the message (the rest is a library's).
    shown = [
        (
            path,
            wanted_message
            if wanted_message.endswith("…") and message.startswith(wanted_message[:-1])
            else message,
        )
        for (path, message), (_, wanted_message) in zip(found, wanted, strict=False)
    ]
    assert shown == wanted and len(found) == len(wanted)


def test_a_misspelt_setting_is_a_validation_error_not_a_type_error() -> None:
    with pytest.raises(ko.ValidationError) as caught:
        ko.Settings(smpt_url="smtp://mail")  # type: ignore[call-arg]
    assert not isinstance(caught.value, TypeError)
    assert "did you mean 'smtp_url'?" in str(caught.value)
    assert ko.Settings(store_name="Shop").store_name == "Shop"


@pytest.mark.parametrize(
    ("text", "amount"), [("5", "5"), ("12.50", "12.50"), (".5", "0.5"), ("5.", "5"), ("-5", "-5")]
)
def test_amounts_are_ascii_digits_with_one_decimal_point(text: str, amount: str) -> None:
    assert money.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", ".", "-", "1.2.3", "+5", "5\n", "1,000", "Infinity", "0x10"])
def test_nothing_else_is_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="digits with an optional decimal point"):
        money.parse_amount(text)


def test_a_message_shown_as_a_sentence_keeps_its_case() -> None:
    assert (
        sentence("must be an ISO 4217 currency code such as USD, EUR or JPY, got 'usdx'")
        == "Must be an ISO 4217 currency code such as USD, EUR or JPY, got 'usdx'."
    )
