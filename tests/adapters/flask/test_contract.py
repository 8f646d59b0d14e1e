"""The Flask adapter holds to the merchant pages' contract (tests/adapters/contract.py)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import flask
import pytest

import kasify_orders as ko
from tests.adapters.contract import Answer, MerchantPagesContract, MerchantSite, readable
from tests.adapters.flask.conftest import ADMIN, make_app, session_token


class FlaskSite:
    """The pages of a Flask host, through Flask's test client (Flask-WTF checking CSRF)."""

    def __init__(self, orders: ko.Orders, *, may: bool = True) -> None:
        self.orders = orders
        self.app = make_app(orders, authorize=lambda action, order: may)
        self.client = self.app.test_client()

    def list_url(self) -> str:
        return f"{ADMIN}/"

    def order_url(self, order_id: str) -> str:
        return f"{ADMIN}/{order_id}"

    def action_url(self, order_id: str, action: str) -> str:
        return f"{ADMIN}/{order_id}/{action}"

    def page_url(self, path: str) -> str:
        return f"{ADMIN}/{path}"

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
            key: list(value) if not isinstance(value, str) else value for key, value in form.items()
        }
        if csrf:
            data["csrf_token"] = session_token(self.client)
        for field, (filename, content) in (files or {}).items():
            data[field] = (io.BytesIO(content), filename)
        return _answer(
            self.client.post(url, data=data, content_type="multipart/form-data" if files else None)
        )

    def refusing(self) -> MerchantSite:
        return FlaskSite(self.orders, may=False)


def _answer(response: flask.Response) -> Answer:
    location = response.headers.get("Location") if 300 <= response.status_code < 400 else None
    raw = response.get_data(as_text=True)
    return Answer(response.status_code, readable(raw), location, response.content_type or "", raw)


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskPages(MerchantPagesContract):
    """Every contract test, on the Flask adapter, on each database."""
