"""The email plugin: customer emails and merchant alerts on the event hooks, each sent once.

Registered by :func:`install` when ``Orders`` can send mail (``Settings.smtp_url`` is set, or
a ``kasify_send_email`` plugin is registered when the ``Orders`` is built). The event hooks
run through the outbox after the change commits, so an action that fails or rolls back
sends nothing, and a mail server that is down only delays the email: the hook raises, the
outbox retries it with backoff, and the sent-markers (:mod:`.ledger`) skip every recipient
that already has it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, wait
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, TypeVar

from kasify_orders.dispatch import current_batch, inline_deadline
from kasify_orders.errors import (
    DispatchDeferred,
    EmailDeliveryFailed,
    EmailInFlight,
    EmailsNotConfigured,
    ValidationError,
)
from kasify_orders.hookspecs import hookimpl
from kasify_orders.model import Order, Refund, Shipment
from kasify_orders.notifications import batching, choosing
from kasify_orders.notifications import unclaimed as unclaimed_claims
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.ledger import Claim, Ledger, Wanted
from kasify_orders.notifications.pool import SendingPool
from kasify_orders.notifications.render import Email, Renderer, WrittenMessage, message_id
from kasify_orders.notifications.sending import Rendered, Sending, describe
from kasify_orders.notifications.tables import EMAIL_TABLES

if TYPE_CHECKING:
    import pluggy

    from kasify_orders.dispatch import DispatchBatch
    from kasify_orders.service import Orders
    from kasify_orders.service.compose import PluginContext
    from kasify_orders.settings import Settings
    from kasify_orders.storage.plugin_tables import PluginTables

__all__ = [
    "EmailDeliveryFailed",
    "EmailsNotConfigured",
    "Notifier",
    "can_send",
    "install",
    "kasify_configure",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Threads sending emails for inline delivery at once (more wait their turn).
_SENDING_THREADS = 8

#: The name the plugin is registered under on ``orders.plugins``.
PLUGIN_NAME = "kasify_orders.emails.notifier"
#: Its note in ``DispatchBatch.state`` that the batch's settings were read.
_REFRESHED = PLUGIN_NAME + ".refreshed"


class Notifier:
    """Sends the emails of one ``Orders``; its event hookimpls are what the outbox calls."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.clock = orders.clock
        #: The settings and renderer in use: the code's, then the merchant's over them (:meth:`refresh`).
        self._current = (orders.settings, Renderer(orders.settings, clock=orders.clock))
        self.ledger = Ledger(
            orders.store, lease_seconds=orders.settings.dispatch_lease_seconds, clock=orders.clock
        )
        #: Sends emails within an inline budget; started on first use, its threads are kept.
        self._pool = SendingPool(_SENDING_THREADS)

    @property
    def settings(self) -> Settings:
        """The settings in use: the host's code settings with the merchant's saved values over them."""
        return self._current[0]

    @property
    def renderer(self) -> Renderer:
        """The renderer of :attr:`settings`."""
        return self._current[1]

    def refresh(self) -> None:
        """Take up the merchant's saved settings (one read; every hook calls it first).

        So a new-order alert address saved on the Settings page, by any process, is where the
        next order's alert goes. Settings that cannot render (saved by an older kasify with
        looser checks) are logged and the code settings are used instead.
        """
        settings = self.orders.merchant_settings.effective()
        if settings is self._current[0]:
            return
        try:
            renderer = Renderer(settings, clock=self.clock)
        except ValidationError:
            log.exception("the merchant's saved settings cannot be used; using the code settings")
            settings = self.orders.settings
            renderer = Renderer(settings, clock=self.clock)
        self._current = (settings, renderer)

    # -- the event hooks ---------------------------------------------------------------

    def _fresh(self) -> None:
        """:meth:`refresh`, once per outbox batch (its first hook reads the saved settings)."""
        batch = current_batch()
        if batch is None or not batch.state.get(_REFRESHED):
            self.refresh()

    @hookimpl
    def kasify_dispatch_batch(self, batch: DispatchBatch) -> None:
        """Read the merchant's settings once for the batch; claim and send all its emails (:mod:`.batching`).

        The batch's record may commit without waiting for the disk: should the database server
        crash before it is on disk, its emails go again with the same ``Message-ID`` (:mod:`.ledger`).
        """
        self.refresh()
        batch.state[_REFRESHED] = True
        batch.may_lose_on_crash(self)
        if inline_deadline() is None:  # within an inline budget, each event's hook keeps to it
            batching.prepare(self, batch, PLUGIN_NAME)

    @hookimpl
    def kasify_order_placed(self, order: Order, event_id: str) -> None:
        """Confirm the order to the customer and alert the merchant."""
        self._fresh()
        self.send_all(event_id, self.event_emails("kasify_order_placed", {"order": order}) or [])

    @hookimpl
    def kasify_order_shipped(self, order: Order, shipment_id: str, event_id: str) -> None:
        """Send the parcel's tracking number and link (and, of several, which lines it holds)."""
        self._fresh()
        arguments = {"order": order, "shipment_id": shipment_id}
        self.send_all(event_id, self.event_emails("kasify_order_shipped", arguments) or [])

    @hookimpl
    def kasify_tracking_updated(self, order: Order, previous: Shipment, event_id: str) -> None:
        """Send the corrected tracking number."""
        self._fresh()
        arguments = {"order": order, "previous": previous}
        self.send_all(event_id, self.event_emails("kasify_tracking_updated", arguments) or [])

    @hookimpl
    def kasify_order_refunded(self, order: Order, refund: Refund, event_id: str) -> None:
        """Confirm the refund (never with its internal note)."""
        self._fresh()
        arguments = {"order": order, "refund": refund}
        self.send_all(event_id, self.event_emails("kasify_order_refunded", arguments) or [])

    @hookimpl
    def kasify_order_cancelled(self, order: Order, event_id: str) -> None:
        """Tell the customer the order is cancelled."""
        self._fresh()
        self.send_all(event_id, self.event_emails("kasify_order_cancelled", {"order": order}) or [])

    @hookimpl
    def kasify_order_updated(self, order: Order, event_id: str) -> None:
        """Tell the customer what the order is now: its lines and totals, and any amount due or refund."""
        self._fresh()
        self.send_all(event_id, self.event_emails("kasify_order_updated", {"order": order}) or [])

    @hookimpl
    def kasify_return_updated(self, order: Order, return_id: str, step: str, event_id: str) -> None:
        """Tell the customer their return arrived (the refund email comes with the refund)."""
        self._fresh()
        arguments = {"order": order, "step": step}
        self.send_all(event_id, self.event_emails("kasify_return_updated", arguments) or [])

    def event_emails(self, hook: str, arguments: Mapping[str, Any]) -> list[Email] | None:  # noqa: PLR0911
        """The emails of the event hook *hook* called with *arguments*; None: not an emailing hook."""
        self._fresh()
        order: Order = arguments["order"]
        if hook == "kasify_order_placed":
            return [
                *self.emails_for(EmailKind.ORDER_CONFIRMATION, order),
                *self.emails_for(EmailKind.NEW_ORDER_ALERT, order),
            ]
        if hook == "kasify_order_shipped":
            parcel = order.shipment_by_id(str(arguments.get("shipment_id") or ""))
            if parcel is not None:
                return choosing.to_customer(EmailKind.SHIPPING_NOTIFICATION, order, shipment=parcel)
            return self.emails_for(EmailKind.SHIPPING_NOTIFICATION, order)
        if hook == "kasify_tracking_updated":
            previous = arguments["previous"]
            corrected = order.shipment_by_id(previous.id) if previous.id else None  # that parcel, now
            return choosing.to_customer(
                EmailKind.TRACKING_CORRECTED, order, previous=previous, shipment=corrected
            )
        if hook == "kasify_order_refunded":
            return choosing.to_customer(EmailKind.REFUND_CONFIRMATION, order, refund=arguments["refund"])
        if hook == "kasify_order_cancelled":
            return self.emails_for(EmailKind.ORDER_CANCELLED, order)
        if hook == "kasify_order_updated":
            return self.emails_for(EmailKind.ORDER_UPDATED, order)
        if hook == "kasify_return_updated":
            return (
                self.emails_for(EmailKind.RETURN_RECEIVED, order)
                if arguments.get("step") == "received"
                else []
            )
        return None

    @hookimpl
    def kasify_customer_emailed(
        self, order: Order, subject: str, body: str, message_key: str, event_id: str
    ) -> None:
        """Send the merchant's own message to the customer."""
        self._fresh()
        message = WrittenMessage(subject, body, message_key)
        customer = order.customer
        self.send_all(
            event_id,
            [Email(EmailKind.CUSTOMER_MESSAGE, customer.email, customer.name, order, message=message)],
        )

    # -- building and sending ----------------------------------------------------------

    def emails_for(self, kind: EmailKind, order: Order, *, message_key: str | None = None) -> list[Email]:
        """The emails of *kind* about *order* as it is now (for the hooks and for resending).

        *message_key*: which of the merchant's messages, for ``customer_message`` (None: the latest).

        :raises ValidationError: (field ``kind``) the order has nothing to say of this kind.
        """
        return choosing.emails_for(self.settings, kind, order, message_key=message_key)

    def send_all(
        self, event_id: str, emails: Iterable[Email], *, actor: str | None = None, resending: bool = False
    ) -> list[str]:
        """Send each email not sent yet for *event_id*; returns the addresses sent to now.

        The emails are claimed in one transaction and recorded in one, after every one was
        tried even if one fails; then :class:`EmailDeliveryFailed` says which failed, so the
        outbox retries the event (and skips the ones that went out).

        From an event hook (not *resending*) the emails are recorded in the outbox batch's
        transaction that ends their event (:func:`~kasify_orders.dispatch.current_batch`), and a
        worker's batch was claimed and sent together before (:mod:`.batching`); their claims
        and that batch's record are written without waiting for the disk on PostgreSQL (a
        database crash then sends them again with the same ``Message-ID``; see :mod:`.ledger`).

        :raises DispatchDeferred: in inline delivery, the mail server did not answer within
            ``Settings.inline_dispatch_budget_seconds``: the emails go on in the background.
        """
        batch = None if resending else current_batch()
        prepared = None if batch is None else batch.state.get(PLUGIN_NAME, {}).pop(event_id, None)
        if batch is not None and prepared is not None:  # claimed and sent with the batch
            return batching.finish(batch, prepared)
        wanted = list(emails) if resending else self.wanted(emails)
        if not wanted:
            return []
        return self._send_now(event_id, wanted, batch, actor=actor, resending=resending)

    def _send_now(
        self,
        event_id: str,
        wanted: list[Email],
        batch: DispatchBatch | None,
        *,
        actor: str | None,
        resending: bool,
    ) -> list[str]:
        # The budget bounds the wait for the mail server, never kasify's own work: the emails
        # are claimed and handed to the server even when a slow database (or an earlier event
        # of the batch) spent it, and the server's answers are awaited for what is left of it,
        # maybe nothing. So whether an action returns before its emails are answered depends
        # on the mail server alone, and the action takes its own time, the claims and the
        # rendering, and at most the budget.
        deadline = inline_deadline()
        sending = Sending(self, event_id, actor, resending)
        # Within a budget the caller never blocks on the server; without one it sends one
        # email itself (Sending.hand_over).
        threaded = deadline is not None
        # An action's new event without a budget: its outbox lease is the emails' claim.
        unclaimed = (
            batch is not None
            and batch.inline
            and deadline is None
            and any(event.event_id == event_id and event.first for event in batch.events)
        )
        claimed = self._claim(sending, wanted, threaded=threaded or len(wanted) > 1, unclaimed=unclaimed)
        futures = sending.hand_over(claimed, self._start, threaded=threaded)
        if futures:
            wait(futures, timeout=None if deadline is None else max(deadline - time.monotonic(), 0.0))
            if sending.let_go():
                count = sum(not future.done() for future in futures)
                raise DispatchDeferred(
                    f"the mail server is slow: {count} email(s) still being sent in the background"
                )
        if batch is None:
            sending.record(durable=resending)
        elif unclaimed:  # written in the transaction that ends the event in the outbox
            outcomes = sending.outcomes
            ledger = self.ledger
            batch.on_commit(lambda tx: unclaimed_claims.record(ledger, ledger.data.within(tx), outcomes))
        else:  # marked in the transaction that ends the event in the outbox
            outcomes = sending.outcomes
            batch.on_commit(lambda tx: self.ledger.record_within(tx, outcomes))
        if sending.errors:
            raise EmailDeliveryFailed("; ".join(sending.errors))
        return sending.sent

    def wanted(self, emails: Iterable[Email]) -> list[Email]:
        """*emails* but kinds turned off (``Settings.disabled_emails``); the merchant's own messages go."""
        disabled = self.settings.disabled_emails
        return [email for email in emails if email.message is not None or email.kind not in disabled]

    def _claim(
        self, sending: Sending, wanted: list[Email], *, threaded: bool, unclaimed: bool = False
    ) -> list[tuple[Email, str, Claim, Rendered | None]]:
        """Claim *wanted* for *sending*; with each claimed one, its recipient and its rendering.

        When the store can be used from any thread, the first email renders while they are
        claimed (on a pool thread, if one is free: never behind the sends of a slow mail server);
        each next one renders while those before it are on the wire.
        """
        event_id = sending.event_id
        recipients = [parseaddr(email.to)[1].lower() for email in wanted]
        rows = [
            Wanted(
                event_id,
                email.kind,
                recipient,
                email.order.id,
                message_id(event_id, email.kind, recipient, self.settings.from_email),
            )
            for email, recipient in zip(wanted, recipients, strict=True)
        ]
        rendered: list[Rendered | None] = [None] * len(wanted)
        claims: list[Claim | EmailInFlight | None]
        if unclaimed:
            sending.unclaimed = True
            claims = list(unclaimed_claims.claims(rows))
        elif threaded and self.ledger.any_thread and self._pool.idle() > len(wanted):
            claiming = self._start(lambda: self.ledger.claim_all(rows, durable=sending.resending))
            # Only the first: the next ones render while the first is on the wire.
            rendered[0] = sending.render(wanted[0], rows[0].message_id)
            claims = claiming.result()
        else:
            claims = self.ledger.claim_all(rows, durable=sending.resending)
        claimed = []
        for email, recipient, claim, ready in zip(wanted, recipients, claims, rendered, strict=True):
            if isinstance(claim, EmailInFlight):
                sending.early_errors.append(f"{email.kind} to {email.to}: {describe(claim)}")
            elif claim is not None:
                claimed.append((email, recipient, claim, ready))
        return claimed

    def _start(self, work: Callable[[], T]) -> Future[T]:
        """Have a pool thread do *work* (send one email, or claim an event's)."""
        return self._pool.start(work)

    @hookimpl(tryfirst=True)  # before the SMTP sender closes the connections these threads use
    def kasify_closing(self) -> None:
        """Finish the emails still being sent in the background, then end the sending threads."""
        self._pool.close()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for emails still being sent in the background; True when none is left.

        They are there when a slow mail server outlasted an action's inline budget.
        """
        return self._pool.join(timeout)


def install(orders: Orders) -> Notifier:
    """Turn on emails for *orders* (done for you when it is built with a way to send mail).

    Call it after registering a ``kasify_send_email`` plugin on ``orders.plugins`` yourself.
    """
    existing = orders.plugins.get_plugin(PLUGIN_NAME)
    if isinstance(existing, Notifier):
        return existing
    notifier = Notifier(orders)
    orders.plugins.register(notifier, name=PLUGIN_NAME)
    return notifier


def can_send(settings: Settings, plugins: pluggy.PluginManager) -> bool:
    """Whether emails have a transport: ``Settings.smtp_url``, or a ``kasify_send_email`` plugin."""
    return bool(settings.smtp_url or plugins.hook.kasify_send_email.get_hookimpls())


@hookimpl
def kasify_configure(orders: Orders) -> None:
    """Install the emails when *orders* can send mail."""
    if can_send(orders.settings, orders.plugins):
        install(orders)


@hookimpl
def kasify_plugin_tables() -> PluginTables:
    """The emails' ledger, ``sent_emails``, with its own migration chain."""
    return EMAIL_TABLES


@hookimpl
def kasify_resend_notification(
    context: PluginContext, order_id: str, kind: str, actor: str | None, message_key: str | None
) -> Sequence[str] | None:
    """Resend through this plugin (``Orders.resend_notification``); see :func:`resend`."""
    from kasify_orders.notifications.resending import resend  # noqa: PLC0415 - it imports this module

    return resend(context, order_id, kind, actor=actor, message_key=message_key)
