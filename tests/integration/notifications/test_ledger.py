"""The sent-markers: an event's emails recorded together, and a claim taken over never recorded twice."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from kasify_orders import notifications
from kasify_orders.dispatch import current_batch
from kasify_orders.hookspecs import hookimpl
from kasify_orders.model import TimelineEvent
from kasify_orders.notifications import EmailKind
from kasify_orders.notifications.ledger import Claim, Outcome, Wanted
from kasify_orders.notifications.plugin import PLUGIN_NAME, Notifier
from kasify_orders.storage.port import Transaction
from tests.helpers import Clock, new_order
from tests.integration.notifications.conftest import ALERT, Connect, SmtpServer, shop_settings

CUSTOMER = "ada@example.com"
EVENT = "d" * 32


def _notifier(orders: ko.Orders) -> Notifier:
    plugin = orders.plugins.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, Notifier)
    return plugin


def _outcome(orders: ko.Orders, order_id: str, wanted: Wanted, claim: object, *, sent: bool) -> Outcome:
    assert isinstance(claim, Claim)
    kind = "email_sent" if sent else "email_failed"
    data = {"kind": wanted.kind, "to": wanted.recipient, "event_id": EVENT}
    entry = TimelineEvent(kind, orders.clock(), None, f"{kind} to {wanted.recipient}", data)
    return Outcome(EVENT, wanted.kind, wanted.recipient, order_id, claim, entry, sent=sent)


class FailsTheBatchOnce:
    """A plugin whose write in the outbox batch's transaction fails the first time (a database hiccup)."""

    def __init__(self) -> None:
        self.failures = 1

    @hookimpl
    def kasify_order_placed(self, event_id: str) -> None:
        batch = current_batch()
        assert batch is not None and event_id in batch.event_ids
        batch.on_commit(self.write)

    def write(self, tx: Transaction) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the batch's transaction failed")


def test_emails_are_marked_sent_in_the_transaction_that_ends_their_event(
    connect: Connect, smtp: SmtpServer
) -> None:
    clock = Clock()
    settings = shop_settings(smtp.url, deliver_inline=False, dispatch_lease_seconds=60)
    shop = connect(settings, plugins=[FailsTheBatchOnce()], clock=clock)
    order = shop.place(new_order())
    assert shop.deliver_pending() == 0
    first = {r.to: str(r.message["Message-ID"]) for r in smtp.inbox.received}
    assert set(first) == {CUSTOMER, ALERT}
    # The markers roll back with the outbox's record: the emails are still being sent, as after
    # a crash, and the event's attempt is counted (a write that always fails ends dead, not looping).
    assert {m.state.value for m in notifications.sent_emails(shop, order.id)} == {"sending"}
    assert [e for e in shop.get(order.id).timeline if e.kind == "email_sent"] == []
    (item,) = shop.store.outbox_items()
    assert (item.attempts, item.done) == (1, frozenset())
    assert item.last_error is not None and "the batch's transaction failed" in item.last_error

    clock.advance(61)  # the claims' leases are over: sent again, with the same Message-IDs
    assert shop.deliver_pending(retry_now=True) == 1
    again = smtp.inbox.received[2:]
    assert sorted((r.to, str(r.message["Message-ID"])) for r in again) == sorted(first.items())
    markers = notifications.sent_emails(shop, order.id)
    assert sorted((m.recipient, m.state.value, m.attempts) for m in markers) == sorted(
        [(ALERT, "sent", 2), (CUSTOMER, "sent", 2)]
    )
    sent = sorted(e.data["to"] for e in shop.get(order.id).timeline if e.kind == "email_sent")
    assert sent == sorted([CUSTOMER, ALERT])
    assert shop.store.outbox_items() == []


@pytest.mark.parametrize("within", [False, True], ids=["own-transaction", "batch-transaction"])
def test_a_worker_whose_claims_were_taken_over_records_each_email_once(
    connect: Connect, smtp: SmtpServer, within: bool
) -> None:
    clock = Clock()
    shop = connect(shop_settings(smtp.url, dispatch_lease_seconds=60), clock=clock)
    order = shop.place(new_order())
    ledger = _notifier(shop).ledger
    wanted = [
        Wanted(EVENT, EmailKind.ORDER_CONFIRMATION, CUSTOMER, order.id, "<c@engines.example>"),
        Wanted(EVENT, EmailKind.NEW_ORDER_ALERT, ALERT, order.id, "<a@engines.example>"),
    ]
    slow = ledger.claim_all(wanted)  # a worker that then hangs on the mail server
    clock.advance(61)
    fast = ledger.claim_all(wanted)  # its leases are over: another worker takes both over
    assert [claim.attempt for claim in fast if isinstance(claim, Claim)] == [2, 2]
    # The second worker sends the confirmation; the alert fails for it.
    ledger.record(
        [
            _outcome(shop, order.id, wanted[0], fast[0], sent=True),
            _outcome(shop, order.id, wanted[1], fast[1], sent=False),
        ]
    )
    # The first worker comes back: both of its emails did go out.
    late = [_outcome(shop, order.id, w, claim, sent=True) for w, claim in zip(wanted, slow, strict=True)]
    if within:  # in its outbox batch's transaction
        shop.store.atomic(lambda tx: ledger.record_within(tx, late))
    else:
        ledger.record(late)

    markers = {m.recipient: m for m in notifications.sent_emails(shop, order.id) if m.event_id == EVENT}
    assert {recipient: m.state.value for recipient, m in markers.items()} == {CUSTOMER: "sent", ALERT: "sent"}
    entries = [(e.kind, e.data["to"]) for e in shop.get(order.id).timeline if e.data.get("event_id") == EVENT]
    assert entries == [("email_sent", CUSTOMER), ("email_failed", ALERT), ("email_sent", ALERT)]


def test_an_event_with_many_recipients_sends_each_once_and_records_them_in_order(
    connect: Connect, smtp: SmtpServer
) -> None:
    alerts = [f"staff{i}@engines.example" for i in range(5)]
    smtp.inbox.refuse_once.add(alerts[2])
    shop = connect(shop_settings(smtp.url, new_order_alert_emails=alerts))
    order = shop.place(new_order())
    first = [(e.kind, e.data["to"]) for e in shop.get(order.id).timeline if e.kind.startswith("email_")]
    assert first == [
        ("email_sent", CUSTOMER),
        *[("email_failed" if a == alerts[2] else "email_sent", a) for a in alerts],
    ]
    assert shop.deliver_pending(retry_now=True) == 1
    for address in [CUSTOMER, *alerts]:
        assert len(smtp.inbox.to(address)) == 1
