"""The merchant's own messages to a customer ("Email customer"), as a pure action.

:func:`email_customer` checks the subject and body (or fills them from a template, such as
``"delay"``), writes the ``customer_emailed`` timeline entry and raises
:class:`~kasify_orders.events.CustomerEmailed`, which the service queues in the outbox in
the same transaction: the email plugin sends it once the entry is committed, and a message
that fails its checks leaves neither an entry nor an outbox row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from kasify_orders.change import Change, next_change
from kasify_orders.events import CustomerEmailed
from kasify_orders.lifecycle import Action, require
from kasify_orders.model import Order, TimelineEvent
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import MAX_NOTE, Checker, unknown_name

__all__ = ["MAX_SUBJECT", "TEMPLATES", "Template", "email_customer", "filled"]

#: The longest subject accepted (one line).
MAX_SUBJECT = 200


@attrs.frozen
class Template:
    """A ready-made message: its subject and body, filled with the order's details."""

    #: What the merchant picks it by.
    name: str
    subject: Callable[[Order], str]
    body: Callable[[Order], str]


def _delay_body(order: Order) -> str:
    return (
        f"Hello {order.customer.name},\n\n"
        f"We are sorry: your order #{order.number} is taking longer than we expected to get ready. "
        "We are working on it, and we will email you again as soon as it is on its way.\n\n"
        "Thank you for your patience. If you have any question, simply reply to this email."
    )


#: The templates a merchant may start from, by name.
TEMPLATES: Mapping[str, Template] = {
    "delay": Template(
        name="delay",
        subject=lambda order: f"Your order #{order.number} is delayed",
        body=_delay_body,
    ),
}


def filled(template: str, order: Order) -> tuple[str, str]:
    """The subject and body of *template* for *order* (a known template's name)."""
    chosen = TEMPLATES[template]
    return chosen.subject(order), chosen.body(order)


def email_customer(
    order: Order,
    *,
    subject: str,
    body: str,
    template: str | None,
    message_key: str,
    at: datetime,
    actor: str | None,
) -> Change:
    """A message to the customer: on the timeline now, sent through the outbox after the commit.

    With a *template*, a blank subject or body is filled from it; without one both are required.

    :raises ValidationError: a field is blank, too long, holds control characters (a line
        break in the subject), or the template is unknown; every bad field is named.
    """
    require(Action.EMAIL_CUSTOMER, order.status, order.payment_status)
    checker = Checker()
    chosen = checker.text("template", template or "", required=False, max_length=40)
    defaults = ("", "")
    if chosen and chosen not in TEMPLATES:
        checker.fail("template", unknown_name("template", chosen, sorted(TEMPLATES)))
    elif chosen:
        defaults = filled(chosen, order)
    if isinstance(subject, str) and not subject.strip():
        subject = defaults[0]
    if isinstance(body, str) and not body.strip():
        body = defaults[1]
    subject = checker.text("subject", subject, max_length=MAX_SUBJECT)
    body = checker.text("body", body, max_length=MAX_NOTE, multiline=True).replace("\r\n", "\n")
    checker.done()
    entry = TimelineEvent(
        TimelineKind.CUSTOMER_EMAILED,
        at,
        actor,
        f"Message to the customer: {subject}",
        {
            "subject": subject,
            "body": body,
            "template": chosen or None,
            "message_key": message_key,
            "to": order.customer.email,
        },
    )
    return next_change(order, entry, (CustomerEmailed(subject, body, message_key),))
