"""The default SMTP transport: STARTTLS, implicit TLS, login, timeouts and URL checks, on loopback."""

from __future__ import annotations

import gc
import smtplib
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

import kasify_orders as ko
from kasify_orders.notifications import smtp as transport
from tests.integration.notifications.conftest import SmtpServer, accept_login, tls_context_for

LOGIN = "shop:s3cret%3A%20%2F%40"  # the password "s3cret: /@", percent-encoded in the URL


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "orders@engines.example"
    mail["To"] = "ada@example.com"
    mail["Subject"] = "Hello"
    mail.set_content("Hi Ada")
    return mail


@pytest.fixture
def ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    """A test CA that the client trusts (through SSL_CERT_FILE, as an operator would)."""
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return authority


def running(**options: object) -> SmtpServer:
    server = SmtpServer(**options)
    server.start()
    return server


@pytest.fixture
def starttls_server(ca: trustme.CA) -> Iterator[SmtpServer]:
    """Requires STARTTLS before mail, and TLS before login."""
    context = tls_context_for(ca.issue_cert("127.0.0.1"))
    server = running(
        tls_context=context, require_starttls=True, authenticator=accept_login, auth_required=True
    )
    yield server
    server.stop()


def test_smtp_upgrades_with_starttls_and_logs_in(starttls_server: SmtpServer) -> None:
    transport.send(f"smtp://{LOGIN}@127.0.0.1:{starttls_server.port}", message())
    (received,) = starttls_server.inbox.received
    assert received.rcpt_tos == ["ada@example.com"]
    assert received.authenticated
    assert received.text().strip() == "Hi Ada"


def test_a_wrong_password_fails(starttls_server: SmtpServer) -> None:
    with pytest.raises(smtplib.SMTPAuthenticationError):
        transport.send(f"smtp://shop:wrong@127.0.0.1:{starttls_server.port}", message())
    assert starttls_server.inbox.received == []


def test_smtps_speaks_tls_from_the_start(ca: trustme.CA) -> None:
    server = running(ssl_context=tls_context_for(ca.issue_cert("127.0.0.1")))
    try:
        transport.send(f"smtps://127.0.0.1:{server.port}", message())
        assert len(server.inbox.received) == 1
    finally:
        server.stop()


def test_an_untrusted_certificate_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stranger = trustme.CA()  # not in SSL_CERT_FILE
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
    server = running(ssl_context=tls_context_for(stranger.issue_cert("127.0.0.1")))
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            transport.send(f"smtps://127.0.0.1:{server.port}", message())
        assert server.inbox.received == []
    finally:
        server.stop()


def test_plain_smtp_on_loopback_may_log_in_without_tls() -> None:
    server = running(authenticator=accept_login, auth_require_tls=False)
    try:
        transport.send(f"smtp://{LOGIN}@127.0.0.1:{server.port}", message())
        (received,) = server.inbox.received
        assert received.authenticated
    finally:
        server.stop()


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected), match="timed out"):
            transport.send(f"smtp://127.0.0.1:{port}", message(), timeout=0.2)


@pytest.mark.parametrize(
    "url",
    ["http://user:hunter2@mail.example", "smtp://user:hunter2@", "smtp://mail.example:port", "mail.example"],
)
def test_bad_smtp_urls_are_refused_without_echoing_the_password(url: str, tmp_path: Path) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        transport.send(url, message())
    assert caught.value.errors[0].path == "settings.smtp_url"
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ko.ValidationError, match="settings.smtp_url"):
        ko.Orders.connect(
            f"sqlite:///{tmp_path / 'k.sqlite3'}", settings=ko.Settings(smtp_url=url), load_entrypoints=False
        )


def test_a_sender_reuses_its_connection_and_replaces_one_the_server_dropped() -> None:
    server = running()
    try:
        sender = transport.SmtpSender(server.url)
        for _ in range(3):
            sender.send(message())
        assert len({r.peer for r in server.inbox.received}) == 1  # one connection for all three

        server.stop()  # the connection drops (a restart, an idle timeout)
        server.start()
        sender.send(message())
        server.inbox.busy_once = True  # "421 closing channel" on the next MAIL
        sender.send(message())
        sender.close()
        received = server.inbox.received
        assert len(received) == 5  # each sent once, on a new connection where the old one was gone
        assert len({r.peer for r in received}) == 3
    finally:
        server.stop()


def test_a_sender_dropped_as_garbage_closes_its_connections_without_talking_to_the_server() -> None:
    """Its finalizer runs in whichever thread collects it (a host's event loop, an in-process
    server's): a QUIT there would wait for an answer that thread may be the one to give."""
    server = running()
    try:
        dropped = transport.SmtpSender(server.url)
        dropped.send(message())  # its connection stays open in the pool
        del dropped
        gc.collect()
        closing = transport.SmtpSender(server.url)
        closing.send(message())
        closing.close()  # an explicit close says goodbye
        assert len({r.peer for r in server.inbox.received}) == 2
        assert server.inbox.quits == 1
    finally:
        server.stop()


def test_a_connection_lifetime_of_zero_opens_one_per_message() -> None:
    server = running()
    try:
        sender = transport.SmtpSender(server.url, connection_lifetime=0)
        for _ in range(3):
            sender.send(message())
        assert len({r.peer for r in server.inbox.received}) == 3
    finally:
        server.stop()


def test_a_sender_looks_up_the_name_it_greets_with_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """smtplib asks for this machine's name (``socket.getfqdn``, maybe a DNS query) per client."""
    lookups: list[str] = []
    getfqdn = socket.getfqdn

    def counting(name: str = "") -> str:
        lookups.append(name)
        return getfqdn(name)

    server = running()
    monkeypatch.setattr(socket, "getfqdn", counting)
    try:
        sender = transport.SmtpSender(server.url, connection_lifetime=0)  # a new connection per message
        for _ in range(3):
            sender.send(message())
        assert len({r.peer for r in server.inbox.received}) == 3
        assert len(lookups) == 1
    finally:
        server.stop()


def test_the_tls_context_is_built_once_and_only_for_tls(
    ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = create(*args, **kwargs)  # type: ignore[arg-type]
        built.append(context)
        return context

    plain = running()
    tls = running(ssl_context=tls_context_for(ca.issue_cert("127.0.0.1")))
    monkeypatch.setattr(ssl, "create_default_context", counting)
    try:
        plain_sender = transport.SmtpSender(plain.url)
        tls_sender = transport.SmtpSender(tls.url, connection_lifetime=0)  # a handshake per message
        for _ in range(3):
            plain_sender.send(message())
            tls_sender.send(message())
        assert (len(plain.inbox.received), len(tls.inbox.received)) == (3, 3)
        assert len(built) == 1
    finally:
        plain.stop()
        tls.stop()
