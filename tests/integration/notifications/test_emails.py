"""Emails go out once per event and recipient, only after a committed change, through a real SMTP server."""

from __future__ import annotations

import email.utils
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders import notifications
from kasify_orders.notifications import EmailDeliveryFailed, EmailKind, EmailsNotConfigured
from kasify_orders.notifications.plugin import PLUGIN_NAME, Notifier
from kasify_orders.notifications.tables import EMAIL_TABLES
from tests.helpers import Clock, new_order
from tests.integration.notifications.conftest import ALERT, Connect, SmtpServer, shop_settings

CUSTOMER = "ada@example.com"
UPS = "1Z999AA10123456784"


def kinds_to(smtp: SmtpServer, address: str) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.inbox.to(address)]


def timeline_emails(orders: ko.Orders, order_id: str, kind: str = "email_sent") -> list[tuple[str, str]]:
    return [(e.data["kind"], e.data["to"]) for e in orders.get(order_id).timeline if e.kind == kind]


def notifier(orders: ko.Orders) -> Notifier:
    plugin = orders.plugins.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, Notifier)
    return plugin


def test_placing_an_order_emails_the_customer_and_alerts_the_merchant(
    shop: ko.Orders, smtp: SmtpServer
) -> None:
    shop.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    order = shop.place(new_order(coupon_code="SAVE20", note="Gift wrap please"))
    (confirmation,) = smtp.inbox.to(CUSTOMER)
    (alert,) = smtp.inbox.to(ALERT)
    assert len(smtp.inbox.received) == 2

    message = confirmation.message
    assert message["Subject"] == f"Analytical Engines: order #{order.number} confirmed"
    assert message["From"] == "Analytical Engines <orders@engines.example>"
    assert message["Reply-To"] == "help@engines.example"
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<[0-9a-f]{32}@engines\.example>", message["Message-ID"].strip())
    text = confirmation.text()
    for expected in [
        "T-shirt (Red / M) x 2: £50.00",  # the store's locale (en), as the pages write money
        "Subtotal: £50.00",
        "Discount (SAVE20): -£10.00",
        "Shipping: £5.00",
        "Total: £45.00",
        "12 St James's Sq",
        "SW1Y 4JH",
        "Gift wrap please",
    ]:
        assert expected.replace("£", "$") in text
    html = confirmation.html()
    assert "Discount (SAVE20)" in html and "St James&#39;s Sq" in html

    assert alert.message["Subject"] == f"New order #{order.number}: $45.00 from Ada Lovelace"
    assert f"https://engines.example/admin/orders/{order.id}" in alert.text()
    assert f'href="https://engines.example/admin/orders/{order.id}"' in alert.html()
    assert "Customer note" in alert.text()

    assert sorted(timeline_emails(shop, order.id)) == [
        ("new_order_alert", ALERT),
        ("order_confirmation", CUSTOMER),
    ]
    sent = notifications.sent_emails(shop, order.id)
    assert {(s.kind, s.recipient, s.state.value) for s in sent} == {
        ("order_confirmation", CUSTOMER, "sent"),
        ("new_order_alert", ALERT, "sent"),
    }
    assert {s.message_id for s in sent} == {
        confirmation.message["Message-ID"].strip(),
        alert.message["Message-ID"].strip(),
    }


