"""A runnable Saleor App host: kasify's Saleor App and the merchant's order pages in one Flask app.

::

    pip install 'kasify-orders[saleor,flask]'
    export KASIFY_SALEOR_API_URLS=https://shop.example.com/graphql/   # who may install the app
    export KASIFY_ADMIN_PASSWORD=...                                   # the order pages' password
    flask --app contrib/saleor_app/app.py run

(``flask`` finds :func:`create_app` by itself.) Then install the app in the Saleor dashboard
from ``https://<this host>/saleor/api/manifest``.
Saleor webhooks arrive at ``/saleor/api/webhooks``; the merchant's pages are ``/admin/orders/``.
Every environment variable is listed in :func:`create_app` and in the README beside this file.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

import flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

import kasify_orders as ko
from kasify_orders.adapters.flask import KasifyOrders
from kasify_orders.adapters.saleor import SaleorApp

#: Where the Saleor App is mounted.
SALEOR_PREFIX = "/saleor"
ADMIN_PREFIX = "/admin/orders"


def create_app(environ: Mapping[str, str] = os.environ) -> flask.Flask:
    """Build the host from environment variables.

    ``KASIFY_ORDERS_DATABASE_URL``
        The order store (default: ``sqlite:///kasify-saleor.sqlite3``).
    ``KASIFY_SALEOR_API_URLS``
        Comma-separated Saleor API URLs allowed to install the app (required to install).
    ``KASIFY_PUBLIC_URL``
        The public base URL of this host (``https://kasify.example.com``); default: each request's.
    ``KASIFY_ADMIN_PASSWORD``
        The password of the merchant's pages (HTTP Basic, any user name); unset: the pages refuse everyone.
    ``KASIFY_SECRET_KEY``
        Flask's secret key (sessions and CSRF of the order pages).
    ``KASIFY_SMTP_URL``, ``KASIFY_FROM_EMAIL``, ``KASIFY_STORE_NAME``
        Where and as whom kasify sends the customer emails.
    ``KASIFY_SALEOR_WEBHOOK_SECRET``
        Only for webhooks configured with a secret key (legacy HMAC signatures).
    """
    database_url = environ.get("KASIFY_ORDERS_DATABASE_URL", "sqlite:///kasify-saleor.sqlite3")
    settings = ko.Settings(
        manage_inventory=False,  # Saleor owns stock
        store_name=environ.get("KASIFY_STORE_NAME", "Saleor shop"),
        from_email=environ.get("KASIFY_FROM_EMAIL", "orders@localhost"),
        smtp_url=environ.get("KASIFY_SMTP_URL") or None,
    )
    orders = ko.Orders.connect(database_url, settings=settings)
    orders.migrate()

    app = flask.Flask(__name__)
    app.config["SECRET_KEY"] = environ.get("KASIFY_SECRET_KEY") or os.urandom(32).hex()
    app.config["KASIFY_ORDERS_ADMIN_URL_PREFIX"] = ADMIN_PREFIX
    app.config["KASIFY_ORDERS_API_URL_PREFIX"] = None
    kasify = KasifyOrders(app, orders=orders)
    password = environ.get("KASIFY_ADMIN_PASSWORD", "")

    def signed_in() -> bool:
        given = flask.request.authorization
        return bool(password and given and hmac.compare_digest(str(given.password or ""), password))

    @kasify.authorize
    def may_manage_orders(action: str, order: ko.Order | None) -> bool:
        return signed_in()

    @kasify.actor
    def acting_staff() -> str:
        given = flask.request.authorization
        return f"staff:{given.username}" if given and given.username else "staff"

    @app.before_request
    def ask_for_the_password() -> Response | None:
        if flask.request.path.startswith(ADMIN_PREFIX) and not signed_in():
            return Response(
                "The order pages need the merchant's password.",
                401,
                {"WWW-Authenticate": 'Basic realm="kasify orders"'},
            )
        return None

    @app.get("/")
    def home() -> Response:
        return flask.redirect(ADMIN_PREFIX + "/")

    allowed = [url.strip() for url in environ.get("KASIFY_SALEOR_API_URLS", "").split(",") if url.strip()]
    public_url = environ.get("KASIFY_PUBLIC_URL", "").rstrip("/")
    saleor = SaleorApp(
        orders,
        allowed_api_urls=allowed,
        public_url=f"{public_url}{SALEOR_PREFIX}" if public_url else None,
        orders_url=f"{public_url}{ADMIN_PREFIX}/",
        legacy_secret=environ.get("KASIFY_SALEOR_WEBHOOK_SECRET") or None,
    )
    app.extensions["kasify_orders_saleor"] = saleor
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {SALEOR_PREFIX: saleor})  # type: ignore[method-assign]
    return app
