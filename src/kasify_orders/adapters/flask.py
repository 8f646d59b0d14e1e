"""The Flask adapter: the merchant's order pages and the JSON API inside a Flask app.

::

    from kasify_orders.adapters.flask import KasifyOrders

    kasify = KasifyOrders(app)  # or KasifyOrders(), then kasify.init_app(app) in a factory


    @kasify.authorize
    def may_manage_orders(action: str, order: ko.Order | None) -> bool:
        return current_user.is_authenticated and current_user.is_staff

This module only maps Flask's requests, sessions, CSRF tokens (Flask-WTF) and users onto
:mod:`kasify_orders.web`, where the pages and the API live for every framework.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import attrs
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

try:
    import flask
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from wtforms import ValidationError as CsrfError
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the Flask adapter needs Flask and Flask-WTF: pip install 'kasify-orders[flask]'"
    ) from error

from kasify_orders.hookspecs import hookimpl
from kasify_orders.model import Order
from kasify_orders.notifications.django_style import as_django_style
from kasify_orders.service import Orders
from kasify_orders.settings import Settings
from kasify_orders.web.api import ApiRequest, JsonApi
from kasify_orders.web.openapi import openapi_document
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.render import render

__all__ = ["EXTENSION", "KasifyOrders"]

#: The key of this extension's state in ``app.extensions``.
EXTENSION = "kasify_orders"
_NOTICES = "kasify_orders.notices"
_STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
_NO_AUTHORIZE_HELP = (
    "no @kasify.authorize function is registered, so kasify-orders refuses everyone. "
    "Register one that says who may do what, for example: "
    "@kasify.authorize def may_manage_orders(action, order): return current_user.is_staff"
)

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

pages = flask.Blueprint("kasify_orders", __name__, static_folder=str(_STATIC), static_url_path="/static")
api = flask.Blueprint("kasify_orders_api", __name__)


@attrs.define
class _State:
    """What one app holds in ``app.extensions["kasify_orders"]``."""

    extension: KasifyOrders
    orders: Orders
    owns_orders: bool
    pages: MerchantPages
    api: JsonApi
    locale: str


class KasifyOrders:
    """The Flask extension. One instance may serve several apps; each app gets its own ``ko.Orders``."""

    def __init__(self, app: flask.Flask | None = None, *, orders: Orders | None = None) -> None:
        self._authorize: Callable[[str, Order | None], bool] | None = None
        self._actor: Callable[[], str | None] | None = None
        if app is not None:
            self.init_app(app, orders=orders)

    def init_app(self, app: flask.Flask, *, orders: Orders | None = None) -> None:
        """Register on *app*: open its ``ko.Orders`` and mount the pages and the API.

        Configuration keys (``app.config``), with their defaults:

        ``KASIFY_ORDERS_DATABASE_URL`` (None)
            The order store; None means ``$KASIFY_ORDERS_DATABASE_URL``, else a SQLite file.
        ``KASIFY_ORDERS_SETTINGS`` (None)
            A :class:`kasify_orders.Settings`, or a dict of its fields.
        ``KASIFY_ORDERS_PLUGINS`` (``[]``)
            Plugins to register on this app's ``ko.Orders``.
        ``KASIFY_ORDERS_LOAD_ENTRYPOINTS`` (True)
            Load plugins published under the ``kasify_orders`` entry point.
        ``KASIFY_ORDERS_MIGRATE`` (None)
            Apply migrations on start; None: only for SQLite (see ``Orders.connect``).
        ``KASIFY_ORDERS_ADMIN_URL_PREFIX`` (``"/admin/orders"``)
            Where the merchant's pages live; None to leave them out.
        ``KASIFY_ORDERS_API_URL_PREFIX`` (``"/api/orders"``)
            Where the JSON API lives (its document at ``<prefix>/openapi.json``); None to leave it out.
        ``KASIFY_ORDERS_LOCALE`` (``"en"``)
            How money is written on the pages.
        ``KASIFY_ORDERS_PAGE_SIZE`` (50)
            Orders per page of the list.
        ``KASIFY_ORDERS_USE_HOST_MAIL`` (True)
            Send emails through Flask-Mailman when the app has it, instead of SMTP from the settings.

        Pass *orders* to use an ``Orders`` you built yourself (the config's database keys are
        then ignored and the app never closes it).
        """
        if EXTENSION in app.extensions:
            raise RuntimeError(
                "kasify-orders is already registered on this app: "
                "call KasifyOrders(app) or init_app(app) once per app"
            )
        config = app.config
        config.setdefault("KASIFY_ORDERS_DATABASE_URL", None)
        config.setdefault("KASIFY_ORDERS_SETTINGS", None)
        config.setdefault("KASIFY_ORDERS_PLUGINS", [])
        config.setdefault("KASIFY_ORDERS_LOAD_ENTRYPOINTS", True)
        config.setdefault("KASIFY_ORDERS_MIGRATE", None)
        config.setdefault("KASIFY_ORDERS_ADMIN_URL_PREFIX", "/admin/orders")
        config.setdefault("KASIFY_ORDERS_API_URL_PREFIX", "/api/orders")
        config.setdefault("KASIFY_ORDERS_LOCALE", "en")
        config.setdefault("KASIFY_ORDERS_PAGE_SIZE", 50)
        config.setdefault("KASIFY_ORDERS_USE_HOST_MAIL", True)

        owns = orders is None
        if orders is None:
            settings = config["KASIFY_ORDERS_SETTINGS"]
            if isinstance(settings, Mapping):
                settings = Settings(**settings)
            orders = Orders.connect(
                config["KASIFY_ORDERS_DATABASE_URL"],
                settings=settings,
                plugins=list(config["KASIFY_ORDERS_PLUGINS"]),
                load_entrypoints=config["KASIFY_ORDERS_LOAD_ENTRYPOINTS"],
                migrate=config["KASIFY_ORDERS_MIGRATE"],
            )
        if config["KASIFY_ORDERS_USE_HOST_MAIL"]:
            orders.plugins.register(_HostMail(app), name=f"kasify_orders.flask.mail.{id(app)}")

        admin_prefix = config["KASIFY_ORDERS_ADMIN_URL_PREFIX"]
        api_prefix = config["KASIFY_ORDERS_API_URL_PREFIX"]
        locale = config["KASIFY_ORDERS_LOCALE"]
        state = _State(
            extension=self,
            orders=orders,
            owns_orders=owns,
            pages=MerchantPages(
                orders, _FlaskUrls(), locale=locale, page_size=config["KASIFY_ORDERS_PAGE_SIZE"]
            ),
            api=JsonApi(
                orders,
                openapi=lambda: openapi_document(api_prefix or "", title=orders.settings.store_name),
            ),
            locale=locale,
        )
        app.extensions[EXTENSION] = state
        if admin_prefix is not None:
            app.register_blueprint(pages, url_prefix=admin_prefix.rstrip("/"))
        if api_prefix is not None:
            app.register_blueprint(api, url_prefix=api_prefix.rstrip("/"))
            _exempt_api_from_host_csrf(app)
            app.before_request(_exempt_api_from_host_csrf_lazily)

    # -- what the host tells us -------------------------------------------------------------

    def authorize(self, function: F) -> F:
        """Decorate the function that says who may do what: ``(action, order) -> bool``.

        *action* is ``"view"`` (the list, with ``order=None``; an order; its packing slip)
        or an action name (``"confirm_payment"``, ``"mark_shipped"``, ``"update_tracking"``,
        ``"mark_delivered"``, ``"cancel"``, ``"refund"``, ``"add_note"``). It runs inside the
        request, so ``current_user`` and ``flask.session`` are there. Without one, everyone
        is refused.
        """
        self._authorize = function
        return function

    def actor(self, function: F) -> F:
        """Decorate the function naming who is acting (``"staff:7"``), for the order's timeline.

        Without one, actions are recorded as done by ``"staff"``.
        """
        self._actor = function
        return function

    # -- what the host asks -----------------------------------------------------------------

    @property
    def orders(self) -> Orders:
        """The ``ko.Orders`` of the current app (needs an app context)."""
        return _state().orders

    def allowed(self, action: str, order: Order | None) -> bool:
        """Ask the host's ``authorize`` function; False when there is none."""
        if self._authorize is None:
            log.warning("kasify-orders refused %s: %s", action, _NO_AUTHORIZE_HELP)
            return False
        return bool(self._authorize(action, order))

    def current_actor(self) -> str | None:
        """Who is acting now, for the timeline."""
        return self._actor() if self._actor is not None else "staff"


