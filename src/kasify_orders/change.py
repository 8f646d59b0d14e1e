"""What a merchant action returns: the order as it is now, its events and timeline entries."""

from __future__ import annotations

from typing import Any

import attrs

from kasify_orders.events import OrderEvent
from kasify_orders.model import Order, TimelineEvent

__all__ = ["Change", "combine", "next_change"]


@attrs.frozen
class Change:
    """The result of an action: the order as it is now, and the events it raised."""

    order: Order
    events: tuple[OrderEvent, ...]
    #: Timeline entries the action added (the store appends them).
    entries: tuple[TimelineEvent, ...]


def combine(first: Change, then: Change) -> Change:
    """Two changes made one after the other in one transaction (*then* acted on ``first.order``)."""
    return Change(then.order, first.events + then.events, first.entries + then.entries)


def next_change(
    order: Order, entry: TimelineEvent, events: tuple[OrderEvent, ...] = (), **changes: Any
) -> Change:
    """*order* one version on, with *entry* on its timeline, *changes* applied and *events* raised."""
    new = attrs.evolve(order, timeline=(*order.timeline, entry), version=order.version + 1, **changes)
    return Change(new, events, (entry,))
