"""``Orders``: the application layer's facade, one method per merchant action.

Each action is one transaction (:class:`~kasify_orders.service.writes.Writer`); refunds are
made in two phases (:mod:`kasify_orders.service.refunds`); lists are paged by key
(:mod:`kasify_orders.service.listing`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from typing import Any, Self, Unpack

import pluggy

from kasify_orders import actions
from kasify_orders.dispatch import Dispatcher
from kasify_orders.errors import EmailsNotConfigured
from kasify_orders.lifecycle import Status
from kasify_orders.model import Address, NewLine, NewOrder, Order, Page, TimelineEvent, utcnow
from kasify_orders.plugins import Hooks
from kasify_orders.service import placing
from kasify_orders.service.catalog import Coupons, Inventory
from kasify_orders.service.compose import PluginContext, compose
from kasify_orders.service.editing import editing
from kasify_orders.service.holds import Holds
from kasify_orders.service.listing import OrderFilters, count_orders, list_orders
from kasify_orders.service.merchant_settings import MerchantSettings
from kasify_orders.service.outbox import OutboxRuns
from kasify_orders.service.refunds import Refunds
from kasify_orders.service.returns import Returns
from kasify_orders.service.talking import CustomerEmails
from kasify_orders.service.writes import Step, Writer
from kasify_orders.settings import Settings
from kasify_orders.storage import migrate as migrations
from kasify_orders.storage.port import Store, Transaction

__all__ = ["DATABASE_URL_ENV", "DEFAULT_DATABASE_URL", "Orders"]

#: Read by :meth:`Orders.connect` when no URL is given.
DATABASE_URL_ENV = "KASIFY_ORDERS_DATABASE_URL"
#: The embedded default: one SQLite file in the working directory.
DEFAULT_DATABASE_URL = "sqlite:///kasify-orders.sqlite3"


class Orders(OutboxRuns, Holds, CustomerEmails):
    """Place orders and act on them. Build one with :meth:`connect`; share it across threads."""

    def __init__(
        self,
        store: Store,
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
        #: Dispatches the outbox's events to the event hooks.
        self.dispatcher = Dispatcher(store, self.hooks, settings, clock=clock)
        self._writer = Writer(
            store, hooks=self.hooks, settings=settings, dispatcher=self.dispatcher, clock=clock
        )
        self._refunds = Refunds(self._writer)
        #: Returns (RMAs): ``orders.returns.open(order_id, lines=..., reason=...)``, receive, refund, close.
        self.returns = Returns(self._writer, self._refunds)
        #: Tracked stock per SKU.
        self.inventory = Inventory(store, clock)
        #: Discount codes.
        self.coupons = Coupons(store)
        #: The settings the merchant saves on the Settings page, layered over *settings*.
        self.merchant_settings = MerchantSettings(store, settings, clock=clock, kinds=_email_kinds())
        #: What plugins are given (``kasify_configure(context)``): settings, clock, store, plugins.
        self.context = PluginContext(settings=settings, clock=clock, store=store, plugins=plugins)
        plugins.hook.kasify_configure.call_historic(kwargs={"orders": self, "context": self.context})

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
        return compose(
            cls,
            store=url,
            settings=settings or Settings(),
            plugins=plugins,
            load_entrypoints=load_entrypoints,
            clock=clock,
            migrate=migrate if migrate is not None else url.startswith("sqlite"),
        )

    def migrate(self) -> None:
        """Apply every shipped migration not yet applied (safe to call on every start).

        kasify's core chain, then the chain of each plugin's own tables (``kasify_plugin_tables``:
        the email plugin's ledger), so every plugin works on a database this made.
        """
        migrations.upgrade(self.store)
        for tables in self.plugins.hook.kasify_plugin_tables():
            tables.upgrade(self.store)

    def close(self) -> None:
        """Let the plugins finish and close what they opened, then release the database connections.

        The plugins do theirs in ``kasify_closing``: emails still being sent in the background
        are finished first, so their outcome is recorded, and the SMTP connections kept for
        reuse are closed. Using the ``Orders`` again opens new connections.
        """
        self.plugins.hook.kasify_closing(context=self.context)
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
        customer_email, created_from, created_to, coupon_code, paid_before, country) and
        ``sort`` (``date_desc``, ``date_asc``, ``total_desc``, ``total_asc``). Paging is by key,
        not offset, so orders placed meanwhile never shift a page: none is shown twice or skipped.
        """
        return list_orders(self.store, limit=limit, cursor=cursor, filters=filters)

    def reads_together(self) -> AbstractContextManager[None]:
        """Inside the block, the reads share one connection and transaction (a page's several reads).

        For blocks that write nothing: a page's list, header and count pay for one unit of work.
        """
        return self.store.reads_together()

    def count(
        self, *, at_most: int | None = None, cursor: str | None = None, **filters: Unpack[OrderFilters]
    ) -> int:
        """How many orders :meth:`list` would page through with the same filters.

        *at_most*: a bounded count for a page that must stay fast at a million orders: it
        counts no further than *at_most* + 1 orders, so a result above *at_most* means "more
        than *at_most*" (the status counts and the unfiltered count are exact either way).
        *cursor*: those from that page on (a page's ``next_cursor``; the filters' ``sort`` is
        its order), counted from there: a first page counts the rest after its last order.
        """
        return count_orders(self.store, filters, at_most=at_most, cursor=cursor)

    def count_by_status(self) -> dict[Status, int]:
        """How many orders are in each status (for the list's tabs)."""
        return self.store.count_by_status()

    def count_tabs(self, paid_before: datetime) -> tuple[dict[Status, int], int]:
        """The list's tab counts and how many Processing orders were paid before *paid_before*.

        The same as :meth:`count_by_status` and ``count(status=PROCESSING, paid_before=...)``,
        read in one statement (a round trip fewer for the list page).
        """
        return self.store.count_tabs(paid_before)

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
        :raises OutOfStock: a tracked SKU has too few units (nothing is placed); it names the product.
        """
        return placing.place(self._writer, new_order, idempotency_key=idempotency_key, actor=actor, also=also)

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
        lines: Mapping[int, int] | None = None,
        reference: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Ship a parcel with its tracking number and carrier (both required).

        *lines* (``{line_id: quantity}``, a line's id is ``order.lines[i].id``) is what goes in
        this parcel; part of a line's quantity is allowed. None ships everything left. The order
        becomes Shipped once every unit is in a parcel; until then it stays Processing, its
        ``fulfilment_status`` PARTIALLY_SHIPPED. *reference*: another system's id for the parcel
        (the Saleor adapter records the fulfillment's).

        :raises ValidationError: naming ``lines[<id>]`` (an unknown line, a quantity below 1, more
            than is left of the line), ``carrier`` or ``tracking_number``; nothing is shipped.
        """
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.mark_shipped(
                order,
                carrier=carrier,
                tracking_number=tracking_number,
                lines=lines,
                at=now,
                actor=actor,
                tracking_urls=self.settings.tracking_urls,
                reference=reference,
            ),
        )

    def update_tracking(
        self,
        order_id: str,
        *,
        tracking_number: str,
        carrier: str | None = None,
        shipment_id: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Correct a parcel's tracking number (and carrier, if given).

        *shipment_id* names the parcel (``order.shipments[i].id``); None means the only one, and is
        an error (naming ``shipment_id``) when the order has several. The previous number and
        carrier stay on the timeline for ever.
        """
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.update_tracking(
                order,
                tracking_number=tracking_number,
                carrier=carrier,
                shipment_id=shipment_id,
                at=now,
                actor=actor,
                tracking_urls=self.settings.tracking_urls,
            ),
        )

    def mark_delivered(
        self,
        order_id: str,
        *,
        shipment_id: str | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Mark a parcel delivered (None: every parcel); the order is Delivered once every parcel is."""
        return self._act(
            order_id,
            expected_version,
            lambda tx, order, now: actions.mark_delivered(
                order, shipment_id=shipment_id, at=now, actor=actor
            ),
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

        :raises InvalidTransition: the order is not Pending or Processing, or a parcel of it has
            shipped (nothing changes).
        :raises RefundFailed: the payment provider refused the refund (the order is not cancelled).
        """
        if not refund:
            cancelling = self._refunds.cancelling(reason=reason, restock=restock, actor=actor)
            return self._writer.act(order_id, expected_version, cancelling)
        return self._refunds.cancel_and_refund(
            order_id,
            reason=reason,
            restock=restock,
            idempotency_key=idempotency_key,
            actor=actor,
            expected_version=expected_version,
        )

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
        lines: Mapping[Any, int] | None = None,
        shipping: bool = False,
        restock: bool = False,
    ) -> Order:
        """Refund *amount*, or the whole refundable balance when *amount* is None; or by line.

        By line (*lines* ``{line_id: quantity}`` and/or ``shipping=True``, without *amount*):
        each unit's price after its share of the order's discount, plus the shipping (once per
        order); no unit is ever refunded twice. ``restock=True`` puts the units back on their
        tracked SKUs when the refund settles (the stock history names the order). The refund
        cap and the two phases below hold for both kinds together.

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
        :raises ValidationError: naming ``lines[<id>]``, ``lines``, ``shipping``, ``amount`` or
            ``restock`` (a unit refunded already, the shipping twice, an amount with lines).
        """
        return self._refunds.refund(
            order_id,
            amount,
            note=note,
            idempotency_key=idempotency_key,
            provider_reference=provider_reference,
            actor=actor,
            expected_version=expected_version,
            lines=lines,
            shipping=shipping,
            restock=restock,
        )

    def edit(
        self,
        order_id: str,
        *,
        shipping_address: Address | None = None,
        set_quantity: Mapping[int, int] | Mapping[str, int] | None = None,
        add_lines: Sequence[NewLine] = (),
        remove_lines: Sequence[int] = (),
        note: str = "",
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Change the order before its first parcel ships: address, quantities, added and removed lines.

        Allowed while the order is Pending, Processing or On hold with no parcel. *set_quantity*
        is ``{line_id: new quantity}`` (a line's id is ``order.lines[i].id``, or its digits as
        text from JSON; ids never change, and an added line takes the next one); *remove_lines*
        names lines to remove. Tracked stock moves with the edit, never oversold; the totals are
        added up again, a kasify coupon's discount recomputed and its minimum re-checked. What was
        paid stays: a paid order edited up shows ``totals.amount_due``, one edited down
        ``totals.refund_due`` (refundable with :meth:`refund`). The timeline lists every change
        old -> new (with *note*), and the ``kasify_order_updated`` hook (the "order updated"
        email) runs after the commit.

        :raises InvalidTransition: a parcel has shipped, or the order is closed (nothing changes).
        :raises ValidationError: naming ``shipping_address.<field>``, ``set_quantity[<id>]``,
            ``remove_lines[<i>]``, ``add_lines[<i>].<field>``, ``note``, ``coupon_code`` (below the
            coupon's minimum) or ``order`` ("nothing to change"); nothing changes.
        :raises OutOfStock: a tracked SKU has too few units for the edit; it names the product.
        """
        step = editing(
            manage_inventory=self.settings.manage_inventory,
            shipping_address=shipping_address,
            set_quantity=set_quantity,
            add_lines=tuple(add_lines),
            remove_lines=tuple(remove_lines),
            note=note,
            actor=actor,
        )
        return self._act(order_id, expected_version, step)

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

    def resend_notification(
        self, order_id: str, kind: str, *, actor: str | None = None, message_key: str | None = None
    ) -> Sequence[str]:
        """Email the *kind* notification about this order again, now; returns the recipients.

        *kind* is one of the email kinds (``"order_confirmation"``, ``"shipping_notification"``,
        …; see :mod:`kasify_orders.notifications`). The resend is recorded on the timeline.
        *message_key*: which of the merchant's own messages (``"customer_message"``) to send
        again (its ``customer_emailed`` entry's ``data["message_key"]``; None: the latest).
        """
        recipients = self.plugins.hook.kasify_resend_notification(
            context=self.context, order_id=order_id, kind=kind, actor=actor, message_key=message_key or None
        )
        if recipients is None:
            raise EmailsNotConfigured(
                "emails are off: set Settings.smtp_url, or register a kasify_send_email plugin"
                " and call kasify_orders.notifications.install(orders)"
            )
        return list(recipients)

    def _act(self, order_id: str, expected_version: int | None, step: Step) -> Order:
        return self._writer.act(order_id, expected_version, step)


def _email_kinds() -> tuple[str, ...]:
    """The email kinds a merchant may turn off (``Settings.disabled_emails``)."""
    from kasify_orders.notifications.kinds import EmailKind  # noqa: PLC0415 - the emails load when used

    return tuple(EmailKind)
