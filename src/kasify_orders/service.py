"""``Orders``: the application layer, one method per merchant action.

Every action runs in one transaction: lock what changes, apply the pure domain function
(:mod:`kasify_orders.actions`), write the new state, its timeline entries and its outbox
events. Only after the commit are the event hooks called, so a failed or rolled-back
action never notifies anyone, and a failing hook never undoes an action.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Self, TypedDict, Unpack

import attrs
import pluggy

from kasify_orders import actions, notifications, pricing
from kasify_orders.actions import Change
from kasify_orders.delivery import Delivery, outbox_items
from kasify_orders.errors import (
    ConcurrentUpdate,
    InvalidTransition,
    RefundFailed,
    RefundPending,
    ValidationError,
)
from kasify_orders.lifecycle import PaymentStatus, RefundStatus, Status
from kasify_orders.model import Coupon, Line, NewOrder, Order, Page, Refund, TimelineEvent, utcnow
from kasify_orders.plugins import Hooks, build_plugin_manager
from kasify_orders.settings import Settings
from kasify_orders.storage import migrate as migrations
from kasify_orders.storage.store import (
    DuplicateIdempotencyKey,
    OrderFilter,
    OutboxItem,
    SqlStore,
    Transaction,
)
from kasify_orders.validation import Checker, shown, validate_coupon, validate_new_order
from kasify_orders.validation import _email as normalized_email

__all__ = ["DATABASE_URL_ENV", "DEFAULT_DATABASE_URL", "Coupons", "Inventory", "Orders"]

#: Read by :meth:`Orders.connect` when no URL is given.
DATABASE_URL_ENV = "KASIFY_ORDERS_DATABASE_URL"
#: The embedded default: one SQLite file in the working directory.
DEFAULT_DATABASE_URL = "sqlite:///kasify-orders.sqlite3"
MAX_PAGE = 500
#: How old a pending refund must be before :meth:`Orders.settle_pending_refunds` asks again.
REFUND_RETRY_AFTER = timedelta(minutes=1)
#: The largest order number (a signed 64-bit integer on every database), so the largest cursor.
MAX_ORDER_NUMBER = 2**63 - 1
_CURSOR_DIGITS = len(str(MAX_ORDER_NUMBER))


def _key(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    checker = Checker()
    value = checker.text(name, value, max_length=255)
    checker.done()
    return value


class Orders:
    """Place orders and act on them. Build one with :meth:`connect`; share it across threads."""

    def __init__(
        self,
        store: SqlStore,
        *,
        settings: Settings,
        plugins: pluggy.PluginManager,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        #: What the time is (aware UTC): timestamps, outbox due times, leases and backoff.
        self.clock = clock
        #: The pluggy PluginManager: register plugins here, or pass them to :meth:`connect`.
        self.plugins = plugins
        self.hooks = Hooks(plugins)
        self.delivery = Delivery(store, self.hooks, settings, clock=clock)
        #: Tracked stock per SKU.
        self.inventory = Inventory(store)
        #: Discount codes.
        self.coupons = Coupons(store)
        plugins.hook.kasify_configure.call_historic(kwargs={"orders": self})

    @classmethod
    def connect(
        cls,
        url: str | None = None,
        *,
        settings: Settings | None = None,
        plugins: Iterable[object] = (),
        load_entrypoints: bool = True,
        migrate: bool | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> Self:
        """Open the order store at *url* (default: ``$KASIFY_ORDERS_DATABASE_URL``, else a SQLite file).

        :param settings: The merchant's settings (defaults otherwise).
        :param plugins: Plugin objects or modules to register, after installed entry points.
        :param load_entrypoints: Load plugins published under the ``kasify_orders`` entry point.
        :param migrate: Apply the shipped migrations now. Defaults to True for SQLite (the
            embedded store creates its own schema) and False elsewhere, where migrating is
            an operator's step (``orders.migrate()`` or ``kasify-orders db upgrade``).
        :param clock: Returns the current time, timezone-aware in UTC (tests pass one they
            control, to expire a lease or a backoff without waiting).
        """
        url = url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
        settings = settings or Settings()
        manager = build_plugin_manager(plugins, load_entrypoints=load_entrypoints)
        store = Hooks(manager).storage(url, settings)
        orders = cls(store, settings=settings, plugins=manager, clock=clock)
        if migrate if migrate is not None else url.startswith("sqlite"):
            orders.migrate()
        notifications.readiness.warn_once(orders, notifications.email_problems_of(orders))
        return orders

    def migrate(self) -> None:
        """Apply every shipped migration not yet applied (safe to call on every start)."""
        migrations.upgrade(self.store)

    def close(self) -> None:
        """Release the database connections."""
        self.store.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        """The order with this id; raises :class:`~kasify_orders.OrderNotFound`."""
        return self.store.get_order(order_id)

    def get_by_number(self, number: int) -> Order:
        """The order with this human number; raises :class:`~kasify_orders.OrderNotFound`."""
        return self.store.get_order_by_number(number)

    def list(self, *, limit: int = 50, cursor: str | None = None, **filters: Unpack[OrderFilters]) -> Page:
        """A page of orders, newest first. Pass ``page.next_cursor`` back for the next page.

        *filters* are those of :class:`OrderFilters` (status, payment_status, search,
        customer_email, created_from, created_to, coupon_code, paid_before). Paging is by key,
        not offset, so orders placed meanwhile never shift a page: none is shown twice or skipped.
        """
        checker = Checker()
        where = _order_filter(checker, filters)
        limit = checker.integer("limit", limit, minimum=1)
        if limit > MAX_PAGE:
            checker.fail("limit", f"must be at most {MAX_PAGE}, got {limit}")
        after = None
        if cursor is not None:
            after = _cursor(checker, cursor)
        checker.done()
        found = self.store.list_orders(where, limit=limit + 1, after=after)
        items = found[:limit]
        next_cursor = str(items[-1].number) if len(found) > limit else None
        return Page(tuple(items), next_cursor)

    def count(self, **filters: Unpack[OrderFilters]) -> int:
        """How many orders :meth:`list` would page through with the same filters."""
        checker = Checker()
        where = _order_filter(checker, filters)
        checker.done()
        return self.store.count_orders(where)

    def count_by_status(self) -> dict[Status, int]:
        """How many orders are in each status (for the list's tabs)."""
        return self.store.count_by_status()

    def rebuild_search(self, *, only_missing: bool = False) -> int:
        """Write the search terms of every order again (or of those with none); returns how many.

        Orders written by a version older than the search index, or by another program, are
        found by name and email only once indexed; ``kasify-orders check`` tells when some are not.
        """
        return self.store.rebuild_search_terms(only_missing=only_missing)

    # -- placing ------------------------------------------------------------------------

    def place(
        self,
        new_order: NewOrder,
        *,
        idempotency_key: str | None = None,
        actor: str | None = None,
        also: Callable[[Transaction, Order], None] | None = None,
    ) -> Order:
        """Place an order: price it, apply its coupon, take its stock, and record it as Pending.

        With an *idempotency_key*, a repeated call (a retried checkout) returns the order the
        first call placed, and has no second effect.

        *also* (for adapters) runs in the placing transaction with the new order, to record
        where the order came from in the same commit (a link, a timeline entry); it is not
        called when the key returns an earlier order.

        :raises ValidationError: naming every bad field.
        :raises CouponNotApplicable: the coupon does not apply (nothing is placed).
        :raises OutOfStock: a tracked SKU has too few units (nothing is placed).
        """
        new_order = validate_new_order(new_order)
        key = _key("idempotency_key", idempotency_key)
        if key is not None:
            existing = self._placed_with(key)
            if existing is not None:
                return existing
        order_id = uuid.uuid4().hex
        lines = pricing.lines_for(new_order.lines)

        def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
            now = self.clock()
            coupon = None
            code = new_order.coupon_code
            email = new_order.customer.email
            if code is not None and new_order.discount is None:
                found = tx.lock_coupon(code)
                coupon = pricing.check_coupon(
                    found,
                    code,
                    subtotal=pricing.subtotal_of(lines, new_order.currency),
                    currency=new_order.currency,
                    now=now,
                    used_by_customer=bool(
                        found and found.once_per_customer and tx.coupon_used_by(code, email)
                    ),
                )
            if self.settings.manage_inventory:
                tx.take_stock(_quantities(lines))
            change = actions.place(new_order, coupon, order_id=order_id, at=now, actor=actor)
            order = tx.insert_order(change.order, key)
            if coupon is not None:
                tx.redeem_coupon(coupon, email, order_id, now)
            if also is not None:
                also(tx, order)
                order = tx.order(order_id)
            return order, self._enqueue(tx, order_id, change, now)

        try:
            order, items = self.store.atomic(work)
        except DuplicateIdempotencyKey as duplicate:
            # A concurrent call with the same key committed first: its order is the answer.
            existing = self._placed_with(duplicate.key)
            assert existing is not None
            return existing
        self._deliver_now(order, items)
        return order

    def _placed_with(self, key: str) -> Order | None:
        return self.store.read(lambda tx: tx.order_by_idempotency_key(key))

    # -- acting on an order ---------------------------------------------------------------

    def confirm_payment(
        self, order_id: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Order:
        """Pending -> Processing; the payment status becomes PAID."""
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.confirm_payment(order, at=now, actor=actor),
        )

    def mark_shipped(
        self,
        order_id: str,
        *,
        tracking_number: str,
        carrier: str,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Processing -> Shipped, with the parcel's tracking number and carrier (both required)."""
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.mark_shipped(
                order,
                carrier=carrier,
                tracking_number=tracking_number,
                at=now,
                actor=actor,
                tracking_urls=self.settings.tracking_urls,
            ),
        )

    def update_tracking(
        self,
        order_id: str,
        *,
        tracking_number: str,
        carrier: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Correct a shipped order's tracking number (and carrier, if given).

        The previous number and carrier stay on the timeline for ever.
        """
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.update_tracking(
                order,
                tracking_number=tracking_number,
                carrier=carrier,
                at=now,
                actor=actor,
                tracking_urls=self.settings.tracking_urls,
            ),
        )

    def mark_delivered(
        self, order_id: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Order:
        """Shipped -> Delivered."""
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.mark_delivered(order, at=now, actor=actor),
        )

    def cancel(
        self,
        order_id: str,
        *,
        reason: str = "",
        restock: bool = True,
        refund: bool = False,
        idempotency_key: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Pending or Processing -> Cancelled; tracked items go back in stock unless ``restock=False``.

        ``refund=True`` also refunds the whole refundable balance, in the same call ("cancel and
        refund"; an order never paid has nothing to refund and is just cancelled). Through a
        payment plugin the order is cancelled only once the provider has paid the refund out: if
        it refuses, the order stays as it was (not cancelled, nothing restocked) with the failed
        refund on its timeline, and :class:`~kasify_orders.RefundFailed` is raised; while its
        answer is pending (:class:`~kasify_orders.RefundPending`), the cancellation waits for it.
        *idempotency_key* keys the refund, as in :meth:`refund`.

        :raises InvalidTransition: the order is not Pending or Processing (nothing changes).
        :raises RefundFailed: the payment provider refused the refund (the order is not cancelled).
        """

        def cancelling(tx: Transaction, order: Order, now: datetime) -> Change:
            change = actions.cancel(order, reason=reason, restock=restock, at=now, actor=actor)
            if restock and self.settings.manage_inventory:
                tx.return_stock(_quantities(order.lines))
            return change

        if not refund:
            return self._act(order_id, expected_version, cancelling)
        key = _key("idempotency_key", idempotency_key)

        def begin(tx: Transaction, order: Order, now: datetime, refund_id: str) -> Change:
            # Raises unless the order may be cancelled now, before anything is written or asked.
            actions.cancel(order, reason=reason, restock=restock, at=now, actor=actor)
            if not order.payment_status.was_paid or order.totals.refundable <= 0:
                return cancelling(tx, order, now)
            if self.hooks.refunds_through_provider:  # cancelled once the provider has paid
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
            return self._refund_in_two_phases(
                order_id, key, expected_version, begin, then_cancel={"reason": reason, "restock": restock}
            )
        except RefundFailed as error:
            raise RefundFailed(f"{error}; the order was not cancelled") from error

    def refund(
        self,
        order_id: str,
        amount: Decimal | None = None,
        *,
        note: str = "",
        idempotency_key: str | None = None,
        provider_reference: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Refund *amount*, or the whole refundable balance when *amount* is None.

        Refunds add up and never exceed what was paid. Without a ``kasify_refund_payment``
        plugin the refund is recorded as made by hand, settled at once. With one, it is made in
        two phases, so the provider never pays a refund twice: (1) the refund is recorded as
        PENDING, its amount held against the balance, and committed; (2) the provider is asked,
        outside any transaction, with the refund's key (*idempotency_key*, else the refund's
        id); (3) the answer is recorded: settled (refunded, the refund email) or failed (a
        ``refund_failed`` timeline entry, nothing else changes). If (3) never happens (a crash,
        a lost database connection), the refund stays pending until a retry with the same
        *idempotency_key* or :meth:`settle_pending_refunds` asks the provider again with the
        same key, which the provider answers without paying twice.

        A repeated call with the same *idempotency_key* refunds nothing more: it returns the
        order (finishing the refund if it was left pending), or raises the same RefundFailed.

        *provider_reference* records a refund the payment provider has already made (a host
        or an adapter learning of it, e.g. Saleor's refund webhooks): settled at once with that
        reference, and the provider is not asked.

        :raises RefundExceedsBalance: saying the refundable balance.
        :raises RefundFailed: the payment provider refused (the refund is recorded as failed).
        """
        key = _key("idempotency_key", idempotency_key)
        reference = _key("provider_reference", provider_reference)

        def begin(tx: Transaction, order: Order, now: datetime, refund_id: str) -> Change:
            arguments: dict[str, Any] = {
                "amount": amount,
                "note": note,
                "refund_id": refund_id,
                "at": now,
                "actor": actor,
                "idempotency_key": key,
            }
            if self.hooks.refunds_through_provider and reference is None:
                return actions.request_refund(order, **arguments)
            return actions.refund(order, **arguments, reference=reference)

        return self._refund_in_two_phases(order_id, key, expected_version, begin)

    def settle_pending_refunds(self, *, older_than: timedelta = REFUND_RETRY_AFTER, limit: int = 100) -> int:
        """Finish refunds left pending by asking the provider again, with the same key.

        Returns how many settled or failed.

        A refund stays pending when the process died (or the database failed) between asking
        the provider and recording its answer, or when the provider said its answer comes
        later (:class:`~kasify_orders.RefundPending`). :meth:`deliver_pending` calls this, so
        an outbox worker finishes them; call it yourself if you deliver the outbox inline
        only. *older_than* leaves alone refunds asked for so recently that their first call
        may still be running (asking again would be safe, only needless).
        """
        if not self.hooks.refunds_through_provider:
            return 0
        resolved = 0
        for order_id, refund_id in self.store.pending_refunds(
            asked_before=self.clock() - older_than, limit=limit
        ):
            order = self.get(order_id)
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

    def _refund_in_two_phases(
        self,
        order_id: str,
        key: str | None,
        expected_version: int | None,
        begin: Callable[[Transaction, Order, datetime, str], Change],
        *,
        then_cancel: Mapping[str, Any] | None = None,
    ) -> Order:
        """Record the refund *begin* makes (pending, or settled by hand), then ask the provider if pending.

        With *key*, a refund already asked for with it is the answer instead (finished first if it
        was left pending). *then_cancel*: cancel the order when the pending refund settles.
        """
        refund_id = uuid.uuid4().hex

        def first(tx: Transaction) -> tuple[Order, str, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            existing = None if key is None else tx.refund_id_by_key(order_id, key)
            if existing is not None:
                return order, existing, ()
            if expected_version is not None and expected_version != order.version:
                raise ConcurrentUpdate(order_id, expected_version, order.version)
            now = self.clock()
            change = begin(tx, order, now, refund_id)
            items = self._write(tx, order, change, now)
            made = change.order.refund(refund_id)
            if then_cancel is not None and made is not None and made.status is RefundStatus.PENDING:
                tx.plan_cancel(refund_id, then_cancel)
            return change.order, refund_id, items

        order, made_id, items = self.store.atomic(first)
        self._deliver_now(order, items)
        made = order.refund(made_id)
        if made is None or made.status is RefundStatus.SETTLED:  # nothing to refund, or done by hand
            return order
        if made.status is RefundStatus.FAILED:  # a retry of a refund the provider refused
            raise RefundFailed(_refused(made, order.currency, made.failure or ""))
        return self._ask_provider(order, made)

    def _ask_provider(self, order: Order, pending: Refund) -> Order:
        """Ask the provider for the pending refund (outside any transaction), then record its answer."""
        try:
            reference = self.hooks.refund_payment(order, pending)
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

        def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            pending = order.refund(refund_id)
            if pending is None or pending.status is not RefundStatus.PENDING:
                return order, ()
            now = self.clock()
            if failure is not None:
                change = actions.fail_refund(order, refund_id, reason=failure, at=now)
            else:
                plan = tx.planned_cancel(refund_id)
                change = self._cancel_then_settle(tx, order, pending, plan, reference=reference, now=now)
            return change.order, self._write(tx, order, change, now)

        order, items = self.store.atomic(work)
        self._deliver_now(order, items)
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
            return actions.settle_refund(order, pending.id, reference=reference, at=now)
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
        if restock and self.settings.manage_inventory:
            tx.return_stock(_quantities(order.lines))
        return actions.combine(
            cancelled, actions.settle_refund(cancelled.order, pending.id, reference=reference, at=now)
        )

    def add_note(
        self, order_id: str, text: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Order:
        """Add an internal note to the order's timeline."""
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.add_note(order, text=text, at=now, actor=actor),
        )

    def record_event(
        self,
        order_id: str,
        kind: str,
        message: str,
        *,
        data: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> None:
        """Append an entry to the timeline without changing the order (for plugins: ``"email_sent"``)."""
        entry = TimelineEvent(kind, self.clock(), actor, message, data or {})

        def work(tx: Transaction) -> None:
            tx.require_order(order_id)
            tx.append_timeline(order_id, [entry])

        self.store.atomic(work)

    def resend_notification(self, order_id: str, kind: str, *, actor: str | None = None) -> Sequence[str]:
        """Email the *kind* notification about this order again, now; returns the recipients.

        *kind* is one of the email kinds (``"order_confirmation"``, ``"shipping_notification"``,
        …; see :mod:`kasify_orders.notifications`). The resend is recorded on the timeline.
        """
        return notifications.resend(self, order_id, kind, actor=actor)

    # -- the outbox -----------------------------------------------------------------------

    def deliver_pending(self, *, retry_now: bool = False, limit: int = 100) -> int:
        """Deliver due outbox events now; returns how many were delivered.

        Refunds left pending at the payment provider are finished first
        (:meth:`settle_pending_refunds`), so the worker that delivers the outbox settles them too.

        :param retry_now: Also deliver events waiting out their retry backoff (and settle pending
            refunds however recently they were asked for).
        :param limit: Claim at most this many events per round trip.
        """
        self.settle_pending_refunds(older_than=timedelta(0) if retry_now else REFUND_RETRY_AFTER)
        delivered = 0
        while True:
            now = self.clock()
            items = self.store.claim_due(
                token=self.delivery.token,
                now=now,
                lease_until=self.delivery.lease_until(now),
                limit=limit,
                retry_now=retry_now,
            )
            if not items:
                return delivered
            delivered += self.delivery.deliver(items, self.get)
            if retry_now:  # one pass: failures are not retried again in a loop
                return delivered

    def retry_dead(self) -> int:
        """Make events that exhausted their attempts due again; returns how many."""
        return self.store.revive_dead(self.clock())

    def _enqueue(self, tx: Transaction, order_id: str, change: Change, now: datetime) -> Sequence[OutboxItem]:
        items = outbox_items(order_id, change.events, self.hooks)
        inline = self.settings.deliver_inline
        tx.enqueue(
            items,
            now=now,
            token=self.delivery.token if inline else None,
            lease_until=self.delivery.lease_until(now) if inline else None,
        )
        return items

    def _write(self, tx: Transaction, before: Order, change: Change, now: datetime) -> Sequence[OutboxItem]:
        """Write *change* over *before*: the order, its timeline entries, its outbox events."""
        tx.update_order(before, change.order)
        tx.append_timeline(before.id, change.entries)
        return self._enqueue(tx, before.id, change, now)

    def _deliver_now(self, order: Order, items: Sequence[OutboxItem]) -> None:
        """Deliver the events this call queued, once the store says they are committed."""
        if items and self.settings.deliver_inline:
            self.store.after_commit(lambda: self.delivery.deliver_inline(items, lambda _order_id: order))

    def _act(
        self,
        order_id: str,
        expected_version: int | None,
        step: Callable[[Transaction, Order, datetime], Change | None],
    ) -> Order:
        def work(tx: Transaction) -> tuple[Order, Sequence[OutboxItem]]:
            order = tx.order(order_id, lock=True)
            if expected_version is not None and expected_version != order.version:
                raise ConcurrentUpdate(order_id, expected_version, order.version)
            now = self.clock()
            change = step(tx, order, now)
            if change is None:
                return order, ()
            return change.order, self._write(tx, order, change, now)

        order, items = self.store.atomic(work)
        self._deliver_now(order, items)
        return order


class OrderFilters(TypedDict, total=False):
    """The filters :meth:`Orders.list` and :meth:`Orders.count` take, all optional."""

    #: Only orders in this status.
    status: Status | str | None
    #: Only orders with this payment status.
    payment_status: PaymentStatus | str | None
    #: An order number (``1042`` or ``#1042``), a tracking number, or the start of any word of
    #: the customer's name or email ("lovel", "ada lo", "@example.com").
    search: str | None
    #: Only this customer's orders: the whole email, exact but case-insensitive (for a host's
    #: "my orders" page; ``search`` matches the start of words and would show others' orders).
    customer_email: str | None
    #: Placed at or after this aware datetime.
    created_from: datetime | None
    #: Placed before this aware datetime.
    created_to: datetime | None
    #: Placed with this coupon (case-insensitive).
    coupon_code: str | None
    #: Paid before this aware datetime (the pages' "Needs attention" view).
    paid_before: datetime | None


def _cursor(checker: Checker, cursor: object) -> int | None:
    """The order number a ``next_cursor`` holds: ASCII digits naming a number a store can hold."""
    if isinstance(cursor, str) and cursor.isascii() and cursor.isdigit() and len(cursor) <= _CURSOR_DIGITS:
        number = int(cursor)
        if number <= MAX_ORDER_NUMBER:
            return number
    checker.fail("cursor", f"must be a next_cursor returned by a previous page, got {shown(cursor)}")
    return None


def _order_filter(checker: Checker, filters: OrderFilters) -> OrderFilter:
    """Check the filters of :meth:`Orders.list`, recording bad ones on *checker*."""
    unknown = sorted(set(filters) - set(OrderFilters.__annotations__))
    if unknown:
        raise TypeError(
            f"unknown order filter {unknown[0]!r}; the filters are {', '.join(OrderFilters.__annotations__)}"
        )
    search = filters.get("search")
    email = filters.get("customer_email")
    return OrderFilter(
        status=_enum(checker, "status", Status, filters.get("status")),
        payment_status=_enum(checker, "payment_status", PaymentStatus, filters.get("payment_status")),
        created_from=checker.moment("created_from", filters.get("created_from")),
        created_to=checker.moment("created_to", filters.get("created_to")),
        coupon_code=filters.get("coupon_code"),
        search=search.strip() if search and search.strip() else None,
        # Spelt as orders store it (validation's normal form), so equality is exact.
        customer_email=None if email is None else normalized_email(checker, "customer_email", email),
        paid_before=checker.moment("paid_before", filters.get("paid_before")),
    )


def _refused(refund: Refund, currency: str, reason: str) -> str:
    return f"the payment provider did not refund {refund.amount} {currency}: {reason}"


def _quantities(lines: Iterable[Line]) -> Counter[str]:
    """Units per SKU (one SKU may be on several lines)."""
    wanted: Counter[str] = Counter()
    for line in lines:
        wanted[line.sku] += line.quantity
    return wanted


def _enum(checker: Checker, name: str, kind: type[Status | PaymentStatus], value: object) -> Any:
    if value is None:
        return None
    try:
        return kind(str(value))
    except ValueError:
        checker.fail(name, f"must be one of {', '.join(member.value for member in kind)}, got {value!r}")
        return None


class Inventory:
    """Stock per SKU. A SKU is tracked once :meth:`set_stock` is called; others are never checked."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def set_stock(self, sku: str, quantity: int) -> None:
        """Track *sku* with *quantity* units on hand."""
        checker = Checker()
        sku = checker.text("sku", sku, max_length=100)
        quantity = checker.integer("quantity", quantity, minimum=0)
        checker.done()
        self._store.set_stock(sku, quantity)

    def stock(self, sku: str) -> int | None:
        """Units on hand, or None when *sku* is not tracked."""
        return self._store.stock(sku.strip())

    def untrack(self, sku: str) -> None:
        """Stop tracking *sku*."""
        self._store.untrack(sku.strip())


class Coupons:
    """Discount codes: create, look up, change, disable."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def create(self, coupon: Coupon) -> Coupon:
        """Store a new coupon; raises :class:`ValidationError` for bad rules or a taken code."""
        coupon = validate_coupon(coupon)
        self._store.create_coupon(coupon)
        return self.get(coupon.code)

    def get(self, code: str) -> Coupon:
        """The coupon with this code (case-insensitive)."""
        coupon = self._store.coupon(code)
        if coupon is None:
            raise ValidationError.single("code", f"no coupon {code.strip().upper()}")
        return coupon

    def all(self) -> list[Coupon]:
        """Every coupon, by code."""
        return self._store.coupons()

    def update(self, coupon: Coupon) -> Coupon:
        """Change a coupon's rules; its usage count is kept."""
        coupon = validate_coupon(coupon)
        self._store.update_coupon(coupon)
        return self.get(coupon.code)

    def disable(self, code: str) -> Coupon:
        """Stop a coupon from being used (orders that used it keep their discount)."""
        return self.update(attrs.evolve(self.get(code), active=False))
