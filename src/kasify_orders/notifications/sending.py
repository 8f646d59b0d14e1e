"""Sending one event's claimed emails: rendered in turn, sent side by side, recorded together.

Within an inline budget the caller renders each email and hands it to a pool thread at once;
without one it sends the first itself while pool threads render and send the others. Either
way the next one renders while the first is on the wire, and the emails of an event (the
confirmation and each merchant alert) travel at the same time, each over an SMTP connection
of its own (the sender keeps a few open, reused across events). Their outcomes are written
to the ledger in one transaction once the last one is done, by the caller, or, when the
caller's inline budget ran out, by the thread that finished last.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from email.message import EmailMessage
from typing import TYPE_CHECKING

import attrs

from kasify_orders.i18n import N_
from kasify_orders.model import TimelineEvent
from kasify_orders.notifications import unclaimed
from kasify_orders.notifications.kinds import CUSTOMER_KINDS, EmailKind
from kasify_orders.notifications.ledger import Claim, Outcome
from kasify_orders.notifications.render import Email, default_locale

if TYPE_CHECKING:
    from kasify_orders.notifications.plugin import Notifier

__all__ = ["LABELS", "Rendered", "Sending", "describe"]

log = logging.getLogger(__name__)

#: An email rendered with a ``Message-ID``: the message, or why rendering failed.
Rendered = tuple[str, EmailMessage | Exception]

#: How each kind is named on the order's timeline.
LABELS = {
    EmailKind.ORDER_CONFIRMATION: N_("Order confirmation"),
    EmailKind.SHIPPING_NOTIFICATION: N_("Shipping notification"),
    EmailKind.TRACKING_CORRECTED: N_("Tracking correction"),
    EmailKind.REFUND_CONFIRMATION: N_("Refund confirmation"),
    EmailKind.ORDER_CANCELLED: N_("Cancellation notice"),
    EmailKind.ORDER_UPDATED: N_("Order update"),
    EmailKind.RETURN_RECEIVED: N_("Return received"),
    EmailKind.NEW_ORDER_ALERT: N_("New-order alert"),
    EmailKind.CUSTOMER_MESSAGE: N_("Message to the customer"),
}


def describe(error: BaseException) -> str:
    """The error's type and message, for the timeline and the outbox."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else repr(error)


