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

import importlib.util
import logging
import threading
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from kasify_orders._extras import missing

try:
    import flask
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from werkzeug.exceptions import RequestEntityTooLarge
    from werkzeug.wrappers import Response
    from wtforms import ValidationError as CsrfError
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("flask", "the Flask adapter", error)

from kasify_orders import notifications
from kasify_orders.hookspecs import hookimpl
from kasify_orders.model import Order
from kasify_orders.notifications.django_style import as_django_style
from kasify_orders.notifications.plugin import PLUGIN_NAME as _NOTIFIER
from kasify_orders.notifications.readiness import warn_once
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
    mail: _HostMailSetup


class KasifyOrders:
    """The Flask extension. One instance may serve several apps; each app gets its own ``ko.Orders``."""

    def __init__(self, app: flask.Flask | None = None, *, orders: Orders | None = None) -> None:
        self._authorize: Callable[[str, Order | None], bool] | None = None
        self._actor: Callable[[], str | None] | None = None
        self._signed_in: Callable[[], bool] | None = None
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
            Send emails through Flask-Mailman when the app has it (``Mail(app)``, before or
            after this extension), instead of SMTP from the settings.
        ``KASIFY_ORDERS_LOGIN_URL`` (None)
            Where a refused visitor who is not signed in is sent, with ``?next=`` (a URL or an
            endpoint); None: Flask-Login's ``login_view`` when the app has a ``LoginManager``.

        The emails' from address is ``MAIL_DEFAULT_SENDER`` unless the settings give
        ``from_email``. When emails cannot be sent (no Flask-Mailman and no ``smtp_url``, or
        no from address), a warning is logged once, at start-up or, when Flask-Mailman may
        still be set up after this extension, on the app's first app context.

        The app gets the ``flask kasify`` commands (``db upgrade``, ``deliver``, ``export``,
        ``check``), on this app's ``ko.Orders``.

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
        config.setdefault("KASIFY_ORDERS_LOGIN_URL", None)

        owns = orders is None
        host_mail = None
        if config["KASIFY_ORDERS_USE_HOST_MAIL"] and importlib.util.find_spec("flask_mailman"):
            host_mail = _HostMail(app)
        if orders is None:
            # The host's mail sender is there from the start, so the emails are turned on.
            orders = Orders.connect(
                config["KASIFY_ORDERS_DATABASE_URL"],
                settings=_settings(config),
                plugins=[*config["KASIFY_ORDERS_PLUGINS"], *([host_mail] if host_mail else [])],
                load_entrypoints=config["KASIFY_ORDERS_LOAD_ENTRYPOINTS"],
                migrate=config["KASIFY_ORDERS_MIGRATE"],
            )
        elif host_mail is not None:
            orders.plugins.register(host_mail, name=f"kasify_orders.flask.mail.{id(app)}")

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
            mail=_HostMailSetup(app, orders, host_mail),
        )
        app.extensions[EXTENSION] = state
        state.mail.start()
        from kasify_orders.adapters.flask_cli import kasify  # noqa: PLC0415 - it imports this module

        app.cli.add_command(kasify)  # flask kasify …, as Flask-Migrate adds flask db
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

    def signed_in(self, function: F) -> F:
        """Decorate the function saying whether someone is signed in: ``() -> bool``.

        A visitor the ``authorize`` function refuses and who is not signed in is sent to the
        login page (``KASIFY_ORDERS_LOGIN_URL``, or Flask-Login's) instead of the refusal page;
        a signed-in visitor who may not gets the refusal (403). Without one, Flask-Login's
        ``current_user.is_authenticated`` answers when the app has a ``LoginManager``; with
        neither, every refused visitor gets the refusal.
        """
        self._signed_in = function
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


def _signed_out() -> bool:
    """Whether the visitor is known not to be signed in (the host's ``signed_in``, else Flask-Login)."""
    signed_in = _state().extension._signed_in
    if signed_in is not None:
        return not signed_in()
    if getattr(flask.current_app, "login_manager", None) is None:
        return False  # no way to tell: refuse, as for anyone
    from flask_login import current_user  # noqa: PLC0415 - only where the app has Flask-Login

    return not current_user.is_authenticated


def _login_page() -> Response | None:
    """The redirect to the host's login page for a signed-out visitor, if the host has one."""
    app = flask.current_app
    login = app.config["KASIFY_ORDERS_LOGIN_URL"]
    if login:
        base = login if login.startswith(("/", "http://", "https://")) else flask.url_for(login)
        parts = urlsplit(base)
        query = urlencode([*parse_qsl(parts.query), ("next", flask.request.full_path.rstrip("?"))])
        return flask.redirect(urlunsplit(parts._replace(query=query)))
    manager: Any = getattr(app, "login_manager", None)
    if manager is None:
        return None
    view = manager.blueprint_login_views.get(flask.request.blueprint) or manager.login_view
    if not (manager.unauthorized_callback or view):
        return None  # Flask-Login would answer a bare 401: kasify's refusal page says more
    # Flask-Login's own answer: its login_view (per blueprint too), login_message, next.
    response: Response = manager.unauthorized()
    return response


