"""Each Saleor webhook, in each of its shapes, maps to the right order state and timeline."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from kasify_orders.adapters.saleor.events import placing_key
from tests.adapters.saleor.conftest import post_webhook
from tests.adapters.saleor.fake_saleor import FakeSaleor, fixture_bytes, fixture_json

LEGACY_CREATED = fixture_bytes("01_order_created.legacy.json")
FULLY_PAID = fixture_bytes("02_order_fully_paid.subscription.json")
CANCELLED = fixture_bytes("03_order_cancelled.filterable_subscription.json")
TRACKING = fixture_bytes("04_fulfillment_tracking_number_updated.subscription.json")
SALEOR_ORDER: dict[str, Any] = fixture_json("02_order_fully_paid.subscription.json")["order"]
SALEOR_ID = SALEOR_ORDER["id"]
D = Decimal


def event_body(issued_at: str = "2026-03-15T10:00:00+00:00", **changes: Any) -> bytes:
    """A subscription-shape body (``event`` root) carrying fixture 02's order with *changes*."""
    order = copy.deepcopy(SALEOR_ORDER)
    order.update(changes)
    return json.dumps({"issuedAt": issued_at, "version": "3.24.0-a.0", "order": order}).encode()


def only_order(orders: ko.Orders) -> ko.Order:
    page = orders.list()
    assert len(page.items) == 1
    return orders.get(page.items[0].id)


def kinds(order: ko.Order) -> list[tuple[str, str | None]]:
    return [(entry.kind, entry.actor) for entry in order.timeline]