class Sending:
    """One event's claimed emails, on their way; :meth:`record` writes what became of them."""

    def __init__(self, notifier: Notifier, event_id: str, actor: str | None, resending: bool) -> None:
        self.notifier = notifier
        self.event_id = event_id
        self.actor = actor
        self.resending = resending
        #: Each email's outcome, in the order the emails were given (None: not done yet).
        self._outcomes: list[tuple[Outcome, str | None, str] | None] = []
        #: Errors found before sending (another worker holds an email).
        self.early_errors: list[str] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._abandoned = False
        #: Claimed by the outbox event's lease alone (:meth:`Ledger.unclaimed`): no row yet.
        self.unclaimed = False

    # -- what became of the emails -------------------------------------------------------

    @property
    def outcomes(self) -> list[Outcome]:
        """The outcomes so far, in order."""
        return [done[0] for done in self._outcomes if done is not None]

    @property
    def errors(self) -> list[str]:
        """Why each email that failed failed (``"<kind> to <address>: <error>"``)."""
        failed = [done[1] for done in self._outcomes if done is not None and done[1] is not None]
        return [*self.early_errors, *failed]

    @property
    def sent(self) -> list[str]:
        """The addresses sent to, in order."""
        return [done[2] for done in self._outcomes if done is not None and done[0].sent]

    def _outcome(
        self, slot: int, email: Email, recipient: str, claim: Claim, error: Exception | None
    ) -> None:
        notifier = self.notifier
        label = LABELS[email.kind]
        data = {
            "kind": email.kind.value,
            "to": recipient,
            "event_id": self.event_id,
            "message_id": claim.message_id,
        }
        if email.message is not None:  # which of the merchant's messages (to resend it)
            data["message_key"] = email.message.key
        failure = None
        if error is None:
            verb = "resent" if self.resending else "emailed"
            entry = TimelineEvent(
                "email_sent",
                notifier.clock(),
                self.actor,
                f"{label} {verb} to {recipient}",
                {**data, "resend": self.resending},
            )
        else:
            reason = describe(error)
            entry = TimelineEvent(
                "email_failed",
                notifier.clock(),
                self.actor,
                f"{label} email to {recipient} failed (attempt {claim.attempt}): {reason}",
                {**data, "error": reason, "attempt": claim.attempt},
            )
            failure = f"{email.kind} to {email.to}: {reason}"
        outcome = Outcome(
            self.event_id, email.kind, recipient, email.order.id, claim, entry, sent=error is None
        )
        self._outcomes[slot] = (outcome, failure, email.to)

    # -- rendering and sending -----------------------------------------------------------

    def render(self, email: Email, message_id: str) -> Rendered:
        """*email* rendered with *message_id*; an error is kept, to record once it is claimed."""
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
            return message_id, notifier.renderer.message(shown, locale=locale, message_id=message_id)
        except Exception as error:  # noqa: BLE001 - recorded, raised together by send_all
            return message_id, error

    def hand_over(
        self,
        claimed: Sequence[tuple[Email, str, Claim, Rendered | None]],
        start: Callable[[Callable[[], None]], Future[None]],
        *,
        threaded: bool,
    ) -> list[Future[None]]:
        """Send the *claimed* emails; the pool threads' (*start*) sends, to wait for.

        *threaded*: each is sent by a pool thread once rendered here, and the caller does
        not block on the server. Else the caller sends the first itself, while pool threads
        render and send the others: each thread's rendering fills another's wait for the
        server (a thread sending beside the caller's rendering would wait for the
        interpreter's lock until that is done).
        """
        futures = []
        try:
            own = None
            for index, (email, recipient, claim, ready) in enumerate(claimed):
                if not threaded and index:  # only the first may have been rendered already
                    futures.append(start(self.render_and_send(email, recipient, claim)))
                    continue
                send = self.prepare(email, recipient, claim, ready)
                if send is not None and threaded:
                    futures.append(start(send))
                elif send is not None:
                    own = send
            if own is not None:
                own()
        except BaseException:
            self.let_go()  # interrupted: the emails on their way still get recorded
            raise
        return futures

    def prepare(
        self, email: Email, recipient: str, claim: Claim, rendered: Rendered | None = None
    ) -> Callable[[], None] | None:
        """What sends the claimed email (None: rendering failed, recorded so).

        *rendered* is used when it carries the claim's ``Message-ID``; else it is rendered now.
        """
        slot = self._reserve()
        if rendered is None or rendered[0] != claim.message_id:
            rendered = self.render(email, claim.message_id)
        message = rendered[1]
        if isinstance(message, Exception):
            self._outcome(slot, email, recipient, claim, message)
            self._done()
            return None
        return lambda: self._send(slot, email, recipient, claim, message)

    def render_and_send(self, email: Email, recipient: str, claim: Claim) -> Callable[[], None]:
        """What renders the claimed email, then sends it: for a pool thread, while the caller sends another.

        Its outcome's place is taken now, in the caller's thread, so the outcomes keep the
        emails' order and a caller that stops waiting leaves it to be recorded.
        """
        slot = self._reserve()

        def render_and_send() -> None:
            message = self.render(email, claim.message_id)[1]
            if isinstance(message, Exception):
                self._outcome(slot, email, recipient, claim, message)
                self._done()
            else:
                self._send(slot, email, recipient, claim, message)

        return render_and_send

    def _reserve(self) -> int:
        """A place for one more email's outcome, that email counted as on its way."""
        with self._lock:
            self._outcomes.append(None)
            self._in_flight += 1
            return len(self._outcomes) - 1

    def _send(self, slot: int, email: Email, recipient: str, claim: Claim, message: EmailMessage) -> None:
        try:
            self.notifier.orders.hooks.send_email(message)
        except Exception as error:  # noqa: BLE001 - recorded, raised together by send_all
            self._outcome(slot, email, recipient, claim, error)
        else:
            self._outcome(slot, email, recipient, claim, None)
        finally:
            self._done()

    def _done(self) -> None:
        """One email less on its way; the last, once the caller stopped waiting, records them all."""
        with self._lock:
            self._in_flight -= 1
            last = self._in_flight == 0 and self._abandoned
        if last:  # the caller stopped waiting: this thread records the event's emails
            try:
                self.record(durable=True)  # the outbox has committed already
            except Exception:
                log.exception("recording the emails of event %s failed", self.event_id)

    def record(self, *, durable: bool) -> None:
        """Write every outcome to the ledger and the timelines, in one transaction.

        *durable* False: the outbox commits after this (see :mod:`.ledger`).
        """
        ledger = self.notifier.ledger
        if self.unclaimed:
            outcomes = self.outcomes
            ledger.data.atomic(lambda tx: unclaimed.record(ledger, tx, outcomes))
        else:
            ledger.record(self.outcomes, durable=durable)

    def let_go(self) -> bool:
        """Stop waiting: True when emails are still being sent (the last to finish records them)."""
        with self._lock:
            self._abandoned = self._in_flight > 0
            return self._abandoned
