"""The Django adapter holds to the merchant pages' contract (tests/adapters/contract.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.adapters.contract import Answer, MerchantPagesContract, MerchantSite, readable
from tests.adapters.django.conftest import ADMIN, make_user


class DjangoSite:
    """The pages of a Django host, through Django's test client (with its CSRF checks on)."""

    def __init__(self, host: str, *, staff: bool = True) -> None:
        self.host = host
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(make_user(host, "grace" if staff else "bob", staff=staff))

    def list_url(self) -> str:
        return f"{ADMIN}/"

    def order_url(self, order_id: str) -> str:
        return f"{ADMIN}/{order_id}/"

    def action_url(self, order_id: str, action: str) -> str:
        return f"{ADMIN}/{order_id}/{action}/"

    def page_url(self, path: str) -> str:
        return f"{ADMIN}/{path}/"

    def get(self, url: str) -> Answer:
        return _answer(self.client.get(url))

    def post(
        self,
        url: str,
        form: Mapping[str, str | Sequence[str]],
        *,
        csrf: bool = True,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Answer:
        data: dict[str, Any] = {
            key: value if isinstance(value, str) else list(value) for key, value in form.items()
        }
        if csrf:
            self.client.get(self.list_url())  # the pages set the session's CSRF cookie
            data["csrfmiddlewaretoken"] = self.client.cookies["csrftoken"].value
        for field, (filename, content) in (files or {}).items():
            data[field] = SimpleUploadedFile(filename, content)
        return _answer(self.client.post(url, data))

    def refusing(self) -> MerchantSite:
        return DjangoSite(self.host, staff=False)


def _answer(response: Any) -> Answer:
    location = response["Location"] if 300 <= response.status_code < 400 else None
    body = b"".join(response.streaming_content) if response.streaming else response.content
    raw = body.decode()
    return Answer(response.status_code, readable(raw), location, response.get("Content-Type", ""), raw)


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoPages(MerchantPagesContract):
    """Every contract test, on the Django adapter, on each of Django's backends."""