def test_legacy_order_created_places_the_order(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    response = post_webhook(client, installed, "order_created", LEGACY_CREATED)
    assert response.json == {"success": True, "outcome": "placed", "event": "ORDER_CREATED"}
    order = only_order(saleor_orders)
    assert (order.status, order.payment_status) == (ko.Status.PENDING, ko.PaymentStatus.PENDING)
    assert order.customer == ko.Customer(name="Jane Doe", email="jane.doe@example.com")
    assert order.shipping_address == ko.Address(
        line1="1600 Amphitheatre Pkwy", city="Mountain View", postal_code="94043", country="US", region="CA"
    )
    assert [(line.sku, line.name, line.variant, line.quantity, line.unit_price) for line in order.lines] == [
        ("MWB-CHR", "Merino Wool Beanie", "Charcoal", 2, D("24.00")),
        ("TRS3-M", "Trail Running Socks 3-Pack", "M", 1, D("18.00")),
    ]
    totals = order.totals
    assert (totals.subtotal, totals.shipping, totals.discount, totals.total) == (
        D("66.00"),
        D("6.00"),
        D("6.00"),
        D("66.00"),
    )
    assert order.coupon_code == "FREESHIP"
    assert kinds(order) == [("placed", "saleor"), ("saleor", "saleor")]
    assert order.timeline[1].message == "Placed in Saleor as order #2087"
    link = app.installations.link_for_saleor(installed.api_url, SALEOR_ID)
    assert link is not None
    assert (link.order_id, link.saleor_number) == (order.id, "2087")
    found = saleor_orders.store.read(
        lambda tx: tx.order_by_idempotency_key(placing_key(installed.api_url, SALEOR_ID))
    )
    assert found is not None
    assert found.id == order.id


def test_a_retried_webhook_is_recognised_and_changes_nothing(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    before = only_order(saleor_orders)
    again = post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    assert again.json["outcome"] == "duplicate"
    assert only_order(saleor_orders) == before


def test_the_same_event_sent_again_as_a_new_delivery_is_still_applied_once(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    """Saleor resends an event as a new body (another issuedAt): the core's idempotency holds."""
    first = post_webhook(client, installed, "order_created", event_body(chargeStatus="NONE", isPaid=False))
    second = post_webhook(client, installed, "order_created", event_body("2026-03-15T11:00:00+00:00"))
    assert (first.json["outcome"], second.json["outcome"]) == ("placed", "payment_confirmed")
    third = post_webhook(client, installed, "order_fully_paid", event_body("2026-03-15T12:00:00+00:00"))
    assert third.json["outcome"] == "duplicate"
    order = only_order(saleor_orders)
    assert order.status is ko.Status.PROCESSING
    assert [kind for kind, _ in kinds(order)] == ["placed", "saleor", "payment_confirmed"]


def test_subscription_order_fully_paid_places_and_confirms(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    response = post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    assert response.json["outcome"] == "payment_confirmed"
    order = only_order(saleor_orders)
    assert (order.status, order.payment_status) == (ko.Status.PROCESSING, ko.PaymentStatus.PAID)
    assert order.coupon_code == "FREESHIP"
    assert order.totals.discount == D("6.00")
    assert kinds(order) == [("placed", "saleor"), ("saleor", "saleor"), ("payment_confirmed", "saleor")]
    link = app.installations.link_for_order(order.id)
    assert link is not None
    assert link.transaction_id == SALEOR_ORDER["transactions"][0]["id"]


def test_saleor_owns_stock_and_vouchers(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    saleor_orders.inventory.set_stock("MWB-CHR", 1)
    response = post_webhook(client, installed, "order_created", LEGACY_CREATED)
    assert response.json["outcome"] == "placed"
    assert saleor_orders.inventory.stock("MWB-CHR") == 1  # two ordered, none taken: Saleor counts stock
    assert saleor_orders.coupons.all() == []  # FREESHIP is Saleor's voucher, only a label here


def test_order_confirmed_is_noted(client: Client, installed: FakeSaleor, saleor_orders: ko.Orders) -> None:
    post_webhook(client, installed, "order_created", LEGACY_CREATED)
    response = post_webhook(
        client, installed, "order_confirmed", event_body(chargeStatus="NONE", isPaid=False)
    )
    assert response.json["outcome"] == "confirmed"
    order = only_order(saleor_orders)
    assert order.status is ko.Status.PENDING
    assert order.timeline[-1].message == "Confirmed in Saleor"


def test_filterable_cancel_of_an_unseen_order_fetches_it_from_saleor(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    installed.add_order(SALEOR_ORDER)
    response = post_webhook(client, installed, "order_cancelled", CANCELLED)
    assert response.json["outcome"] == "cancelled", response.json
    assert installed.calls_named("KasifyFetchOrder") == [{"id": SALEOR_ID}]
    order = only_order(saleor_orders)
    assert order.status is ko.Status.CANCELLED
    assert kinds(order) == [("placed", "saleor"), ("saleor", "saleor"), ("cancelled", "saleor")]
    assert order.timeline[-1].data == {"reason": "Cancelled in Saleor", "restock": False}


def test_an_unseen_order_saleor_cannot_give_is_refused_for_a_later_retry(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    installed.failures["KasifyFetchOrder"] = 1
    unavailable = post_webhook(client, installed, "order_cancelled", CANCELLED)
    assert unavailable.status_code == 503
    unknown = post_webhook(client, installed, "order_cancelled", CANCELLED)
    assert unknown.status_code == 422
    assert "does not know this order" in unknown.json["error"]["message"]
    assert saleor_orders.count() == 0
    installed.add_order(SALEOR_ORDER)
    retried = post_webhook(client, installed, "order_cancelled", CANCELLED)  # the same body, retried
    assert retried.json["outcome"] == "cancelled"


def test_tracking_number_updated_ships_a_paid_order(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    response = post_webhook(client, installed, "fulfillment_tracking_number_updated", TRACKING)
    assert response.json["outcome"] == "shipped"
    order = only_order(saleor_orders)
    assert order.status is ko.Status.SHIPPED
    assert order.shipment is not None
    assert (order.shipment.carrier, order.shipment.tracking_number) == ("ups", "1Z999AA10123456784")
    assert kinds(order)[-1] == ("shipped", "saleor")
    assert installed.mutations() == []  # a change from Saleor is never written back


def test_a_new_tracking_number_from_saleor_updates_kasify(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    post_webhook(client, installed, "fulfillment_tracking_number_updated", TRACKING)
    changed = fixture_json("04_fulfillment_tracking_number_updated.subscription.json")
    changed["fulfillment"]["trackingNumber"] = "1Z999AA10123456791"
    body = json.dumps(changed).encode()
    response = post_webhook(client, installed, "fulfillment_tracking_number_updated", body)
    assert response.json["outcome"] == "tracking_updated"
    order = only_order(saleor_orders)
    assert order.shipment is not None
    assert order.shipment.tracking_number == "1Z999AA10123456791"
    assert order.timeline[-1].data["previous_tracking_number"] == "1Z999AA10123456784"
    assert order.timeline[-1].actor == "saleor"
    # the first number, sent again, is an echo of an older state: the newer number stays
    changed["fulfillment"]["trackingNumber"] = "1Z999AA10123456784"
    changed["issuedAt"] = "later"
    again = post_webhook(
        client, installed, "fulfillment_tracking_number_updated", json.dumps(changed).encode()
    )
    assert again.json["outcome"] == "tracking_updated"  # Saleor's own edit back is honoured


def test_order_fulfilled_with_tracking_ships_with_the_shipping_methods_carrier(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    fulfillment = {
        "id": "RnVsZmlsbG1lbnQ6OTk=",
        "status": "FULFILLED",
        "trackingNumber": "JD014600006281230704",
    }
    response = post_webhook(client, installed, "order_fulfilled", event_body(fulfillments=[fulfillment]))
    assert response.json["outcome"] == "shipped"
    order = only_order(saleor_orders)
    assert order.shipment is not None
    assert (order.shipment.carrier, order.shipment.tracking_number) == ("dhl", "JD014600006281230704")


def test_order_fulfilled_without_tracking_is_noted(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    fulfillment = {"id": "RnVsZmlsbG1lbnQ6OTk=", "status": "FULFILLED", "trackingNumber": ""}
    response = post_webhook(client, installed, "order_fulfilled", event_body(fulfillments=[fulfillment]))
    assert response.json["outcome"] == "noted"
    order = only_order(saleor_orders)
    assert order.status is ko.Status.PROCESSING
    assert "without a tracking number" in order.timeline[-1].message


def test_refunds_follow_saleors_refunded_total_once(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    refunded = {"amount": 10.0, "currency": "USD"}
    first = post_webhook(client, installed, "order_refunded", event_body(totalRefunded=refunded))
    assert first.json["outcome"] == "refunded"
    resent = post_webhook(client, installed, "order_refunded", event_body("resent", totalRefunded=refunded))
    assert resent.json["outcome"] == "duplicate"
    order = only_order(saleor_orders)
    assert order.totals.refunded == D("10.00")
    assert order.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED
    assert [refund.actor for refund in order.refunds] == ["saleor"]
    full = post_webhook(
        client,
        installed,
        "order_fully_refunded",
        event_body("full", totalRefunded={"amount": 66.0, "currency": "USD"}),
    )
    assert full.json["outcome"] == "refunded"
    order = only_order(saleor_orders)
    assert (order.status, order.payment_status) == (ko.Status.REFUNDED, ko.PaymentStatus.REFUNDED)
    assert order.totals.refunded == D("66.00")


def test_a_refund_of_an_order_kasify_saw_unpaid_confirms_the_payment_first(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_created", LEGACY_CREATED)
    response = post_webhook(client, installed, "order_fully_refunded", event_body(totalRefunded=None))
    assert response.json["outcome"] == "refunded"
    order = only_order(saleor_orders)
    assert (order.status, order.totals.refunded) == (ko.Status.REFUNDED, D("66.00"))
    assert [kind for kind, _ in kinds(order)][-2:] == ["payment_confirmed", "refunded"]


def test_a_cancel_kasify_cannot_follow_is_noted_not_applied(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    post_webhook(client, installed, "order_fully_paid", FULLY_PAID)
    post_webhook(client, installed, "fulfillment_tracking_number_updated", TRACKING)
    response = post_webhook(client, installed, "order_cancelled", CANCELLED)
    assert response.json["outcome"] == "conflict"
    order = only_order(saleor_orders)
    assert order.status is ko.Status.SHIPPED
    assert order.timeline[-1].kind == "saleor_conflict"
    assert "here it is shipped" in order.timeline[-1].message


@pytest.mark.parametrize(
    "fixture",
    ["05_notify_order_fulfillment_update.docs.json", "06_notify_order_refund_confirmation.docs.json"],
)
def test_events_kasify_does_not_follow_are_acknowledged_and_ignored(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, fixture: str
) -> None:
    response = post_webhook(client, installed, "notify_user", fixture_bytes(fixture))
    assert response.status_code == 200
    assert response.json["outcome"] == "ignored"
    assert saleor_orders.count() == 0


@pytest.mark.parametrize(
    "case",
    [
        (b"{not json", 400, "not JSON"),
        (b'{"issuedAt": "x"}', 422, "has no order"),
        (b'[{"id": "a"}, {"id": "b"}]', 422, "one order or fulfillment object"),
        (b'{"order": {"number": "1"}}', 422, "has no id"),
        (event_body(userEmail="not-an-email"), 422, "customer.email"),
        (event_body(lines=[]), 422, "lacks what kasify needs"),
    ],
)
def test_unusable_bodies_get_a_clear_error_and_change_nothing(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, case: tuple[bytes, int, str]
) -> None:
    body, status, message = case
    installed.add_order({**SALEOR_ORDER, "lines": []})  # a fetch cannot rescue an order without lines
    response = post_webhook(client, installed, "order_created", body)
    assert response.status_code == status
    assert message in response.json["error"]["message"]
    assert saleor_orders.count() == 0
