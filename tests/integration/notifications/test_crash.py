"""A worker killed with SIGKILL while its emails are on the wire: the documented resend window, no more.

The mail server has the messages but the worker dies before it hears the answer, so it never
marks them sent. Once the leases are over another worker sends them again, with the same
``Message-ID`` (receivers can drop the duplicate), and the ledger and the timeline record
each email once.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kasify_orders import notifications
from kasify_orders.model import utcnow
from tests.helpers import Clock, new_order
from tests.integration.notifications.conftest import ALERT, Connect, Inbox, SmtpServer, shop_settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

ROOT = Path(__file__).parents[3]
CUSTOMER = "ada@example.com"
LEASE = 300.0

#: A delivery worker in a process of its own.
WORKER = (
    "import sys\n"
    "import kasify_orders as ko\n"
    "settings = ko.Settings(smtp_url=sys.argv[2], deliver_inline=False, dispatch_lease_seconds=300.0,\n"
    "    from_email='Analytical Engines <orders@engines.example>', new_order_alert_emails=[sys.argv[3]])\n"
    "orders = ko.Orders.connect(sys.argv[1], settings=settings, load_entrypoints=False, migrate=False)\n"
    "print(orders.deliver_pending(), flush=True)\n"
)


class ArrivalInbox(Inbox):
    """Notes each message whose data has arrived, before the (held) answer.

    A mail server that has a message's data may deliver it even if the client is gone before
    it reads the answer: that is the message a dead worker cannot know went out.
    """

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Semaphore(0)
        self.arrivals: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.arrivals.append((envelope.rcpt_tos[0], str(message["Message-ID"])))
        self.arrived.release()
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("retried_by", ["another worker", "the merchant, inline"])
def test_a_worker_killed_mid_send_leaves_one_record_per_email_and_resends_with_the_same_message_id(
    connect: Connect, database_url: str, retried_by: str
) -> None:
    smtp = SmtpServer()
    smtp.inbox = ArrivalInbox()
    smtp.inbox.hold = threading.Event()
    smtp.start()
    try:
        web = connect(shop_settings(smtp.url, deliver_inline=False, dispatch_lease_seconds=LEASE))
        order = web.place(new_order())
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, database_url, smtp.url, ALERT],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            inbox = smtp.inbox
            assert isinstance(inbox, ArrivalInbox)
            for _ in range(2):  # both emails are with the server, waiting for its answer
                assert inbox.arrived.acquire(timeout=120), worker.stderr.read() if worker.stderr else ""
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
            for stream in (worker.stdout, worker.stderr):
                if stream is not None:
                    stream.close()
        assert worker.returncode == -signal.SIGKILL
        first = dict(inbox.arrivals)
        assert set(first) == {CUSTOMER, ALERT}
        inbox.hold.set()  # the server answers no one
        markers = notifications.sent_emails(web, order.id)
        assert {m.state.value for m in markers} == {"sending"}
        assert [e for e in web.get(order.id).timeline if e.kind == "email_sent"] == []

        # Another worker, once the leases are over; or the merchant's "try again" (the event,
        # never failed, is dispatched inline as if new, and finds the dead worker's claims).
        later = Clock(utcnow() + timedelta(seconds=LEASE + 1))
        if retried_by == "another worker":
            settings = shop_settings(smtp.url, deliver_inline=False, dispatch_lease_seconds=LEASE)
            assert connect(settings, clock=later).deliver_pending() == 1
        else:
            (event,) = web.store.outbox_items()
            settings = shop_settings(smtp.url, dispatch_lease_seconds=LEASE)
            connect(settings, clock=later).retry_email(order.id, event.id)
        assert {r.to: str(r.message["Message-ID"]) for r in smtp.inbox.received} == first
        markers = notifications.sent_emails(web, order.id)
        assert sorted((m.recipient, m.state.value, m.attempts) for m in markers) == sorted(
            [(CUSTOMER, "sent", 2), (ALERT, "sent", 2)]
        )
        sent = sorted(e.data["to"] for e in web.get(order.id).timeline if e.kind == "email_sent")
        assert sent == sorted([CUSTOMER, ALERT])
        assert web.store.outbox_items() == []
    finally:
        if smtp.inbox.hold is not None:
            smtp.inbox.hold.set()
        smtp.stop()
