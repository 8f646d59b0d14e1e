"""Fixtures for the Saleor adapter: a fake Saleor on loopback, signing keys, an installed app."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("joserfc")
pytest.importorskip("graphql")
pytest.importorskip("werkzeug")

from graphql import GraphQLSchema, build_schema
from joserfc.jwk import RSAKey
from werkzeug.test import Client, TestResponse

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from tests.adapters.saleor.fake_saleor import FIXTURES, TOKEN, FakeSaleor, sign
from tests.adapters.saleor.recorded import Delivery
from tests.helpers import wipe

SALEOR_SETTINGS = ko.Settings(manage_inventory=False, store_name="Saleor shop")
#: Seconds the app waits for the fake Saleor: far beyond any answer, however loaded the machine.
SALEOR_ANSWERS_WITHIN = 600.0


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    """Saleor's GraphQL schema (3.24), as shipped in the fixtures."""
    return build_schema((FIXTURES / "schema.graphql").read_text())


@pytest.fixture(scope="session")
def keys() -> list[RSAKey]:
    """Three throwaway RSA signing keys (generating them is slow, so once per session)."""
    return [RSAKey.generate_key(2048, auto_kid=True) for _ in range(3)]


@pytest.fixture
def saleor(schema: GraphQLSchema, keys: list[RSAKey]) -> Iterator[FakeSaleor]:
    """A running fake Saleor publishing the first key."""
    fake = FakeSaleor(schema)
    fake.published = [keys[0]]
    with fake.running():
        yield fake
    assert fake.errors == [], "every GraphQL document the adapter sent is valid and answered"


@pytest.fixture
def saleor_orders(database_url: str) -> Iterator[ko.Orders]:
    """An ``Orders`` as a Saleor shop uses it (Saleor owns stock), on each database in turn."""
    with ko.Orders.connect(
        database_url, settings=SALEOR_SETTINGS, load_entrypoints=False, migrate=False
    ) as connected:
        yield connected
    wipe(database_url)


@pytest.fixture
def make_app(saleor_orders: ko.Orders) -> Callable[..., SaleorApp]:
    """Build a ``SaleorApp`` on the test's orders (options as keyword arguments)."""

    def build(**options: Any) -> SaleorApp:
        options.setdefault("allowed_api_urls", lambda url: url.startswith("http://127.0.0.1:"))
        options.setdefault("jwks_min_refetch_seconds", 0)
        # The fake Saleor answers every request (or fails it on purpose, at once); a loaded
        # machine may only make it slow, and a client timeout firing then would turn a refund
        # Saleor failed into one pending (no answer): the test would prove the machine's load.
        options.setdefault("timeout", SALEOR_ANSWERS_WITHIN)
        return SaleorApp(saleor_orders, **options)

    return build


@pytest.fixture
def app(make_app: Callable[..., SaleorApp]) -> SaleorApp:
    return make_app()


@pytest.fixture
def client(app: SaleorApp) -> Client:
    return Client(app)


def register(client: Client, api_url: str, token: str = TOKEN) -> TestResponse:
    return client.post(
        "/api/register",
        data=json.dumps({"auth_token": token}),
        headers={"Saleor-Api-Url": api_url, "Saleor-Domain": "127.0.0.1"},
        content_type="application/json",
    )


@pytest.fixture
def installed(client: Client, saleor: FakeSaleor) -> FakeSaleor:
    """The fake Saleor with the app installed on it."""
    response = register(client, saleor.api_url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return saleor


def post_webhook(
    client: Client,
    saleor: FakeSaleor,
    event: str,
    body: bytes,
    *,
    key: RSAKey | None = None,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    """POST *body* as Saleor would: signed with *key* (default: the first published key)."""
    if signature is None:
        signature = sign(body, key or saleor.published[0])
    sent = {
        "Saleor-Api-Url": saleor.api_url,
        "Saleor-Event": event.lower(),
        "Saleor-Domain": "127.0.0.1",
        "Saleor-Signature": signature,
        **(headers or {}),
    }
    return client.post("/api/webhooks", data=body, headers=sent, content_type="application/json")


def replay(client: Client, saleor: FakeSaleor, *recorded: Delivery) -> list[TestResponse]:
    """POST recorded deliveries in this order, their bodies byte for byte, re-signed with the test key."""
    return [post_webhook(client, saleor, delivery.event, delivery.body) for delivery in recorded]
