"""What the conformance tests share: orders made through the port, threads started at once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import kasify_orders as ko
from kasify_orders import actions
from kasify_orders.model import utcnow
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.validation import validate_new_order
from tests.conformance.conftest import StoreUnderTest
from tests.helpers import new_order

__all__ = ["at_once", "insert", "new_order"]


def insert(store: Store, key: str | None = None, **cart: Any) -> ko.Order:
    """An order placed straight through the port (no coupon, no stock)."""
    change = actions.place(
        validate_new_order(new_order(**cart)), None, order_id=uuid.uuid4().hex, at=utcnow(), actor=None
    )

    def place(tx: Transaction) -> ko.Order:
        return tx.insert_order(change.order, key)

    return store.atomic(place)


def at_once(subject: StoreUnderTest, work: Callable[[int], object], threads: int = 6) -> Counter[str]:
    """Run ``work(i)`` in *threads* threads released together; the outcome of each, by name."""
    if subject.no_concurrent_writers:
        pytest.skip(subject.no_concurrent_writers)
    barrier = threading.Barrier(threads)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
            outcome = "ok"
        except ko.KasifyError as error:
            outcome = type(error).__name__
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            outcome = f"unexpected {type(error).__name__}: {error}"
        finally:
            subject.end_thread()
        with lock:
            outcomes[outcome] += 1

    started = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=120)
    return outcomes
