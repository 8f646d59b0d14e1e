"""What a real Saleor 3.23.28 sent kasify's App, replayed: each defect those deliveries showed stays fixed.

The bodies are the recorded ones, byte for byte (``recorded.py``); the fake Saleor answers the
write-back as that Saleor did (a refund on a mark-as-paid order fails and its grant is
FAILURE, the tracking echo carries the fulfillment as it was when the number changed, an
uninstall posts APP_DELETED and kills the token).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.test import Client, TestResponse

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp, SaleorRefundFailed
from kasify_orders.cli import main
from tests.adapters.saleor.conftest import SALEOR_ANSWERS_WITHIN, post_webhook, register, replay
from tests.adapters.saleor.fake_saleor import APP_ID, FakeSaleor
from tests.adapters.saleor.recorded import RECORDED_JWKS, RECORDED_KID, Delivery, webhook, webhooks
from tests.helpers import wipe
from tests.integration.notifications.conftest import SmtpServer

STAFF = "staff:7"
D = Decimal


def metadata(fulfillment: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: item["value"] for item in fulfillment.get("metadata") or []}


def kinds(order: ko.Order) -> list[str]:
    return [entry.kind for entry in order.timeline]


def order_of(app: SaleorApp, saleor: FakeSaleor, delivery: Delivery) -> ko.Order:
    """The kasify order mirroring the Saleor order *delivery* is about."""
    link = app.installations.link_for_saleor(saleor.api_url, delivery.order["id"])
    assert link is not None, f"Saleor order #{delivery.number} was never placed in kasify"
    return app.orders.get(link.order_id)


def paid_order(client: Client, app: SaleorApp, saleor: FakeSaleor) -> ko.Order:
    """The kasify order of recorded Saleor order #2, placed and paid by its recorded delivery."""
    paid = webhook("order_fully_paid", number="2")
    saleor.add_order(paid.order)
    replay(client, saleor, paid)
    return order_of(app, saleor, paid)


def replay_as_signed(client: Client, saleor: FakeSaleor, *recorded: Delivery) -> list[TestResponse]:
    """POST deliveries with the signature Saleor made (they verify against the recorded JWKS)."""
    assert all(delivery.kid == RECORDED_KID for delivery in recorded)
    saleor.extra_jwks = RECORDED_JWKS["keys"]
    signed = [delivery.headers["Saleor-Signature"] for delivery in recorded]
    return [
        post_webhook(client, saleor, delivery.event, delivery.body, signature=signature)
        for delivery, signature in zip(recorded, signed, strict=True)
    ]


# -- 8: the legacy FULFILLMENT_TRACKING_NUMBER_UPDATED ---------------------------------------------


