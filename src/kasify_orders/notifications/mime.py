"""Building an email's MIME tree cheaply: the message ``set_content`` + ``add_alternative`` build.

The standard library parses every header it is given on every message, the ones that never
change (``From``, each part's ``Content-Type``) too, and that costs more than rendering the
templates. Here a header whose value repeats is parsed once and shared (header objects are
immutable: changing a header replaces it), and the bodies are encoded as
``email.contentmanager`` encodes them, so the bytes on the wire are the same.
"""

from __future__ import annotations

import binascii
import functools
from collections.abc import Sequence
from email import quoprimime
from email.headerregistry import Address, BaseHeader
from email.message import EmailMessage
from email.policy import EmailPolicy

__all__ = ["address_header", "alternative", "header", "shared_header"]


def header(policy: EmailPolicy[EmailMessage], name: str, value: object) -> BaseHeader:
    """*value* parsed as header *name* (for a value seen once, such as a ``Message-ID``)."""
    parsed: BaseHeader = policy.header_factory(name, value)
    return parsed


@functools.lru_cache(maxsize=1024)
def shared_header(policy: EmailPolicy[EmailMessage], name: str, value: str) -> BaseHeader:
    """*value* parsed as header *name* once, for every message that has it."""
    return header(policy, name, value)


@functools.lru_cache(maxsize=4096)
def address_header(
    policy: EmailPolicy[EmailMessage], name: str, display_name: str, addr_spec: str
) -> BaseHeader:
    """An address header (``To``) for one mailbox, parsed once per mailbox."""
    return header(policy, name, Address(display_name=display_name, addr_spec=addr_spec))


def _encode_text(text: str, policy: EmailPolicy[EmailMessage]) -> tuple[str, str]:
    """The transfer encoding and body ``email.contentmanager.set_text_content`` picks for UTF-8 *text*."""
    lines = text.encode("utf-8").splitlines()
    limit = policy.max_line_length or 78
    normal = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= limit:
        try:
            return "7bit", normal.decode("ascii")
        except UnicodeDecodeError:
            pass
        if policy.cte_type == "8bit":
            return "8bit", normal.decode("ascii", "surrogateescape")
    linesep = policy.linesep.encode("ascii")
    sniff = linesep.join(lines[:10]) + linesep
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), limit)
    if len(sniff_qp) <= len(binascii.b2a_base64(sniff)):
        if len(lines) <= 10:
            return "quoted-printable", sniff_qp
        return "quoted-printable", quoprimime.body_encode(normal.decode("latin-1"), limit)
    embedded = linesep.join(lines) + linesep
    step = limit // 4 * 3
    chunks = (
        binascii.b2a_base64(embedded[i : i + step]).decode("ascii") for i in range(0, len(embedded), step)
    )
    return "base64", "".join(chunks)


def _text_part(
    policy: EmailPolicy[EmailMessage], subtype: str, text: str, *, mime_version: bool
) -> EmailMessage:
    part = EmailMessage(policy=policy)
    cte, body = _encode_text(text, policy)
    part["Content-Type"] = shared_header(policy, "Content-Type", f'text/{subtype}; charset="utf-8"')
    part["Content-Transfer-Encoding"] = shared_header(policy, "Content-Transfer-Encoding", cte)
    if mime_version:  # add_alternative's part is an EmailMessage of its own, so it says it too
        part["MIME-Version"] = shared_header(policy, "MIME-Version", "1.0")
    part.set_payload(body)
    return part


def alternative(
    policy: EmailPolicy[EmailMessage], headers: Sequence[BaseHeader], text: str, html: str
) -> EmailMessage:
    """A ``multipart/alternative`` message of *text* and *html* (UTF-8), under *headers* in order.

    The same tree as ``message.set_content(text); message.add_alternative(html, subtype="html")``.
    """
    message = EmailMessage(policy=policy)
    for value in headers:
        message[value.name] = value
    message["MIME-Version"] = shared_header(policy, "MIME-Version", "1.0")
    message["Content-Type"] = shared_header(policy, "Content-Type", "multipart/alternative")
    message.attach(_text_part(policy, "plain", text, mime_version=False))
    message.attach(_text_part(policy, "html", html, mime_version=True))
    return message
