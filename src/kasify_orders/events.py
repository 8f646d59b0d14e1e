"""Domain events: what happened to an order, one class per kind, raised by :mod:`kasify_orders.actions`.

An action returns its events in its :class:`~kasify_orders.actions.Change`; the service
queues them in the outbox in the same transaction, and after the commit the outbox calls the
event hook each names (:mod:`kasify_orders.dispatch` maps a class to its hook, e.g.
:class:`OrderShipped` to ``kasify_order_shipped``). An event's fields are the hook's
arguments besides ``order`` and ``event_id``, and are how it is stored: the outbox writes
them with the cattrs converter and reads them back into the same class.

The domain knows no hook names: a new event is a class here and a hookspec of the same name.
"""

from __future__ import annotations

import attrs

from kasify_orders.model import Refund, Shipment, TimelineEvent

__all__ = [
    "EVENT_TYPES",
    "CustomerEmailed",
    "NoteAdded",
    "OrderCancelled",
    "OrderDelivered",
    "OrderEvent",
    "OrderPlaced",
    "OrderRefunded",
    "OrderShipped",
    "OrderUpdated",
    "PaymentConfirmed",
    "ReturnUpdated",
    "TrackingUpdated",
]


@attrs.frozen
class OrderEvent:
    """Something that happened to an order, told to the event hooks once the change commits."""


@attrs.frozen
class OrderPlaced(OrderEvent):
    """A new order was placed (Pending)."""


@attrs.frozen
class PaymentConfirmed(OrderEvent):
    """The order was paid: Pending -> Processing."""


@attrs.frozen
class OrderShipped(OrderEvent):
    """A parcel left (the order is Shipped once every unit is in a parcel)."""

    #: The parcel that left (``order.shipment_by_id``); "" in events queued before parcels.
    shipment_id: str = ""


@attrs.frozen
class TrackingUpdated(OrderEvent):
    """A shipped order's tracking number (or carrier) was corrected."""

    #: The shipment as it was before the correction.
    previous: Shipment


@attrs.frozen
class OrderDelivered(OrderEvent):
    """The parcel arrived: Shipped -> Delivered."""


@attrs.frozen
class OrderCancelled(OrderEvent):
    """The order was cancelled."""


@attrs.frozen
class OrderRefunded(OrderEvent):
    """A refund settled: it now counts as refunded."""

    refund: Refund


@attrs.frozen
class OrderUpdated(OrderEvent):
    """The merchant edited the order before shipping (address, quantities, lines).

    What changed is the order's latest ``edited`` timeline entry (its ``data["changes"]``).
    """


@attrs.frozen
class NoteAdded(OrderEvent):
    """A merchant added an internal note."""

    #: The note's timeline entry.
    entry: TimelineEvent


@attrs.frozen
class CustomerEmailed(OrderEvent):
    """The merchant wrote a message to the customer; the email plugin sends it."""

    subject: str
    body: str
    #: Names this message among the order's others (its timeline entry's ``data["message_key"]``).
    message_key: str


@attrs.frozen
class ReturnUpdated(OrderEvent):
    """A return moved: opened, received, refunded or closed (``order.return_by_id(return_id)``)."""

    return_id: str
    #: ``"opened"``, ``"received"``, ``"refunded"`` or ``"closed"``.
    step: str


#: Every event the domain raises.
EVENT_TYPES: tuple[type[OrderEvent], ...] = (
    OrderPlaced,
    PaymentConfirmed,
    OrderShipped,
    TrackingUpdated,
    OrderDelivered,
    OrderCancelled,
    OrderRefunded,
    NoteAdded,
    CustomerEmailed,
    OrderUpdated,
    ReturnUpdated,
)
