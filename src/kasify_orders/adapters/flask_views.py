"""The Flask adapter's views: the merchant's pages and the JSON API as two blueprints.

:class:`~kasify_orders.adapters.flask.KasifyOrders` registers them; each view maps one Flask
request onto :mod:`kasify_orders.web` and its answer back onto a Flask response.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from kasify_orders import i18n
from kasify_orders._extras import missing
from kasify_orders.i18n import formats

try:
    import flask
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from werkzeug.exceptions import RequestEntityTooLarge
    from werkzeug.wrappers import Response
    from wtforms import ValidationError as CsrfError
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("flask", "the Flask adapter", error)

from kasify_orders.adapters.flask_mail import HostMailSetup
from kasify_orders.service import Orders
from kasify_orders.web.api import ApiRequest, JsonApi
from kasify_orders.web.navigation import back_link, host_links
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.render import render
from kasify_orders.web.routes import ALL_ROUTES, Download, PageRequest, Route, Upload

if TYPE_CHECKING:
    from kasify_orders.adapters.flask import KasifyOrders

__all__ = ["EXTENSION", "api", "pages", "state"]

#: The key of this extension's state in ``app.extensions``.
EXTENSION = "kasify_orders"
_NOTICES = "kasify_orders.notices"
_STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
_NO_AUTHORIZE_HELP = (
    "no @kasify.authorize function is registered, so kasify-orders refuses everyone. "
    "Register one that says who may do what, for example: "
    "@kasify.authorize def may_manage_orders(action, order): return current_user.is_staff"
)


pages = flask.Blueprint("kasify_orders", __name__, static_folder=str(_STATIC), static_url_path="/static")
api = flask.Blueprint("kasify_orders_api", __name__)


@pages.before_request
def _activate_language() -> None:
    """Translate this request's page and messages into the configured language, on the shop's clock.

    The clock is the merchant's time zone as saved on the Settings page, over the code's, asked
    when a date is first written; the saved settings are read once for the whole request
    (``MerchantSettings.one_read``: the clock, the header and the sidebar).
    """
    state = _state()
    merchant = state.orders.merchant_settings
    request = contextlib.ExitStack()
    request.enter_context(merchant.one_read())
    request.enter_context(
        i18n.activate(state.locale, functools.partial(merchant.page_timezone, state.timezone))
    )
    flask.g.kasify_orders_request = request


@pages.teardown_request
def _deactivate_language(_error: BaseException | None) -> None:
    request = flask.g.pop("kasify_orders_request", None)
    if request is not None:
        request.close()


@attrs.define
class _State:
    """What one app holds in ``app.extensions["kasify_orders"]``."""

    extension: KasifyOrders
    orders: Orders
    owns_orders: bool
    pages: MerchantPages
    api: JsonApi
    locale: str
    #: ``KASIFY_ORDERS_TIMEZONE``: the pages' clock unless the settings name another (see
    #: ``MerchantSettings.page_timezone``).
    timezone: str
    mail: HostMailSetup


def _state() -> _State:
    try:
        state = flask.current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError("kasify-orders is not registered on this app: call KasifyOrders(app)") from None
    assert isinstance(state, _State)
    return state


state = _state


# -- the pages ----------------------------------------------------------------------------


#: What Werkzeug leaves unencoded in a URL's query (``werkzeug.urls._urlencode``).
_QUERY_SAFE = "!$'()*,/:;?@"


class _FlaskUrls:
    """:class:`kasify_orders.web.pages.Urls` through ``flask.url_for``."""

    def order_list(self, **query: str) -> str:
        """The list's URL with *query*: ``url_for``'s answer, its path built once per request.

        A list page links a dozen views of itself (tabs, pages, "Clear"); the query is encoded
        as Werkzeug encodes it.
        """
        base = flask.g.get("kasify_orders_list_url")
        if base is None:
            base = flask.g.kasify_orders_list_url = flask.url_for("kasify_orders.order_list")
        return f"{base}?{urlencode(query, safe=_QUERY_SAFE)}" if query else base

    def order(self, order_id: str) -> str:
        return flask.url_for("kasify_orders.order_detail", order_id=order_id)

    def action(self, order_id: str, action: str) -> str:
        return flask.url_for("kasify_orders.act", order_id=order_id, action=action)

    def packing_slip(self, order_id: str) -> str:
        return flask.url_for("kasify_orders.packing_slip", order_id=order_id)

    def static(self, filename: str) -> str:
        return flask.url_for("kasify_orders.static", filename=filename)

    def url(self, name: str, /, query: Mapping[str, str] | None = None, **params: str) -> str:
        arguments: dict[str, Any] = {**(query or {}), **params}
        return flask.url_for(f"kasify_orders.{name}", **arguments)


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


def _respond(result: Page | Redirect | Download, *, back_to: str | None = None) -> Response:
    if isinstance(result, Download):
        return _download(result)
    login = _to_login(result, back_to=back_to)
    if login is not None:
        return login
    if isinstance(result, Redirect):
        if result.notice:
            flask.session[_NOTICES] = [*flask.session.get(_NOTICES, []), result.notice]
        return flask.redirect(result.location, 303)
    state = _state()
    config = flask.current_app.config
    context = {
        **state.pages.frame(result, state.extension.allowed),
        "host_links": host_links(config["KASIFY_ORDERS_NAV_LINKS"], "KASIFY_ORDERS_NAV_LINKS"),
        "back_link": back_link(config["KASIFY_ORDERS_BACK_LINK"], "KASIFY_ORDERS_BACK_LINK"),
        "urls": _FlaskUrls(),
        "csrf_token": generate_csrf(),
        "notices": flask.session.pop(_NOTICES, []),
        "developer_help": _NO_AUTHORIZE_HELP if state.extension._authorize is None else None,
    }
    page = render(result, context, locale=state.locale, timezone=formats.active_timezone())
    response = flask.make_response(page, result.status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(result: Download) -> Response:
    """A streamed file: its chunks go out as they are made, inside the request's context."""
    response = flask.current_app.response_class(
        flask.stream_with_context(iter(result.chunks)), mimetype=result.content_type
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _bad_csrf() -> Page | None:
    """The refusal of a form without our CSRF token (None: the token is good, or CSRF is off)."""
    if not flask.current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    field = flask.current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    try:
        validate_csrf(flask.request.form.get(field))
    except CsrfError as error:
        return _state().pages.bad_form(str(error.args[0]) if error.args else "invalid token")
    return None


def _route_view(route: Route) -> Any:
    """The Flask view of one back-office :class:`~kasify_orders.web.routes.Route`."""

    def view(**params: str) -> Response:
        state = _state()
        request = flask.request
        if request.method == "POST":
            refused = _bad_csrf()
            if refused is not None:
                return _respond(refused)
        result = route.view(
            state.pages,
            PageRequest(
                args=request.args.to_dict(),
                form=request.form.to_dict(),
                form_lists={key: tuple(request.form.getlist(key)) for key in request.form},
                files={
                    key: Upload(upload.filename or "", upload.read()) for key, upload in request.files.items()
                },
                params=params,
                actor=state.extension.current_actor(),
                authorize=state.extension.allowed,
            ),
        )
        return _respond(result, back_to=request.referrer if request.method == "POST" else None)

    view.__name__ = route.name
    view.__doc__ = route.view.__doc__
    return view


for _route in ALL_ROUTES:
    pages.add_url_rule(f"/{_route.path}", _route.name, _route_view(_route), methods=list(_route.methods))


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
    parcel = flask.request.args.get("parcel")
    return _respond(state.pages.packing_slip(order_id, state.extension.allowed, parcel=parcel))


@pages.post("/<order_id>/<action>")
def act(order_id: str, action: str) -> Response:
    """An action's form: CSRF first, then the host's authorize, then the action."""
    state = _state()
    refused = _bad_csrf()
    if refused is not None:
        return _respond(refused)
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