def _state() -> _State:
    try:
        state = flask.current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError("kasify-orders is not registered on this app: call KasifyOrders(app)") from None
    assert isinstance(state, _State)
    return state


# -- the pages ----------------------------------------------------------------------------


class _FlaskUrls:
    """:class:`kasify_orders.web.pages.Urls` through ``flask.url_for``."""

    def order_list(self, **query: str) -> str:
        arguments: dict[str, Any] = dict(query)
        return flask.url_for("kasify_orders.order_list", **arguments)

    def order(self, order_id: str) -> str:
        return flask.url_for("kasify_orders.order_detail", order_id=order_id)

    def action(self, order_id: str, action: str) -> str:
        return flask.url_for("kasify_orders.act", order_id=order_id, action=action)

    def packing_slip(self, order_id: str) -> str:
        return flask.url_for("kasify_orders.packing_slip", order_id=order_id)

    def static(self, filename: str) -> str:
        return flask.url_for("kasify_orders.static", filename=filename)


def _respond(result: Page | Redirect) -> Response:
    if isinstance(result, Redirect):
        if result.notice:
            flask.session[_NOTICES] = [*flask.session.get(_NOTICES, []), result.notice]
        return flask.redirect(result.location, 303)
    state = _state()
    context = {
        "urls": _FlaskUrls(),
        "csrf_token": generate_csrf(),
        "store_name": state.orders.settings.store_name,
        "notices": flask.session.pop(_NOTICES, []),
        "developer_help": _NO_AUTHORIZE_HELP if state.extension._authorize is None else None,
    }
    response = flask.make_response(render(result, context, locale=state.locale), result.status)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/")
