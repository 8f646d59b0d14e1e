"""A return (RMA): units of an order's shipped lines the customer sends back, and where it is.

A return is opened with its lines and the customer's reason, then received (its units back at
the merchant, put back in stock or not), then refunded by line or closed without a refund; an
open return may also be closed at once (the customer never sent it). Pure values: the steps are
:mod:`kasify_orders.return_actions`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from kasify_orders.utc import aware, to_utc

__all__ = ["Return", "ReturnStatus", "ReturnSummary"]


class ReturnStatus(enum.StrEnum):
    """Where a return is: opened, received back, refunded, or closed without a refund."""

    OPEN = "open"
    RECEIVED = "received"
    REFUNDED = "refunded"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The word a merchant reads (``"Received"``)."""
        return self.value.capitalize()


def _quantities(value: Mapping[Any, Any] | None) -> Mapping[int, int]:
    return {int(line_id): int(quantity) for line_id, quantity in sorted((value or {}).items())}


@attrs.frozen
class Return:
    """One return of an order (``order.returns``)."""

    #: Opaque identifier (32 hex digits); what ``return_id`` names.
    id: str
    #: ``{line_id: quantity}``: the units of each of the order's lines coming back.
    lines: Mapping[int, int] = attrs.field(converter=_quantities)
    #: The customer's reason ("too small"), as the merchant typed it.
    reason: str
    status: ReturnStatus = attrs.field(converter=ReturnStatus)
    opened_at: datetime = attrs.field(converter=to_utc, validator=aware)
    #: When its units came back (None until received).
    received_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    #: When it was refunded or closed (None while open or received).
    closed_at: datetime | None = attrs.field(default=None, converter=to_utc, validator=aware)
    #: The refund that refunded it (``order.refund(refund_id)``), once refunded.
    refund_id: str | None = None
    #: Whether its units were put back in stock when it was received.
    restocked: bool = False

    @property
    def holds_units(self) -> bool:
        """Whether its units count against what may still be returned.

        Every return does, but one closed without being received: the customer never sent it,
        so its units may be returned again.
        """
        return not (self.status is ReturnStatus.CLOSED and self.received_at is None)

    @property
    def units(self) -> int:
        """How many units it returns."""
        return sum(self.lines.values())


@attrs.frozen
class ReturnSummary:
    """A return as the Returns page lists it: with its order's number and its lines' names."""

    id: str
    order_id: str
    order_number: int
    #: ``[(line name, units)]`` of what comes back, in line order.
    lines: tuple[tuple[str, int], ...]
    reason: str
    status: ReturnStatus = attrs.field(converter=ReturnStatus)
    opened_at: datetime = attrs.field(converter=to_utc, validator=aware)
