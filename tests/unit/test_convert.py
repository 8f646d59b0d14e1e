from decimal import Decimal
from typing import Any

import pytest

import kasify_orders as ko


def cart(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "shipping_address": {
            "line1": "12 St James's Sq",
            "city": "London",
            "postal_code": "SW1Y 4JH",
            "country": "GB",
        },
        "lines": [
            {"sku": "TEE", "name": "T-shirt", "variant": "Red / M", "quantity": 2, "unit_price": "25.00"}
        ],
        "currency": "USD",
        "shipping_cost": "5.00",
    }
    data.update(changes)
    return data


def test_structure_builds_a_new_order_from_json_data() -> None:
    order = ko.structure(cart(coupon_code="save20"), ko.NewOrder)
    assert order.lines[0].unit_price == Decimal("25.00")
    assert order.shipping_cost == Decimal("5.00")
    assert order.coupon_code == "SAVE20"


def test_structure_names_every_bad_field_with_its_path() -> None:
    data = cart(
        lines=[
            {"sku": "A", "name": "Tee", "quantity": 2.5, "unit_price": "1.00"},
            {"sku": "B", "name": "Mug", "quantity": 1, "unit_price": "abc", "colour": "red"},
        ],
        currency=7,
    )
    del data["customer"]["email"]
    with pytest.raises(ko.ValidationError) as caught:
        ko.structure(data, ko.NewOrder)
    errors = {error.path: error.message for error in caught.value.errors}
    assert set(errors) == {
        "customer.email",
        "lines[0].quantity",
        "lines[1].unit_price",
        "lines[1].colour",
        "currency",
    }
    assert errors["customer.email"] == "is required"
    assert errors["lines[1].colour"].startswith("is not a known field; the fields are: sku, name")
    assert "whole number" in errors["lines[0].quantity"]


def test_structure_runs_the_domain_checks_too() -> None:
    with pytest.raises(ko.ValidationError) as caught:
        ko.structure(cart(currency="usd", shipping_cost="-1"), ko.NewOrder)
    assert [error.path for error in caught.value.errors] == ["shipping_cost"]


def test_structure_refuses_a_non_mapping() -> None:
    with pytest.raises(ko.ValidationError):
        ko.structure(["not", "an", "order"], ko.NewOrder)


def test_unstructure_gives_json_ready_data() -> None:
    totals = ko.Totals(Decimal("50.00"), Decimal("5.00"), Decimal("10.00"), Decimal("45.00"), Decimal("5.00"))
    assert ko.unstructure(totals) == {
        "subtotal": "50.00",
        "shipping": "5.00",
        "discount": "10.00",
        "total": "45.00",
        "refunded": "5.00",
        "refund_pending": "0",
        "refundable": "40.00",
        # Totals recorded without what was paid: refunds are capped by the total, nothing was paid.
        "paid": "0",
        "amount_due": "45.00",
        "refund_due": "0",
        # Totals recorded without the host's tax: none, prices exclusive.
        "tax": "0",
        "shipping_tax": "0",
        "prices_include_tax": False,
    }


def test_booleans_are_strict() -> None:
    from kasify_orders.web.api import CancelInput

    assert ko.structure({"restock": False}, CancelInput).restock is False
    with pytest.raises(ko.ValidationError, match="restock: must be true or false"):
        ko.structure({"restock": "no"}, CancelInput)
