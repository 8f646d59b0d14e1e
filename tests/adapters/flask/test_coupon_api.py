"""The JSON API's coupons (list, read, create, change), on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import API, make_app
from tests.helpers import new_order

PROBLEM = "application/problem+json"


def test_a_coupon_is_created_read_listed_and_changed(client: FlaskClient, orders: ko.Orders) -> None:
    made = client.post(
        f"{API}/coupons",
        json={"code": "save20", "kind": "percentage", "value": "20", "minimum_order": "50.00"},
    )
    assert made.status_code == 201
    assert made.json == {
        "code": "SAVE20",
        "kind": "percentage",
        "value": "20",
        "minimum_order": "50.00",
        "currency": None,
        "usage_limit": None,
        "once_per_customer": False,
        "starts_at": None,
        "ends_at": None,
        "active": True,
        "times_used": 0,
    }
    orders.place(new_order(coupon_code="SAVE20"))

    changed = client.put(
        f"{API}/coupons/save20",
        json={"code": "SAVE20", "kind": "percentage", "value": "25", "usage_limit": 10, "active": False},
    )

    assert changed.status_code == 200
    assert (changed.json["value"], changed.json["usage_limit"], changed.json["active"]) == ("25", 10, False)
    assert changed.json["times_used"] == 1  # kasify's count, kept
    assert client.get(f"{API}/coupons/SAVE20").json == changed.json
    assert client.get(f"{API}/coupons").json == {"items": [changed.json]}


def test_bad_coupons_name_every_field_and_store_nothing(client: FlaskClient, orders: ko.Orders) -> None:
    bad = client.post(
        f"{API}/coupons", json={"code": "two words", "kind": "bogo", "value": "5", "times_used": 9}
    )

    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    paths = {error["path"]: error["message"] for error in bad.json["errors"]}
    assert set(paths) == {"kind", "times_used"}
    assert paths["kind"].startswith("must be one of percentage, fixed, free_shipping")
    again = client.post(f"{API}/coupons", json={"code": "two words", "kind": "percentage", "value": "500"})
    assert {error["path"] for error in again.json["errors"]} == {"code", "value"}
    assert orders.coupons.all() == []


def test_a_taken_or_frozen_code_is_refused(client: FlaskClient, orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("TEN", 10))
    orders.coupons.create(ko.Coupon.free_shipping("SHIP"))
    orders.place(new_order(coupon_code="SHIP"))

    taken = client.put(f"{API}/coupons/SHIP", json={"code": "TEN", "kind": "free_shipping"})
    assert taken.status_code == 422
    assert taken.json["errors"][0]["path"] == "code"
    assert client.post(f"{API}/coupons", json={"code": "TEN", "kind": "free_shipping"}).status_code == 422
    assert client.get(f"{API}/coupons/NOPE").status_code == 404
    assert (
        client.put(f"{API}/coupons/NOPE", json={"code": "NOPE", "kind": "free_shipping"}).status_code == 404
    )
    assert [c.code for c in orders.coupons.all()] == ["SHIP", "TEN"]


def test_who_may_not_manage_coupons_is_refused(orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.fixed("TEN", 10))
    asked: list[str] = []

    def orders_only(action: str, order: ko.Order | None) -> bool:
        asked.append(action)
        return action != "manage_coupons"

    client = make_app(orders, authorize=orders_only).test_client()

    assert client.get(f"{API}/coupons").status_code == 403
    refused = client.put(f"{API}/coupons/TEN", json={"code": "TEN", "kind": "fixed", "value": "99"})
    assert refused.status_code == 403
    assert asked == ["manage_coupons", "manage_coupons"]
    assert orders.coupons.get("TEN") == ko.Coupon.fixed("TEN", 10)
