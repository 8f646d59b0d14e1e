"""Sending a test email: one message through the shop's real mail path, and what became of it.

The Settings page uses it to show the merchant whether mail actually works: the message goes
through ``kasify_send_email`` exactly as order emails do (kasify's SMTP sender, or the host's
mail: Flask-Mailman, Django's email backend), from the effective settings' from and reply-to
addresses, and each recipient's outcome is returned: delivered (the server accepted it) or the
server's error. It is not an order email: nothing is written to the ledger or a timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

import attrs

from kasify_orders import editable_settings as editable
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.notifications.sending import describe

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = ["MailCheck", "send_test_email"]


@attrs.frozen
class MailCheck:
    """What became of a test email, recipient by recipient."""

    #: The addresses the mail server accepted it for.
    delivered: tuple[str, ...]
    #: ``(address, error)`` of each recipient it failed for (the server's or the transport's words).
    failed: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """Whether it went to every recipient."""
        return not self.failed


def _recipients(to: str | Sequence[str] | None, alerts: Sequence[str]) -> list[str]:
    if to is None or (isinstance(to, str) and not to.strip()):
        if not alerts:
            raise ValidationError.single(
                "to", "give an address to send the test email to (there are no new-order alert addresses)"
            )
        return list(alerts)
    given = editable.split_addresses(to) if isinstance(to, str) else list(to)
    try:
        return list(editable.validate_values({"new_order_alert_emails": given}, ())["new_order_alert_emails"])
    except ValidationError as error:
        raise ValidationError(FieldError("to", problem.message) for problem in error.errors) from None


def send_test_email(orders: Orders, to: str | Sequence[str] | None = None) -> MailCheck:
    """Send a test email to *to* (addresses, or a string of them), else to the alert addresses.

    :raises ValidationError: (field ``to``) a bad address, or nobody to send to.
    """
    settings = orders.merchant_settings.effective()
    recipients = _recipients(to, settings.new_order_alert_emails)
    delivered: list[str] = []
    failed: list[tuple[str, str]] = []
    domain = parseaddr(settings.from_email)[1].rpartition("@")[2] or "kasify.invalid"
    for address in recipients:
        message = EmailMessage()
        message["Subject"] = f"Test email from {settings.store_name}"
        message["From"] = settings.from_email
        if settings.reply_to:
            message["Reply-To"] = settings.reply_to
        message["To"] = address
        message["Date"] = format_datetime(orders.clock())
        message["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(
            f"This is a test email from {settings.store_name}.\n\n"
            "Order emails are sent the same way: if you read this, mail works.\n"
        )
        try:
            orders.hooks.send_email(message)
        except Exception as error:  # noqa: BLE001 - shown to the merchant, not raised
            failed.append((address, describe(error)))
        else:
            delivered.append(address)
    return MailCheck(tuple(delivered), tuple(failed))
