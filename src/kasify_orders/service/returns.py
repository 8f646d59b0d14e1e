"""``orders.returns``: open a return (RMA), receive it, refund it by line, or close it.

Each step is one transaction under the order's row lock (:class:`~kasify_orders.service.writes.Writer`),
so two merchants opening returns of the same units at once are serialized and one is refused.
Receiving with ``restock=True`` puts the units back on their tracked SKUs in that transaction;
refunding a return is a refund by line of its lines (:meth:`Orders.refund`, its two phases and
cap) that does not restock again, and marks the return refunded in the refund's transaction.
A refund the provider made already (a return refunded in Saleor) is recorded with its
``provider_reference``, or linked when the order has it already, so it is never made twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kasify_orders import restocking, return_actions
from kasify_orders.change import Change
from kasify_orders.errors import ValidationError
from kasify_orders.lifecycle import Action
from kasify_orders.model import Order
from kasify_orders.return_model import ReturnStatus, ReturnSummary
from kasify_orders.service.refunds import Refunds
from kasify_orders.service.writes import Writer, checked_key
from kasify_orders.stock import StockCause, StockKind
from kasify_orders.storage.port import Transaction

__all__ = ["RETURN_RECEIVED", "Returns"]

#: The reason on the stock history rows of a received return's units put back.
RETURN_RECEIVED = "return received"


class Returns:
    """The returns of :class:`~kasify_orders.Orders` (``orders.returns``)."""

    def __init__(self, writer: Writer, refunds: Refunds) -> None:
        self._writer = writer
        self._refunds = refunds

    def needing_merchant(self, *, limit: int = 50) -> tuple[list[ReturnSummary], int]:
        """The newest *limit* returns open or received (the Returns page), and how many there are."""
        return self._writer.store.returns_needing_merchant(limit=limit)

    def open(
        self,
        order_id: str,
        *,
        lines: Mapping[Any, Any] | None,
        reason: str,
        idempotency_key: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Open a return of shipped units, ``{line_id: quantity}``, with the customer's *reason*.

        The new return is ``order.returns[-1]`` (status OPEN). A line is never returned more than
        was shipped, over every return but those closed without being received. With
        *idempotency_key*, a return opened with that key already is the answer (nothing is
        written): a webhook delivered twice opens one return.

        :raises InvalidTransition: the order has no shipped units to return (Pending, Cancelled).
        :raises ValidationError: naming ``lines[<id>]`` (an unknown line, a bad quantity, more than
            is left to return), ``lines`` (none chosen) or ``reason``; nothing is written.
        """
        return_id = uuid.uuid4().hex
        key = checked_key("idempotency_key", idempotency_key)

        def step(tx: Transaction, order: Order, now: datetime) -> Change | None:
            if key is not None and return_actions.opened_with(order, key) is not None:
                return None
            return return_actions.open_return(
                order,
                lines=lines,
                reason=reason,
                return_id=return_id,
                at=now,
                actor=actor,
                idempotency_key=key,
            )

        return self._writer.act(order_id, expected_version, step)

    def receive(
        self,
        return_id: str,
        *,
        restock: bool = False,
        order_id: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """The open return's units came back: RECEIVED; ``restock=True`` puts them back in stock.

        The customer gets the "return received" email.

        :raises ValidationError: naming ``return_id`` (no such return) or ``status`` (not open).
        """
        settings = self._writer.settings

        def step(tx: Transaction, order: Order, now: datetime) -> Change:
            change = return_actions.receive_return(order, return_id, restock=restock, at=now, actor=actor)
            units = restocking.put_back(order, change.order)  # none a restocking refund put back
            if restock and settings.manage_inventory and units:
                cause = StockCause(
                    StockKind.RETURNED, now, actor=actor, reason=RETURN_RECEIVED, order_id=order.id
                )
                tx.return_stock(restocking.by_sku(order, units), cause)
            return change

        return self._writer.act(self._order_of(return_id, order_id), expected_version, step)

    def refund(
        self,
        return_id: str,
        *,
        shipping: bool = False,
        note: str = "",
        idempotency_key: str | None = None,
        provider_reference: str | None = None,
        order_id: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Refund the received return by line (its lines; *shipping* adds the shipping, once).

        The refund is :meth:`Orders.refund` with the return's lines and no restock (the units
        were put back when received); the return is REFUNDED, ``refund_id`` naming the refund,
        in the refund's own transaction. The customer gets the refund email. With a payment
        plugin that refuses the refund, the return is RECEIVED again.

        *provider_reference* records a refund the provider made already (as
        :meth:`Orders.refund` does: settled, the provider is not asked). When the order has a
        refund with that reference already (recorded before the return was), that refund is
        linked instead: the return is REFUNDED by it, and nothing is refunded twice.

        :raises ValidationError: naming ``return_id``, ``status`` (not received), ``lines[<id>]``
            (a unit refunded already by another refund), ``shipping``, or ``provider_reference``
            (its refund is not a settled refund of just the return's lines).
        :raises RefundExceedsBalance: the refund would exceed what was paid.
        """
        target = self._order_of(return_id, order_id)
        order = self._writer.store.get_order(target)
        reference = checked_key("provider_reference", provider_reference)
        if reference is not None and any(made.reference == reference for made in order.refunds):
            return self._link(
                target, return_id, reference, note=note, actor=actor, expected_version=expected_version
            )
        allowed: tuple[ReturnStatus, ...] = (ReturnStatus.RECEIVED,)
        if idempotency_key is not None and _refunded_with(order, return_id, idempotency_key):
            allowed = (ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)  # a retry: the refund answers it
        found = return_actions.returning(order, return_id, action=Action.REFUND_RETURN, allowed=allowed)

        def also(refunded: Order, refund_id: str, now: datetime) -> Change:
            return return_actions.mark_refunded(
                refunded, return_id, refund_id=refund_id, note=note.strip(), at=now, actor=actor
            )

        return self._refunds.refund(
            target,
            None,
            note=note,
            idempotency_key=idempotency_key,
            provider_reference=reference,
            actor=actor,
            expected_version=expected_version,
            lines=dict(found.lines),
            shipping=bool(shipping),
            restock=False,
            also=also,
        )

    def _link(
        self,
        order_id: str,
        return_id: str,
        reference: str,
        *,
        note: str,
        actor: str | None,
        expected_version: int | None,
    ) -> Order:
        """Mark the return refunded by the order's refund with provider reference *reference*."""

        def step(tx: Transaction, order: Order, now: datetime) -> Change | None:
            made = next(made for made in order.refunds if made.reference == reference)
            return return_actions.link_refund(
                order, return_id, refund_id=made.id, note=note.strip(), at=now, actor=actor
            )

        return self._writer.act(order_id, expected_version, step)

    def close(
        self,
        return_id: str,
        *,
        note: str = "",
        order_id: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Close an open or received return without a refund (an open one frees its units).

        :raises ValidationError: naming ``return_id``, ``status`` (refunded or closed) or ``note``.
        """

        def step(tx: Transaction, order: Order, now: datetime) -> Change:
            return return_actions.close_return(order, return_id, note=note, at=now, actor=actor)

        return self._writer.act(self._order_of(return_id, order_id), expected_version, step)

    def _order_of(self, return_id: str, order_id: str | None) -> str:
        """The id of the order the return belongs to (*order_id* when the caller knows it)."""
        if order_id is not None:
            return order_id
        found = self._writer.store.order_of_return(return_id)
        if found is None:
            raise ValidationError.single("return_id", "there is no return %(id)s", id=return_id)
        return found


def _refunded_with(order: Order, return_id: str, key: str) -> bool:
    """Whether the return was refunded by the refund asked for with *key* (a retried call)."""
    found = order.return_by_id(return_id)
    made = order.refund(found.refund_id) if found is not None and found.refund_id else None
    return made is not None and made.idempotency_key == key
