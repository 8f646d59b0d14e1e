"""Refunds in two phases, so a payment provider never pays one twice.

(1) The refund is recorded as PENDING, its amount held against the balance, and committed;
(2) the provider is asked, outside any transaction, with the refund's key; (3) its answer is
recorded: settled, or failed. A "cancel and refund" cancels the order when (3) settles it.
Refunds left pending (a crash between (2) and (3), or a provider answering later) are
asked again with the same key by :meth:`Refunds.settle_pending`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import actions, restocking, return_actions
from kasify_orders.actions import Change
from kasify_orders.errors import ConcurrentUpdate, InvalidTransition, RefundFailed, RefundPending
from kasify_orders.lifecycle import RefundStatus, Status
from kasify_orders.model import Order, Refund
from kasify_orders.service.writes import Writer, checked_key, quantities
from kasify_orders.stock import StockCause, StockKind
from kasify_orders.storage.port import Transaction
from kasify_orders.storage.records import OutboxItem

__all__ = ["REFUND_RETRY_AFTER", "Refunds"]

#: How old a pending refund must be before :meth:`Orders.settle_pending_refunds` asks again.
REFUND_RETRY_AFTER = timedelta(minutes=1)

#: The reason on the stock history rows of a "cancel and refund"'s items put back.
REFUNDED_CANCEL = "order cancelled and refunded"

#: The reason on the stock history rows of a refund by line's units put back.
REFUNDED_LINES = "refunded by line"

#: Cancels the locked order at the time given.
CancelStep = Callable[[Transaction, Order, datetime], Change]
#: Makes the refund's change in the first transaction: the locked order, the time, the new refund's id.
Begin = Callable[[Transaction, Order, datetime, str], Change]
#: A change of its own on the refunded order in its transaction: the order, the refund's id, the time.
Then = Callable[[Order, str, datetime], Change]


class Refunds:
    """The refund and "cancel and refund" flows of :class:`~kasify_orders.Orders`."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    def cancelling(
        self, *, reason: str, restock: bool, actor: str | None, stock_reason: str = "order cancelled"
    ) -> CancelStep:
        """The step that cancels an order (and puts its tracked items back in stock if *restock*).

        *stock_reason* is the reason on the stock history rows of the items put back.
        """
        settings = self.writer.settings

        def cancelling(tx: Transaction, order: Order, now: datetime) -> Change:
            change = actions.cancel(order, reason=reason, restock=restock, at=now, actor=actor)
            if restock and settings.manage_inventory:
                cause = StockCause(
                    StockKind.RETURNED, now, actor=actor, reason=stock_reason, order_id=order.id
                )
                tx.return_stock(not_restocked(order), cause)
            return change

        return cancelling

    def cancel_and_refund(
        self,
        order_id: str,
        *,
        reason: str,
        restock: bool,
        idempotency_key: str | None,
        actor: str | None,
        expected_version: int | None,
    ) -> Order:
        """Cancel the order and refund its whole refundable balance (see :meth:`Orders.cancel`)."""
        cancelling = self.cancelling(
            reason=reason, restock=restock, actor=actor, stock_reason=REFUNDED_CANCEL
        )
        key = checked_key("idempotency_key", idempotency_key)
        hooks = self.writer.hooks

        def begin(tx: Transaction, order: Order, now: datetime, refund_id: str) -> Change:
            # Raises unless the order may be cancelled now, before anything is written or asked.
            actions.cancel(order, reason=reason, restock=restock, at=now, actor=actor)
            if not order.payment_status.was_paid or order.totals.refundable <= 0:
                return cancelling(tx, order, now)
            if hooks.refunds_through_provider:  # cancelled once the provider has paid
                return actions.request_refund(
                    order,
                    amount=None,
                    note=reason,
                    refund_id=refund_id,
                    at=now,
                    actor=actor,
                    idempotency_key=key,
                )
            change = cancelling(tx, order, now)
            refunded = actions.refund(
                change.order,
                amount=None,
                note=reason,
                refund_id=refund_id,
                at=now,
                actor=actor,
                idempotency_key=key,
            )
            return actions.combine(change, refunded)

        try:
            return self._in_two_phases(
                order_id, key, expected_version, begin, then_cancel={"reason": reason, "restock": restock}
            )
        except RefundFailed as error:
            raise RefundFailed(f"{error}; the order was not cancelled") from error

    def refund(
        self,
        order_id: str,
        amount: Decimal | None,
        *,
        note: str,
        idempotency_key: str | None,
        provider_reference: str | None,
        actor: str | None,
        expected_version: int | None,
        lines: Mapping[Any, Any] | None = None,
        shipping: bool = False,
        restock: bool = False,
        also: Then | None = None,
    ) -> Order:
        """Refund *amount* (or the whole balance, or *lines*) in two phases; see :meth:`Orders.refund`.

        *also* makes a change of its own on the refunded order in the refund's first transaction
        (a return marked refunded), given the new refund's id.
        """
        key = checked_key("idempotency_key", idempotency_key)
        reference = checked_key("provider_reference", provider_reference)
        hooks = self.writer.hooks

        def begin(tx: Transaction, order: Order, now: datetime, refund_id: str) -> Change:
            arguments: dict[str, Any] = {
                "amount": amount,
                "note": note,
                "refund_id": refund_id,
                "at": now,
                "actor": actor,
                "idempotency_key": key,
                "lines": lines,
                "shipping": bool(shipping),
                "restock": bool(restock),
            }
            if hooks.refunds_through_provider and reference is None:
                change = actions.request_refund(order, **arguments)
            else:
                change = actions.refund(order, **arguments, reference=reference)
            if also is not None:
                change = actions.combine(change, also(change.order, refund_id, now))
            made = change.order.refund(refund_id)
            if made is not None:
                self._restock(tx, order, change.order, made.actor, now)
            return change

        return self._in_two_phases(order_id, key, expected_version, begin)

    def settle_pending(self, *, older_than: timedelta, limit: int) -> int:
        """Ask the provider again about refunds pending longer than *older_than*; returns how many ended."""
        if not self.writer.hooks.refunds_through_provider:
            return 0
        store = self.writer.store
        resolved = 0
        for order_id, refund_id in store.pending_refunds(
            asked_before=self.writer.clock() - older_than, limit=limit
        ):
            order = store.get_order(order_id)
            pending = order.refund(refund_id)
            if pending is None or pending.status is not RefundStatus.PENDING:
                continue  # settled meanwhile
            try:
                after = self._ask_provider(order, pending)
            except RefundFailed:
                resolved += 1
                continue
            done = after.refund(refund_id)
            resolved += done is not None and done.status is not RefundStatus.PENDING
        return resolved

    def _in_two_phases(
        self,
        order_id: str,
        key: str | None,
        expected_version: int | None,
        begin: Begin,
        *,
        then_cancel: Mapping[str, Any] | None = None,
    ) -> Order:
        """Record the refund *begin* makes (pending, or settled by hand), then ask the provider if pending.

        With *key*, a refund already asked for with it is the answer instead (finished first if it
        was left pending). *then_cancel*: cancel the order when the pending refund settles.
        """
        refund_id = uuid.uuid4().hex
        writer = self.writer

        def first(tx: Transaction) -> tuple[Order, str, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            existing = None if key is None else tx.refund_id_by_key(order_id, key)
            if existing is not None:
                return order, existing, ()
            if expected_version is not None and expected_version != order.version:
                raise ConcurrentUpdate(order_id, expected_version, order.version)
            now = writer.clock()
            change = begin(tx, order, now, refund_id)
            items = writer.write(tx, order, change, now)
            made = change.order.refund(refund_id)
            if then_cancel is not None and made is not None and made.status is RefundStatus.PENDING:
                tx.plan_cancel(refund_id, then_cancel)
            return change.order, refund_id, items

        order, made_id, items = writer.store.atomic(first)
        writer.deliver_now(order, items)
        made = order.refund(made_id)
        if made is None or made.status is RefundStatus.SETTLED:  # nothing to refund, or done by hand
            return order
        if made.status is RefundStatus.FAILED:  # a retry of a refund the provider refused
            raise RefundFailed(_refused(made, order.currency, made.failure or ""))
        return self._ask_provider(order, made)

    def _ask_provider(self, order: Order, pending: Refund) -> Order:
        """Ask the provider for the pending refund (outside any transaction), then record its answer."""
        try:
            reference = self.writer.hooks.refund_payment(order, pending)
        except RefundPending:
            return order
        except Exception as error:
            reason = str(error) or type(error).__name__
            self._resolve(order.id, pending.id, failure=reason)
            raise RefundFailed(_refused(pending, order.currency, reason)) from error
        return self._resolve(order.id, pending.id, reference=reference)

    def _resolve(
        self, order_id: str, refund_id: str, *, reference: str | None = None, failure: str | None = None
    ) -> Order:
        """Record the provider's answer about a pending refund (unless a retry recorded it already)."""
        writer = self.writer

        def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            pending = order.refund(refund_id)
            if pending is None or pending.status is not RefundStatus.PENDING:
                return order, ()
            now = writer.clock()
            if failure is not None:
                change = actions.fail_refund(order, refund_id, reason=failure, at=now)
                # A return the refund was for is received again, to be refunded anew.
                change = attrs.evolve(change, order=return_actions.refund_failed(change.order, refund_id))
            else:
                plan = tx.planned_cancel(refund_id)
                change = self._cancel_then_settle(tx, order, pending, plan, reference=reference, now=now)
            return change.order, writer.write(tx, order, change, now)

        order, items = writer.store.atomic(work)
        writer.deliver_now(order, items)
        return order

    def _cancel_then_settle(
        self,
        tx: Transaction,
        order: Order,
        pending: Refund,
        plan: Mapping[str, Any] | None,
        *,
        reference: str | None,
        now: datetime,
    ) -> Change:
        """Settle the refund; first cancel the order if the refund was a "cancel and refund"."""
        if plan is None or order.status is Status.CANCELLED:  # (cancelled by hand meanwhile)
            settled = actions.settle_refund(order, pending.id, reference=reference, at=now)
            self._restock(tx, order, settled.order, pending.actor, now)
            return settled
        restock = bool(plan.get("restock"))
        try:
            cancelled = actions.cancel(
                order, reason=str(plan.get("reason", "")), restock=restock, at=now, actor=pending.actor
            )
        except InvalidTransition:  # the order moved on (shipped) while the refund was pending
            settled = actions.settle_refund(order, pending.id, reference=reference, at=now)
            note = actions.add_note(
                settled.order,
                text=f"Not cancelled: the order was already {order.status.label} when its refund was paid",
                at=now,
                actor=None,
            )
            return actions.combine(settled, note)
        if restock and self.writer.settings.manage_inventory:
            cause = StockCause(
                StockKind.RETURNED,
                now,
                actor=pending.actor,
                reason=REFUNDED_CANCEL,
                order_id=order.id,
            )
            tx.return_stock(not_restocked(order), cause)
        return actions.combine(
            cancelled, actions.settle_refund(cancelled.order, pending.id, reference=reference, at=now)
        )

    def _restock(
        self, tx: Transaction, before: Order, after: Order, actor: str | None, now: datetime
    ) -> None:
        """Put back on their tracked SKUs the units a settling refund adds to those back in stock.

        A refund by line with restock puts back its units, but none that are back already (a
        received return's, see :mod:`kasify_orders.restocking`). Not on a cancelled order: its
        cancel put back what was to be put back.
        """
        if not self.writer.settings.manage_inventory or after.status is Status.CANCELLED:
            return
        units = restocking.put_back(before, after)
        if not units:
            return
        cause = StockCause(StockKind.RETURNED, now, actor=actor, reason=REFUNDED_LINES, order_id=after.id)
        tx.return_stock(restocking.by_sku(after, units), cause)


def not_restocked(order: Order) -> Counter[str]:
    """Units per SKU of *order* not back in stock yet (what a cancel restocks; a unit goes back once)."""
    left = quantities(order.lines)
    left.subtract(restocking.by_sku(order, restocking.units_back(order)))
    return +left  # only the positive counts


def _refused(refund: Refund, currency: str, reason: str) -> str:
    return f"the payment provider did not refund {refund.amount} {currency}: {reason}"
