"""The cheap MIME build gives the very bytes the standard library's ``set_content`` builds."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from kasify_orders.notifications import mime
from kasify_orders.notifications.render import _POLICY

BODIES = {
    "ascii": "Thanks for your order.\n",
    "accents": "Grüße aus München\n",
    "long ascii line": "x" * 200 + "\n",
    "long accented lines": ("é" * 100 + "\n") * 20,
    "long lines, many": ("a" * 90 + "\n") * 15,
    "empty": "",
    "mixed line ends": "a\r\nb\rc\n",
}


def _standard(text: str, html: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = "Your order #12"
    message["From"] = "Shop <orders@shop.example>"
    message["To"] = Address(display_name="Lovelace, Ada", addr_spec="ada@example.com")
    message["Message-ID"] = "<abc@shop.example>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _cheap(text: str, html: str) -> EmailMessage:
    headers = [
        mime.header(_POLICY, "Subject", "Your order #12"),
        mime.shared_header(_POLICY, "From", "Shop <orders@shop.example>"),
        mime.address_header(_POLICY, "To", "Lovelace, Ada", "ada@example.com"),
        mime.header(_POLICY, "Message-ID", "<abc@shop.example>"),
    ]
    return mime.alternative(_POLICY, headers, text, html)


@pytest.mark.parametrize("text", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("html", BODIES.values(), ids=BODIES.keys())
def test_the_cheap_build_is_byte_for_byte_the_standard_one(text: str, html: str) -> None:
    standard, cheap = _standard(text, html), _cheap(text, html)
    standard.set_boundary("==boundary==")
    cheap.set_boundary("==boundary==")
    assert cheap.as_bytes() == standard.as_bytes()
    for subtype in ("plain", "html"):
        ours, theirs = cheap.get_body((subtype,)), standard.get_body((subtype,))
        assert ours is not None and theirs is not None
        assert ours.get_content() == theirs.get_content()


def test_a_shared_header_is_never_changed_by_a_message_that_uses_it() -> None:
    first, second = _cheap("a\n", "<p>a</p>\n"), _cheap("b\n", "<p>b</p>\n")
    first.set_boundary("one")
    first.replace_header("From", "Other <other@shop.example>")
    assert second["From"] == "Shop <orders@shop.example>"
    assert second.get_boundary() is None
    assert mime.shared_header(_POLICY, "Content-Type", "multipart/alternative").params == {}
