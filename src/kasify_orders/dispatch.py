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
to finish (the email plugin does this when the mail server is slow).
"""

from __future__ import annotations

import contextvars
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from kasify_orders.convert import converter
from kasify_orders.errors import DispatchDeferred, OutboxItemUnreadable
from kasify_orders.events import EVENT_TYPES, OrderEvent
from kasify_orders.model import Order, TimelineEvent, utcnow
from kasify_orders.plugins import Hooks
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store
from kasify_orders.storage.records import OutboxItem
from kasify_orders.timeline import TimelineKind

__all__ = [
    "DispatchDeferred",
    "Dispatcher",
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

    def dispatch(self, items: Iterable[OutboxItem], load: Callable[[str], Order]) -> int:
        """Dispatch claimed *items*; returns how many were completed."""
        completed = 0
        for item in items:
            completed += self._dispatch_one(item, load)
        return completed

    def dispatch_due(self, load: Callable[[str], Order], *, retry_now: bool, limit: int) -> int:
        """Claim and dispatch due items, *limit* per round trip, until none is due; returns how many ended.

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
            dispatched += self.dispatch(items, load)
            if retry_now:
                return dispatched

    def dispatch_inline(self, items: Iterable[OutboxItem], load: Callable[[str], Order]) -> int:
        """Dispatch what an action just committed, within ``Settings.inline_dispatch_budget_seconds``."""
        budget = self.settings.inline_dispatch_budget_seconds
        reset = _DEADLINE.set(None if budget is None else time.monotonic() + budget)
        try:
            return self.dispatch(items, load)
        finally:
            _DEADLINE.reset(reset)

    def _dispatch_one(self, item: OutboxItem, load: Callable[[str], Order]) -> bool:
        done = set(item.done)
        errors = []
        deferred = []
        try:
            event = event_of(item)
            kwargs = {"order": load(item.order_id), **hook_arguments(event), "event_id": item.id}
        except Exception as error:  # noqa: BLE001 - recorded on the event, retried later
            errors.append(f"loading the event: {error!r}")
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
        if not errors and not deferred:
            self.store.complete(item.id, self.token)
            return True
        if errors:
            self._failed(item, done, "; ".join(errors + deferred))
        else:  # due again at once, the attempt not counted (the store counts item.attempts + 1)
            retry = attrs.evolve(item, attempts=item.attempts - 1)
            self.store.fail(
                retry, token=self.token, done=done, error="; ".join(deferred), due_at=self.clock(), dead=False
            )
        return False

    def _failed(self, item: OutboxItem, done: set[str], error: str) -> None:
        attempts = item.attempts + 1
        dead = attempts >= self.settings.max_dispatch_attempts
        delay = self.settings.retry_backoff_seconds * 2 ** (attempts - 1)
        now = self.clock()
        due_at = now + timedelta(seconds=delay * random.uniform(0.5, 1.0))
        recorded = self.store.fail(item, token=self.token, done=done, error=error, due_at=due_at, dead=dead)
        if recorded and dead:
            message = f"Gave up on {item.hook} after {attempts} attempts: {error}"
            entry = TimelineEvent(
                TimelineKind.OUTBOX_GAVE_UP, now, None, message, {"hook": item.hook, "event_id": item.id}
            )
            self.store.atomic(lambda tx: tx.append_timeline(item.order_id, [entry]))
