"""A batch of outbox events as its plugins see it: :class:`DispatchBatch` and :func:`current_batch`.

Part of :mod:`kasify_orders.dispatch` (which re-exports it); apart only to keep each module small.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from kasify_orders.storage.port import Transaction

__all__ = ["BatchEvent", "DispatchBatch", "current_batch"]


@attrs.frozen
class BatchEvent:
    """One event of a batch, as its event hooks are about to get it."""

    event_id: str
    #: The event hook it is told to (``kasify_order_placed``...).
    hook: str
    #: The arguments its hook is called with: ``order``, the event's own, ``event_id``.
    arguments: Mapping[str, Any]
    #: The plugins that handled it on an earlier attempt (their hooks are not called again).
    done: frozenset[str]
    #: Never dispatched before (no attempt, no error, nobody done): an action's new event, inline.
    first: bool = False


@attrs.define
class DispatchBatch:
    """The outbox events dispatched together, as a plugin sees them (:func:`current_batch`).

    Before their event hooks are called, one event at a time, ``kasify_dispatch_batch`` is
    told of them all, so a plugin can start their side effects together (the email plugin
    claims every email of the batch at once and sends them side by side). Their outcomes
    (each event completed, or failed and due again) are written in one transaction once every
    event's hooks ran; a plugin adds its own writes to it with :meth:`on_commit`, so they
    commit or roll back with the outbox's record of the events (the email plugin writes its
    sent-markers there: an email marked sent, its event done).
    """

    #: The ids of the batch's outbox events, in dispatch order.
    event_ids: tuple[str, ...]
    #: The events whose order and arguments could be read (the others fail without a hook call).
    events: tuple[BatchEvent, ...] = ()
    #: What each plugin keeps for the batch, under a name of its own (its plugin name).
    state: dict[str, Any] = attrs.field(factory=dict)
    #: One action's events, dispatched in its process right after its commit (not a worker's claim).
    inline: bool = False
    _writes: list[Callable[[Transaction], object]] = attrs.field(factory=list, alias="_writes")
    _relaxed: list[object] = attrs.field(factory=list, alias="_relaxed")

    def on_commit(self, write: Callable[[Transaction], object]) -> None:
        """Run *write* in the transaction that records the batch's outcome.

        *write* may run more than once (the transaction is retried on a deadlock) and must
        write the same each time. Should that transaction fail, nothing of the batch is
        recorded, and each event is delivered again (its hooks called again) once its claim
        ends.
        """
        self._writes.append(write)

    def may_lose_on_crash(self, plugin: object) -> None:
        """Say that *plugin* (the object registered: ``self`` in its hooks) may lose this batch's record.

        When every plugin that handled an event of the batch said so, the transaction that
        records the batch commits without waiting for the disk
        (:meth:`~kasify_orders.storage.port_outbox.OutboxOps.commit_without_waiting`): should
        the database server crash before its log reaches the disk, the record is lost as a
        whole and the events are dispatched again once their claims end, their hooks called
        again with the same ``event_id``. The email plugin says so: its sent-markers go in that
        transaction, and an email sent again carries the same ``Message-ID`` (see
        :mod:`kasify_orders.notifications.ledger`). A plugin that must not act twice on a
        database crash says nothing, and the batch's record waits for the disk.
        """
        self._relaxed.append(plugin)

    @property
    def writes(self) -> tuple[Callable[[Transaction], object], ...]:
        """The writes added so far."""
        return tuple(self._writes)

    def durable(self, handled_by: Iterable[object]) -> bool:
        """Whether the record must wait for the disk: a plugin in *handled_by* did not relax it."""
        return not all(any(plugin is relaxed for relaxed in self._relaxed) for plugin in handled_by)


_BATCH: contextvars.ContextVar[DispatchBatch | None] = contextvars.ContextVar(
    "kasify_dispatch_batch", default=None
)


def current_batch() -> DispatchBatch | None:
    """The batch of outbox events whose hooks run now; None outside the outbox (a resend)."""
    return _BATCH.get()
