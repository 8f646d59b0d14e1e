"""The default ``kasify_send_email``: SMTP from ``Settings.smtp_url``.

``smtp://user:pass@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://host:465`` speaks TLS from the start. Connections time out, so a hung mail
server fails the delivery (which the outbox retries) instead of hanging a web request.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from kasify_orders.hookspecs import hookimpl

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = ["SMTP_TIMEOUT_SECONDS", "send"]

SMTP_TIMEOUT_SECONDS = 15.0


def send(url: str, message: EmailMessage, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
    """Send *message* through the SMTP server at *url*."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"smtp_url must look like smtp://user:pass@host:port, got {url!r}")
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


class SmtpSender:
    """The SMTP sender bound to one ``Orders``' settings."""

    def __init__(self, url: str) -> None:
        self.url = url

    @hookimpl(trylast=True)
    def kasify_send_email(self, message: EmailMessage) -> bool:
        """Send over SMTP."""
        send(self.url, message)
        return True


@hookimpl
def kasify_configure(orders: Orders) -> None:
    """Register the SMTP sender when the settings name a server."""
    if orders.settings.smtp_url:
        orders.plugins.register(SmtpSender(orders.settings.smtp_url), name="kasify_orders.smtp.sender")
