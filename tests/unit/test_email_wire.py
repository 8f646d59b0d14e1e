"""The SMTP sender's bytes and envelope are the standard library's ``send_message``'s."""

from __future__ import annotations

import email
import smtplib
from email.message import EmailMessage
from typing import Any

import pytest

from kasify_orders.notifications import mime, wire
from kasify_orders.notifications.render import _POLICY
from tests.unit.test_email_mime import BODIES


class Recording(smtplib.SMTP):
    """smtplib's client, never connected: what ``sendmail`` would send is kept instead."""

    def __init__(self) -> None:
        super().__init__()  # no host: no connection
        self.esmtp_features = {"smtputf8": ""}
        self.sent: list[tuple[Any, ...]] = []

    def ehlo_or_helo_if_needed(self) -> None:
        pass

    def sendmail(  # type: ignore[override]
        self, from_addr: str, to_addrs: list[str], msg: bytes, mail_options: Any = (), rcpt_options: Any = ()
    ) -> dict[str, tuple[int, bytes]]:
        self.sent.append((from_addr, to_addrs, msg, tuple(mail_options), tuple(rcpt_options)))
        return {}


def _message(text: str, *, to: str = "ada@example.com", **extra: str) -> EmailMessage:
    headers = [
        mime.header(_POLICY, "Subject", "Your order #12 — Grüße, a subject long enough to be folded " * 2),
        mime.shared_header(_POLICY, "From", "Shop <orders@shop.example>"),
        mime.address_header(_POLICY, "To", "Lovelace, Ada", to),
        mime.header(_POLICY, "Message-ID", "<abc@shop.example>"),
        *(mime.header(_POLICY, name, value) for name, value in extra.items()),
    ]
    return mime.alternative(_POLICY, headers, text, f"<p>{text}</p>")


def _both(message: EmailMessage) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    ours, theirs = Recording(), Recording()
    wire.send(ours, message)
    theirs.send_message(message)
    return ours.sent[0], theirs.sent[0]


@pytest.mark.parametrize("text", BODIES.values(), ids=BODIES.keys())
def test_the_bytes_are_send_messages_also_with_headers_folded_before(text: str) -> None:
    for _ in range(2):  # the second message shares the first's From and Content-Type headers
        message = _message(text)
        message.set_boundary("===============1234567890==")
        ours, theirs = _both(message)
        assert ours == theirs


def test_the_envelope_is_send_messages_and_bcc_never_shows() -> None:
    message = _message("hi\n", Cc="Grace <grace@example.com>", Bcc="boss@shop.example")
    message.set_boundary("b")
    ours, theirs = _both(message)
    assert ours == theirs
    assert ours[:2] == ("orders@shop.example", ["ada@example.com", "boss@shop.example", "grace@example.com"])
    assert b"boss@shop.example" not in ours[2]


def test_a_random_boundary_is_one_that_appears_nowhere_in_the_parts() -> None:
    message = _message("hi\n")
    data = wire.flatten(message)
    boundary = message.get_boundary()
    assert boundary is None  # the copy sent got the boundary, the message is left as it was
    parsed = email.message_from_bytes(data, policy=_POLICY)
    chosen = parsed.get_boundary()
    assert chosen and data.count(f"--{chosen}".encode()) == 3  # two parts and the end
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_an_international_address_goes_as_send_message_sends_it() -> None:
    message = _message("hi\n", to="ada@bücher.example")
    message.set_boundary("b")
    ours, theirs = _both(message)
    assert ours == theirs
    assert "SMTPUTF8" in ours[3]
