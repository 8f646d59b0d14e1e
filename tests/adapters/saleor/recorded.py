"""The deliveries a real Saleor 3.23.28 made to kasify's App, read from the shared fixture.

``recorded-3.23.28/deliveries.jsonl`` holds every request in arrival order with its headers and
its raw body. Tests replay these bodies (re-signed with a test key, except the twelve signed
with the recorded JWKS's key) instead of retyping Saleor's payloads.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import attrs

from tests.adapters.saleor.fake_saleor import FIXTURES

RECORDED = FIXTURES / "recorded-3.23.28"
#: The JWKS Saleor served after its key rotation; it verifies the deliveries signed with kid ``re2lp…``.
RECORDED_JWKS: dict[str, Any] = json.loads((RECORDED / "jwks.re2lp.json").read_text())
RECORDED_KID: str = RECORDED_JWKS["keys"][0]["kid"]


@attrs.frozen
class Delivery:
    """One request Saleor made, as it arrived."""

    #: Its place in arrival order (the line of ``deliveries.jsonl``, from 0).
    index: int
    path: str
    headers: dict[str, str]
    body: bytes
    #: What kasify answered then ("200 OK", "422 UNPROCESSABLE ENTITY", ...).
    status: str
    answer: str

    @property
    def event(self) -> str:
        """``order_created``, ...; "" for the manifest and register calls."""
        return self.headers.get("Saleor-Event", "")

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def kid(self) -> str | None:
        """The key id the ``Saleor-Signature`` names."""
        signature = self.headers.get("Saleor-Signature", "")
        try:
            protected = json.loads(base64.urlsafe_b64decode(signature.split(".")[0] + "=="))
        except ValueError:
            return None
        return protected.get("kid") if isinstance(protected, dict) else None

    @property
    def order(self) -> dict[str, Any]:
        """The Saleor order the body is about (subscription or legacy shape)."""
        payload = self.payload
        if isinstance(payload, list):
            item = payload[0]
            return item["order"] if item.get("type") == "Fulfillment" else item
        return payload["order"]

    @property
    def number(self) -> str:
        """The Saleor order number."""
        return str(self.order.get("number"))


@functools.cache
def deliveries() -> tuple[Delivery, ...]:
    """Every recorded delivery, in arrival order."""
    found = []
    for index, line in enumerate((RECORDED / "deliveries.jsonl").read_text().splitlines()):
        raw = json.loads(line)
        found.append(
            Delivery(index, raw["path"], raw["headers"], raw["body"].encode(), raw["status"], raw["answer"])
        )
    return tuple(found)


def webhooks(event: str | None = None, *, number: str | None = None) -> list[Delivery]:
    """The recorded webhooks Saleor signed itself (not the tester's forgeries), by event and order number."""
    return [
        d
        for d in deliveries()
        if d.path == "/api/webhooks"
        and d.status != "401 UNAUTHORIZED"
        and (event is None or d.event == event)
        and (number is None or d.number == number)
    ]


def webhook(event: str, *, number: str, nth: int = 0) -> Delivery:
    """The *nth* recorded *event* about Saleor order *number*."""
    return webhooks(event, number=number)[nth]
