"""Order numbers never skip: a placement that loses a race on its idempotency key uses no number.

Saleor posts ORDER_CREATED, ORDER_CONFIRMED and ORDER_FULLY_PAID of one order at once; each
places it under the same key. On PostgreSQL a sequence (and on MariaDB an auto-increment)
keeps a number the losing insert took, so the next order's number skipped one and the
customer's email said "#4" where Saleor said "#3". Numbers come from a counter row in the
placing transaction now, which a rollback gives back.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import kasify_orders as ko
from tests.helpers import new_order

CONTEXT = multiprocessing.get_context("spawn")
WORKERS = 4
ROUNDS = 5


def _place_rounds(url: str, barrier: Any, results: Any) -> None:
    with ko.Orders.connect(url, load_entrypoints=False, migrate=False) as orders:
        for round_ in range(ROUNDS):
            barrier.wait(timeout=60)
            try:
                order = orders.place(new_order(), idempotency_key=f"saleor-order-{round_}")
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                results.put(f"unexpected {type(error).__name__}: {error}")
            else:
                results.put(order.id)


def test_processes_placing_one_key_at_once_use_one_number(orders: ko.Orders, database_url: str) -> None:
    first = orders.place(new_order(), idempotency_key="before")
    barrier = CONTEXT.Barrier(WORKERS)
    results = CONTEXT.Queue()
    processes = [
        CONTEXT.Process(target=_place_rounds, args=(database_url, barrier, results)) for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in range(WORKERS * ROUNDS)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert not [outcome for outcome in outcomes if outcome.startswith("unexpected")]
    assert len(set(outcomes)) == ROUNDS  # one order per key, whoever won
    after = orders.place(new_order(), idempotency_key="after")
    numbers = sorted(summary.number for summary in orders.list(limit=100).items)
    assert numbers == list(range(first.number, first.number + ROUNDS + 2))
    assert after.number == first.number + ROUNDS + 1


def test_threads_placing_one_key_at_once_use_one_number(orders: ko.Orders) -> None:
    first = orders.place(new_order())
    start = threading.Barrier(WORKERS)
    placed: list[ko.Order] = []

    def place() -> None:
        start.wait()
        placed.append(orders.place(new_order(), idempotency_key="ORDER_CREATED+CONFIRMED+FULLY_PAID"))

    threads = [threading.Thread(target=place) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({order.id for order in placed}) == 1
    assert {order.number for order in placed} == {first.number + 1}
    assert orders.place(new_order()).number == first.number + 2
