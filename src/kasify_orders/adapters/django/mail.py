"""kasify's emails through ``django.core.mail``: the host's email backend sends them.

Whatever the host configured (SMTP, the console, django-anymail's ESPs, or Django 6.1's
``MAILERS``) sends kasify's emails too: the message is sent without naming a connection, so
Django picks its default. kasify's own headers (``Message-ID``, ``Date``, ``Auto-Submitted``)
are kept, so a retried email carries the same ``Message-ID`` as the first attempt.
"""

from __future__ import annotations

from email.message import EmailMessage

from django.core.mail import EmailMultiAlternatives

from kasify_orders.hookspecs import hookimpl
from kasify_orders.notifications.django_style import as_django_style

__all__ = ["DjangoMail", "to_django"]


def to_django(message: EmailMessage) -> EmailMultiAlternatives:
    """The same email as a Django message: text body, HTML alternative, kasify's headers."""
    mail: EmailMultiAlternatives = as_django_style(message, EmailMultiAlternatives)
    return mail


class DjangoMail:
    """``kasify_send_email`` through ``django.core.mail`` (registered on :func:`get_orders`' ``Orders``)."""

    @hookimpl
    def kasify_send_email(self, message: EmailMessage) -> bool:
        """Send *message* with the host's default email backend; a failure raises (the outbox retries)."""
        to_django(message).send()
        return True
