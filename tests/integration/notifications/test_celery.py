"""Celery workers drain the outbox: real broker (Redis on 127.0.0.1:6379), real worker processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("celery", reason="install the celery extra: pip install 'kasify-orders[celery]'")

from celery import Celery

import kasify_orders as ko
from kasify_orders.contrib.celery import DELIVER_TASK, SCHEDULE_NAME, install
from tests.helpers import new_order
from tests.integration.notifications.conftest import Connect, SmtpServer, shop_settings

BROKER = os.environ.get("KASIFY_TEST_CELERY_BROKER", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).parents[3]
#: The workers' ``Settings.max_dispatch_attempts``: one failure makes an event dead.
WORKER_ATTEMPTS = 1


def broker_reachable() -> None:
    """Skip (fail under CI) when the broker does not answer."""
    host, _, port = BROKER.split("//")[1].split("/")[0].partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=2).close()
    except OSError as error:
        reason = f"no Celery broker at {BROKER}: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the Celery test)", pytrace=False)
        pytest.skip(reason)


def test_install_adds_the_tasks_and_a_beat_schedule() -> None:
    app = Celery("schedule-only", broker="memory://")
    app.conf.beat_schedule = {"host-task": {"task": "host.cleanup", "schedule": 60.0}}
    outbox = install(app, lambda: ko.Orders.connect("sqlite://"), every_seconds=5)
    assert app.conf.beat_schedule[SCHEDULE_NAME] == {
        "task": DELIVER_TASK,
        "schedule": 5,
        "options": {"expires": 5},
    }
    assert "host-task" in app.conf.beat_schedule
    assert outbox.deliver_pending.name == DELIVER_TASK
    with pytest.raises(ValueError, match="every_seconds must be greater than 0"):
        install(app, lambda: ko.Orders.connect("sqlite://"), every_seconds=0)


@pytest.fixture
def workers(
    database_url: str, smtp: SmtpServer, tmp_path: Path
) -> Iterator[tuple[Celery, str, Callable[[], None]]]:
    """Two worker processes (two threads each) on a queue of this test's own, and how to stop them.

    ``stop()`` is a warm shutdown (``SIGTERM``), waited for; the fixture stops them after the test.
    """
    broker_reachable()
    queue = f"kasify-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "KASIFY_CELERY_BROKER": BROKER,
        "KASIFY_CELERY_QUEUE": queue,
        "KASIFY_CELERY_DATABASE_URL": database_url,
        "KASIFY_CELERY_SMTP_URL": smtp.url,
        "KASIFY_CELERY_MAX_ATTEMPTS": str(WORKER_ATTEMPTS),
        "PYTHONWARNINGS": "ignore",
    }
    processes = []
    logs = []
    for name in ("one", "two"):
        log = (tmp_path / f"{name}.log").open("w")
        logs.append(log)
        command = [
            sys.executable, "-m", "celery", "-A", "tests.integration.notifications.celery_app", "worker",
            "--pool=threads", "--concurrency=2", f"--queues={queue}", f"--hostname={name}@{queue}",
            "--without-mingle", "--without-gossip", "--loglevel=WARNING",
        ]  # fmt: skip
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    sender = Celery("sender", broker=BROKER, backend=BROKER)
    sender.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=True)

    def stop() -> None:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)

    try:
        yield sender, queue, stop
    finally:
        stop()
        for log in logs:
            log.close()
        sender.close()


def test_workers_deliver_every_email_once(
    connect: Connect, smtp: SmtpServer, workers: tuple[Celery, str, Callable[[], None]]
) -> None:
    sender, queue, _stop = workers
    web = connect(shop_settings(smtp.url, deliver_inline=False))
    placed = [web.place(new_order(email=f"buyer{i}@example.com")) for i in range(8)]
    assert smtp.inbox.received == []

    results = [sender.send_task(DELIVER_TASK, queue=queue) for _ in range(4)]
    delivered = [result.get(timeout=120) for result in results]
    assert sum(delivered) == 8  # every event delivered by exactly one task
    assert sorted(r.to for r in smtp.inbox.received if r.to != "boss@shop.example") == sorted(
        order.customer.email for order in placed
    )
    assert len(smtp.inbox.to("boss@shop.example")) == 8
    assert web.store.outbox_items() == []
    assert sender.send_task(DELIVER_TASK, queue=queue).get(timeout=120) == 0


def test_the_documented_task_calls_reach_the_workers(
    connect: Connect, smtp: SmtpServer, workers: tuple[Celery, str, Callable[[], None]]
) -> None:
    """``outbox.deliver_pending.delay()`` and friends, called as README.md shows."""
    sender, queue, _stop = workers
    web = connect(shop_settings(smtp.url, deliver_inline=False))
    outbox = install(sender, lambda: web)  # the web app's own tasks module

    order = web.place(new_order())
    assert outbox.deliver_pending.delay().get(timeout=120) == 1
    assert len(smtp.inbox.to(order.customer.email)) == 1

    smtp.stop()  # the mail server goes down: the next event fails and, on these workers, dies
    second = web.place(new_order(email="grace@example.com"))
    assert outbox.deliver_pending.apply_async(kwargs={"retry_now": True}).get(timeout=120) == 0
    (dead,) = web.store.outbox_items(dead=True)
    assert dead.order_id == second.id

    smtp.start()
    assert outbox.retry_dead.delay().get(timeout=120) == 1
    assert outbox.deliver_pending.apply_async(queue=queue).get(timeout=120) == 1
    assert len(smtp.inbox.to("grace@example.com")) == 1
    assert web.store.outbox_items() == []


def test_a_stopped_worker_ends_its_smtp_connections(
    connect: Connect, smtp: SmtpServer, workers: tuple[Celery, str, Callable[[], None]]
) -> None:
    sender, queue, stop = workers
    web = connect(shop_settings(smtp.url, deliver_inline=False))
    web.place(new_order())
    assert sender.send_task(DELIVER_TASK, queue=queue).get(timeout=120) == 1
    connections = {r.peer for r in smtp.inbox.received}
    assert smtp.inbox.quits == 0  # kept open for the worker's next delivery
    stop()  # a warm shutdown closes the worker's Orders
    assert smtp.inbox.quits == len(connections)
