"""The actions that talk to the customer: "Email customer", "Resend" and "Retry" on the timeline.

Declared like every other action (see :mod:`kasify_orders.registry.spec`), so each gets its API
route, OpenAPI operation, CLI command, Django permission and page form. "Resend" and "Retry"
are buttons beside timeline entries (``placement="entry"``): :func:`resend_values` and
:func:`retry_values` say beside which entries, from the timeline alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kasify_orders import i18n
from kasify_orders.customer_messages import MAX_SUBJECT, TEMPLATES
from kasify_orders.lifecycle import Action
from kasify_orders.model import Order, TimelineEvent
from kasify_orders.registry.spec import ActionSpec, Context, Field, Inputs, Widget
from kasify_orders.timeline import TimelineKind
from kasify_orders.validation import MAX_NOTE

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = [
    "EMAIL_CUSTOMER",
    "RESEND_NOTIFICATION",
    "RETRY_EMAIL",
    "email_key",
    "entries_after",
    "failure_is_open",
    "resend_values",
    "retry_values",
]


def email_key(entry: TimelineEvent) -> tuple[str, str, str]:
    """Which email an ``email_sent``/``email_failed`` entry is about: (event, kind, recipient)."""
    data = entry.data
    return str(data.get("event_id", "")), str(data.get("kind", "")), str(data.get("to", ""))


def entries_after(order: Order, entry: TimelineEvent) -> tuple[TimelineEvent, ...]:
    """The order's timeline entries after *entry* (none when it is not on the timeline)."""
    timeline = order.timeline
    at = next((i for i, e in enumerate(timeline) if e is entry), None)
    if at is None:
        at = timeline.index(entry) if entry in timeline else len(timeline)
    return timeline[at + 1 :]


def failure_is_open(order: Order, entry: TimelineEvent) -> bool:
    """Whether *entry* is an email's latest failure, with no copy of that email sent since."""
    if entry.kind != TimelineKind.EMAIL_FAILED or "kind" not in entry.data:
        return False
    key = email_key(entry)
    later = entries_after(order, entry)
    return not any(
        e.kind in {TimelineKind.EMAIL_SENT, TimelineKind.EMAIL_FAILED} and email_key(e) == key for e in later
    )


def resend_values(order: Order, entry: TimelineEvent) -> dict[str, str] | None:
    """The "Resend" button beside each sent email (and beside a failed resend: it has no outbox event)."""
    sent = entry.kind == TimelineKind.EMAIL_SENT and "kind" in entry.data
    failed_resend = bool(entry.data.get("resend")) and failure_is_open(order, entry)
    if not (sent or failed_resend):
        return None
    return {"kind": str(entry.data["kind"]), "message_key": str(entry.data.get("message_key", ""))}


def retry_values(order: Order, entry: TimelineEvent) -> dict[str, str] | None:
    """The "Retry" button beside an email's open failure that the outbox holds (not a resend's)."""
    if entry.data.get("resend") or not failure_is_open(order, entry):
        return None
    return {"event_id": email_key(entry)[0]}


_EMAILS_OFF = "The shop sends no mail (no smtp_url, no mail plugin): nothing was recorded."
_REFUSED = "The mail server did not take the email; the failure is on the timeline."


def _email_customer(orders: Orders, order: Order, inputs: Inputs, context: Context) -> Order:
    written = orders.email_customer(
        order.id,
        subject=inputs.get("subject", ""),
        body=inputs.get("body", ""),
        template=inputs.get("template") or None,
        actor=context.actor,
    )
    return orders.get(written.id)  # with what became of the email when it went out inline


