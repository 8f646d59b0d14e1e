"""Deliver kasify's outbox on Celery workers: a task that drains it, and a beat schedule.

Turn off inline delivery in the web processes (``Settings(deliver_inline=False)``) and let
any number of workers run :data:`DELIVER_TASK`: each claims due events with
``SELECT ... FOR UPDATE SKIP LOCKED`` (``BEGIN IMMEDIATE`` on SQLite), so workers never
deliver the same event at once, and the email plugin's sent-markers keep every email
single even when a worker dies mid-delivery. See README.md beside this file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

try:
    from celery import Celery, signals  # type: ignore[import-untyped]
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "kasify_orders.contrib.celery needs Celery: pip install 'kasify-orders[celery]'"
    ) from error

from kasify_orders.service import Orders

__all__ = ["DELIVER_TASK", "RETRY_DEAD_TASK", "SCHEDULE_NAME", "OutboxTasks", "install"]

#: The name of the task that delivers due outbox events.
DELIVER_TASK = "kasify_orders.deliver_pending"
#: The name of the task that makes dead events due again (run it by hand, after a fix).
RETRY_DEAD_TASK = "kasify_orders.retry_dead"
#: The beat-schedule entry :func:`install` adds.
SCHEDULE_NAME = "kasify-orders-deliver-pending"


class OutboxTasks:
    """The tasks registered on one Celery app, and the ``Orders`` each worker process uses."""

    def __init__(self, app: Celery, connect: Callable[[], Orders], *, limit: int) -> None:
        self._connect = connect
        self._limit = limit
        self._orders: Orders | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

        # Plain functions, not bound methods: Celery checks a call's arguments against the
        # task function's signature, and would count a bound method's ``self`` as missing.
        def deliver_pending(retry_now: bool = False) -> int:
            """Deliver due events until none is left; returns how many were delivered."""
            return self.orders().deliver_pending(retry_now=retry_now, limit=self._limit)

        def retry_dead() -> int:
            """Make dead events due again; returns how many (the next delivery sends them)."""
            return self.orders().retry_dead()

        #: The delivery task: ``deliver_pending.delay()`` after an action delivers its events
        #: without waiting for beat; ``apply_async(kwargs={"retry_now": True})`` also retries
        #: the events waiting out their backoff.
        self.deliver_pending: Any = app.task(name=DELIVER_TASK)(deliver_pending)
        #: ``retry_dead.delay()`` makes dead events due again (after fixing their cause).
        self.retry_dead: Any = app.task(name=RETRY_DEAD_TASK)(retry_dead)
        # A worker that stops closes its Orders: a prefork child as it exits, the main process
        # of a threads or solo pool at its shutdown (held weakly: these tasks keep it alive).
        signals.worker_process_shutdown.connect(self.close)
        signals.worker_shutdown.connect(self.close)

    def orders(self) -> Orders:
        """This process's ``Orders``, connected on first use (after the worker forked)."""
        with self._lock:
            if self._orders is None or self._pid != os.getpid():
                # A connection pool must not cross a fork: a forked child connects anew.
                self._orders = self._connect()
                self._pid = os.getpid()
            return self._orders

    def close(self, **_signal: object) -> None:
        """Close this process's ``Orders``, if it connected one (``Orders.close``)."""
        with self._lock:
            orders, ours = self._orders, self._pid == os.getpid()
            self._orders = None
        if orders is not None and ours:
            orders.close()


def install(
    app: Celery,
    connect: Callable[[], Orders],
    *,
    every_seconds: float = 10.0,
    limit: int = 100,
) -> OutboxTasks:
    """Register the outbox tasks on *app* and schedule delivery every *every_seconds* with beat.

    :param connect: Builds the worker's ``Orders`` (same database URL and settings as the web
        app); called lazily, once per worker process.
    :param every_seconds: How often beat queues a delivery; a queued one that has not started
        by the next tick expires, so a stopped worker pool does not come back to a pile of them.
    :param limit: Events claimed per round trip.
    """
    if every_seconds <= 0:
        raise ValueError(f"every_seconds must be greater than 0, got {every_seconds}")
    tasks = OutboxTasks(app, connect, limit=limit)
    schedule: Mapping[str, Any] = app.conf.beat_schedule or {}
    app.conf.beat_schedule = {
        **schedule,
        SCHEDULE_NAME: {
            "task": DELIVER_TASK,
            "schedule": every_seconds,
            "options": {"expires": every_seconds},
        },
    }
    return tasks
