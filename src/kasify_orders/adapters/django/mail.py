"""kasify's emails through ``django.core.mail``: the host's email backend sends them.

Whatever the host configured (SMTP, the console, django-anymail's ESPs, or Django 6.1's
``MAILERS``) sends kasify's emails too: the message is sent without naming a connection, so
Django picks its default. kasify's own headers (``Message-ID``, ``Date``, ``Auto-Submitted``)
are kept, so a retried email carries the same ``Message-ID`` as the first attempt.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage

from django.core.mail import EmailMultiAlternatives

from kasify_orders.hookspecs import hookimpl

__all__ = ["DjangoMail", "to_django"]

#: Headers Django writes itself from the message's fields.
_OWN_HEADERS = frozenset(
    (
        "subject",
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "content-type",
        "mime-version",
        "content-transfer-encoding",
    )
)


def _addresses(message: EmailMessage, header: str) -> list[str]:
    values = [str(value) for value in message.get_all(header, [])]
    return [email.utils.formataddr(pair) for pair in email.utils.getaddresses(values)]


def to_django(message: EmailMessage) -> EmailMultiAlternatives:
    """The same email as a Django message: text body, HTML alternative, kasify's headers."""
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    text = text_part.get_content() if isinstance(text_part, EmailMessage) else ""
    mail = EmailMultiAlternatives(
        subject=str(message.get("Subject", "")),
        body=text,
        from_email=str(message.get("From", "")) or None,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        bcc=_addresses(message, "Bcc"),
        reply_to=_addresses(message, "Reply-To"),
        headers={key: str(value) for key, value in message.items() if key.lower() not in _OWN_HEADERS},
    )
    if isinstance(html_part, EmailMessage):
        mail.attach_alternative(html_part.get_content(), "text/html")
    return mail


class DjangoMail:
    """``kasify_send_email`` through ``django.core.mail`` (registered on :func:`get_orders`' ``Orders``)."""

    @hookimpl
    def kasify_send_email(self, message: EmailMessage) -> bool:
        """Send *message* with the host's default email backend; a failure raises (the outbox retries)."""
        to_django(message).send()
        return True
