"""The default ``kasify_send_email``: SMTP from ``Settings.smtp_url``.

``smtp://user:pass@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://host:465`` speaks TLS from the start. Certificates are verified against the
system's trust store (``SSL_CERT_FILE`` points elsewhere). A password is never sent in the
clear: without TLS, logging in is refused unless the server is on this machine (loopback).
Connections time out (``Settings.smtp_timeout_seconds``), so a hung mail server fails the
attempt, which the outbox retries, instead of hanging a web request.

:class:`SmtpSender` builds its TLS context once (and only when TLS is used) and keeps a small
pool of open connections, each reused for ``Settings.smtp_connection_lifetime_seconds``
after it was opened. A reused connection the server has dropped (closed while idle, ``421``,
a broken pipe) is replaced by a new one and the message sent again on it, once. The
message's bytes are ``send_message``'s, made by :mod:`.wire` for less.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
import time
import weakref
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

import attrs

from kasify_orders.errors import ValidationError
from kasify_orders.hookspecs import hookimpl
from kasify_orders.network import is_loopback
from kasify_orders.notifications import wire

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = ["SMTP_CONNECTION_LIFETIME_SECONDS", "SMTP_TIMEOUT_SECONDS", "SmtpSender", "parse_url", "send"]

#: The default for ``Settings.smtp_timeout_seconds``.
SMTP_TIMEOUT_SECONDS = 15.0
#: The default for ``Settings.smtp_connection_lifetime_seconds``.
SMTP_CONNECTION_LIFETIME_SECONDS = 60.0
#: Open connections kept for reuse; more senders at once open more, closed after their message.
_POOL_SIZE = 4


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
    """Send *message* through the SMTP server at *url* over a connection of its own."""
    SmtpSender(url, timeout=timeout, connection_lifetime=0).send(message)


def _dropped(error: Exception) -> bool:
    """Whether *error* says the server closed a connection before taking the message (safe to resend)."""
    if isinstance(error, smtplib.SMTPServerDisconnected | BrokenPipeError | ConnectionResetError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code == 421 for code, _text in error.recipients.values())
    return False


@attrs.define
class _Connection:
    client: smtplib.SMTP
    opened_at: float
    #: The process that opened it: a forked worker never writes to its parent's socket.
    pid: int


class SmtpSender:
    """The SMTP sender bound to one ``Orders``' settings: one TLS context, a pool of connections."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = SMTP_TIMEOUT_SECONDS,
        connection_lifetime: float = SMTP_CONNECTION_LIFETIME_SECONDS,
    ) -> None:
        self.parts = parse_url(url)
        self.url = url
        self.timeout = timeout
        #: Seconds a connection is reused after it was opened; 0: a new connection per message.
        self.connection_lifetime = connection_lifetime
        self._context: ssl.SSLContext | None = None
        #: The name this machine greets the server with, looked up with the first connection.
        self._local_hostname: str | None = None
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        # Closes the idle connections' sockets when the sender goes (with its Orders) or at exit.
        # Only closes them: a finalizer runs in whichever thread collects the garbage (a host's
        # event loop, an in-process mail server's), where a QUIT waiting for its answer could
        # block that thread, and with it the server it waits for, until the timeout.
        weakref.finalize(self, _close_all, self._idle)

    @hookimpl(trylast=True)
    def kasify_send_email(self, message: EmailMessage) -> bool:
        """Send over SMTP."""
        self.send(message)
        return True

    @hookimpl(trylast=True)  # after the email plugin has finished the sends that use them
    def kasify_closing(self) -> None:
        """Say goodbye on the pooled connections: the ``Orders`` is closing."""
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Send *message*, over a pooled connection when one is open and young enough."""
        connection = self._take()
        if connection is not None:
            try:
                wire.send(connection.client, message)
            except Exception as error:
                _close(connection)
                if not _dropped(error):
                    raise
            else:
                self._give_back(connection)
                return
        connection = self._open()
        try:
            wire.send(connection.client, message)
        except BaseException:
            _close(connection)
            raise
        self._give_back(connection)

    def close(self) -> None:
        """Close the pooled connections (a later message opens a new one)."""
        with self._lock:
            idle = list(self._idle)
            self._idle.clear()
        _quit_all(idle)

    def tls_context(self) -> ssl.SSLContext:
        """The client TLS context, built on first use (loading the trust store is slow)."""
        with self._lock:
            if self._context is None:
                self._context = ssl.create_default_context()
            return self._context

    def _young(self, connection: _Connection) -> bool:
        return time.monotonic() - connection.opened_at < self.connection_lifetime

    def _take(self) -> _Connection | None:
        stale = []
        taken = None
        with self._lock:
            while self._idle:
                connection = self._idle.pop()
                if connection.pid == os.getpid() and self._young(connection):
                    taken = connection
                    break
                stale.append(connection)
        for connection in stale:
            _quit(connection)
        return taken

    def _give_back(self, connection: _Connection) -> None:
        with self._lock:
            if self._young(connection) and len(self._idle) < _POOL_SIZE:
                self._idle.append(connection)
                return
        _quit(connection)

    def _open(self) -> _Connection:
        parts = self.parts
        host = parts.hostname
        assert host is not None
        # smtplib looks up this machine's name (a DNS query) for each client it makes: once is enough.
        name = self._local_hostname
        client: smtplib.SMTP
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                host, parts.port or 465, name, timeout=self.timeout, context=self.tls_context()
            )
        else:
            client = smtplib.SMTP(host, parts.port or 25, name, timeout=self.timeout)
        self._local_hostname = client.local_hostname
        connection = _Connection(client, time.monotonic(), os.getpid())
        try:
            client.ehlo()
            encrypted = parts.scheme == "smtps"
            if not encrypted and client.has_extn("starttls"):
                client.starttls(context=self.tls_context())
                client.ehlo()
                encrypted = True
            if parts.username:
                if not encrypted and not is_loopback(host):
                    raise smtplib.SMTPNotSupportedError(
                        f"{host} offers no STARTTLS: refusing to send the SMTP password unencrypted"
                        " (use smtps:// or a server with STARTTLS)"
                    )
                client.login(unquote(parts.username), unquote(parts.password or ""))
        except BaseException:
            _quit(connection)
            raise
        return connection


def _quit(connection: _Connection) -> None:
    """Say goodbye and close; a connection already broken is just closed."""
    if connection.pid != os.getpid():
        return  # the parent's socket: leave it to the parent
    try:
        connection.client.quit()
    except (smtplib.SMTPException, OSError):
        connection.client.close()


def _quit_all(idle: list[_Connection]) -> None:
    while idle:
        _quit(idle.pop())


def _close_all(idle: list[_Connection]) -> None:
    while idle:
        _close(idle.pop())


def _close(connection: _Connection) -> None:
    if connection.pid == os.getpid():
        connection.client.close()


@hookimpl
def kasify_configure(orders: Orders) -> None:
    """Register the SMTP sender when the settings name a server."""
    settings = orders.settings
    if settings.smtp_url:
        orders.plugins.register(
            SmtpSender(
                settings.smtp_url,
                timeout=settings.smtp_timeout_seconds,
                connection_lifetime=settings.smtp_connection_lifetime_seconds,
            ),
            name="kasify_orders.smtp.sender",
        )
