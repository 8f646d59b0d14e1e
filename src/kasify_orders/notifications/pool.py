"""The email plugin's threads: a few per process, started on first use, kept, and a forked worker's own."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

__all__ = ["SendingPool"]

T = TypeVar("T")


class SendingPool:
    """Threads that send emails (and claim them) beside the caller; knows what still runs."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def start(self, work: Callable[[], T]) -> Future[T]:
        """Have a thread do *work*."""
        with self._lock:
            if self._executor is None or self._pid != os.getpid():  # a forked worker starts its own
                self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="kasify-email")
                self._pid = os.getpid()
                self._running = set()
            future = self._executor.submit(work)
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def idle(self) -> int:
        """How many threads have nothing to do now."""
        with self._lock:
            return self.size - len(self._running)

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def close(self) -> None:
        """Wait for the work still running, then end the threads (a later :meth:`start` starts others)."""
        with self._lock:
            executor, self._executor = self._executor, None
            ours = self._pid == os.getpid()
        if executor is not None and ours:  # a forked worker's parent's threads are not here
            executor.shutdown(wait=True)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the work still running; True when none is left."""
        with self._lock:
            running = list(self._running)
        _done, pending = wait(running, timeout=timeout)
        return not pending