def _written_notice(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    """What the merchant reads: sent, failed (see the timeline), or on its way (a worker sends it)."""
    written = [e for e in after.timeline if e.kind == TimelineKind.CUSTOMER_EMAILED]
    key = written[-1].data.get("message_key") if written else None
    emails = {TimelineKind.EMAIL_SENT, TimelineKind.EMAIL_FAILED}
    outcome = [e.kind for e in after.timeline if e.kind in emails and e.data.get("message_key") == key]
    to = {"to": after.customer.email}
    if outcome and outcome[-1] == TimelineKind.EMAIL_SENT:
        return i18n.gettext("Email to %(to)s sent: it is on the timeline.") % to
    if outcome:
        return (
            i18n.gettext(
                "Your message to %(to)s is on the timeline, but the email could not be sent yet: "
                "the timeline says why, and Retry sends it."
            )
            % to
        )
    return i18n.gettext("Your message to %(to)s is on the timeline and on its way.") % to


_TEMPLATE_HINT = "Optional: “delay” writes a polite message about a delay into a blank subject and body."

EMAIL_CUSTOMER = ActionSpec(
    action=Action.EMAIL_CUSTOMER,
    label="Email customer",
    summary="Write to the customer: recorded on the timeline, emailed through the outbox",
    description=(
        "The message is on the timeline at once and emailed once, after the commit. With the "
        "template 'delay', a blank subject or body is filled with a polite delay message. "
        "Refused (503) when the shop cannot send emails."
    ),
    may="email the customer of an order",
    timeline_kind=TimelineKind.CUSTOMER_EMAILED,
    fields=(
        Field(
            name="subject",
            type=str,
            label="Subject",
            default="",
            max_length=MAX_SUBJECT,
            hint="One line; required unless a template fills it.",
        ),
        Field(
            name="body",
            type=str,
            label="Message",
            default="",
            max_length=MAX_NOTE,
            widget=Widget.TEXTAREA,
            hint="Plain text; the customer reads it as written.",
        ),
        Field(
            name="template",
            type=str,
            label="Template",
            default="",
            max_length=40,
            hint=_TEMPLATE_HINT,
            suggestions=lambda: sorted(TEMPLATES),
        ),
    ),
    confirm="Send email",
    api_path="emails",
    responses={503: _EMAILS_OFF},
    api_status=201,
    operation_id="emailCustomer",
    versioned=False,
    run=_email_customer,
    notice=_written_notice,
)


def _resent(orders: Orders, order: Order, inputs: Inputs, context: Context) -> Order:
    key = str(inputs.get("message_key") or "") or None
    orders.resend_notification(order.id, str(inputs["kind"]), actor=context.actor, message_key=key)
    return orders.get(order.id)


RESEND_NOTIFICATION = ActionSpec(
    action=Action.RESEND_NOTIFICATION,
    label="Resend",
    summary="Send one of the order's emails again, now (the order confirmation, a message, ...)",
    description="The copy goes out even if that kind of email is turned off, and is on the timeline.",
    may="resend the emails of an order",
    timeline_kind=TimelineKind.EMAIL_SENT,
    fields=(
        Field(
            name="kind",
            type=str,
            label="Email",
            required=True,
            max_length=40,
            widget=Widget.HIDDEN,
            hint="order_confirmation, shipping_notification, customer_message, ...",
        ),
        Field(
            name="message_key",
            type=str,
            label="Message",
            default="",
            max_length=32,
            widget=Widget.HIDDEN,
            hint="For customer_message: which message (its entry's message_key); else the latest.",
        ),
    ),
    confirm="Resend",
    api_path="emails/resend",
    responses={502: _REFUSED, 503: _EMAILS_OFF},
    cli_name="resend",
    versioned=False,
    placement="entry",
    for_entry=resend_values,
    run=_resent,
    notice=lambda before, after, inputs, context: i18n.gettext("Sent again: the copy is on the timeline."),
)


RETRY_EMAIL = ActionSpec(
    action=Action.RETRY_EMAIL,
    label="Retry",
    summary="Try a failed email again now (its outbox event, dead or waiting to retry)",
    description="Only the recipients still without it get it; the outcome is on the timeline.",
    may="retry the failed emails of an order",
    timeline_kind=TimelineKind.EMAIL_RETRIED,
    fields=(
        Field(
            name="event_id",
            type=str,
            label="Event",
            required=True,
            max_length=32,
            widget=Widget.HIDDEN,
            hint="The outbox event of the failed email (its email_failed entry's event_id).",
        ),
    ),
    confirm="Retry",
    api_path="emails/retry",
    responses={503: _EMAILS_OFF},
    cli_name="retry-email",
    versioned=False,
    placement="entry",
    for_entry=retry_values,
    run=lambda orders, order, inputs, context: orders.retry_email(
        order.id, inputs["event_id"], actor=context.actor
    ),
    notice=lambda before, after, inputs, context: i18n.gettext(
        "Trying the email again: the timeline shows whether it went out."
    ),
)
