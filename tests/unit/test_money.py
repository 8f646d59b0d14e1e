from decimal import Decimal

import pytest

from kasify_orders import money


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("HUF", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("CLF", 4),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert money.minor_unit(currency) == places


def test_the_table_holds_only_three_letter_upper_case_codes() -> None:
    assert all(len(code) == 3 and code.isupper() for code in money.CURRENCY_MINOR_UNITS)
    assert len(money.CURRENCY_MINOR_UNITS) > 150


def test_unknown_currency_is_refused_with_examples() -> None:
    with pytest.raises(ValueError, match="unknown currency 'XYZ'.*ISO 4217"):
        money.minor_unit("XYZ")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "USD", "2.35"),
        ("2.344", "USD", "2.34"),
        ("-2.345", "USD", "-2.35"),
        ("100.5", "JPY", "101"),
        ("1.2345", "KWD", "1.235"),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    result = money.quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_exactness_depends_on_the_currency() -> None:
    assert money.is_exact(Decimal("10.00"), "USD")
    assert not money.is_exact(Decimal("10.001"), "USD")
    assert money.is_exact(Decimal("10.001"), "KWD")
    assert not money.is_exact(Decimal("10.5"), "JPY")
    assert not money.is_exact(Decimal("NaN"), "USD")


def test_minor_unit_round_trip() -> None:
    assert money.to_minor(Decimal("12.34"), "USD") == 1234
    assert money.to_minor(Decimal(500), "JPY") == 500
    assert money.to_minor(Decimal("1.005"), "KWD") == 1005
    assert money.from_minor(1234, "USD") == Decimal("12.34")
    assert str(money.from_minor(5, "USD")) == "0.05"
    with pytest.raises(ValueError, match="not an exact amount"):
        money.to_minor(Decimal("0.001"), "USD")
