"""A Flask host around the merchant's pages, on each database in turn (``orders`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("flask")
pytest.importorskip("flask_wtf")

import flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

import kasify_orders as ko
from kasify_orders.adapters.flask import KasifyOrders

ADMIN = "/admin/orders"
API = "/api/orders"
Rule = Callable[[str, ko.Order | None], bool]


def make_app(orders: ko.Orders, *, authorize: Rule | None = None, **config: object) -> flask.Flask:
    """A host app with a secret key (sessions), kasify mounted, and *authorize* if given."""
    app = flask.Flask("host")
    app.config.update(SECRET_KEY="test-secret", TESTING=True, **config)
    kasify = KasifyOrders(app, orders=orders)
    kasify.actor(lambda: "staff:7")
    if authorize is not None:
        kasify.authorize(authorize)
    return app


@pytest.fixture
def app(orders: ko.Orders) -> flask.Flask:
    """A host whose staff may do everything."""
    return make_app(orders, authorize=lambda action, order: True)


@pytest.fixture
def client(app: flask.Flask) -> Iterator[FlaskClient]:
    """A browser-like client with a cookie jar."""
    with app.test_client() as client:
        yield client


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, order_id: str) -> str:
    """The CSRF token a page hands out to this client (its session holds the other half)."""
    found = _TOKEN.search(client.get(f"{ADMIN}/{order_id}").get_data(as_text=True))
    assert found is not None, "no form on the order page"
    return found.group(1)


def session_token(client: FlaskClient) -> str:
    """A valid token for this client's session, signed as Flask-WTF signs them (for pages without forms)."""
    client.get(f"{ADMIN}/")  # every page puts the session's half of the token in place
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    secret = client.application.secret_key
    assert isinstance(secret, str)
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def post_action(
    client: FlaskClient, order: ko.Order, action: str, *, token: str | None = None, **fields: str
) -> flask.Response:
    """Submit an action's form the way the order page does (CSRF token and version included)."""
    if token is None:
        token = csrf_token(client, order.id)
    data = {"csrf_token": token, "version": str(order.version), **fields}
    return client.post(f"{ADMIN}/{order.id}/{action}", data=data)
