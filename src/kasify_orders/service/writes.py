"""One action, one transaction: lock the order, apply the domain step, write it, queue its events.

The events queued are handed to the outbox after the store says the transaction committed,
so a rolled-back action never notifies anyone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from kasify_orders.actions import Change
from kasify_orders.dispatch import Dispatcher, outbox_items
from kasify_orders.errors import ConcurrentUpdate
from kasify_orders.model import Line, Order
from kasify_orders.plugins import Hooks
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import OutboxItem
from kasify_orders.validation import Checker

__all__ = ["Step", "Writer", "checked_key", "quantities"]

#: A domain step run inside the action's transaction: the locked order and the time in, a change
#: (or None: nothing to do) out.
Step = Callable[[Transaction, Order, datetime], Change | None]


class Writer:
    """Runs actions on one order in a transaction and delivers their events once committed."""

    def __init__(
        self,
        store: Store,
        *,
        hooks: Hooks,
        settings: Settings,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.hooks = hooks
        self.settings = settings
        self.dispatcher = dispatcher
        self.clock = clock

    def act(self, order_id: str, expected_version: int | None, step: Step) -> Order:
        """Lock the order, check its version, apply *step*, write the change, deliver its events."""

        def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            if expected_version is not None and expected_version != order.version:
                raise ConcurrentUpdate(order_id, expected_version, order.version)
            now = self.clock()
            change = step(tx, order, now)
            if change is None:
                return order, ()
            return change.order, self.write(tx, order, change, now)

        order, items = self.store.atomic(work)
        self.deliver_now(order, items)
        return order

    def enqueue(self, tx: Transaction, order_id: str, change: Change, now: datetime) -> Sequence[OutboxItem]:
        """Queue the outbox rows of *change*'s events (claimed by this process when delivered inline)."""
        items = outbox_items(order_id, change.events, self.hooks)
        inline = self.settings.deliver_inline
        tx.enqueue(
            items,
            now=now,
            token=self.dispatcher.token if inline else None,
            lease_until=self.dispatcher.lease_until(now) if inline else None,
        )
        return items

    def write(self, tx: Transaction, before: Order, change: Change, now: datetime) -> Sequence[OutboxItem]:
        """Write *change* over *before*: the order, its timeline entries, its outbox events."""
        tx.update_order(before, change.order)
        tx.append_timeline(before.id, change.entries)
        return self.enqueue(tx, before.id, change, now)

    def deliver_now(self, order: Order, items: Sequence[OutboxItem]) -> None:
        """Dispatch the events this call queued, once the store says they are committed."""
        if items and self.settings.deliver_inline:
            self.store.after_commit(lambda: self.dispatcher.dispatch_inline(items, lambda _order_id: order))


def checked_key(name: str, value: str | None) -> str | None:
    """*value* (an idempotency key, a provider reference) checked as text of at most 255 characters."""
    if value is None:
        return None
    checker = Checker()
    value = checker.text(name, value, max_length=255)
    checker.done()
    return value


def quantities(lines: Iterable[Line]) -> Counter[str]:
    """Units per SKU (one SKU may be on several lines)."""
    wanted: Counter[str] = Counter()
    for line in lines:
        wanted[line.sku] += line.quantity
    return wanted
