"""A real SMTP server on loopback (aiosmtpd) and ``Orders`` wired to it, on every database."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

import kasify_orders as ko
from kasify_orders.model import utcnow
from tests.conftest import wipe
from tests.helpers import Clock

ALERT = "boss@shop.example"
#: The name the test server greets with.
SERVER_NAME = "mail.kasify.test"


def free_port() -> int:
    """A TCP port nobody listens on (for a server started later, or never)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@attrs.define
class Received:
    """One message as the server received it."""

    rcpt_tos: list[str]
    message: EmailMessage
    #: Whether the client had logged in.
    authenticated: bool = False
    #: The client's (host, port): messages over one connection share it.
    peer: object = None

    @property
    def to(self) -> str:
        (to,) = self.rcpt_tos
        return to

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


class Inbox:
    """The aiosmtpd handler: keeps what it receives; refuses listed recipients once each.

    ``busy_once``: answer the next MAIL with ``421`` (the server is closing the connection).
    ``hold``: while set, a message's final answer waits until the test calls ``hold.set()``
    (``holding`` says one is held).
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_once: set[str] = set()
        self.busy_once = False
        self.hold: threading.Event | None = None
        #: Set once a message is held (the server has it and keeps its answer back).
        self.holding = threading.Event()
        self.lock = threading.Lock()
        #: QUIT commands received (a client saying goodbye before it closes).
        self.quits = 0

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            if self.busy_once:
                self.busy_once = False
                return "421 4.3.2 service shutting down, closing channel"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            if address in self.refuse_once:
                self.refuse_once.discard(address)
                return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        hold = self.hold
        if hold is not None:  # a slow server: the answer waits for the test (the loop runs on)
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, hold.wait, 60)
        with self.lock:
            self.received.append(
                Received(list(envelope.rcpt_tos), message, bool(session.authenticated), session.peer)
            )
        return "250 Message accepted"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.quits += 1
        return "221 Bye"

    def to(self, address: str) -> list[Received]:
        """What *address* received."""
        return [r for r in self.received if address in r.rcpt_tos]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that a test can stop and start again on the same port."""

    def __init__(self, **options: Any) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.options = options
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        scheme = "smtps" if "ssl_context" in self.options else "smtp"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A name of its own: without one aiosmtpd looks up this machine's (socket.getfqdn, maybe a
        # DNS query) on its event loop for every connection, and a slow resolver stalls them all.
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, server_hostname=SERVER_NAME, **self.options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server with an empty inbox."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A server not started yet: its URL refuses connections until ``start()``."""
    server = SmtpServer()
    yield server
    server.stop()


def shop_settings(url: str, **overrides: Any) -> ko.Settings:
    """The settings of a realistic shop sending through *url*."""
    options: dict[str, Any] = {
        "smtp_url": url,
        "store_name": "Analytical Engines",
        "from_email": "Analytical Engines <orders@engines.example>",
        "reply_to": "help@engines.example",
        "new_order_alert_emails": [ALERT],
        "admin_base_url": "https://engines.example/admin/orders",
        "smtp_timeout_seconds": 5.0,
        **overrides,
    }
    return ko.Settings(**options)


Connect = Callable[..., ko.Orders]


@pytest.fixture
def connect(database_url: str) -> Iterator[Connect]:
    """``connect(settings, plugins=[...], clock=...)``: an ``Orders`` on this test's database, wiped after."""
    opened: list[ko.Orders] = []

    def _connect(
        settings: ko.Settings, plugins: list[object] | None = None, clock: Clock | None = None
    ) -> ko.Orders:
        orders = ko.Orders.connect(
            database_url,
            settings=settings,
            plugins=plugins or [],
            load_entrypoints=False,
            migrate=False,
            clock=clock or utcnow,
        )
        opened.append(orders)
        return orders

    yield _connect
    for orders in opened:
        orders.close()
    wipe(database_url)


@pytest.fixture
def shop(connect: Connect, smtp: SmtpServer) -> ko.Orders:
    """An ``Orders`` that emails through the running server."""
    return connect(shop_settings(smtp.url))


def tls_context_for(server_cert: Any) -> ssl.SSLContext:
    """A server-side context holding a trustme certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    return context


def accept_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd authenticator: user ``shop``, password ``s3cret: /@``."""
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"shop",
        b"s3cret: /@",
    )
    return AuthResult(success=ok, handled=False)
