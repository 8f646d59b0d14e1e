"""Signed-out visitors are sent to the host's login page, not shown a dead-end 403.

With Flask-Login (its ``login_view``), or with ``KASIFY_ORDERS_LOGIN_URL`` and the host's
``@kasify.signed_in``. A signed-in user whom ``authorize`` refuses still gets the refusal page,
and a refused form changes nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import flask
import pytest
from flask.testing import FlaskClient

import kasify_orders as ko
from kasify_orders.adapters.flask import KasifyOrders
from tests.adapters.flask.conftest import ADMIN, make_app, session_token
from tests.helpers import new_order

flask_login = pytest.importorskip("flask_login")


class User(flask_login.UserMixin):
    def __init__(self, name: str, *, staff: bool) -> None:
        self.id = name
        self.is_staff = staff


USERS = {"grace": User("grace", staff=True), "bob": User("bob", staff=False)}


def staff_only(action: str, order: ko.Order | None) -> bool:
    user = flask_login.current_user
    return bool(user.is_authenticated and user.is_staff)


def flask_login_shop(orders: ko.Orders, **config: object) -> flask.Flask:
    """A host with Flask-Login: a login view, a user loader, and staff-only order pages."""
    app = make_app(orders, authorize=staff_only, **config)
    manager = flask_login.LoginManager(app)
    manager.login_view = "login"
    manager.user_loader(USERS.get)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str:
        if flask.request.method == "POST":
            flask_login.login_user(USERS[flask.request.form["name"]])
        return "the host's login page"

    @app.post("/logout")
    def logout() -> str:
        flask_login.logout_user()
        return "signed out"

    return app


def sent_to(response: flask.Response) -> tuple[str, str | None]:
    """Where a redirect goes: its path, and the ``next`` it carries."""
    location = urlsplit(response.headers["Location"])
    return location.path, parse_qs(location.query).get("next", [None])[0]


def pages_of(order: ko.Order) -> list[str]:
    return [f"{ADMIN}/", f"{ADMIN}/{order.id}", f"{ADMIN}/{order.id}/packing-slip"]


def test_flask_login_sends_signed_out_visitors_to_its_login_view(sqlite_orders: ko.Orders) -> None:
    order = sqlite_orders.place(new_order())
    client = flask_login_shop(sqlite_orders).test_client()
    for url in pages_of(order):
        response = client.get(url)
        assert response.status_code == 302
        assert sent_to(response) == ("/login", url)
    # After signing in, the visitor is where they wanted to be.
    client.post("/login", data={"name": "grace"})
    assert client.get(f"{ADMIN}/{order.id}").status_code == 200


def test_a_signed_out_form_comes_back_to_its_order_page_and_changes_nothing(sqlite_orders: ko.Orders) -> None:
    order = sqlite_orders.place(new_order())
    client = flask_login_shop(sqlite_orders).test_client()
    # The page was open when the session signed out (in another tab, or it timed out).
    client.post("/login", data={"name": "grace"})
    form = {"csrf_token": session_token(client), "version": str(order.version)}
    client.post("/logout")
    response = client.post(f"{ADMIN}/{order.id}/confirm_payment", data=form)
    assert response.status_code == 303
    assert sent_to(response) == (f"{ADMIN}/{order.id}", None)
    assert sent_to(client.get(sent_to(response)[0])) == ("/login", f"{ADMIN}/{order.id}")
    assert sqlite_orders.get(order.id) == order


def test_a_signed_in_user_who_may_not_still_gets_the_refusal(sqlite_orders: ko.Orders) -> None:
    order = sqlite_orders.place(new_order())
    client = flask_login_shop(sqlite_orders).test_client()
    client.post("/login", data={"name": "bob"})
    for url in pages_of(order):
        response = client.get(url)
        assert response.status_code == 403
        assert "Ada Lovelace" not in response.get_data(as_text=True)
    form = {"csrf_token": session_token(client), "version": str(order.version)}
    assert client.post(f"{ADMIN}/{order.id}/confirm_payment", data=form).status_code == 403
    assert sqlite_orders.get(order.id) == order


def test_the_login_url_setting_wins_over_flask_logins_view(sqlite_orders: ko.Orders) -> None:
    app = flask_login_shop(sqlite_orders, KASIFY_ORDERS_LOGIN_URL="/staff/sign-in?from=orders")
    client = app.test_client()
    location = urlsplit(client.get(f"{ADMIN}/").headers["Location"])
    assert location.path == "/staff/sign-in"
    assert parse_qs(location.query) == {"from": ["orders"], "next": [f"{ADMIN}/"]}


@pytest.mark.parametrize("login_url", ["/sign-in", "sign_in"])
def test_without_flask_login_the_login_url_and_the_hosts_signed_in_function(
    sqlite_orders: ko.Orders, login_url: str
) -> None:
    app = flask.Flask("host")
    app.config.update(SECRET_KEY="test-secret", TESTING=True, KASIFY_ORDERS_LOGIN_URL=login_url)
    kasify = KasifyOrders(app, orders=sqlite_orders)
    kasify.signed_in(lambda: "user" in flask.session)
    kasify.authorize(lambda action, order: flask.session.get("user") == "grace")

    @app.post("/sign-in")
    def sign_in() -> str:
        flask.session["user"] = flask.request.form["name"]
        return "signed in"

    client: FlaskClient = app.test_client()
    response = client.get(f"{ADMIN}/")
    assert response.status_code == 302
    assert sent_to(response) == ("/sign-in", f"{ADMIN}/")
    client.post("/sign-in", data={"name": "bob"})
    assert client.get(f"{ADMIN}/").status_code == 403
    client.post("/sign-in", data={"name": "grace"})
    assert client.get(f"{ADMIN}/").status_code == 200


def test_the_api_answers_signed_out_callers_403_not_a_redirect(sqlite_orders: ko.Orders) -> None:
    client = flask_login_shop(sqlite_orders).test_client()
    assert client.get("/api/orders").status_code == 403


def test_flask_logins_login_view_for_kasifys_blueprint(sqlite_orders: ko.Orders) -> None:
    app = flask_login_shop(sqlite_orders)
    app.login_manager.login_view = None  # type: ignore[attr-defined]
    app.login_manager.blueprint_login_views["kasify_orders"] = "login"  # type: ignore[attr-defined]
    client = app.test_client()
    assert sent_to(client.get(f"{ADMIN}/")) == ("/login", f"{ADMIN}/")
    # A LoginManager with nowhere to send kasify's visitors: kasify's refusal, not a bare 401.
    app.login_manager.blueprint_login_views.clear()  # type: ignore[attr-defined]
    assert client.get(f"{ADMIN}/").status_code == 403