def _to_login(result: Page | Redirect, *, back_to: str | None) -> Response | None:
    """For a signed-out visitor, a refusal becomes the way to the login page (None: no such way).

    *back_to*: the page to come back to after signing in, when the refused request was a form's
    POST (that page then sends the visitor on to the login page, with itself as ``next``).
    """
    if result != _state().pages.refused() or not _signed_out():
        return None
    login = _login_page()
    if login is not None and back_to is not None:
        return flask.redirect(back_to, 303)
    return login


def _respond(result: Page | Redirect, *, back_to: str | None = None) -> Response:
    login = _to_login(result, back_to=back_to)
    if login is not None:
        return login
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
    return _respond(result, back_to=_FlaskUrls().order(order_id))


# -- the API ------------------------------------------------------------------------------


def _api_view(rest: str = "") -> Response:
    state = _state()
    request = flask.request
    prefix = flask.current_app.config["KASIFY_ORDERS_API_URL_PREFIX"].rstrip("/")
    path = request.path[len(prefix) :] if request.path.startswith(prefix) else "/" + rest
    # A larger Content-Length is refused unread; a chunked body is read one byte past the
    # limit at most, and JsonApi.handle refuses that one too. (Reading the stream ourselves
    # works on every Werkzeug: Request.max_content_length is settable only from 3.1.)
    limit = state.api.max_body_bytes
    try:
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
        body = request.stream.read(limit + 1)
    except RequestEntityTooLarge:  # also the app's own MAX_CONTENT_LENGTH
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

#: ``Settings.from_email`` when nobody set it: a placeholder the host's sender replaces.
_PLACEHOLDER_FROM = attrs.fields(Settings).from_email.default


def _settings(config: flask.Config) -> Settings | None:
    """``KASIFY_ORDERS_SETTINGS``, with ``MAIL_DEFAULT_SENDER`` as the from address unless it gives one."""
    settings = config["KASIFY_ORDERS_SETTINGS"]
    sender = config.get("MAIL_DEFAULT_SENDER")
    if isinstance(sender, tuple | list) and len(sender) == 2:  # Flask-Mail's (name, address)
        sender = formataddr((str(sender[0]), str(sender[1])))
    sender = str(sender) if sender else None
    if isinstance(settings, Mapping):
        fields = dict(settings)
        if sender and "from_email" not in fields:
            fields["from_email"] = sender
        return Settings(**fields)
    if settings is None:
        return Settings(from_email=sender) if sender else None
    if not isinstance(settings, Settings):
        raise TypeError(
            "KASIFY_ORDERS_SETTINGS must be a kasify_orders.Settings or a dict,"
            f" not {type(settings).__name__}"
        )
    if sender and settings.from_email == _PLACEHOLDER_FROM:
        return attrs.evolve(settings, from_email=sender)
    return settings


class _HostMailSetup:
    """Decides whether an app's emails go through Flask-Mailman, and warns once when none can go.

    ``Mail(app)`` may come before or after ``KasifyOrders(app)``, so until the app's first app
    context it is not known. An ``Orders`` kasify opened has its emails on from the start (so
    nothing placed meanwhile misses its email); if the app still has no Flask-Mailman (and no
    other sender) when it is first used, they are turned off with one warning, and on again if
    ``Mail(app)`` comes later still. An ``Orders`` the host passed keeps what it had until then.
    """

    def __init__(self, app: flask.Flask, orders: Orders, host_mail: _HostMail | None) -> None:
        self.app = app
        self.orders = orders
        self.host_mail = host_mail
        self._lock = threading.Lock()
        self._settled = False
        self._checked = False

    def start(self) -> None:
        """Decide now when the app's mail set-up is known; else on each app context until it is."""
        if self.host_mail is not None and "mailman" not in self.app.extensions:
            flask.appcontext_pushed.connect(self.settle, sender=self.app)
            return
        self.settle()

    def settle(self, *_sender: object, **_extra: object) -> None:
        """Turn the emails on or off to match the app's mail set-up; warn once when none can go."""
        has_mailman = "mailman" in self.app.extensions
        if self._settled or (self._checked and not has_mailman):
            return
        with self._lock:
            plugins = self.orders.plugins
            if self.host_mail is None or has_mailman:
                if self.host_mail is not None:
                    notifications.install(self.orders)
                    flask.appcontext_pushed.disconnect(self.settle, sender=self.app)
                self._settled = True
            elif plugins.get_plugin(_NOTIFIER) is not None and not self._other_senders():
                plugins.unregister(name=_NOTIFIER)  # until Mail(app): no email is queued meanwhile
            self._checked = True
        warn_once(self.orders, notifications.email_problems_of(self.orders))

    def _other_senders(self) -> bool:
        impls = self.orders.plugins.hook.kasify_send_email.get_hookimpls()
        return any(impl.plugin is not self.host_mail for impl in impls)


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
