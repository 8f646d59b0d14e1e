"""The merchant's actions in kasify reach Saleor over GraphQL, through the outbox, never echoed back."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from tests.adapters.saleor.conftest import post_webhook
from tests.adapters.saleor.fake_saleor import WAREHOUSE, FakeSaleor
from tests.adapters.saleor.test_events import FULLY_PAID, LEGACY_CREATED, SALEOR_ID, SALEOR_ORDER, only_order
from tests.helpers import new_order

STAFF = "staff:7"
UPS = "1Z999AA10123456784"
TRANSACTION = SALEOR_ORDER["transactions"][0]["id"]
LINE_1, LINE_2 = (line["id"] for line in SALEOR_ORDER["lines"])


@pytest.fixture
def paid(client: Client, installed: FakeSaleor, saleor_orders: ko.Orders) -> ko.Order:
    """Saleor order #2087, paid, known to both sides; the fake's call log starts empty."""
    installed.add_order(SALEOR_ORDER)
    assert (
        post_webhook(client, installed, "order_fully_paid", FULLY_PAID).json["outcome"] == "payment_confirmed"
    )
    installed.calls.clear()
    return only_order(saleor_orders)


def test_shipping_fulfils_the_saleor_order_with_tracking_and_carrier(
    app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="UPS", actor=STAFF)
    assert [name for name, _ in installed.calls] == [
        "KasifyOrderState",
        "KasifyOrderFulfill",
        "KasifyUpdateMetadata",
    ]
    [fulfill] = installed.calls_named("KasifyOrderFulfill")
    assert fulfill == {
        "order": SALEOR_ID,
        "lines": [
            {"orderLineId": LINE_1, "stocks": [{"quantity": 2, "warehouse": WAREHOUSE}]},
            {"orderLineId": LINE_2, "stocks": [{"quantity": 1, "warehouse": WAREHOUSE}]},
        ],
        "trackingNumber": UPS,
        "notifyCustomer": False,
    }
    [fulfillment] = installed.orders[SALEOR_ID]["fulfillments"]
    assert fulfillment["trackingNumber"] == UPS
    metadata = {item["key"]: item["value"] for item in fulfillment["metadata"]}
    assert metadata["kasify.carrier"] == "ups"
    assert metadata["kasify.carrier_name"] == "UPS"
    assert metadata["kasify.tracking_url"].endswith(UPS)
    link = app.installations.link_for_order(paid.id)
    assert link is not None
    assert link.fulfillment_id == fulfillment["id"]
    assert saleor_orders.store.outbox_items(dead=None) == []


def test_a_parcel_shipped_in_kasify_fulfils_only_its_lines_in_saleor(
    app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    """Two kasify parcels are two Saleor fulfillments, each of its own lines and number."""
    saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="UPS", lines={2: 1}, actor=STAFF)
    second = "1Z999AA10123456785"
    saleor_orders.mark_shipped(paid.id, tracking_number=second, carrier="UPS", actor=STAFF)
    first_call, second_call = installed.calls_named("KasifyOrderFulfill")
    assert first_call["lines"] == [
        {"orderLineId": LINE_2, "stocks": [{"quantity": 1, "warehouse": WAREHOUSE}]}
    ]
    assert first_call["trackingNumber"] == UPS
    assert second_call["lines"] == [
        {"orderLineId": LINE_1, "stocks": [{"quantity": 2, "warehouse": WAREHOUSE}]}
    ]
    assert second_call["trackingNumber"] == second
    numbers = [f["trackingNumber"] for f in installed.orders[SALEOR_ID]["fulfillments"]]
    assert numbers == [UPS, second]
    assert saleor_orders.store.outbox_items(dead=None) == []


def test_saleors_echo_of_a_kasify_shipment_changes_nothing(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="ups", actor=STAFF)
    before = saleor_orders.get(paid.id)
    echo = {
        "fulfillment": dict(installed.orders[SALEOR_ID]["fulfillments"][0]),
        "order": {"id": SALEOR_ID},
    }
    response = post_webhook(
        client, installed, "fulfillment_tracking_number_updated", json.dumps(echo).encode()
    )
    assert response.json["outcome"] == "duplicate"
    assert saleor_orders.get(paid.id) == before


def test_a_corrected_tracking_number_updates_the_fulfillment(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="ups", actor=STAFF)
    installed.calls.clear()
    saleor_orders.update_tracking(paid.id, tracking_number="JD014600006281230704", carrier="dhl", actor=STAFF)
    [update] = installed.calls_named("KasifyUpdateTracking")
    fulfillment = installed.orders[SALEOR_ID]["fulfillments"][0]
    assert update == {
        "fulfillment": fulfillment["id"],
        "trackingNumber": "JD014600006281230704",
        "notifyCustomer": False,
    }
    assert fulfillment["trackingNumber"] == "JD014600006281230704"
    assert {item["key"]: item["value"] for item in fulfillment["metadata"]}["kasify.carrier"] == "dhl"
    assert "KasifyOrderFulfill" not in [name for name, _ in installed.calls]


