"""Holding an order: Processing -> On hold (with a reason) -> Processing.

A mixin of :class:`~kasify_orders.service.orders.Orders`, so the facade stays small; each
method is one transaction through ``Orders._act``, as every other action.
"""

from __future__ import annotations

from typing import Protocol

from kasify_orders import actions
from kasify_orders.model import Order
from kasify_orders.service.writes import Step

__all__ = ["Holds"]


class _Acting(Protocol):
    def _act(self, order_id: str, expected_version: int | None, step: Step) -> Order: ...


class Holds:
    """``orders.hold`` and ``orders.release``."""

    def hold(
        self: _Acting,
        order_id: str,
        *,
        reason: str,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Processing -> On hold, with the *reason* (required): it is not shipped until released.

        A held order is not counted as needing attention; it may still be cancelled or refunded.

        :raises InvalidTransition: the order is not Processing (nothing changes).
        :raises ValidationError: the reason is blank or longer than 500 characters.
        """
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.hold(order, reason=reason, at=now, actor=actor),
        )

    def release(
        self: _Acting, order_id: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Order:
        """On hold -> Processing: the check is done and the order may ship.

        :raises InvalidTransition: the order is not On hold (nothing changes).
        """
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.release(order, at=now, actor=actor),
        )
