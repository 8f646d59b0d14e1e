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
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email.message import EmailMessage
from email.utils import parseaddr
from typing import TYPE_CHECKING

import attrs

from kasify_orders.dispatch import inline_deadline
from kasify_orders.errors import (
    DispatchDeferred,
    EmailDeliveryFailed,
    EmailInFlight,
    EmailsNotConfigured,
    ValidationError,
)
from kasify_orders.hookspecs import hookimpl
from kasify_orders.lifecycle import RefundStatus, Status
from kasify_orders.model import Order, Refund, Shipment, TimelineEvent
from kasify_orders.notifications.kinds import CUSTOMER_KINDS, EmailKind
from kasify_orders.notifications.ledger import Claim, Ledger, Outcome, Wanted
from kasify_orders.notifications.render import Email, Renderer, default_locale, message_id

if TYPE_CHECKING:
    import pluggy

    from kasify_orders.service import Orders
    from kasify_orders.service.compose import PluginContext
    from kasify_orders.settings import Settings

__all__ = [
    "EmailDeliveryFailed",
    "EmailsNotConfigured",
    "Notifier",
    "can_send",
    "install",
    "kasify_configure",
    "resend",
]

log = logging.getLogger(__name__)

#: Threads sending emails for inline delivery at once (more wait their turn).
_SENDING_THREADS = 8

#: The name the plugin is registered under on ``orders.plugins``.
PLUGIN_NAME = "kasify_orders.emails.notifier"

_LABELS = {
    EmailKind.ORDER_CONFIRMATION: "Order confirmation",
    EmailKind.SHIPPING_NOTIFICATION: "Shipping notification",
    EmailKind.TRACKING_CORRECTED: "Tracking correction",
    EmailKind.REFUND_CONFIRMATION: "Refund confirmation",
    EmailKind.ORDER_CANCELLED: "Cancellation notice",
    EmailKind.NEW_ORDER_ALERT: "New-order alert",
}


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else repr(error)