def test_a_legacy_tracking_update_holding_a_fulfillment_ships_the_order(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    """Without a subscription query the body is ``[Fulfillment]`` with the order inside (once a 422)."""
    legacy = webhooks(number="6")
    installed.calls.clear()  # forget the install's calls
    assert [d.event for d in legacy][-2:] == ["fulfillment_tracking_number_updated", "order_refunded"]
    tracking = legacy[-2]
    assert tracking.status == "422 UNPROCESSABLE ENTITY"  # what kasify answered Saleor, for ever
    assert tracking.payload[0]["type"] == "Fulfillment"
    responses = replay(client, installed, *legacy[:-1])
    assert [response.status_code for response in responses] == [200] * len(responses)
    assert responses[-1].json["outcome"] == "shipped"
    order = order_of(app, installed, tracking)
    assert order.status is ko.Status.SHIPPED
    assert order.shipment is not None
    assert (order.shipment.tracking_number, order.shipment.carrier) == ("JD014600009999", "dhl")
    assert installed.calls == []  # nothing to fetch: the fulfillment carries its order


# -- 6: the echo of a carrier change ------------------------------------------------------------------


def test_saleors_recorded_echo_of_a_carrier_change_keeps_kasifys_carrier(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    shipped, echo = webhooks("fulfillment_tracking_number_updated", number="1")[:2]
    # The recorded shape: the old carrier on event.fulfillment, the new one on the order's copy.
    assert metadata(echo.payload["fulfillment"])["kasify.carrier"] == "ups"
    assert metadata(echo.payload["order"]["fulfillments"][0])["kasify.carrier"] == "dhl"
    installed.add_order(shipped.order)
    assert replay(client, installed, shipped)[0].json["outcome"] == "shipped"
    order = order_of(app, installed, shipped)
    saleor_orders.update_tracking(order.id, tracking_number="JD014600006281230", carrier="dhl", actor=STAFF)
    response = replay(client, installed, echo)[0]
    assert response.json["outcome"] == "duplicate"
    after = saleor_orders.get(order.id)
    assert after.shipment is not None
    assert (after.shipment.carrier, after.shipment.tracking_number) == ("dhl", "JD014600006281230")
    assert kinds(after).count("tracking_updated") == 1  # the merchant's; no second customer email


def test_kasify_writes_the_carrier_before_the_number_so_the_echo_carries_it(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    shipped = webhook("fulfillment_tracking_number_updated", number="1")
    installed.add_order(shipped.order)
    replay(client, installed, shipped)
    order = order_of(app, installed, shipped)
    installed.calls.clear()
    saleor_orders.update_tracking(order.id, tracking_number="JD014600006281230", carrier="dhl", actor=STAFF)
    assert [name for name, _ in installed.calls] == [
        "KasifyOrderState",
        "KasifyUpdateMetadata",
        "KasifyUpdateTracking",
    ]
    [(event, body)] = installed.queued_bodies(shape=shipped.order)
    assert metadata(json.loads(body)["fulfillment"])["kasify.carrier"] == "dhl"
    assert post_webhook(client, installed, event, body).json["outcome"] == "duplicate"
    after = saleor_orders.get(order.id)
    assert after.shipment is not None
    assert after.shipment.carrier == "dhl"


def test_a_number_saleors_staff_change_takes_a_carrier_that_fits_it(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    """kasify's metadata names the replaced number's carrier (DHL): a new UPS number is not DHL's."""
    shipped, echo = webhooks("fulfillment_tracking_number_updated", number="1")[:2]
    installed.add_order(shipped.order)
    replay(client, installed, shipped)
    order = order_of(app, installed, shipped)
    saleor_orders.update_tracking(order.id, tracking_number="JD014600006281230", carrier="dhl", actor=STAFF)
    replay(client, installed, echo)
    # Then Saleor's staff type a UPS number over it; the metadata still describes the DHL one.
    edited = json.loads(echo.body)
    dhl = edited["order"]["fulfillments"][0]["metadata"]
    for fulfillment in (edited["fulfillment"], edited["order"]["fulfillments"][0]):
        fulfillment["trackingNumber"] = "1Z999AA10123456791"
        fulfillment["metadata"] = dhl
    response = post_webhook(client, installed, echo.event, json.dumps(edited).encode())
    assert response.json["outcome"] == "tracking_updated"
    after = saleor_orders.get(order.id)
    assert after.shipment is not None
    assert (after.shipment.tracking_number, after.shipment.carrier) == ("1Z999AA10123456791", "ups")


# -- 7: a refund Saleor fails -------------------------------------------------------------------------


def test_a_refund_saleor_fails_is_a_failed_refund_never_a_done_one(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    paid = webhook("order_fully_paid", number="2")  # paid by mark-as-paid: no payment app can refund it
    assert paid.order["transactions"][0]["name"] == "Mark-as-paid transaction"
    installed.add_order(paid.order)
    replay(client, installed, paid)
    order = order_of(app, installed, paid)
    with pytest.raises(ko.RefundFailed, match="No app or plugin is configured"):
        saleor_orders.refund(order.id, D("10.00"), note="strap broken", idempotency_key="form-7", actor=STAFF)
    [grant] = installed.orders[paid.order["id"]]["grantedRefunds"]
    assert grant["status"] == "FAILURE"
    after = saleor_orders.get(order.id)
    assert (after.totals.refunded, after.payment_status) == (D("0.00"), ko.PaymentStatus.PAID)
    assert "refunded" not in kinds(after)
    assert saleor_orders.store.outbox_items() == []  # no refund event: no email, nothing "delivered"
    # The merchant tries again: Saleor's grant is still FAILURE, so it is still a failure.
    with pytest.raises(ko.RefundFailed, match="failed"):
        saleor_orders.refund(order.id, D("10.00"), note="strap broken", idempotency_key="form-7", actor=STAFF)
    assert len(installed.calls_named("KasifyGrantRefund")) == 1
    assert saleor_orders.get(order.id).totals.refunded == D("0.00")


def test_the_write_back_raises_for_a_failure_grant(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    """The interface the core's refund calls: a FAILURE grant raises, it never returns a reference."""
    order = paid_order(client, app, installed)
    assert app.writeback is not None
    with pytest.raises(SaleorRefundFailed, match="No app or plugin"):
        app.writeback.kasify_refund_payment(order, D("5.00"), "", "form-8")
    with pytest.raises(SaleorRefundFailed, match="failed"):
        app.writeback.kasify_refund_payment(order, D("5.00"), "", "form-8")  # the retry finds FAILURE


# -- 9 and 12: concurrent webhooks -------------------------------------------------------------------


def post_together(app: SaleorApp, saleor: FakeSaleor, recorded: list[Delivery]) -> list[TestResponse]:
    """POST *recorded* at the same moment from one thread each, as Saleor's Celery workers do."""
    start = threading.Barrier(len(recorded))
    responses: list[TestResponse | None] = [None] * len(recorded)

    def send(index: int, delivery: Delivery) -> None:
        start.wait()
        responses[index] = post_webhook(Client(app), saleor, delivery.event, delivery.body)

    threads = [threading.Thread(target=send, args=item) for item in enumerate(recorded)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(response is not None for response in responses)
    return [response for response in responses if response is not None]


#: The recorded bursts: ORDER_CREATED, ORDER_CONFIRMED (and ORDER_FULLY_PAID) of one order at once.
BURSTS = [
    [
        d
        for d in webhooks(number=number)
        if d.event in {"order_created", "order_confirmed", "order_fully_paid"}
    ]
    for number in ("2", "3", "4", "5", "8", "10")
]


def test_concurrent_webhooks_place_each_order_once_with_one_placed_in_saleor_note(
    app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    for burst in BURSTS:
        responses = post_together(app, installed, burst)
        assert [response.status_code for response in responses] == [200] * len(burst)
        order = order_of(app, installed, burst[0])
        notes = [entry for entry in order.timeline if entry.kind == "saleor" and "Placed" in entry.message]
        assert [entry.message for entry in notes] == [f"Placed in Saleor as order #{burst[0].number}"]
        assert kinds(order)[:2] == ["placed", "saleor"]  # written in the placing transaction
    numbers = sorted(order.number for order in saleor_orders.list().items)
    assert numbers == list(range(numbers[0], numbers[0] + len(BURSTS)))  # none skipped


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailing_app(database_url: str, smtp: SmtpServer) -> Iterator[SaleorApp]:
    """A Saleor App whose ``Orders`` emails customers through a real SMTP server on loopback."""
    settings = ko.Settings(
        manage_inventory=False,
        store_name="Saleor shop",
        from_email="orders@shop.example",
        new_order_alert_emails=["boss@shop.example"],
        smtp_url=smtp.url,
    )
    with ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False) as orders:
        yield SaleorApp(
            orders,
            allowed_api_urls=lambda url: url.startswith("http://127.0.0.1:"),
            timeout=SALEOR_ANSWERS_WITHIN,
        )
    wipe(database_url)


def test_a_saleor_orders_emails_show_the_number_the_customer_saw_in_saleor(
    mailing_app: SaleorApp, saleor: FakeSaleor, smtp: SmtpServer
) -> None:
    client = Client(mailing_app)
    assert register(client, saleor.api_url).status_code == 200
    orders = mailing_app.orders
    for _ in range(2):  # kasify's numbers run ahead of Saleor's: kasify #3 is Saleor's #2
        orders.place(ko.NewOrder(**_cart()))
    paid = webhook("order_fully_paid", number="2")
    assert replay(client, saleor, paid)[0].json["outcome"] == "payment_confirmed"
    order = order_of(mailing_app, saleor, paid)
    assert order.number == 3
    [confirmation] = [
        r for r in smtp.inbox.to(paid.order["userEmail"]) if "confirmed" in r.message["Subject"]
    ]
    assert "order #2 confirmed" in confirmation.message["Subject"]
    assert "#2" in confirmation.text() and "#3" not in confirmation.text()
    alerts = [r for r in smtp.inbox.to("boss@shop.example") if paid.order["userEmail"] in r.text()]
    assert ["New order #3" in r.message["Subject"] for r in alerts] == [True]  # the merchant's number


def _cart() -> dict[str, Any]:
    return {
        "customer": ko.Customer(name="Walk In", email="walk.in@example.com"),
        "shipping_address": ko.Address(
            line1="1 Main St", city="Springfield", postal_code="12345", country="US"
        ),
        "lines": [ko.NewLine(sku="MUG-1", name="Mug", quantity=1, unit_price=D("12.50"))],
        "currency": "USD",
    }


def test_a_saleor_fulfilment_of_an_order_kasify_shows_pending_is_noted_once(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    created = webhook("order_created", number="9")
    tracking = webhook("fulfillment_tracking_number_updated", number="9")
    fulfilled = webhook("order_fulfilled", number="9")
    paid = webhook("order_fully_paid", number="9")  # after the fulfilment: Saleor fulfilled it unpaid
    responses = replay_as_signed(client, installed, created, tracking, fulfilled)
    assert [response.json["outcome"] for response in responses] == ["placed", "conflict", "conflict"]
    order = order_of(app, installed, created)
    conflicts = [entry for entry in order.timeline if entry.kind == "saleor_conflict"]
    expected = "Saleor fulfilled this order (tracking 1Z999AA10123456799), but here it is pending"
    assert [entry.message for entry in conflicts] == [f"{expected}; nothing changed here"]
    # Once Saleor says it is paid, kasify catches up with the fulfilment.
    assert replay_as_signed(client, installed, paid)[0].json["outcome"] == "payment_confirmed"
    order = saleor_orders.get(order.id)
    assert order.status is ko.Status.SHIPPED
    assert order.shipment is not None
    assert (order.shipment.tracking_number, order.shipment.carrier) == ("1Z999AA10123456799", "ups")


# -- partial fulfilments -------------------------------------------------------------------------------


def test_two_saleor_fulfilments_are_two_parcels_each_with_its_own_number(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    """Saleor #10 was fulfilled in two parcels (the mug, then the two tees), each with its number.

    kasify used to mark the whole order shipped on the first, then "correct" its number with
    the second's; now each fulfillment is a parcel of its own lines.
    """
    created, paid = webhook("order_created", number="10"), webhook("order_fully_paid", number="10")
    first, last = webhooks("fulfillment_tracking_number_updated", number="10")
    assert first.order["status"] == "PARTIALLY_FULFILLED" and last.order["status"] == "FULFILLED"
    fulfilled = webhook("order_fulfilled", number="10")
    responses = replay_as_signed(client, installed, created, paid, first)
    assert [response.json["outcome"] for response in responses] == ["placed", "payment_confirmed", "shipped"]
    order = order_of(app, installed, created)
    assert [(line.id, line.sku, line.quantity) for line in order.lines] == [(1, "TEE-1", 2), (2, "MUG-1", 1)]
    assert order.status is ko.Status.PROCESSING
    assert order.fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED
    (mug,) = order.shipments
    assert (mug.lines, mug.tracking_number, mug.reference) == (
        {2: 1},
        "JD0146PARTIAL01",
        "RnVsZmlsbG1lbnQ6Ng==",
    )
    assert replay_as_signed(client, installed, first)[0].json["outcome"] == "duplicate"  # a retry
    assert replay_as_signed(client, installed, last)[0].json["outcome"] == "shipped"
    assert replay_as_signed(client, installed, fulfilled)[0].json["outcome"] == "duplicate"
    order = saleor_orders.get(order.id)
    assert order.status is ko.Status.SHIPPED
    assert [(p.lines, p.tracking_number, p.reference) for p in order.shipments] == [
        ({2: 1}, "JD0146PARTIAL01", "RnVsZmlsbG1lbnQ6Ng=="),
        ({1: 2}, "JD0146PARTIAL02", "RnVsZmlsbG1lbnQ6Nw=="),
    ]
    assert "tracking_updated" not in kinds(order)  # no "correction" of the first parcel
    assert kinds(order).count("shipped") == 2


def test_a_saleor_tracking_update_corrects_that_fulfilments_parcel_only(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    created, paid = webhook("order_created", number="10"), webhook("order_fully_paid", number="10")
    first, last = webhooks("fulfillment_tracking_number_updated", number="10")
    replay_as_signed(client, installed, created, paid, first, last)
    # Saleor's staff then change the first parcel's number: the same delivery, the number changed.
    body = first.payload
    body["fulfillment"]["trackingNumber"] = "JD0146PARTIAL09"
    for fulfillment in body["order"]["fulfillments"]:
        if fulfillment["id"] == body["fulfillment"]["id"]:
            fulfillment["trackingNumber"] = "JD0146PARTIAL09"
    response = post_webhook(client, installed, first.event, json.dumps(body).encode())
    assert response.json["outcome"] == "tracking_updated"
    order = order_of(app, installed, created)
    assert [p.tracking_number for p in order.shipments] == ["JD0146PARTIAL09", "JD0146PARTIAL02"]
    entry = order.timeline[-1]
    assert entry.kind == "tracking_updated" and entry.data["shipment_id"] == order.shipments[0].id
    assert entry.data["previous_tracking_number"] == "JD0146PARTIAL01"


def test_a_saleor_order_shipped_in_two_parcels_emails_each_parcel_and_no_correction(
    mailing_app: SaleorApp, saleor: FakeSaleor, smtp: SmtpServer
) -> None:
    """The real deliveries of Saleor #10, re-signed with the test key, to a real SMTP server."""
    client = Client(mailing_app)
    assert register(client, saleor.api_url).status_code == 200
    created, paid = webhook("order_created", number="10"), webhook("order_fully_paid", number="10")
    first, last = webhooks("fulfillment_tracking_number_updated", number="10")
    fulfilled = webhook("order_fulfilled", number="10")
    outcomes = [r.json["outcome"] for r in replay(client, saleor, created, paid, first, last, fulfilled)]
    assert outcomes == ["placed", "payment_confirmed", "shipped", "shipped", "duplicate"]
    inbox = smtp.inbox.to(created.order["userEmail"])
    shipping = [r for r in inbox if "shipped" in r.message["Subject"]]
    assert [r.message["Subject"].split(": ", 1)[1] for r in shipping] == [
        "1 of 3 items of order #10 have shipped",
        "3 of 3 items of order #10 have shipped",
    ]
    mug, tees = (r.text() for r in shipping)
    order = order_of(mailing_app, saleor, created)
    links = [parcel.tracking_url for parcel in order.shipments]
    assert all(links) and links[0] != links[1]
    assert "JD0146PARTIAL01" in mug and "1 x Mug" in mug and "Plain tee" not in mug and links[0] in mug
    assert "The rest follows in another parcel" in mug
    assert "JD0146PARTIAL02" in tees and "2 x Plain tee" in tees and "Mug" not in tees and links[1] in tees
    assert "JD0146PARTIAL01" not in tees and "The rest follows" not in tees
    assert not [r for r in inbox if "correct" in r.message["Subject"].lower()]


# -- 10: Saleor's own customer emails ------------------------------------------------------------------


def test_install_finds_saleors_user_emails_plugin_and_tells_the_merchant(
    client: Client, app: SaleorApp, saleor: FakeSaleor, database_url: str
) -> None:
    assert register(client, saleor.api_url).status_code == 200
    installation = app.installations.get(saleor.api_url)
    assert installation is not None
    assert installation.email_warning is not None
    assert "User emails plugin (in channel default-channel) is active" in installation.email_warning
    assert "Configuration → Plugins → User emails" in installation.email_warning
    page = client.get("/").get_data(as_text=True)
    assert "User emails plugin (in channel default-channel) is active" in page
    result = CliRunner().invoke(main, ["--url", database_url, "check"], catch_exceptions=False)
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # the console wraps long lines
    assert "FAIL saleor" in output
    assert "User emails plugin (in channel default-channel) is active" in output


def test_install_with_saleors_emails_off_has_nothing_to_say(
    client: Client, app: SaleorApp, saleor: FakeSaleor, database_url: str
) -> None:
    saleor.plugins["mirumee.notifications.user_email"]["channelConfigurations"][0]["active"] = False
    assert register(client, saleor.api_url).status_code == 200
    installation = app.installations.get(saleor.api_url)
    assert installation is not None
    assert installation.email_warning is None
    result = CliRunner().invoke(main, ["--url", database_url, "check"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "ok saleor" in " ".join(result.output.split())
    assert "Saleor's own customer emails are off" in " ".join(result.output.split())


def test_install_without_the_plugins_permission_says_to_check_by_hand(
    client: Client, app: SaleorApp, saleor: FakeSaleor
) -> None:
    saleor.may_read_plugins = False
    assert register(client, saleor.api_url).status_code == 200
    installation = app.installations.get(saleor.api_url)
    assert installation is not None
    assert installation.email_warning is not None
    assert "could not read whether Saleor emails customers itself" in installation.email_warning
    assert "MANAGE_PLUGINS" in installation.email_warning


# -- 11: uninstall in Saleor ------------------------------------------------------------------------


def test_app_deleted_in_saleor_stops_the_write_back_and_says_so_on_open_orders(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    paid = webhook("order_fully_paid", number="2")
    cancelled = webhook("order_cancelled", number="3")
    installed.add_order(paid.order)
    replay(client, installed, paid, cancelled)
    response = post_webhook(client, installed, "app_deleted", installed.delete_app())
    assert response.json == {"success": True, "outcome": "uninstalled", "event": "APP_DELETED"}
    installation = app.installations.get(installed.api_url)
    assert installation is not None
    assert not installation.active
    open_order, done = order_of(app, installed, paid), order_of(app, installed, cancelled)
    assert open_order.timeline[-1].kind == "saleor_uninstalled"
    assert "no longer sends this order's changes to Saleor" in open_order.timeline[-1].message
    assert "saleor_uninstalled" not in kinds(done)  # a cancelled order has nothing more to send
    installed.calls.clear()
    saleor_orders.mark_shipped(
        open_order.id, tracking_number="1Z999AA10123456784", carrier="ups", actor=STAFF
    )
    assert installed.calls == []
    assert "no longer installed" in saleor_orders.get(open_order.id).timeline[-1].message
    assert post_webhook(client, installed, paid.event, paid.body).status_code == 401
    assert "Uninstalled from" in client.get("/").get_data(as_text=True)


def test_a_saleor_that_refuses_the_token_is_taken_as_an_uninstall(
    client: Client, app: SaleorApp, installed: FakeSaleor, saleor_orders: ko.Orders
) -> None:
    """Saleor may not tell a deleted app (APP_DELETED goes to active apps): its 401 says it too."""
    order = paid_order(client, app, installed)
    installed.delete_app()  # and its APP_DELETED never arrives
    saleor_orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups", actor=STAFF)
    installation = app.installations.get(installed.api_url)
    assert installation is not None
    assert not installation.active
    after = saleor_orders.get(order.id)
    assert kinds(after)[-2:] == ["saleor_uninstalled", "saleor_writeback"]
    assert "Saleor refused the app's token" in after.timeline[-2].message
    assert saleor_orders.store.outbox_items() == []  # nothing left retrying what cannot be sent


def test_app_deleted_about_another_app_changes_nothing(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    body = json.dumps({"__typename": "AppDeleted", "app": {"id": "QXBwOjk5"}}).encode()
    assert APP_ID != "QXBwOjk5"
    response = post_webhook(client, installed, "app_deleted", body)
    assert response.json["outcome"] == "ignored"
    installation = app.installations.get(installed.api_url)
    assert installation is not None
    assert installation.active


# -- the recorded signatures ---------------------------------------------------------------------------


def test_the_deliveries_signed_after_the_key_rotation_verify_as_recorded(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    rotated = [d for d in webhooks() if d.kid == RECORDED_KID]
    assert len(rotated) == 12
    created = webhook("order_created", number="10")
    assert replay_as_signed(client, installed, created)[0].json["outcome"] == "placed"
    tampered = created.body.replace(b'"number": "10"', b'"number": "11"')
    response = post_webhook(
        client, installed, created.event, tampered, signature=created.headers["Saleor-Signature"]
    )
    assert response.status_code == 401