def order_list() -> Response:
    """The order list."""
    state = _state()
    return _respond(state.pages.order_list(flask.request.args, state.extension.allowed))


@pages.get("/<order_id>")
def order_detail(order_id: str) -> Response:
    """One order."""
    state = _state()
    return _respond(state.pages.order_detail(order_id, state.extension.allowed))


@pages.get("/<order_id>/packing-slip")
def packing_slip(order_id: str) -> Response:
    """The printable packing slip."""
    state = _state()
    return _respond(state.pages.packing_slip(order_id, state.extension.allowed))


@pages.post("/<order_id>/<action>")
def act(order_id: str, action: str) -> Response:
    """An action's form: CSRF first, then the host's authorize, then the action."""
    state = _state()
    if flask.current_app.config.get("WTF_CSRF_ENABLED", True):
        field = flask.current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        try:
            validate_csrf(flask.request.form.get(field))
        except CsrfError as error:
            return _respond(state.pages.bad_form(str(error.args[0]) if error.args else "invalid token"))
    result = state.pages.act(
        order_id,
        action,
        flask.request.form,
        actor=state.extension.current_actor(),
        authorize=state.extension.allowed,
    )
    return _respond(result)


# -- the API ------------------------------------------------------------------------------


def _api_view(rest: str = "") -> Response:
    state = _state()
    request = flask.request
    prefix = flask.current_app.config["KASIFY_ORDERS_API_URL_PREFIX"].rstrip("/")
    path = request.path[len(prefix) :] if request.path.startswith(prefix) else "/" + rest
    # Werkzeug refuses a larger Content-Length unread, and stops reading a chunked body one
    # byte past the limit: JsonApi.handle refuses that one too.
    request.max_content_length = state.api.max_body_bytes + 1
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        result = state.api.too_large()
    else:
        result = state.api.handle(
            ApiRequest(
                method=request.method,
                path=path,
                query={key: request.args[key] for key in request.args},
                headers={key.lower(): value for key, value in request.headers.items()},
                body=body,
            ),
            actor=state.extension.current_actor(),
            authorize=state.extension.allowed,
        )
    response = flask.current_app.response_class(
        flask.json.dumps(result.body), status=result.status, mimetype=result.content_type
    )
    response.headers.update(dict(result.headers))
    response.headers["Cache-Control"] = "no-store"
    return response


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
api.add_url_rule("", "root", _api_view, methods=_METHODS, strict_slashes=False)
api.add_url_rule("/<path:rest>", "path", _api_view, methods=_METHODS)


def _exempt_api_from_host_csrf(app: flask.Flask) -> None:
    """The API is protected by requiring application/json; a host-wide CSRFProtect must skip it."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(api)


def _exempt_api_from_host_csrf_lazily() -> None:
    # A host that sets up Flask-WTF's CSRFProtect after kasify: exempt on its first request.
    _exempt_api_from_host_csrf(flask.current_app)


# -- emails through the host's mail set-up --------------------------------------------------


class _HostMail:
    """``kasify_send_email`` through Flask-Mailman, when the app has it (else SMTP answers)."""

    def __init__(self, app: flask.Flask) -> None:
        # Held by this app's own Orders only, so the app and its plugin live and die together.
        self.app = app

    @hookimpl
    def kasify_send_email(self, message: EmailMessage) -> bool | None:
        """Send *message* with the app's Flask-Mailman; None when the app has no Flask-Mailman."""
        if "mailman" not in self.app.extensions:
            return None
        from flask_mailman import EmailMultiAlternatives  # noqa: PLC0415 - optional dependency

        mail = as_django_style(message, EmailMultiAlternatives)
        with self.app.app_context():
            mail.send()
        return True
