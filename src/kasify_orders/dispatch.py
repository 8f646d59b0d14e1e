"""Dispatching outbox events to the event hooks, after the change that raised them committed.

(The outbox "dispatches" events, so its words never collide with a parcel's delivery; this
module was ``kasify_orders.delivery``, which still imports with a DeprecationWarning.)

Each implementation of an event hook is called once per event: the names of the plugins
that already handled an event are saved with it, so a retry calls only the ones that
failed. Every call also offers ``event_id`` (the outbox item's id, the same on every
retry), so a plugin with an external side effect, such as sending an email, can make it
happen once per event. A failed attempt is retried with exponential backoff and jitter; after
``Settings.max_dispatch_attempts`` the event is marked dead and the order's timeline says so.

Inline dispatch (right after an action) has a budget, ``Settings.inline_dispatch_budget_seconds``:
:func:`inline_deadline` tells a hook when it runs out. A hook whose slow work carries on in
the background raises :class:`~kasify_orders.errors.DispatchDeferred`: the event stays in the
outbox, due at once and with no attempt counted, for the next ``deliver_pending`` or worker
to finish (the email plugin does this when the mail server is slow). The budget is for
waiting on others: the email plugin starts its sends even past the deadline (when a slow
database spent it) and waits no longer, so what outlasts the budget depends on the mail
server alone.

A batch's record (:meth:`Dispatcher.dispatch`) commits without waiting for the disk only when
every plugin that handled one of its events accepts losing it in a database crash
(:meth:`DispatchBatch.may_lose_on_crash`): the events are then dispatched again.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from kasify_orders.convert import converter
from kasify_orders.dispatch_batch import _BATCH, BatchEvent, DispatchBatch, current_batch
from kasify_orders.errors import DispatchDeferred, OutboxItemUnreadable
from kasify_orders.events import EVENT_TYPES, OrderEvent
from kasify_orders.model import Order, TimelineEvent, utcnow
from kasify_orders.plugins import Hooks
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import OutboxItem
from kasify_orders.timeline import TimelineKind

__all__ = [
    "DispatchBatch",
    "DispatchDeferred",
    "Dispatcher",
    "current_batch",
    "event_of",
    "hook_arguments",
    "hook_name",
    "inline_deadline",
    "outbox_items",
]

log = logging.getLogger(__name__)

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "kasify_inline_deadline", default=None
)


def inline_deadline() -> float | None:
    """When the inline dispatch running now must be done, on the :func:`time.monotonic` clock.

    None outside inline dispatch (a worker, ``deliver_pending``) or without a budget.
    """
    return _DEADLINE.get()


def hook_name(event_type: type[OrderEvent]) -> str:
    """The event hook an event class is told to: ``kasify_`` and the class name in snake case.

    ``OrderShipped`` -> ``kasify_order_shipped``, ``TrackingUpdated`` -> ``kasify_tracking_updated``.
    """
    return "kasify_" + re.sub(r"(?<!^)(?=[A-Z])", "_", event_type.__name__).lower()


#: The event class of each event hook, to read an outbox row back into its event.
_EVENT_OF_HOOK: Mapping[str, type[OrderEvent]] = {hook_name(kind): kind for kind in EVENT_TYPES}


def event_of(item: OutboxItem) -> OrderEvent:
    """The event an outbox row holds, structured by its class's own fields.

    Rows written before events were classes hold the same hook name and the same argument
    names (``previous``, ``refund``, ``entry``), so they read the same way.
    """
    kind = _EVENT_OF_HOOK.get(item.hook)
    if kind is None:
        raise OutboxItemUnreadable(f"no event class for the hook {item.hook!r} of outbox item {item.id}")
    return converter.structure(dict(item.arguments), kind)


def outbox_items(order_id: str, events: Iterable[OrderEvent], hooks: Hooks) -> list[OutboxItem]:
    """Outbox rows for the events that have at least one hook implementation."""
    items = []
    for event in events:
        hook = hook_name(type(event))
        if hooks.event_impls(hook):
            arguments = converter.unstructure(event, unstructure_as=type(event))
            items.append(OutboxItem(id=uuid.uuid4().hex, order_id=order_id, hook=hook, arguments=arguments))
    return items


def hook_arguments(event: OrderEvent) -> dict[str, Any]:
    """The arguments the event's hook is called with besides ``order`` and ``event_id``."""
    return {field.name: getattr(event, field.name) for field in attrs.fields(type(event))}


