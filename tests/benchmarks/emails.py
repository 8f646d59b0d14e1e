"""The emails benchmark: kasify's outbox against plain smtplib, to one aiosmtpd sink on loopback.

Run through ``run.py`` (``python tests/benchmarks/run.py --skip-actions --emails 100``).
"""

from __future__ import annotations

import smtplib
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import attrs

import kasify_orders as ko
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.render import Email, Renderer, default_locale
from tests.benchmarks.run import CART, database

__all__ = ["emails", "slow_server", "smtp_sink", "smtplib_rates", "workers_rate"]


#: A worker process for the emails section: connects, says "ready", waits for "go", drains the outbox.
_WORKER = (
    "import sys, time\n"
    "sys.path.insert(0, sys.argv[3])\n"
    "import kasify_orders as ko\n"
    "url, smtp_url = sys.argv[1:3]\n"
    "alerts = ['boss@shop.example']\n"
    "settings = ko.Settings(smtp_url=smtp_url, deliver_inline=False, from_email='orders@shop.example',\n"
    "                       new_order_alert_emails=alerts)\n"
    "orders = ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=False)\n"
    "from kasify_orders.notifications.plugin import PLUGIN_NAME\n"
    "from kasify_orders.notifications.money import parse_locale\n"
    "notifier = orders.plugins.get_plugin(PLUGIN_NAME)\n"
    "order = orders.get(orders.store.outbox_items()[0].order_id)\n"
    "for kind in ('order_confirmation', 'new_order_alert'):  # warm: templates compiled, locale data read\n"
    "    for email in notifier.emails_for(ko.notifications.EmailKind(kind), order):\n"
    "        notifier.renderer.message(email, locale=parse_locale('en'), message_id='<w@x>')\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "delivered = orders.deliver_pending(limit=20)\n"
    "print(delivered, flush=True)\n"
)


@contextmanager
def smtp_sink() -> Iterator[str]:
    """An aiosmtpd server that accepts and drops every message, in a process of its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


#: An SMTP server that takes every message and answers only after 2 s (port in argv[1]).
_SLOW_SINK = (
    "import asyncio, sys\n"
    "from aiosmtpd.controller import Controller\n"
    "class Slow:\n"
    "    async def handle_DATA(self, server, session, envelope):\n"
    "        await asyncio.sleep(2)\n"
    "        return '250 OK'\n"
    "port = int(sys.argv[1])\n"
    "Controller(Slow(), hostname='127.0.0.1', port=port, server_hostname='sink.localhost').start()\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read()\n"
)

#: The inline budget of the slow-server rows, in seconds.
SLOW_BUDGET = 0.5


def slow_server(kind: str, count: int = 10) -> list[tuple[str, str, str, str, str]]:
    """The slowest ``place`` and ``mark_shipped`` against a server answering after 2 s, with a budget.

    The limit is the slowest of the same action without emails plus the budget
    (``inline_dispatch_budget_seconds``): the action never waits longer on the mail server.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SINK, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    rows = []
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        with database(kind) as url:
            settings = attrs.evolve(
                _settings(f"smtp://127.0.0.1:{port}", inline=True), inline_dispatch_budget_seconds=SLOW_BUDGET
            )
            orders = ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=True)
            quiet = ko.Orders.connect(url, settings=_settings(None, inline=True), load_entrypoints=False)
            orders.inventory.set_stock("TEE-RED-M", 10**9)
            times: dict[str, list[float]] = {
                "place": [],
                "mark_shipped": [],
                "alone": [],
                "alone ship": [],
            }
            for shop, place, ship in (
                (orders, "place", "mark_shipped"),
                (quiet, "alone", "alone ship"),
            ):
                for index in range(count + 1):  # the first warms up (templates, connections)
                    start = time.perf_counter()
                    order = shop.place(CART)
                    placed = time.perf_counter() - start
                    paid = shop.confirm_payment(order.id)
                    start = time.perf_counter()
                    shop.mark_shipped(paid.id, tracking_number="1Z999AA10123456784", carrier="ups")
                    if index:
                        times[place].append(placed)
                        times[ship].append(time.perf_counter() - start)
            for action, alone in (("place", "alone"), ("mark_shipped", "alone ship")):
                limit = max(times[alone]) + SLOW_BUDGET
                rows.append(
                    (
                        kind,
                        f"emails: server answers after 2 s, budget {SLOW_BUDGET} s: slowest {action} s",
                        f"{max(times[action]):.3f}",
                        f"{limit:.3f}",
                        f"{max(times[action]) / limit:.2f}x",
                    )
                )
            notifier = orders.plugins.get_plugin("kasify_orders.emails.notifier")
            assert notifier.join(timeout=120), "background emails still on their way"
            orders.close()
            quiet.close()
    finally:
        server.terminate()
        server.wait()
    return rows


def _message(url: str) -> EmailMessage:
    """kasify's order confirmation, rendered once: smtplib sends the very same bytes kasify does."""
    with ko.Orders.connect(
        url, settings=_settings("smtp://127.0.0.1:1", inline=False), load_entrypoints=False
    ) as shop:
        order = shop.place(CART)
        email = Email(EmailKind.ORDER_CONFIRMATION, order.customer.email, order.customer.name, order)
        renderer = Renderer(shop.settings)
        return renderer.message(email, locale=default_locale(shop.settings, email, None), message_id="<b@x>")


