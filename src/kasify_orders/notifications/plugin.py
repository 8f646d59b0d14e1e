"""The email plugin: customer emails and merchant alerts on the event hooks, each sent once.

Registered by :func:`install` when ``Orders`` can send mail (``Settings.smtp_url`` is set, or
a ``kasify_send_email`` plugin is registered when the ``Orders`` is built). The event hooks
run through the outbox after the change commits, so an action that fails or rolls back
sends nothing, and a mail server that is down only delays the email: the hook raises, the
outbox retries it with backoff, and the sent-markers (:mod:`.ledger`) skip every recipient
that already has it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from email.utils import parseaddr
from typing import TYPE_CHECKING

import attrs

from kasify_orders.errors import KasifyError, ValidationError
from kasify_orders.hookspecs import hookimpl
from kasify_orders.lifecycle import RefundStatus, Status
from kasify_orders.model import Order, Refund, Shipment, TimelineEvent
from kasify_orders.notifications.kinds import CUSTOMER_KINDS, EmailKind
from kasify_orders.notifications.ledger import Ledger
from kasify_orders.notifications.render import Email, Renderer, default_locale, message_id

if TYPE_CHECKING:
    import pluggy

    from kasify_orders.service import Orders
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


class EmailsNotConfigured(KasifyError, RuntimeError):
    """No way to send mail: set ``Settings.smtp_url`` or register a ``kasify_send_email`` plugin."""


class EmailDeliveryFailed(KasifyError):
    """One or more emails could not be sent; the message says to whom and why."""


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
            orders.store, lease_seconds=orders.settings.delivery_lease_seconds, clock=orders.clock
        )

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

        Every email is tried even if one fails; then :class:`EmailDeliveryFailed` says which
        failed, so the outbox retries the event (and skips the ones that went out).
        """
        sent: list[str] = []
        errors: list[str] = []
        for email in emails:
            if email.kind in self.settings.disabled_emails and not resending:
                continue
            try:
                if self.send(event_id, email, actor=actor, resending=resending):
                    sent.append(email.to)
            except Exception as error:  # noqa: BLE001 - each recorded; raised together below
                errors.append(f"{email.kind} to {email.to}: {_describe(error)}")
        if errors:
            raise EmailDeliveryFailed("; ".join(errors))
        return sent

    def send(self, event_id: str, email: Email, *, actor: str | None = None, resending: bool = False) -> bool:
        """Send one email unless it was sent for *event_id* already; True when sent now.

        :raises EmailInFlight: another worker is sending it.
        """
        order = email.order
        recipient = parseaddr(email.to)[1].lower()
        mid = message_id(event_id, email.kind, recipient, self.settings.from_email)
        claim = self.ledger.claim(event_id, email.kind, recipient, order_id=order.id, message_id=mid)
        if claim is None:
            return False
        mid = claim.message_id
        label = _LABELS[email.kind]
        data = {"kind": email.kind.value, "to": recipient, "event_id": event_id, "message_id": mid}
        try:
            chosen = None
            if email.kind in CUSTOMER_KINDS:
                chosen = self.orders.plugins.hook.kasify_email_locale(order=order)
                shown = self.orders.plugins.hook.kasify_customer_order_number(order=order)
                if shown is not None and int(shown) != order.number:  # the number the customer saw
                    email = attrs.evolve(email, order=attrs.evolve(order, number=int(shown)))
            locale = default_locale(self.settings, email, None if chosen is None else str(chosen))
            message = self.renderer.message(email, locale=locale, message_id=mid)
            self.orders.hooks.send_email(message)
        except Exception as error:
            reason = _describe(error)
            entry = TimelineEvent(
                "email_failed",
                self.clock(),
                actor,
                f"{label} email to {recipient} failed (attempt {claim.attempt}): {reason}",
                {**data, "error": reason, "attempt": claim.attempt},
            )
            self.ledger.failed(event_id, email.kind, recipient, claim=claim, entry=entry, order_id=order.id)
            raise
        verb = "resent" if resending else "emailed"
        entry = TimelineEvent(
            "email_sent", self.clock(), actor, f"{label} {verb} to {recipient}", {**data, "resend": resending}
        )
        self.ledger.sent(event_id, email.kind, recipient, entry=entry, order_id=order.id)
        return True


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


def _kind(kind: object) -> EmailKind:
    try:
        return EmailKind(str(kind))
    except ValueError:
        kinds = ", ".join(EmailKind)
        raise ValidationError.single("kind", f"must be one of {kinds}, got {kind!r}") from None


def resend(
    orders: Orders, order_id: str, kind: EmailKind | str, *, actor: str | None = None
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
    order = orders.get(order_id)
    emails = notifier.emails_for(email_kind, order)
    if not emails:
        raise ValidationError.single(
            "kind", f"nobody to send {email_kind} to (Settings.new_order_alert_emails)"
        )
    return notifier.send_all(uuid.uuid4().hex, emails, actor=actor, resending=True)
