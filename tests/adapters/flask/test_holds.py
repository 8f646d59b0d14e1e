"""On hold through the Flask host: the API, its document, the pages and their tabs; every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

import kasify_orders as ko
from kasify_orders.registry import MERCHANT_ACTIONS
from tests.adapters.flask.conftest import ADMIN, API, make_app, post_action
from tests.adapters.flask.test_pages import text
from tests.helpers import new_order

PROBLEM = "application/problem+json"


def paid(orders: ko.Orders, name: str = "Ada Lovelace") -> ko.Order:
    return orders.confirm_payment(orders.place(new_order(name=name)).id)


def test_hold_and_release_through_the_api(client: FlaskClient, orders: ko.Orders) -> None:
    order = paid(orders)
    url = f"{API}/{order.id}"
    missing = client.post(f"{url}/hold", json={})
    assert missing.status_code == 422 and missing.mimetype == PROBLEM
    assert [e["path"] for e in missing.json["errors"]] == ["reason"]
    held = client.post(f"{url}/hold", json={"reason": "fraud review", "expected_version": order.version})
    assert held.status_code == 200 and held.json["status"] == "on_hold"
    assert held.json["timeline"][-1]["kind"] == "held" and held.json["timeline"][-1]["actor"] == "staff:7"
    ship = client.post(
        f"{url}/mark_shipped", json={"tracking_number": "1Z999AA10123456784", "carrier": "ups"}
    )
    assert ship.status_code == 409 and ship.json["allowed_statuses"] == ["processing"]
    assert ship.json["order_status"] == "on_hold"
    assert client.get(f"{API}/counts").json["on_hold"] == 1
    assert [o["id"] for o in client.get(f"{API}?status=on_hold").json["items"]] == [order.id]
    released = client.post(f"{url}/release", json={})
    assert released.status_code == 200 and released.json["status"] == "processing"
    assert client.post(f"{url}/release", json={}).status_code == 409


def test_the_document_describes_hold_and_release(client: FlaskClient) -> None:
    paths = client.get(f"{API}/openapi.json").json["paths"]
    hold = paths[f"{API}/{{order_id}}/hold"]["post"]
    assert hold["operationId"] == "holdOrder" and hold["x-kasify-permission"] == "hold"
    schema = hold["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["reason"] and schema["properties"]["reason"]["maxLength"] == 500
    assert hold["x-kasify-statuses"] == ["processing"]
    release = paths[f"{API}/{{order_id}}/release"]["post"]
    assert release["operationId"] == "releaseOrder" and release["x-kasify-statuses"] == ["on_hold"]
    order_schema = client.get(f"{API}/openapi.json").json["components"]["schemas"]["Order"]
    assert "on_hold" in order_schema["properties"]["status"]["enum"]


def test_the_api_asks_authorize_for_hold_and_release(orders: ko.Orders) -> None:
    order = paid(orders)
    asked: list[str] = []

    def rule(action: str, _order: ko.Order | None) -> bool:
        asked.append(action)
        return action in {"view", "hold"}

    client = make_app(orders, authorize=rule).test_client()
    assert client.post(f"{API}/{order.id}/hold", json={"reason": "check"}).status_code == 200
    assert client.post(f"{API}/{order.id}/release", json={}).status_code == 403
    assert asked == ["hold", "release"]
    assert orders.get(order.id).status is ko.Status.ON_HOLD


def test_the_page_holds_with_a_reason_and_the_on_hold_tab_lists_it(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = paid(orders, "Held Harriet")
    paid(orders, "Waiting Walter")
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Put on hold" in page and "Release hold" not in page
    blank = post_action(client, order, "hold", reason=" ")
    assert blank.status_code == 400 and orders.get(order.id) == order
    done = post_action(client, order, "hold", reason="address check: no flat number")
    assert done.status_code == 303
    shown = text(client.get(done.headers["Location"]))
    assert "The order is on hold: it will not ship until released." in shown
    assert "Put on hold: address check: no flat number" in shown and "On hold" in shown
    assert "Mark as Shipped" not in shown and "Release hold" in shown and "Cancel and refund" in shown

    listing = text(client.get(f"{ADMIN}/"))
    assert "On hold 1" in listing and "Processing 1" in listing
    tab = text(client.get(f"{ADMIN}/?status=on_hold"))
    assert "Held Harriet" in tab and "Waiting Walter" not in tab

    held = orders.get(order.id)
    ship = post_action(client, held, "mark_shipped", tracking_number="1Z999AA10123456784", carrier="ups")
    assert ship.status_code == 409 and "isn't possible now: the order is On hold" in text(ship)
    released = post_action(client, held, "release")
    assert released.status_code == 303 and orders.get(order.id).status is ko.Status.PROCESSING


def test_needs_attention_ignores_held_orders(
    client: FlaskClient, orders: ko.Orders, database_url: str
) -> None:
    held = orders.hold(paid(orders, "Held Harriet").id, reason="fraud review")
    late = paid(orders, "Late Larry")
    engine = sa.create_engine(database_url)
    table = sa.Table(f"{orders.settings.table_prefix}orders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:  # both paid a fortnight ago
        conn.execute(
            table.update()
            .where(table.c.id.in_([held.id, late.id]))
            .values(paid_at=datetime.now(UTC) - timedelta(days=14))
        )
    engine.dispose()
    page = text(client.get(f"{ADMIN}/?status=attention"))
    assert "Needs attention 1" in page and "Late Larry" in page and "Held Harriet" not in page


def test_every_registry_action_has_a_form_on_the_order_page(client: FlaskClient, orders: ko.Orders) -> None:
    """Derived: for each declared action, an order in a status it applies to shows its form."""
    processing = paid(orders)
    held = orders.hold(paid(orders).id, reason="check")
    pending = orders.place(new_order())
    shipped = orders.mark_shipped(paid(orders).id, tracking_number="1Z999AA10123456784", carrier="ups")
    by_status = {o.status: o for o in (processing, held, pending, shipped)}
    # A return's buttons sit on the returns their status allows: one open, one received.
    ups = "1Z999AA10123456785"
    opened = orders.mark_shipped(paid(orders).id, tracking_number=ups, carrier="ups")
    opened = orders.returns.open(opened.id, lines={1: 1}, reason="too small")
    received = orders.mark_shipped(paid(orders).id, tracking_number=ups, carrier="ups")
    received = orders.returns.open(received.id, lines={1: 1}, reason="too small")
    received = orders.returns.receive(received.returns[0].id)
    on_return = {"receive_return": opened, "close_return": opened, "refund_return": received}
    for spec in MERCHANT_ACTIONS:
        if spec.placement == "entry":
            continue  # a button beside the entries it applies to: tests/adapters/customer_emails.py
        order = on_return.get(spec.action.value) or (
            shipped
            if spec.placement == "returns"
            else next(o for status, o in by_status.items() if status in spec.statuses)
        )
        html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
        assert f'action="{ADMIN}/{order.id}/{spec.action.value}"' in html, spec.action
        for field in spec.fields:
            if field.name != "refund":  # offered only when there is a balance to refund
                assert f'name="{field.name}"' in html, (spec.action, field.name)
