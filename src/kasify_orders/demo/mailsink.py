"""A local SMTP server that keeps every email it is sent, so the demo can show them in the browser."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["MailSink"]


class _Keep:
    """aiosmtpd handler: parse and keep each message."""

    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on 127.0.0.1 in a background thread; ``url`` is what ``Settings.smtp_url`` takes."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        # A name of its own to greet with: else aiosmtpd looks up this machine's (maybe DNS) per connection.
        self._controller = Controller(
            _Keep(self), hostname="127.0.0.1", port=self.port, server_hostname="mailsink.localhost"
        )

    @property
    def url(self) -> str:
        """``smtp://127.0.0.1:<port>``."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailSink:
        """Start listening; returns itself."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def snapshot(self) -> list[EmailMessage]:
        """The messages received so far, oldest first."""
        with self.lock:
            return list(self.messages)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