class Notifier:
    """Sends the emails of one ``Orders``; its event hookimpls are what the outbox calls."""

    def __init__(self, orders: Orders) -> None:
        self.orders = orders
        self.settings = orders.settings
        self.clock = orders.clock
        self.renderer = Renderer(orders.settings, clock=orders.clock)
        self.ledger = Ledger(
            orders.store, lease_seconds=orders.settings.dispatch_lease_seconds, clock=orders.clock
        )
        #: Sends emails within an inline budget; started on first use, its threads are kept.
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._running: set[Future[None]] = set()
        self._pool_lock = threading.Lock()

    # -- the event hooks ---------------------------------------------------------------

    @hookimpl
    def kasify_order_placed(self, order: Order, event_id: str) -> None:
        """Confirm the order to the customer and alert the merchant."""
        self.send_all(
            event_id,
            [
                *self.emails_for(EmailKind.ORDER_CONFIRMATION, order),
                *self.emails_for(EmailKind.NEW_ORDER_ALERT, order),
            ],
        )

    @hookimpl
    def kasify_order_shipped(self, order: Order, event_id: str) -> None:
        """Send the tracking number and link."""
        self.send_all(event_id, self.emails_for(EmailKind.SHIPPING_NOTIFICATION, order))

    @hookimpl
    def kasify_tracking_updated(self, order: Order, previous: Shipment, event_id: str) -> None:
        """Send the corrected tracking number."""
        self.send_all(event_id, self._customer(EmailKind.TRACKING_CORRECTED, order, previous=previous))

    @hookimpl
    def kasify_order_refunded(self, order: Order, refund: Refund, event_id: str) -> None:
        """Confirm the refund (never with its internal note)."""
        self.send_all(event_id, self._customer(EmailKind.REFUND_CONFIRMATION, order, refund=refund))

    @hookimpl
    def kasify_order_cancelled(self, order: Order, event_id: str) -> None:
        """Tell the customer the order is cancelled."""
        self.send_all(event_id, self.emails_for(EmailKind.ORDER_CANCELLED, order))

    # -- building and sending ----------------------------------------------------------

    def _customer(
        self, kind: EmailKind, order: Order, *, previous: Shipment | None = None, refund: Refund | None = None
    ) -> list[Email]:
        customer = order.customer
        return [Email(kind, customer.email, customer.name, order, previous=previous, refund=refund)]

    def emails_for(self, kind: EmailKind, order: Order) -> list[Email]:
        """The emails of *kind* about *order* as it is now (for the hooks and for resending).

        :raises ValidationError: (field ``kind``) the order has nothing to say of this kind.
        """
        if kind is EmailKind.NEW_ORDER_ALERT:
            return [Email(kind, address, "", order) for address in self.settings.new_order_alert_emails]
        if kind in {EmailKind.SHIPPING_NOTIFICATION, EmailKind.TRACKING_CORRECTED} and order.shipment is None:
            raise ValidationError.single("kind", f"order #{order.number} has not shipped")
        if kind is EmailKind.TRACKING_CORRECTED:
            assert order.shipment is not None
            corrections = [entry for entry in order.timeline if entry.kind == "tracking_updated"]
            if not corrections:
                raise ValidationError.single(
                    "kind", f"the tracking of order #{order.number} was never corrected"
                )
            data = corrections[-1].data
            previous = Shipment(
                str(data["previous_carrier"]),
                str(data["previous_tracking_number"]),
                None,
                order.shipment.shipped_at,
            )
            return self._customer(kind, order, previous=previous)
        if kind is EmailKind.REFUND_CONFIRMATION:
            settled = [refund for refund in order.refunds if refund.status is RefundStatus.SETTLED]
            if not settled:
                raise ValidationError.single("kind", f"order #{order.number} has no refund")
            return self._customer(kind, order, refund=settled[-1])
        if kind is EmailKind.ORDER_CANCELLED and order.status is not Status.CANCELLED:
            raise ValidationError.single(
                "kind", f"order #{order.number} is {order.status.value}, not cancelled"
            )
        return self._customer(kind, order)

    def send_all(
        self, event_id: str, emails: Iterable[Email], *, actor: str | None = None, resending: bool = False
    ) -> list[str]:
        """Send each email not sent yet for *event_id*; returns the addresses sent to now.

        The emails are claimed in one transaction and recorded in one, after every one was
        tried even if one fails; then :class:`EmailDeliveryFailed` says which failed, so the
        outbox retries the event (and skips the ones that went out).

        :raises DispatchDeferred: in inline delivery, the mail server did not answer within
            ``Settings.inline_dispatch_budget_seconds``: the emails go on in the background.
        """
        wanted = [e for e in emails if resending or e.kind not in self.settings.disabled_emails]
        if not wanted:
            return []
        deadline = inline_deadline()
        if deadline is not None and time.monotonic() >= deadline:
            raise DispatchDeferred("the inline delivery budget is spent; the outbox sends these emails")
        recipients = [parseaddr(email.to)[1].lower() for email in wanted]
        claims = self.ledger.claim_all(
            [
                Wanted(
                    event_id,
                    email.kind,
                    recipient,
                    email.order.id,
                    message_id(event_id, email.kind, recipient, self.settings.from_email),
                )
                for email, recipient in zip(wanted, recipients, strict=True)
            ]
        )
        sending = _Sending(self, event_id, actor, resending)
        claimed = [
            (email, recipient, claim)
            for email, recipient, claim in zip(wanted, recipients, claims, strict=True)
            if claim is not None and not isinstance(claim, EmailInFlight)
        ]
        for email, claim in zip(wanted, claims, strict=True):
            if isinstance(claim, EmailInFlight):
                sending.errors.append(f"{email.kind} to {email.to}: {_describe(claim)}")
        # Within a budget, or with several emails, they are sent on a pool thread: each as
        # soon as it is rendered, while the next one renders.
        future = self._start(sending) if claimed and (deadline is not None or len(claimed) > 1) else None
        try:
            for email, recipient, claim in claimed:
                sending.prepare(email, recipient, claim)
        finally:
            sending.prepared()
        if future is None:
            sending.send()
        else:
            wait([future], timeout=None if deadline is None else max(deadline - time.monotonic(), 0.0))
            if sending.let_go():
                count = len(sending.ready)
                raise DispatchDeferred(
                    f"the mail server is slow: {count} email(s) still being sent in the background"
                )
        sending.record()
        if sending.errors:
            raise EmailDeliveryFailed("; ".join(sending.errors))
        return sending.sent

    def _start(self, sending: _Sending) -> Future[None]:
        """Have a pool thread send *sending*'s emails as they are prepared."""
        with self._pool_lock:
            if self._pool is None or self._pool_pid != os.getpid():  # a forked worker starts its own
                self._pool = ThreadPoolExecutor(_SENDING_THREADS, thread_name_prefix="kasify-email")
                self._pool_pid = os.getpid()
                self._running = set()
            future = self._pool.submit(sending.in_background)
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[None]) -> None:
        with self._pool_lock:
            self._running.discard(future)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for emails still being sent in the background; True when none is left.

        They are there when a slow mail server outlasted an action's inline budget.
        """
        with self._pool_lock:
            running = list(self._running)
        _done, pending = wait(running, timeout=timeout)
        return not pending


class _Sending:
    """One event's claimed emails: rendered, sent in turn, then recorded in one transaction."""

    def __init__(self, notifier: Notifier, event_id: str, actor: str | None, resending: bool) -> None:
        self.notifier = notifier
        self.event_id = event_id
        self.actor = actor
        self.resending = resending
        self.ready: list[tuple[Email, str, Claim, EmailMessage]] = []
        self.outcomes: list[Outcome] = []
        self.errors: list[str] = []
        self.sent: list[str] = []
        #: Rendered messages on their way to the sender (None: no more).
        self._queue: queue.SimpleQueue[tuple[Email, str, Claim, EmailMessage] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._finished = False
        self._abandoned = False

    def _outcome(self, email: Email, recipient: str, claim: Claim, error: Exception | None) -> None:
        notifier = self.notifier
        label = _LABELS[email.kind]
        data = {
            "kind": email.kind.value,
            "to": recipient,
            "event_id": self.event_id,
            "message_id": claim.message_id,
        }
        if error is None:
            verb = "resent" if self.resending else "emailed"
            entry = TimelineEvent(
                "email_sent",
                notifier.clock(),
                self.actor,
                f"{label} {verb} to {recipient}",
                {**data, "resend": self.resending},
            )
            self.sent.append(email.to)
        else:
            reason = _describe(error)
            entry = TimelineEvent(
                "email_failed",
                notifier.clock(),
                self.actor,
                f"{label} email to {recipient} failed (attempt {claim.attempt}): {reason}",
                {**data, "error": reason, "attempt": claim.attempt},
            )
            self.errors.append(f"{email.kind} to {email.to}: {reason}")
        self.outcomes.append(
            Outcome(self.event_id, email.kind, recipient, email.order.id, claim, entry, sent=error is None)
        )

    def prepare(self, email: Email, recipient: str, claim: Claim) -> None:
        """Render the claimed email (a failure is recorded like a failed send)."""
        notifier = self.notifier
        try:
            chosen = None
            shown = email
            if email.kind in CUSTOMER_KINDS:
                hook = notifier.orders.plugins.hook
                chosen = hook.kasify_email_locale(order=email.order)
                number = hook.kasify_customer_order_number(order=email.order)
                if number is not None and int(number) != email.order.number:  # the number the customer saw
                    shown = attrs.evolve(email, order=attrs.evolve(email.order, number=int(number)))
            locale = default_locale(notifier.settings, email, None if chosen is None else str(chosen))
            message = notifier.renderer.message(shown, locale=locale, message_id=claim.message_id)
        except Exception as error:  # noqa: BLE001 - recorded, raised together by send_all
            self._outcome(email, recipient, claim, error)
        else:
            self.ready.append((email, recipient, claim, message))
            self._queue.put((email, recipient, claim, message))

    def prepared(self) -> None:
        """Every email is prepared: :meth:`send` stops after the last."""
        self._queue.put(None)

    def send(self) -> None:
        """Send each prepared email as it comes, noting what became of it."""
        while (ready := self._queue.get()) is not None:
            email, recipient, claim, message = ready
            try:
                self.notifier.orders.hooks.send_email(message)
            except Exception as error:  # noqa: BLE001 - recorded, raised together by send_all
                self._outcome(email, recipient, claim, error)
            else:
                self._outcome(email, recipient, claim, None)

    def record(self) -> None:
        """Write every outcome to the ledger and the timelines, in one transaction."""
        self.notifier.ledger.record(self.outcomes)

    def in_background(self) -> None:
        """:meth:`send` in a thread; records the outcomes itself if the caller stopped waiting."""
        try:
            self.send()
        finally:
            with self._lock:
                self._finished = True
                abandoned = self._abandoned
            if abandoned:
                try:
                    self.record()
                except Exception:
                    log.exception("recording the emails of event %s failed", self.event_id)

    def let_go(self) -> bool:
        """Stop waiting: True when the emails are still being sent (the thread records them)."""
        with self._lock:
            self._abandoned = not self._finished
            return self._abandoned


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
def kasify_resend_notification(
    context: PluginContext, order_id: str, kind: str, actor: str | None
) -> Sequence[str] | None:
    """Resend through this plugin (``Orders.resend_notification``); see :func:`resend`."""
    return resend(context, order_id, kind, actor=actor)


def _kind(kind: object) -> EmailKind:
    try:
        return EmailKind(str(kind))
    except ValueError:
        kinds = ", ".join(EmailKind)
        raise ValidationError.single("kind", f"must be one of {kinds}, got {kind!r}") from None


def resend(
    orders: Orders | PluginContext, order_id: str, kind: EmailKind | str, *, actor: str | None = None
) -> Sequence[str]:
    """Send the *kind* email about the order again, now (the merchant asked); returns the recipients.

    It goes out even if the kind is turned off in ``Settings.disabled_emails``, and is recorded
    on the timeline as ``email_sent`` (``data["resend"]`` is true) by *actor*.

    :raises ValidationError: unknown *kind*, or nothing of that kind to send (field ``kind``).
    :raises OrderNotFound: no such order.
    :raises EmailsNotConfigured: *orders* cannot send mail.
    :raises EmailDeliveryFailed: the mail server refused or could not be reached (also on the timeline).
    """
    email_kind = _kind(kind)
    notifier = orders.plugins.get_plugin(PLUGIN_NAME)
    if not isinstance(notifier, Notifier):
        raise EmailsNotConfigured(
            "emails are off: set Settings.smtp_url, or register a kasify_send_email plugin"
            " and call kasify_orders.notifications.install(orders)"
        )
    order = orders.store.get_order(order_id)
    emails = notifier.emails_for(email_kind, order)
    if not emails:
        raise ValidationError.single(
            "kind", f"nobody to send {email_kind} to (Settings.new_order_alert_emails)"
        )
    return notifier.send_all(uuid.uuid4().hex, emails, actor=actor, resending=True)
