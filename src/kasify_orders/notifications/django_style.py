"""Turning kasify's :class:`~email.message.EmailMessage` into a Django-style mail object.

Django's ``django.core.mail`` and Flask-Mailman share one API
(``EmailMultiAlternatives(subject, body, from_email, to, cc, bcc, reply_to, headers)``), so
both adapters build their message here. kasify's own headers (``Message-ID``, ``Date``,
``Auto-Submitted``) are carried over, so a retried email keeps its ``Message-ID``.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from typing import Any

__all__ = ["as_django_style"]

#: Headers the mail library writes itself from the message's fields.
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


def as_django_style(message: EmailMessage, multi_alternatives: type[Any]) -> Any:
    """*message* as an ``EmailMultiAlternatives`` of *multi_alternatives*' library.

    The plain-text part becomes the body, the HTML part an alternative.
    """
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    mail = multi_alternatives(
        subject=str(message.get("Subject", "")),
        body=text_part.get_content() if isinstance(text_part, EmailMessage) else "",
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
