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
from collections.abc import Callable
from typing import Any, TypeVar

from kasify_orders import i18n
from kasify_orders._extras import missing

try:
    import flask
    import flask_wtf  # noqa: F401 - the pages' CSRF tokens: refuse early without it
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("flask", "the Flask adapter", error)

from kasify_orders.adapters.flask_mail import HostMail, HostMailSetup, settings_from
from kasify_orders.adapters.flask_views import (
    _NO_AUTHORIZE_HELP,
    EXTENSION,
    _exempt_api_from_host_csrf,
    _exempt_api_from_host_csrf_lazily,
    _FlaskUrls,
    _State,
    _state,
    api,
    pages,
)
from kasify_orders.i18n import formats
from kasify_orders.model import Order
from kasify_orders.service import Orders
from kasify_orders.web.api import JsonApi
from kasify_orders.web.navigation import back_link, host_links
from kasify_orders.web.openapi import openapi_document
from kasify_orders.web.pages import MerchantPages

__all__ = ["EXTENSION", "KasifyOrders"]

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


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
            The language of the pages and how money is written on them (``"de"``: German);
            also the emails' unless the settings give their own ``locale``.
        ``KASIFY_ORDERS_TIMEZONE`` (``"UTC"``)
            The IANA time zone the pages and emails show dates in (``"Europe/Berlin"``).
        ``KASIFY_ORDERS_PAGE_SIZE`` (50)
            Orders per page of the list.
        ``KASIFY_ORDERS_USE_HOST_MAIL`` (True)
            Send emails through Flask-Mailman when the app has it (``Mail(app)``, before or
            after this extension), instead of SMTP from the settings.
        ``KASIFY_ORDERS_LOGIN_URL`` (None)
            Where a refused visitor who is not signed in is sent, with ``?next=`` (a URL or an
            endpoint); None: Flask-Login's ``login_view`` when the app has a ``LoginManager``.
        ``KASIFY_ORDERS_NAV_LINKS`` (``[]``)
            The host's own links under kasify's sections in the sidebar: ``[("Label", "/url"), …]``.
        ``KASIFY_ORDERS_BACK_LINK`` (None)
            A "back to my admin" link at the sidebar's foot: a URL, or ``("Label", "/url")``.

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
        config.setdefault("KASIFY_ORDERS_TIMEZONE", "UTC")
        config.setdefault("KASIFY_ORDERS_PAGE_SIZE", 50)
        config.setdefault("KASIFY_ORDERS_USE_HOST_MAIL", True)
        config.setdefault("KASIFY_ORDERS_LOGIN_URL", None)
        config.setdefault("KASIFY_ORDERS_NAV_LINKS", [])
        config.setdefault("KASIFY_ORDERS_BACK_LINK", None)
        # A mistake in the sidebar's links is an error at start-up, not on the first page.
        host_links(config["KASIFY_ORDERS_NAV_LINKS"], "KASIFY_ORDERS_NAV_LINKS")
        back_link(config["KASIFY_ORDERS_BACK_LINK"], "KASIFY_ORDERS_BACK_LINK")

        owns = orders is None
        host_mail = None
        if config["KASIFY_ORDERS_USE_HOST_MAIL"] and importlib.util.find_spec("flask_mailman"):
            host_mail = HostMail(app)
        if orders is None:
            # The host's mail sender is there from the start, so the emails are turned on.
            orders = Orders.connect(
                config["KASIFY_ORDERS_DATABASE_URL"],
                settings=settings_from(config),
                plugins=[*config["KASIFY_ORDERS_PLUGINS"], *([host_mail] if host_mail else [])],
                load_entrypoints=config["KASIFY_ORDERS_LOAD_ENTRYPOINTS"],
                migrate=config["KASIFY_ORDERS_MIGRATE"],
            )
        elif host_mail is not None:
            orders.plugins.register(host_mail, name=f"kasify_orders.flask.mail.{id(app)}")

        admin_prefix = config["KASIFY_ORDERS_ADMIN_URL_PREFIX"]
        api_prefix = config["KASIFY_ORDERS_API_URL_PREFIX"]
        # An unknown language or time zone is an error at start-up, not on the first page.
        locale = i18n.check_locale(config["KASIFY_ORDERS_LOCALE"])
        timezone = formats.check_timezone(config["KASIFY_ORDERS_TIMEZONE"])
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
                timezone=lambda: orders.merchant_settings.page_timezone(timezone),
            ),
            locale=locale,
            timezone=timezone,
            mail=HostMailSetup(app, orders, host_mail),
        )
        app.extensions[EXTENSION] = state
        state.mail.start()
        from kasify_orders.adapters.flask_cli import kasify  # noqa: PLC0415 - the CLI loads with an app

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
