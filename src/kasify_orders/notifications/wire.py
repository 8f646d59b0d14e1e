"""An email's bytes on the wire: what ``smtplib.SMTP.send_message`` sends, made for less.

``send_message`` flattens every message with ``email.generator.BytesGenerator``, which folds
each header anew (re-reading its parse tree: most of the cost of sending to a server on this
machine) and compiles a regular expression per multipart message to check its random
boundary. :class:`Generator` keeps each header object's folded bytes on the header (header
objects are immutable, and the renderer shares the ones that repeat: ``From``, each part's
``Content-Type``, a customer's ``To``), and checks the boundary with a substring search
first. The bytes are the same as ``send_message``'s.
"""

from __future__ import annotations

import copy
import io
import smtplib
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

__all__ = ["Generator", "flatten", "send"]

#: The attribute a header object keeps its folded bytes in, by policy.
_FOLDED = "_kasify_folded"


class Generator(BytesGenerator):
    """``BytesGenerator`` that folds each header object once per policy (same bytes)."""

    def _write_headers(self, msg: Message) -> None:
        policy: Any = self.policy
        key = (type(policy), policy.linesep, policy.max_line_length, policy.utf8, policy.cte_type)
        for name, value in msg.raw_items():
            self._fp.write(_folded(policy, key, name, value))  # type: ignore[attr-defined]
        self.write(self._NL)  # type: ignore[attr-defined]

    @classmethod
    def _make_boundary(cls, text: Any = None) -> str:
        boundary: str = super()._make_boundary()  # type: ignore[misc]
        if text is None:
            return boundary
        marker: Any = "--" + boundary
        if isinstance(text, bytes):
            marker = marker.encode("ascii")
        if marker not in text:  # nowhere, so not on a line of its own: the regular expression agrees
            return boundary
        return super()._make_boundary(text)  # type: ignore[misc,no-any-return]


def _folded(policy: Any, key: tuple[object, ...], name: str, value: Any) -> bytes:
    if not isinstance(value, BaseHeader):
        return policy.fold_binary(name, value)  # type: ignore[no-any-return]
    kept: dict[tuple[object, ...], bytes] | None = getattr(value, _FOLDED, None)
    if kept is None:
        kept = {}
        setattr(value, _FOLDED, kept)
    folded = kept.get(key)
    if folded is None:
        folded = kept[key] = policy.fold_binary(name, value)
    return folded


def flatten(message: EmailMessage) -> bytes:
    """*message*'s bytes as ``send_message`` sends them (CRLF line ends), ``Bcc`` left out."""
    shown = copy.copy(message)
    del shown["Bcc"]
    del shown["Resent-Bcc"]
    with io.BytesIO() as out:
        Generator(out).flatten(shown, linesep="\r\n")
        return out.getvalue()


def send(client: smtplib.SMTP, message: EmailMessage) -> None:
    """``client.send_message(message)``, with the bytes of :func:`flatten`.

    A message with ``Resent-`` headers, or whose addresses need SMTPUTF8, goes through
    ``send_message`` itself.
    """
    if message.get_all("Resent-Date") is not None:
        client.send_message(message)
        return
    sender = message["Sender"] if "Sender" in message else message["From"]
    from_addr = getaddresses([sender])[0][1]
    fields = [field for field in (message["To"], message["Bcc"], message["Cc"]) if field is not None]
    to_addrs = [address for _name, address in getaddresses(fields)]
    if not "".join([from_addr, *to_addrs]).isascii():
        client.send_message(message)
        return
    client.sendmail(from_addr, to_addrs, flatten(message))
