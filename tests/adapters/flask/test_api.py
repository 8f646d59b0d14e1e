"""The JSON API through Flask's test client, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import flask
from flask.testing import FlaskClient

import kasify_orders as ko
from kasify_orders.web.api import ROUTES
from tests.adapters.flask.conftest import ADMIN, API, make_app
from tests.helpers import new_order

PROBLEM = "application/problem+json"


def test_list_get_and_counts(client: FlaskClient, orders: ko.Orders) -> None:
    first = orders.place(new_order(name="Grace Hopper"))
    second = orders.confirm_payment(orders.place(new_order(name="Alan Turing")).id)

    page = client.get(f"{API}?limit=1")
    assert page.status_code == 200 and page.mimetype == "application/json"
    assert [o["number"] for o in page.json["items"]] == [second.number]
    rest = client.get(f"{API}?limit=1&cursor={page.json['next_cursor']}").json
    assert [o["number"] for o in rest["items"]] == [first.number] and rest["next_cursor"] is None

    assert [o["id"] for o in client.get(f"{API}?status=processing").json["items"]] == [second.id]
    assert [o["id"] for o in client.get(f"{API}?search=hopper").json["items"]] == [first.id]

    body = client.get(f"{API}/{second.id}").json
    assert body == ko.unstructure(orders.get(second.id))
    assert body["totals"]["total"] == "55.00" and body["payment_status"] == "paid"
    assert client.get(f"{API}/counts").json == {
        "pending": 1,
        "processing": 1,
        "on_hold": 0,
        "shipped": 0,
        "delivered": 0,
        "cancelled": 0,
        "refunded": 0,
    }


def test_every_action_with_json_in_and_out(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    url = f"{API}/{order.id}"
    done = client.post(f"{url}/confirm_payment", json={"expected_version": order.version})
    assert done.status_code == 200 and done.json["status"] == "processing"
    done = client.post(
        f"{url}/mark_shipped", json={"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}
    )
    assert done.json["shipment"]["carrier"] == "ups"
    assert done.json["shipment"]["tracking_url"].endswith("1Z999AA10123456784")
    done = client.post(f"{url}/update_tracking", json={"tracking_number": "1Z999AA10123456799"})
    assert done.json["shipment"]["tracking_number"] == "1Z999AA10123456799"
    done = client.post(f"{url}/mark_delivered", json={})
    assert done.json["status"] == "delivered"
    done = client.post(
        f"{url}/refund", json={"amount": "10.00", "note": "strap"}, headers={"Idempotency-Key": "r1"}
    )
    assert done.json["payment_status"] == "partially_refunded" and done.json["totals"]["refunded"] == "10.00"
    again = client.post(
        f"{url}/refund", json={"amount": "10.00", "note": "strap"}, headers={"Idempotency-Key": "r1"}
    )
    assert again.json["totals"]["refunded"] == "10.00"
    done = client.post(f"{url}/notes", json={"text": "called the customer"})
    assert done.status_code == 201 and done.json["timeline"][-1]["message"] == "called the customer"
    assert done.json["timeline"][-1]["actor"] == "staff:7"

    other = orders.place(new_order())
    done = client.post(f"{API}/{other.id}/cancel", json={"reason": "customer asked", "restock": False})
    assert done.json["status"] == "cancelled"


def test_field_errors_are_problem_details(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    response = client.post(
        f"{API}/{order.id}/mark_shipped", json={"tracking_number": "", "carrier": 7, "x": 1}
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.json
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert {e["path"] for e in problem["errors"]} == {"carrier", "x"}
    response = client.post(f"{API}/{order.id}/mark_shipped", json={"tracking_number": " ", "carrier": " "})
    assert {e["path"] for e in response.json["errors"]} == {"carrier", "tracking_number"}
    response = client.post(f"{API}/{order.id}/cancel", json={"restock": "no"})
    assert response.status_code == 422 and response.json["errors"][0]["path"] == "restock"
    assert orders.get(order.id) == order


def test_refund_over_the_balance_names_the_balance(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    response = client.post(f"{API}/{order.id}/refund", json={"amount": "55.01"})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.json["refundable"] == "55.00" and response.json["currency"] == "USD"
    assert response.json["errors"] == [{"path": "amount", "message": "the refundable balance is 55.00"}]
    assert orders.get(order.id) == order


def test_conflicts_not_found_and_protocol_errors(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    url = f"{API}/{order.id}"
    response = client.post(f"{url}/mark_delivered", json={})
    assert response.status_code == 409 and response.json["allowed_statuses"] == ["shipped"]
    response = client.post(f"{url}/confirm_payment", json={"expected_version": order.version + 5})
    assert response.status_code == 409 and response.json["current_version"] == order.version
    assert client.get(f"{API}/{'0' * 32}").status_code == 404
    response = client.post(f"{url}/confirm_payment", data="expected_version=1")
    assert response.status_code == 415 and response.mimetype == PROBLEM
    response = client.post(f"{url}/confirm_payment", data="{", content_type="application/json")
    assert response.status_code == 400 and response.json["title"] == "Malformed JSON"
    response = client.delete(url)
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.mimetype == PROBLEM
    assert client.get(f"{API}/nowhere/at/all").status_code == 404
    response = client.get(f"{API}?limit=lots&colour=red")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert {e["path"] for e in response.json["errors"]} == {"limit", "colour"}
    for cursor in ("9223372036854775808", "\u0665"):
        response = client.get(f"{API}?cursor={cursor}")
        assert response.status_code == 400 and response.mimetype == PROBLEM
        assert [e["path"] for e in response.json["errors"]] == ["cursor"]
    assert orders.get(order.id) == order


def test_refused_callers_get_403_and_change_nothing(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    readers = make_app(orders, authorize=lambda action, o: action == "view").test_client()
    assert readers.get(f"{API}/{order.id}").status_code == 200
    response = readers.post(f"{API}/{order.id}/confirm_payment", json={})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    nobody = make_app(orders).test_client()
    assert nobody.get(API).status_code == 403
    assert nobody.post(f"{API}/{order.id}/notes", json={"text": "hi"}).status_code == 403
    assert orders.get(order.id) == order


def test_the_api_is_outside_a_host_wide_csrf_protection(orders: ko.Orders) -> None:
    from flask_wtf.csrf import CSRFProtect

    order = orders.place(new_order())
    for csrf_first in (True, False):
        app = flask.Flask("host")
        app.config.update(SECRET_KEY="s", TESTING=True)
        if csrf_first:
            CSRFProtect(app)
        from kasify_orders.adapters.flask import KasifyOrders

        kasify = KasifyOrders(app, orders=orders)
        kasify.authorize(lambda action, o: True)
        if not csrf_first:
            CSRFProtect(app)
        client = app.test_client()
        note = client.post(f"{API}/{order.id}/notes", json={"text": f"csrf first: {csrf_first}"})
        assert note.status_code == 201
        # ...while the pages stay protected.
        assert client.post(f"{'/admin/orders'}/{order.id}/add_note", data={"text": "x"}).status_code == 400


def test_the_list_takes_the_pages_filters_and_sort(client: FlaskClient, orders: ko.Orders) -> None:
    cheap = orders.place(new_order(country="FR"))
    dear = orders.place(new_order(country="FR", unit_price="90.00"))
    orders.place(new_order(country="GB"))
    today = cheap.created_at.date().isoformat()
    page = client.get(f"{API}?country=fr&sort=total_desc&placed_from={today}&placed_to={today}")
    assert page.status_code == 200
    assert [o["id"] for o in page.json["items"]] == [dear.id, cheap.id]
    assert client.get(f"{API}?country=FR&placed_to=2000-01-01").json["items"] == []
    bad = client.get(f"{API}?placed_from=yesterday&sort=price")
    assert bad.status_code == 400
    assert {e["path"] for e in bad.json["errors"]} == {"placed_from"}  # dates are read first


def test_the_lists_days_are_the_shops_days_as_on_the_pages(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    placed = order.created_at
    # a zone whose day is not the UTC day at the moment the order was placed
    zone = "Etc/GMT+12" if placed.hour < 12 else "Pacific/Kiritimati"
    orders.merchant_settings.save({"timezone": zone}, actor="staff:1")
    local_day = placed.astimezone(ZoneInfo(zone)).date().isoformat()
    utc_day = placed.date().isoformat()
    assert local_day != utc_day

    def api_ids(day: str) -> list[str]:
        return [o["id"] for o in client.get(f"{API}?placed_from={day}&placed_to={day}").json["items"]]

    def page_ids(day: str) -> list[str]:
        html = client.get(f"{ADMIN}/?placed_from={day}&placed_to={day}").get_data(as_text=True)
        return re.findall(r'name="order" value="([0-9a-f]+)"', html)

    assert api_ids(local_day) == page_ids(local_day) == [order.id]
    assert api_ids(utc_day) == page_ids(utc_day) == []


def test_openapi_document_lists_exactly_the_routes(client: FlaskClient) -> None:
    document = client.get(f"{API}/openapi.json").json
    assert document["openapi"] == "3.1.0"
    operations = {
        (method.upper(), path.removeprefix(API)): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    expected = {(r.method, r.path): r.operation_id for r in ROUTES}
    expected[("GET", "/openapi.json")] = "openapiDocument"
    assert operations == expected
    refund = document["paths"][f"{API}/{{order_id}}/refund"]["post"]
    assert set(refund["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "amount",
        "lines",
        "shipping",
        "restock",
        "note",
        "expected_version",
    }


def test_partial_refund_through_the_api_leaves_the_rest(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    body = client.post(f"{API}/{order.id}/refund", json={"amount": 5.5}).json
    assert body["totals"]["refundable"] == "49.50"
    assert orders.get(order.id).totals.refunded == Decimal("5.50")


def test_a_body_over_the_limit_is_refused_with_413_unread(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    client = make_app(orders, authorize=lambda action, o: True).test_client()
    url = f"{API}/{order.id}/notes"
    big = b'{"text": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(url, data=big, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == PROBLEM
    assert response.json["max_bytes"] == 1024 * 1024
    # Without a Content-Length (chunked), the body is cut at the limit all the same.
    chunked = client.post(
        url,
        input_stream=io.BytesIO(big),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as a server says of a chunked body
    )
    assert chunked.status_code == 413
    assert orders.get(order.id) == order
    assert client.post(url, json={"text": "x" * 1000}).status_code == 201


def test_the_body_limit_is_a_setting(tmp_path: Path) -> None:
    settings = ko.Settings(max_request_bytes=100)
    with ko.Orders.connect(
        f"sqlite:///{tmp_path / 'k.sqlite3'}", settings=settings, load_entrypoints=False
    ) as orders:
        order = orders.place(new_order())
        client = make_app(orders, authorize=lambda action, o: True).test_client()
        assert client.post(f"{API}/{order.id}/notes", json={"text": "x" * 200}).status_code == 413
        assert client.post(f"{API}/{order.id}/notes", json={"text": "x" * 50}).status_code == 201