def smtplib_rates(port: int, count: int, message: EmailMessage, *, fresh: bool = True) -> tuple[float, float]:
    """Plain smtplib messages/s: a new connection per message (0 unless *fresh*), then all over one."""
    start = time.perf_counter()
    for _ in range(count if fresh else 0):
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
    new = count / (time.perf_counter() - start) if fresh else 0.0
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for _ in range(count):
            client.send_message(message)
    return new, count / (time.perf_counter() - start)


def _settings(smtp_url: str | None, *, inline: bool) -> ko.Settings:
    return ko.Settings(
        smtp_url=smtp_url,
        deliver_inline=inline,
        from_email="orders@shop.example",
        new_order_alert_emails=["boss@shop.example"],
    )


def workers_rate(url: str, smtp_url: str, count: int, workers: int) -> float:
    """Emails/s of *workers* ``deliver_pending`` processes draining *count* placed orders (2 emails each)."""
    orders = ko.Orders.connect(url, settings=_settings(smtp_url, inline=False), load_entrypoints=False)
    for _ in range(count):
        orders.place(CART)
    orders.close()
    source = str(Path(ko.__file__).parents[1])
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, smtp_url, source],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    delivered = 0
    for process in processes:  # each prints its count when done (its exit is not timed)
        assert process.stdout is not None
        delivered += int(process.stdout.readline().strip())
    seconds = time.perf_counter() - start
    for process in processes:
        process.communicate()
    assert delivered == count, (delivered, count)
    return 2 * count / seconds


def emails(kind: str, count: int, repeats: int = 3) -> list[tuple[str, str, str, str, str]]:
    """The emails rows: smtplib's limits, kasify inline, and 1, 2, 4 worker processes.

    The machine may be shared, so each kasify figure is set beside smtplib's one-connection
    rate measured around it, to the same sink: inline, the two take turns in ten slices per
    repeat and the ratio is the median of the slices' (and, on a row of its own, the emails'
    share alone: each slice's time less that of as many orders placed without emails); a
    worker run sits between two smtplib runs, its ratio is to their mean, and each worker row
    is the median of *repeats* runs.
    """
    rows = []
    with smtp_sink() as smtp_url:
        port = int(smtp_url.rsplit(":", 1)[1])
        with database("sqlite") as scratch:
            message = _message(scratch)
        fresh, reused = smtplib_rates(port, 2 * count, message)
        rows.append((kind, "emails: smtplib, new connection each msgs/s", f"{fresh:,.0f}", "", ""))
        rows.append((kind, "emails: smtplib, one connection msgs/s", f"{reused:,.0f}", "", ""))

        def limit() -> float:
            return smtplib_rates(port, 2 * count, message, fresh=False)[1]

        with database(kind) as url:
            orders = ko.Orders.connect(
                url, settings=_settings(smtp_url, inline=True), load_entrypoints=False, migrate=True
            )
            orders.inventory.set_stock("TEE-RED-M", 10**9)
            # The same shop without emails: the action's own time, to tell the emails' share.
            quiet = ko.Orders.connect(url, settings=_settings(None, inline=True), load_entrypoints=False)
            for _ in range(5):
                orders.place(CART)
                quiet.place(CART)
            per = max(count // 10, 1)
            ours, theirs, ratios, delivery = [], [], [], []
            for _ in range(10 * repeats):
                start = time.perf_counter()
                for _ in range(per):
                    orders.place(CART)
                seconds = time.perf_counter() - start
                ours.append(2 * per / seconds)
                start = time.perf_counter()
                for _ in range(per):
                    quiet.place(CART)
                alone = time.perf_counter() - start
                theirs.append(smtplib_rates(port, 2 * per, message, fresh=False)[1])
                ratios.append(ours[-1] / theirs[-1])
                delivery.append(2 * per / max(seconds - alone, 1e-9) / theirs[-1])
            orders.close()
            quiet.close()
            rows.append(
                (
                    kind,
                    "emails: inline place + 2 emails/s",
                    f"{statistics.median(ours):,.1f}",
                    f"{statistics.median(theirs):,.0f}",
                    f"{statistics.median(ratios):.2f}x",
                )
            )
            rows.append(
                (
                    kind,
                    "emails: inline, less the place without emails/s",
                    "",
                    "",
                    f"{statistics.median(delivery):.2f}x",
                )
            )
            for workers in (1, 2, 4):
                rates, limits = [], []
                for _ in range(repeats):
                    before = limit()
                    rates.append(workers_rate(url, smtp_url, count, workers))
                    limits.append((before + limit()) / 2)
                ratio = statistics.median(rate / mean for rate, mean in zip(rates, limits, strict=True))
                rows.append(
                    (
                        kind,
                        f"emails: {workers} worker(s) deliver_pending/s",
                        f"{statistics.median(rates):,.1f}",
                        f"{statistics.median(limits):,.0f}",
                        f"{ratio:.2f}x",
                    )
                )
    return rows
