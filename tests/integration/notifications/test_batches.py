"""A worker's batch: every email claimed in one statement, sent side by side, marked with its event."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders import notifications
from kasify_orders.dispatch import current_batch
from kasify_orders.storage.port import Transaction
from tests.helpers import new_order
from tests.integration.notifications.conftest import ALERT, Connect, SmtpServer, shop_settings

CUSTOMER = "ada@example.com"


def test_a_workers_batch_claims_its_emails_together_and_each_event_ends_on_its_own_emails(
    connect: Connect, smtp: SmtpServer
) -> None:
    shop = connect(shop_settings(smtp.url, deliver_inline=False))
    placed = [shop.place(new_order()) for _ in range(5)]
    smtp.inbox.refuse_once.add(ALERT)  # one event's alert fails: only that event is retried
    claims: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and "sent_emails" in statement:
            claims.append(statement)

    engine = shop.store.engine  # type: ignore[attr-defined]
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert shop.deliver_pending(limit=20) == 4
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(claims) == 1  # the batch's ten emails, claimed in one statement
    assert len(smtp.inbox.to(CUSTOMER)) == 5
    assert len(smtp.inbox.to(ALERT)) == 4
    (left,) = shop.store.outbox_items()
    assert left.attempts == 1 and left.last_error is not None and ALERT in left.last_error

    assert shop.deliver_pending(retry_now=True) == 1  # the retry sends the failed alert alone
    assert len(smtp.inbox.to(CUSTOMER)) == 5
    assert len(smtp.inbox.to(ALERT)) == 5
    ids = [str(received.message["Message-ID"]) for received in smtp.inbox.received]
    assert len(set(ids)) == 10
    for order in placed:
        markers = notifications.sent_emails(shop, order.id)
        assert sorted((m.recipient, m.state.value) for m in markers) == sorted(
            [(CUSTOMER, "sent"), (ALERT, "sent")]
        )
        sent = sorted(e.data["to"] for e in shop.get(order.id).timeline if e.kind == "email_sent")
        assert sent == sorted([CUSTOMER, ALERT])
    assert shop.store.outbox_items() == []


class Webhook:
    """A plugin of the shop's own on the same event, noting how its batch's record commits."""

    def __init__(self, *, may_lose: bool) -> None:
        self.may_lose = may_lose
        self.commits: list[str] = []

    @ko.hookimpl
    def kasify_order_placed(self, event_id: str) -> None:
        batch = current_batch()
        assert batch is not None
        if self.may_lose:
            batch.may_lose_on_crash(self)
        batch.on_commit(self.note)

    def note(self, tx: Transaction) -> None:
        conn = tx.conn  # type: ignore[attr-defined]
        if conn.dialect.name == "postgresql":
            self.commits.append(conn.exec_driver_sql("SHOW synchronous_commit").scalar())
        else:  # SQLite commits every transaction so (WAL, synchronous=NORMAL); MariaDB has no such switch
            self.commits.append("as always")


@pytest.mark.parametrize("may_lose", [False, True])
@pytest.mark.parametrize("inline", [True, False])
def test_a_batchs_record_waits_for_the_disk_unless_every_plugin_done_in_it_accepts_a_redispatch(
    connect: Connect, smtp: SmtpServer, database_url: str, may_lose: bool, inline: bool
) -> None:
    webhook = Webhook(may_lose=may_lose)
    shop = connect(shop_settings(smtp.url, deliver_inline=inline), plugins=[webhook])
    order = shop.place(new_order())
    if not inline:
        assert shop.deliver_pending() == 1
    # The email plugin accepts it (its emails would go again with the same Message-ID); the
    # webhook decides: a plugin that says nothing keeps the record durable.
    expected = ("off" if may_lose else "on") if database_url.startswith("postgresql") else "as always"
    assert webhook.commits == [expected]
    assert shop.store.outbox_items() == []
    assert {m.state.value for m in notifications.sent_emails(shop, order.id)} == {"sent"}