def test_a_refund_is_granted_and_requested_on_the_transaction(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    order = saleor_orders.refund(paid.id, Decimal("10.00"), note="strap broken", actor=STAFF)
    refund = order.refunds[-1]
    [grant] = installed.calls_named("KasifyGrantRefund")
    assert grant == {
        "order": SALEOR_ID,
        "transaction": TRANSACTION,
        "amount": "10.00",
        "reason": f"strap broken (kasify refund {refund.id})",
    }
    [saleor_grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    assert installed.calls_named("KasifyProcessGrantedRefund") == [
        {"grantedRefund": saleor_grant["id"], "transaction": TRANSACTION}
    ]
    assert saleor_grant["status"] == "PENDING"


def test_a_half_done_refund_is_finished_on_retry_without_a_second_grant(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    """Saleor granted the refund, then failed to answer the request: the retry (same key) finishes it."""
    installed.failures["KasifyProcessGrantedRefund"] = 1
    held = saleor_orders.refund(paid.id, Decimal("10.00"), idempotency_key="form-1", actor=STAFF)
    # No answer is not a refusal: the refund waits, its amount held, nothing refunded yet.
    assert [refund.status for refund in held.refunds] == [ko.RefundStatus.PENDING]
    assert (held.totals.refunded, held.totals.refund_pending) == (Decimal("0.00"), Decimal("10.00"))
    order = saleor_orders.refund(paid.id, Decimal("10.00"), idempotency_key="form-1", actor=STAFF)
    assert order.totals.refunded == Decimal("10.00")
    assert len(installed.calls_named("KasifyGrantRefund")) == 1
    [grant] = installed.orders[SALEOR_ID]["grantedRefunds"]
    assert grant["status"] == "PENDING"
    assert order.refunds[-1].reference == grant["id"]
    assert saleor_orders.store.outbox_items() == []


def test_a_failing_saleor_is_retried_through_the_outbox_and_never_lost(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    installed.failures["KasifyOrderFulfill"] = 2
    shipped = saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="ups", actor=STAFF)
    assert shipped.status is ko.Status.SHIPPED  # kasify's change stands
    assert installed.orders[SALEOR_ID]["fulfillments"] == []
    [waiting] = saleor_orders.store.outbox_items()
    assert (waiting.hook, waiting.attempts) == ("kasify_order_shipped", 1)
    assert saleor_orders.deliver_pending(retry_now=True) == 0  # Saleor still down
    assert saleor_orders.deliver_pending(retry_now=True) == 1
    assert [f["trackingNumber"] for f in installed.orders[SALEOR_ID]["fulfillments"]] == [UPS]
    assert saleor_orders.store.outbox_items() == []


def test_notes_are_added_to_the_saleor_order_once(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    saleor_orders.add_note(paid.id, "Called the customer: leave at the door", actor=STAFF)
    assert installed.calls_named("KasifyNoteAdd") == [
        {"order": SALEOR_ID, "message": "Called the customer: leave at the door"}
    ]
    assert [event["message"] for event in installed.orders[SALEOR_ID]["events"]] == [
        "Called the customer: leave at the door"
    ]


def test_a_retried_note_whose_first_call_landed_is_not_added_twice(
    app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    order = saleor_orders.add_note(paid.id, "Fragile", actor=STAFF)
    assert app.writeback is not None
    app.writeback.kasify_note_added(order, order.timeline[-1])  # as a retry after a lost answer would
    assert len(installed.orders[SALEOR_ID]["events"]) == 1


def test_cancelling_cancels_the_saleor_order(
    installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    saleor_orders.cancel(paid.id, reason="customer asked", actor=STAFF)
    assert installed.calls_named("KasifyCancel") == [{"id": SALEOR_ID}]
    assert installed.orders[SALEOR_ID]["status"] == "CANCELED"


def test_confirming_payment_marks_the_saleor_order_paid(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    installed.add_order({**SALEOR_ORDER, "chargeStatus": "NONE", "isPaid": False})
    post_webhook(client, installed, "order_created", LEGACY_CREATED)
    order = only_order(saleor_orders)
    saleor_orders.confirm_payment(order.id, actor=STAFF)
    assert installed.calls_named("KasifyMarkAsPaid") == [
        {"id": SALEOR_ID, "ref": f"kasify order {order.number}"}
    ]
    assert installed.orders[SALEOR_ID]["chargeStatus"] == "FULL"


def test_changes_that_came_from_saleor_are_not_written_back(
    client: Client, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    refunded = {**SALEOR_ORDER, "totalRefunded": {"amount": 10.0, "currency": "USD"}}
    body = json.dumps({"issuedAt": "r", "order": refunded}).encode()
    assert post_webhook(client, installed, "order_refunded", body).json["outcome"] == "refunded"
    assert installed.calls == []


def test_orders_that_did_not_come_from_saleor_are_left_alone(
    installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    installed.calls.clear()  # forget the install's call
    order = saleor_orders.place(new_order())
    saleor_orders.confirm_payment(order.id, actor=STAFF)
    saleor_orders.mark_shipped(order.id, tracking_number=UPS, carrier="ups", actor=STAFF)
    saleor_orders.refund(order.id, Decimal("5.00"), actor=STAFF)
    saleor_orders.add_note(order.id, "hello", actor=STAFF)
    assert installed.calls == []
    assert saleor_orders.store.outbox_items() == []


def test_after_uninstall_nothing_is_sent_and_the_timeline_says_so(
    app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    app.installations.remove(installed.api_url)
    saleor_orders.mark_shipped(paid.id, tracking_number=UPS, carrier="ups", actor=STAFF)
    assert installed.calls == []
    entry = saleor_orders.get(paid.id).timeline[-1]
    assert entry.kind == "saleor_writeback"
    assert "no longer installed" in entry.message


def test_several_apps_on_one_orders_write_back_once(
    make_app: Callable[..., SaleorApp], installed: FakeSaleor, saleor_orders: ko.Orders, paid: ko.Order
) -> None:
    second = make_app()
    assert second.writeback is not None
    saleor_orders.add_note(paid.id, "Only once", actor=STAFF)
    # two write-backs would each have read Saleor's notes (the second then skipping the add)
    assert len(installed.calls_named("KasifyNoteContext")) == 1
    assert len(installed.calls_named("KasifyNoteAdd")) == 1
