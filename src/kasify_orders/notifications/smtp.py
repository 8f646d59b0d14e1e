"""The default ``kasify_send_email``: SMTP from ``Settings.smtp_url``.

``smtp://user:pass@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://host:465`` speaks TLS from the start. Certificates are verified against the
system's trust store (``SSL_CERT_FILE`` points elsewhere). A password is never sent in the
clear: without TLS, logging in is refused unless the server is on this machine (loopback).
Connections time out (``Settings.smtp_timeout_seconds``), so a hung mail server fails the
attempt, which the outbox retries, instead of hanging a web request.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

from kasify_orders.errors import ValidationError
from kasify_orders.hookspecs import hookimpl
from kasify_orders.network import is_loopback

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = ["SMTP_TIMEOUT_SECONDS", "SmtpSender", "parse_url", "send"]

#: The default for ``Settings.smtp_timeout_seconds``.
SMTP_TIMEOUT_SECONDS = 15.0


def parse_url(url: str) -> SplitResult:
    """Check an SMTP URL; raises :class:`~kasify_orders.ValidationError` naming ``settings.smtp_url``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as error:
        raise ValidationError.single("settings.smtp_url", f"is not a valid URL ({error})") from None
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        shown = parts._replace(netloc=parts.hostname or "").geturl()  # never echo a password
        raise ValidationError.single(
            "settings.smtp_url", f"must look like smtp://user:pass@host:port or smtps://..., got {shown!r}"
        )
    return parts


def send(url: str, message: EmailMessage, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
    """Send *message* through the SMTP server at *url* (one connection per message)."""
    parts = parse_url(url)
    host = parts.hostname
    assert host is not None
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        client.ehlo()
        encrypted = parts.scheme == "smtps"
        if not encrypted and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
            encrypted = True
        if parts.username:
            if not encrypted and not is_loopback(host):
                raise smtplib.SMTPNotSupportedError(
                    f"{host} offers no STARTTLS: refusing to send the SMTP password unencrypted"
                    " (use smtps:// or a server with STARTTLS)"
                )
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


class SmtpSender:
    """The SMTP sender bound to one ``Orders``' settings."""

    def __init__(self, url: str, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        parse_url(url)
        self.url = url
        self.timeout = timeout

    @hookimpl(trylast=True)
    def kasify_send_email(self, message: EmailMessage) -> bool:
        """Send over SMTP."""
        send(self.url, message, timeout=self.timeout)
        return True


@hookimpl
def kasify_configure(orders: Orders) -> None:
    """Register the SMTP sender when the settings name a server."""
    settings = orders.settings
    if settings.smtp_url:
        orders.plugins.register(
            SmtpSender(settings.smtp_url, timeout=settings.smtp_timeout_seconds),
            name="kasify_orders.smtp.sender",
        )