@attrs.frozen
class _Result:
    """What became of one event's hooks."""

    item: OutboxItem
    done: frozenset[str]
    errors: tuple[str, ...]
    deferred: tuple[str, ...]


def _first(item: OutboxItem) -> bool:
    """Whether *item* was never dispatched: no attempt counted, no error, no plugin done."""
    return not item.attempts and item.last_error is None and not item.done


def _orders_by_id(tx: Transaction, ids: Sequence[str]) -> dict[str, Order]:
    return tx.orders_by_id(ids)


def _known(orders: Mapping[str, Order], load: Callable[[str], Order], order_id: str) -> Order:
    """The order read with the batch, else *load*'s (which raises when there is none)."""
    return orders.get(order_id) or load(order_id)


#: A failed event's row to write: the item, its done plugins, the error, when it is due, whether dead.
_Failure = tuple[OutboxItem, frozenset[str], str, datetime, bool]


class Dispatcher:
    """Calls event hooks for outbox items and records what happened (one outbox run at a time)."""

    def __init__(
        self, store: Store, hooks: Hooks, settings: Settings, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.hooks = hooks
        self.settings = settings
        #: The time of the ``Orders`` (backoff and the "gave up" entry are measured by it).
        self.clock = clock
        #: Identifies this process's claims on outbox rows.
        self.token = uuid.uuid4().hex

    def lease_until(self, now: datetime) -> datetime:
        """When a claim taken now expires."""
        return now + timedelta(seconds=self.settings.dispatch_lease_seconds)

    def dispatch(
        self, items: Iterable[OutboxItem], load: Callable[[str], Order], *, inline: bool = False
    ) -> int:
        """Dispatch claimed *items* as one batch; returns how many were completed.

        ``kasify_dispatch_batch`` is told of the batch, every item's hooks are called in turn
        (inside :func:`current_batch`), then one transaction records every outcome with what
        the plugins added to the batch. *inline*: one action's events, right after its commit.
        """
        claimed = list(items)
        if not claimed:
            return 0
        read = [self._arguments(item, load) for item in claimed]
        events = tuple(
            BatchEvent(item.id, item.hook, arguments, frozenset(item.done), first=inline and _first(item))
            for item, arguments in zip(claimed, read, strict=True)
            if not isinstance(arguments, str)
        )
        batch = DispatchBatch(tuple(item.id for item in claimed), events, inline=inline)
        reset = _BATCH.set(batch)
        try:
            self._announce(batch)
            results = [
                self._call_hooks(item, arguments) for item, arguments in zip(claimed, read, strict=True)
            ]
        finally:
            _BATCH.reset(reset)
        return self._record(batch, results)

    def _announce(self, batch: DispatchBatch) -> None:
        """Tell ``kasify_dispatch_batch`` of the batch; a plugin failing there still gets each event."""
        if not batch.events:
            return
        for impl in self.hooks.manager.hook.kasify_dispatch_batch.get_hookimpls():
            try:
                impl.function(batch=batch)
            except Exception:
                log.exception("kasify_dispatch_batch in plugin %s failed", impl.plugin_name)

    def dispatch_due(self, load: Callable[[str], Order], *, retry_now: bool, limit: int) -> int:
        """Claim and dispatch due items, *limit* per round trip, until none is due; returns how many ended.

        Each round's orders are read in one query (*load* reads one the batch read missed).
        *retry_now*: also claim items waiting out their backoff, and make one pass only (failures
        are not retried again in a loop).
        """
        dispatched = 0
        while True:
            now = self.clock()
            items = self.store.claim_due(
                token=self.token, now=now, lease_until=self.lease_until(now), limit=limit, retry_now=retry_now
            )
            if not items:
                return dispatched
            ids = list(dict.fromkeys(item.order_id for item in items))
            orders = self.store.read(functools.partial(_orders_by_id, ids=ids))
            dispatched += self.dispatch(items, functools.partial(_known, orders, load))
            if retry_now:
                return dispatched

    def dispatch_inline(self, items: Iterable[OutboxItem], load: Callable[[str], Order]) -> int:
        """Dispatch what an action just committed, within ``Settings.inline_dispatch_budget_seconds``."""
        budget = self.settings.inline_dispatch_budget_seconds
        reset = _DEADLINE.set(None if budget is None else time.monotonic() + budget)
        try:
            return self.dispatch(items, load, inline=True)
        finally:
            _DEADLINE.reset(reset)

    def _arguments(self, item: OutboxItem, load: Callable[[str], Order]) -> dict[str, Any] | str:
        """The keyword arguments of *item*'s event hook, or why they could not be read."""
        try:
            event = event_of(item)
            return {"order": load(item.order_id), **hook_arguments(event), "event_id": item.id}
        except Exception as error:  # noqa: BLE001 - recorded on the event, retried later
            return f"loading the event: {error!r}"

    def _call_hooks(self, item: OutboxItem, kwargs: Mapping[str, Any] | str) -> _Result:
        done = set(item.done)
        errors = []
        deferred = []
        if isinstance(kwargs, str):
            errors.append(kwargs)
        else:
            for impl in self.hooks.event_impls(item.hook):
                if impl.plugin_name in done:
                    continue
                try:
                    impl.function(**{name: kwargs[name] for name in impl.argnames})
                except DispatchDeferred as error:
                    log.info(
                        "%s in plugin %s for order %s goes on in the background: %s",
                        item.hook,
                        impl.plugin_name,
                        item.order_id,
                        error,
                    )
                    deferred.append(f"{impl.plugin_name}: deferred: {error}")
                except Exception as error:
                    log.exception(
                        "%s in plugin %s failed for order %s",
                        item.hook,
                        impl.plugin_name,
                        item.order_id,
                    )
                    errors.append(f"{impl.plugin_name}: {error!r}")
                else:
                    done.add(impl.plugin_name)
        return _Result(item, frozenset(done), tuple(errors), tuple(deferred))

    def _record(self, batch: DispatchBatch, results: list[_Result]) -> int:
        """Write the batch's outcomes and its plugins' writes in one transaction; returns how many completed.

        Should that fail, every event is recorded as failed (its attempt counted, its hooks all
        to be called again), so a write that always fails ends in a dead event, not a loop.
        """
        now = self.clock()
        completed = [r.item.id for r in results if not r.errors and not r.deferred]
        failures = [self._failure(r, now) for r in results if r.errors or r.deferred]
        handled = {name for r in results for name in r.done - set(r.item.done)}
        durable = batch.durable(self.hooks.manager.get_plugin(name) for name in handled)
        write = functools.partial(self._write, batch.writes, completed, failures, now, durable=durable)
        try:
            self.store.atomic(write)
        except Exception as error:
            if not batch.writes:
                raise
            log.exception("recording a batch of %d outbox events failed", len(results))
            again = [
                attrs.evolve(r, done=frozenset(r.item.done), errors=(f"recording: {error!r}",))
                for r in results
            ]
            self.store.atomic(
                functools.partial(self._write, (), [], [self._failure(r, now) for r in again], now)
            )
            return 0
        return len(completed)

    def _write(
        self,
        writes: Sequence[Callable[[Transaction], object]],
        completed: Sequence[str],
        failures: Sequence[_Failure],
        now: datetime,
        tx: Transaction,
        *,
        durable: bool = True,
    ) -> None:
        if not durable:  # every plugin done in the batch may see it dispatched again after a crash
            tx.commit_without_waiting()
        for write in writes:
            write(tx)
        tx.complete_outbox(completed, self.token)
        for item, done, error, due_at, dead in failures:
            recorded = tx.fail_outbox(
                item, token=self.token, done=done, error=error, due_at=due_at, dead=dead
            )
            if recorded and dead:
                message = f"Gave up on {item.hook} after {item.attempts + 1} attempts: {error}"
                data = {"hook": item.hook, "event_id": item.id, "attempts": item.attempts + 1, "error": error}
                tx.append_timeline(
                    item.order_id, [TimelineEvent(TimelineKind.OUTBOX_GAVE_UP, now, None, message, data)]
                )

    def _failure(self, result: _Result, now: datetime) -> _Failure:
        """The failed event's row to write: *(item, done, error, due_at, dead)*."""
        item, error = result.item, "; ".join(result.errors + result.deferred)
        if not result.errors:  # deferred: due again at once, the attempt not counted
            return attrs.evolve(item, attempts=item.attempts - 1), result.done, error, now, False
        attempts = item.attempts + 1
        dead = attempts >= self.settings.max_dispatch_attempts
        delay = self.settings.retry_backoff_seconds * 2 ** (attempts - 1)
        due_at = now + timedelta(seconds=delay * random.uniform(0.5, 1.0))
        return item, result.done, error, due_at, dead