def test_each_action_sends_its_own_email(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(new_order())
    shop.confirm_payment(order.id)
    assert len(smtp.inbox.to(CUSTOMER)) == 1  # payment confirmation sends nothing
    shop.mark_shipped(order.id, tracking_number=UPS, carrier="ups")
    shop.update_tracking(order.id, tracking_number="1Z999AA10123456785")
    shop.refund(order.id, Decimal("10.00"), note="strap broken, do not tell")
    shop.refund(order.id, Decimal("5.00"))
    shop.mark_delivered(order.id)

    received = smtp.inbox.to(CUSTOMER)
    assert [r.message["Subject"] for r in received] == [
        f"Analytical Engines: order #{order.number} confirmed",
        f"Analytical Engines: order #{order.number} has shipped",
        f"Analytical Engines: new tracking number for order #{order.number}",
        f"Analytical Engines: refund of $10.00 for order #{order.number}",
        f"Analytical Engines: refund of $5.00 for order #{order.number}",
    ]
    shipped, corrected, first_refund, second_refund = received[1:]
    assert "UPS" in shipped.text() and UPS in shipped.text()
    assert f"https://www.ups.com/track?tracknum={UPS}" in shipped.text()
    assert f'href="https://www.ups.com/track?tracknum={UPS}"' in shipped.html()
    assert "1Z999AA10123456785" in corrected.text() and f"replaces UPS {UPS}" in corrected.text()
    assert "Remaining balance: $45.00" in first_refund.text()
    assert "Remaining balance: $40.00" in second_refund.text()
    for refund in (first_refund, second_refund):
        assert "strap broken" not in refund.text() and "strap broken" not in refund.html()

    other = shop.place(new_order())
    shop.cancel(other.id, reason="fraud check failed")
    cancelled = smtp.inbox.to(CUSTOMER)[-1]
    assert cancelled.message["Subject"] == f"Analytical Engines: order #{other.number} cancelled"
    assert "fraud" not in cancelled.text()  # the merchant's reason is internal
    assert len(smtp.inbox.to(ALERT)) == 2


def test_failed_and_rolled_back_actions_send_nothing(connect: Connect, smtp: SmtpServer) -> None:
    class Provider:
        @ko.hookimpl
        def kasify_refund_payment(self, order: ko.Order, amount: Decimal) -> str:
            raise ConnectionError("card network down")

    orders = connect(shop_settings(smtp.url), plugins=[Provider()])
    orders.inventory.set_stock("TEE-RED-M", 1)
    with pytest.raises(ko.OutOfStock):
        orders.place(new_order(quantity=2))
    with pytest.raises(ko.CouponNotApplicable):
        orders.place(new_order(quantity=1, coupon_code="NOSUCHCODE"))
    with pytest.raises(ko.ValidationError):
        orders.place(new_order(name="Ada\r\nBcc: everyone@example.com"))
    assert smtp.inbox.received == []

    order = orders.place(new_order(quantity=1))
    assert len(smtp.inbox.received) == 2
    with pytest.raises(ko.InvalidTransition):
        orders.mark_shipped(order.id, tracking_number=UPS, carrier="ups")
    orders.confirm_payment(order.id)
    with pytest.raises(ko.RefundFailed):
        orders.refund(order.id, Decimal("1.00"))
    with pytest.raises(ko.ValidationError):
        orders.mark_shipped(order.id, tracking_number="", carrier="ups")
    assert len(smtp.inbox.received) == 2
    with orders.store.engine.connect() as conn:
        sent = EMAIL_TABLES.bind(orders.store).tables["sent"]
        markers = conn.scalar(sa.select(sa.func.count()).select_from(sent))
    assert markers == 2


def test_customer_names_with_line_breaks_are_refused_at_input(shop: ko.Orders, smtp: SmtpServer) -> None:
    for name in ["Ada\r\nBcc: x@evil.example", "Ada\nLovelace", "Ada\rLovelace"]:
        with pytest.raises(ko.ValidationError) as caught:
            shop.place(new_order(name=name))
        assert [error.path for error in caught.value.errors] == ["customer.name"]
    assert smtp.inbox.received == []


def test_mail_server_down_the_action_succeeds_and_the_email_waits(
    connect: Connect, smtp_down: SmtpServer
) -> None:
    clock = Clock()
    orders = connect(shop_settings(smtp_down.url, retry_backoff_seconds=60.0), clock=clock)
    placed_at = clock()
    order = orders.place(new_order())
    assert orders.get(order.id).status is ko.Status.PENDING

    (waiting,) = orders.store.outbox_items()
    assert (waiting.hook, waiting.attempts, waiting.dead) == ("kasify_order_placed", 1, False)
    assert "ConnectionRefusedError" in (waiting.last_error or "")
    assert waiting.due_at is not None
    # Backoff with jitter: the first retry is due between half and all of the backoff from now.
    assert placed_at + timedelta(seconds=30) <= waiting.due_at <= placed_at + timedelta(seconds=60)
    failed = [e for e in orders.get(order.id).timeline if e.kind == "email_failed"]
    assert sorted((e.data["kind"], e.data["to"]) for e in failed) == [
        ("new_order_alert", ALERT),
        ("order_confirmation", CUSTOMER),
    ]
    assert all("ConnectionRefusedError" in e.message and e.data["attempt"] == 1 for e in failed)
    assert orders.deliver_pending() == 0  # not due yet

    smtp_down.start()
    clock.advance(29)
    assert orders.deliver_pending() == 0  # still backing off
    assert smtp_down.inbox.received == []
    clock.advance(31)
    assert orders.deliver_pending() == 1  # due once its backoff is over
    assert orders.deliver_pending(retry_now=True) == 0
    assert len(smtp_down.inbox.to(CUSTOMER)) == 1
    assert len(smtp_down.inbox.to(ALERT)) == 1
    assert orders.store.outbox_items() == []
    assert sorted(timeline_emails(orders, order.id)) == [
        ("new_order_alert", ALERT),
        ("order_confirmation", CUSTOMER),
    ]


def test_after_its_attempts_an_email_is_dead_on_the_timeline_and_can_be_retried(
    connect: Connect, smtp_down: SmtpServer
) -> None:
    orders = connect(shop_settings(smtp_down.url, max_dispatch_attempts=2, new_order_alert_emails=[]))
    order = orders.place(new_order())
    assert orders.deliver_pending(retry_now=True) == 0
    (dead,) = orders.store.outbox_items(dead=True)
    assert dead.attempts == 2
    timeline = orders.get(order.id).timeline
    assert [e.kind for e in timeline[-3:]] == ["email_failed", "email_failed", "delivery_failed"]
    assert [e.data["attempt"] for e in timeline if e.kind == "email_failed"] == [1, 2]
    assert "after 2 attempts" in timeline[-1].message and "ConnectionRefusedError" in timeline[-1].message
    (marker,) = notifications.sent_emails(orders, order.id)
    assert (marker.state.value, marker.attempts) == ("failed", 2)

    smtp_down.start()
    assert orders.deliver_pending(retry_now=True) == 0  # dead events wait for a person
    assert orders.retry_dead() == 1
    assert orders.deliver_pending() == 1
    assert len(smtp_down.inbox.to(CUSTOMER)) == 1
    (marker,) = notifications.sent_emails(orders, order.id)
    assert (marker.state.value, marker.attempts) == ("sent", 3)


def test_a_retry_sends_only_to_the_recipients_still_waiting(shop: ko.Orders, smtp: SmtpServer) -> None:
    smtp.inbox.refuse_once.add(ALERT)
    order = shop.place(new_order())
    assert len(smtp.inbox.to(CUSTOMER)) == 1
    assert smtp.inbox.to(ALERT) == []
    (failed,) = [e for e in shop.get(order.id).timeline if e.kind == "email_failed"]
    assert failed.data["to"] == ALERT and "mailbox unavailable" in failed.data["error"]

    assert shop.deliver_pending(retry_now=True) == 1
    assert len(smtp.inbox.to(CUSTOMER)) == 1
    assert len(smtp.inbox.to(ALERT)) == 1


def test_the_same_event_delivered_twice_at_once_sends_each_email_once(
    shop: ko.Orders, smtp: SmtpServer
) -> None:
    """Two workers holding the same event (one whose lease ran out): one email per recipient."""
    order = shop.place(new_order())
    smtp.inbox.received.clear()
    plugin = notifier(shop)
    event_id = "e" * 32
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            plugin.kasify_order_placed(order=order, event_id=event_id)
        except EmailDeliveryFailed as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    plugin.kasify_order_placed(order=order, event_id=event_id)  # a later retry: all sent already
    assert len(smtp.inbox.to(CUSTOMER)) == 1
    assert len(smtp.inbox.to(ALERT)) == 1
    # A worker that lost the race was told to retry later, never that sending failed.
    assert all("being sent by another worker" in str(error) for error in errors)


def test_an_unexpired_claim_defers_the_email_and_an_expired_one_is_taken_over(
    connect: Connect, smtp: SmtpServer
) -> None:
    clock = Clock()
    shop = connect(shop_settings(smtp.url, dispatch_lease_seconds=300), clock=clock)
    order = shop.place(new_order())
    smtp.inbox.received.clear()
    plugin = notifier(shop)
    recipient, kind = CUSTOMER, EmailKind.ORDER_CONFIRMATION
    mid = "<first-attempt@engines.example>"
    claim = plugin.ledger.claim("c" * 32, kind, recipient, order_id=order.id, message_id=mid)
    assert claim is not None and claim.attempt == 1
    with pytest.raises(EmailDeliveryFailed, match="being sent by another worker"):
        plugin.send_all("c" * 32, plugin.emails_for(kind, order))
    assert smtp.inbox.received == []

    clock.advance(299)
    with pytest.raises(EmailDeliveryFailed, match="being sent by another worker"):
        plugin.send_all("c" * 32, plugin.emails_for(kind, order))
    assert smtp.inbox.received == []

    # The worker holding it crashed: once its lease is over, another sends it (same Message-ID).
    clock.advance(2)
    plugin.send_all("c" * 32, plugin.emails_for(kind, order))
    (received,) = smtp.inbox.to(CUSTOMER)
    (marker,) = [m for m in notifications.sent_emails(shop, order.id) if m.event_id == "c" * 32]
    assert (marker.state.value, marker.attempts) == ("sent", 2)
    assert received.message["Message-ID"].strip() == marker.message_id == mid


def test_two_workers_draining_the_outbox_send_each_email_once(connect: Connect, smtp: SmtpServer) -> None:
    settings = shop_settings(smtp.url, deliver_inline=False, new_order_alert_emails=[])
    web = connect(settings)
    placed = [web.place(new_order(email=f"customer{i}@example.com")) for i in range(12)]
    assert smtp.inbox.received == []
    workers = [connect(settings), connect(settings)]
    counts: list[int] = []
    barrier = threading.Barrier(len(workers))

    def drain(orders: ko.Orders) -> None:
        barrier.wait()
        counts.append(orders.deliver_pending(limit=3))

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 12
    assert sorted(r.to for r in smtp.inbox.received) == sorted(o.customer.email for o in placed)


def test_the_merchant_can_resend_an_email(shop: ko.Orders, smtp: SmtpServer) -> None:
    order = shop.place(new_order())
    first = smtp.inbox.to(CUSTOMER)[0]
    assert notifications.resend(shop, order.id, "order_confirmation", actor="staff:7") == [CUSTOMER]
    again = smtp.inbox.to(CUSTOMER)[1]
    assert again.message["Subject"] == first.message["Subject"]
    assert again.message["Message-ID"] != first.message["Message-ID"]
    entry = shop.get(order.id).timeline[-1]
    assert (entry.kind, entry.actor, entry.data["resend"]) == ("email_sent", "staff:7", True)
    assert entry.message == f"Order confirmation resent to {CUSTOMER}"
    assert notifications.resend(shop, order.id, EmailKind.NEW_ORDER_ALERT) == [ALERT]

    with pytest.raises(ko.ValidationError, match="kind: must be one of order_confirmation") as caught:
        notifications.resend(shop, order.id, "welcome")
    assert caught.value.errors[0].path == "kind"
    with pytest.raises(ko.ValidationError, match="kind: order #\\d+ has not shipped"):
        notifications.resend(shop, order.id, "shipping_notification")
    with pytest.raises(ko.ValidationError, match="kind: order #\\d+ has no refund"):
        notifications.resend(shop, order.id, "refund_confirmation")
    with pytest.raises(ko.OrderNotFound):
        notifications.resend(shop, "0" * 32, "order_confirmation")

    shop.confirm_payment(order.id)
    shop.mark_shipped(order.id, tracking_number=UPS, carrier="ups")
    shop.update_tracking(order.id, tracking_number="1Z999AA10123456785", carrier="fedex")
    notifications.resend(shop, order.id, "tracking_corrected")
    assert "replaces UPS 1Z999AA10123456784" in smtp.inbox.to(CUSTOMER)[-1].text()
    assert "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456785" in smtp.inbox.to(CUSTOMER)[-1].text()
    assert len(smtp.inbox.received) == 7


def test_a_resend_that_fails_says_why_and_is_on_the_timeline(connect: Connect, smtp_down: SmtpServer) -> None:
    orders = connect(shop_settings(smtp_down.url, new_order_alert_emails=[]))
    order = orders.place(new_order())
    with pytest.raises(EmailDeliveryFailed, match="order_confirmation to ada@example.com: ConnectionRefused"):
        notifications.resend(orders, order.id, "order_confirmation", actor="staff:7")
    entry = orders.get(order.id).timeline[-1]
    assert (entry.kind, entry.actor) == ("email_failed", "staff:7")


def test_without_a_mail_transport_there_are_no_emails(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    assert orders.plugins.get_plugin(PLUGIN_NAME) is None
    with pytest.raises(EmailsNotConfigured, match="set Settings.smtp_url"):
        notifications.resend(orders, order.id, "order_confirmation")


def test_a_host_mail_plugin_gets_the_emails(connect: Connect) -> None:
    class HostMail:
        def __init__(self) -> None:
            self.outbox: list[str] = []

        @ko.hookimpl
        def kasify_send_email(self, message: object) -> bool:
            self.outbox.append(str(message["To"]))  # type: ignore[index]
            return True

    mail = HostMail()
    orders = connect(ko.Settings(new_order_alert_emails=[ALERT]), plugins=[mail])
    orders.place(new_order())
    assert sorted(mail.outbox) == sorted(["Ada Lovelace <ada@example.com>", ALERT])


def test_email_kinds_can_be_turned_off(connect: Connect, smtp: SmtpServer) -> None:
    orders = connect(shop_settings(smtp.url, disabled_emails={"new_order_alert", "order_cancelled"}))
    order = orders.place(new_order())
    orders.cancel(order.id)
    assert [r.to for r in smtp.inbox.received] == [CUSTOMER]
    # The merchant may still send a turned-off kind by hand.
    assert notifications.resend(orders, order.id, "order_cancelled") == [CUSTOMER]


def test_a_plugin_can_choose_the_customers_locale(connect: Connect, smtp: SmtpServer) -> None:
    class Locales:
        @ko.hookimpl
        def kasify_email_locale(self, order: ko.Order) -> str:
            return "de_DE"

    orders = connect(shop_settings(smtp.url), plugins=[Locales()])
    orders.place(new_order())
    (confirmation,) = smtp.inbox.to(CUSTOMER)
    assert "Gesamt: 55,00\xa0$" in confirmation.text()  # the hook's locale: German words too
    (alert,) = smtp.inbox.to(ALERT)
    assert "Total: $55.00" in alert.text()  # the merchant's alert is not in the customer's locale


def test_the_orders_clock_dates_the_timeline_the_emails_and_the_retries(
    connect: Connect, smtp_down: SmtpServer
) -> None:
    clock = Clock()
    orders = connect(shop_settings(smtp_down.url, retry_backoff_seconds=60.0), clock=clock)
    placed_at = clock()
    order = orders.place(new_order())
    assert order.created_at == placed_at
    assert {entry.at for entry in orders.get(order.id).timeline} == {placed_at}  # placed, email_failed

    smtp_down.start()
    clock.advance(3600)
    assert orders.deliver_pending() == 1
    sent = [entry for entry in orders.get(order.id).timeline if entry.kind == "email_sent"]
    assert len(sent) == 2 and {entry.at for entry in sent} == {clock()}
    (received,) = smtp_down.inbox.to(CUSTOMER)
    assert email.utils.parsedate_to_datetime(received.message["Date"]) == clock()
    markers = notifications.sent_emails(orders, order.id)
    assert {(m.created_at, m.sent_at) for m in markers} == {(placed_at, clock())}


@pytest.mark.parametrize("budget", [0.0, 0.05])
def test_a_slow_mail_server_never_holds_up_the_action_and_each_email_goes_once(
    connect: Connect, smtp: SmtpServer, budget: float
) -> None:
    # The server keeps every answer back until the test lets it go, so the actions can only
    # return while it holds them because of the budget, however fast or slow this machine is.
    # A budget of 0 is spent before the emails are even claimed: they still go, in the background.
    shop = connect(shop_settings(smtp.url, inline_dispatch_budget_seconds=budget))
    order = shop.place(new_order())
    assert notifier(shop).join(timeout=30)  # its emails may finish in the background (budget 0)
    shop.deliver_pending(retry_now=True)
    smtp.inbox.received.clear()
    for act in (
        lambda: shop.place(new_order()),
        lambda: shop.mark_shipped(shop.confirm_payment(order.id).id, tracking_number=UPS, carrier="ups"),
    ):
        before = len(smtp.inbox.received)
        smtp.inbox.hold = threading.Event()  # the server takes the message but does not answer yet
        try:
            changed = act()  # returns although the server has not answered
            assert len(smtp.inbox.received) == before
            (waiting,) = shop.store.outbox_items()  # the event waits in the outbox, due, uncounted
            assert (waiting.order_id, waiting.attempts, waiting.dead) == (changed.id, 0, False)
            assert "deferred" in (waiting.last_error or "")
            markers = [m for m in notifications.sent_emails(shop, changed.id) if m.event_id == waiting.id]
            assert markers and {m.state.value for m in markers} == {"sending"}
            assert shop.deliver_pending(retry_now=True) == 0  # still being sent: nobody sends it twice
        finally:
            smtp.inbox.hold.set()
            smtp.inbox.hold = None
        assert notifier(shop).join(timeout=30)
        assert shop.deliver_pending(retry_now=True) == 1  # the outbox sees them sent and is done
        assert shop.store.outbox_items() == []
        assert {m.state.value for m in notifications.sent_emails(shop, changed.id)} == {"sent"}
    assert sorted(r.to for r in smtp.inbox.received) == sorted([ALERT, CUSTOMER, CUSTOMER])
    assert shop.deliver_pending(retry_now=True) == 0
    assert len(smtp.inbox.received) == 3


def test_closing_the_orders_finishes_the_emails_in_the_background_and_says_goodbye(
    connect: Connect, smtp: SmtpServer
) -> None:
    # A budget of 0 leaves both emails of the order to the background; the server holds them.
    shop = connect(shop_settings(smtp.url, inline_dispatch_budget_seconds=0.0))
    threads_before = set(threading.enumerate())
    smtp.inbox.hold = threading.Event()
    try:
        order = shop.place(new_order())
        assert smtp.inbox.holding.wait(timeout=60)
        closing = threading.Thread(target=shop.close)
        closing.start()
        closing.join(timeout=0.5)
        assert closing.is_alive()  # close() waits for the emails still on their way
    finally:
        smtp.inbox.hold.set()
    closing.join(timeout=60)
    assert not closing.is_alive()
    # Every email went, and its outcome was recorded before close() returned.
    assert sorted(r.to for r in smtp.inbox.received) == sorted([ALERT, CUSTOMER])
    assert {m.state.value for m in notifications.sent_emails(shop, order.id)} == {"sent"}
    # Every connection the sender opened was ended with a QUIT, and its threads are gone.
    assert smtp.inbox.quits == len({r.peer for r in smtp.inbox.received})
    started = [t for t in set(threading.enumerate()) - threads_before if t.name.startswith("kasify-email")]
    assert started == []
    # Used again, the Orders opens what it needs anew.
    shop.place(new_order())
    assert notifier(shop).join(timeout=30)
    assert len(smtp.inbox.received) == 4


def test_without_a_budget_the_action_waits_for_the_mail_server(connect: Connect, smtp: SmtpServer) -> None:
    shop = connect(shop_settings(smtp.url))  # inline_dispatch_budget_seconds=None, the default
    smtp.inbox.hold = threading.Event()
    placed: list[ko.Order] = []
    action = threading.Thread(target=lambda: placed.append(shop.place(new_order())))
    action.start()
    try:
        assert smtp.inbox.holding.wait(timeout=60)  # the server has an email and holds its answer
        assert action.is_alive() and not placed  # so the action has not returned
    finally:
        smtp.inbox.hold.set()
        action.join(timeout=60)
    (order,) = placed
    assert sorted(r.to for r in smtp.inbox.received) == sorted([ALERT, CUSTOMER])
    assert shop.store.outbox_items() == []  # the hooks have run when the action returns
    assert {m.state.value for m in notifications.sent_emails(shop, order.id)} == {"sent"}
