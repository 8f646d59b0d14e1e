"""Sending an email again because the merchant asked (``Orders.resend_notification``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kasify_orders.errors import EmailsNotConfigured, ValidationError
from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.plugin import PLUGIN_NAME, Notifier

if TYPE_CHECKING:
    from kasify_orders.service import Orders
    from kasify_orders.service.compose import PluginContext

__all__ = ["resend"]


def _kind(kind: object) -> EmailKind:
    try:
        return EmailKind(str(kind))
    except ValueError:
        kinds = ", ".join(EmailKind)
        raise ValidationError.single("kind", f"must be one of {kinds}, got {kind!r}") from None


def resend(
    orders: Orders | PluginContext,
    order_id: str,
    kind: EmailKind | str,
    *,
    actor: str | None = None,
    message_key: str | None = None,
) -> Sequence[str]:
    """Send the *kind* email about the order again, now (the merchant asked); returns the recipients.

    *message_key*: for ``customer_message``, which of the merchant's messages (the
    ``data["message_key"]`` of its ``customer_emailed`` entry; None: the latest).

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
    notifier.refresh()
    emails = notifier.emails_for(email_kind, order, message_key=message_key)
    if not emails:
        raise ValidationError.single(
            "kind", "nobody to send %(kind)s to (Settings.new_order_alert_emails)", kind=email_kind.value
        )
    return notifier.send_all(uuid.uuid4().hex, emails, actor=actor, resending=True)
