"""Emails: customer notifications and merchant alerts, each sent once, and the SMTP transport.

- :mod:`.plugin` sends them from the event hooks, through the outbox;
- :mod:`.render` renders the jinja2 templates (``templates/``) into messages;
- :mod:`.ledger` keeps the sent-markers that stop a retry sending twice;
- :mod:`.smtp` is the default ``kasify_send_email``;
- :mod:`.readiness` says when emails cannot be sent (no transport, no from address).

See ``docs/notifications.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kasify_orders.notifications.kinds import EmailKind
from kasify_orders.notifications.ledger import EmailInFlight, SentEmail
from kasify_orders.notifications.plugin import (
    EmailDeliveryFailed,
    EmailsNotConfigured,
    Notifier,
    install,
)
from kasify_orders.notifications.readiness import EmailProblem, email_problems, email_problems_of
from kasify_orders.notifications.render import Email, Renderer
from kasify_orders.notifications.resending import resend

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = [
    "Email",
    "EmailDeliveryFailed",
    "EmailInFlight",
    "EmailKind",
    "EmailProblem",
    "EmailsNotConfigured",
    "Notifier",
    "Renderer",
    "SentEmail",
    "email_problems",
    "email_problems_of",
    "install",
    "resend",
    "sent_emails",
]


def sent_emails(orders: Orders, order_id: str) -> list[SentEmail]:
    """Every email recorded for an order (sent, failed or being sent), oldest first."""
    from kasify_orders.notifications.ledger import Ledger  # noqa: PLC0415

    return Ledger(orders.store, lease_seconds=orders.settings.dispatch_lease_seconds).for_order(order_id)
