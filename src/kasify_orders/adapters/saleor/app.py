"""``SaleorApp``: the WSGI app Saleor installs — manifest, register, signed webhooks.

Routes, relative to wherever the app is mounted:

``GET  /api/manifest``  the App manifest Saleor's dashboard reads when a staff member installs the app;
``POST /api/register``  Saleor posts the app token here once installed (``tokenTargetUrl``);
``POST /api/webhooks``  every order webhook (``targetUrl``), verified before its body is read;
``GET  /``              the page the dashboard shows (``appUrl``), linking the merchant's order pages.

Mount it in Flask (``DispatcherMiddleware``) or in front of Django's WSGI handler; see
``docs/saleor.md``.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

try:
    from werkzeug.exceptions import HTTPException, NotFound
    from werkzeug.routing import Map, Rule
    from werkzeug.wrappers import Request, Response
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the Saleor adapter needs werkzeug and joserfc: pip install 'kasify-orders[saleor]'"
    ) from error

from kasify_orders.adapters.saleor.emails import customer_email_warning
from kasify_orders.adapters.saleor.events import APP_EVENTS, EVENTS, EventHandler, UnusableEvent, parse
from kasify_orders.adapters.saleor.graphql import APP_ID, ORDER_EVENTS_SUBSCRIPTION, SaleorClient, SaleorError
from kasify_orders.adapters.saleor.installations import Installation, Installations
from kasify_orders.adapters.saleor.signatures import FetchJson, SignatureError, SignatureVerifier, fetch_json
from kasify_orders.adapters.saleor.tables import SALEOR_TABLES
from kasify_orders.adapters.saleor.writeback import SaleorWriteBack, uninstall
from kasify_orders.errors import ValidationError
from kasify_orders.network import is_loopback
from kasify_orders.service import Orders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["PERMISSIONS", "SaleorApp", "installation_warnings", "uninstall"]

log = logging.getLogger(__name__)

#: What the app asks Saleor for: reading and fulfilling orders, notes, and refunds on transactions
#: (MANAGE_ORDERS, HANDLE_PAYMENTS); reading whether Saleor's own customer-email plugin is active
#: (MANAGE_PLUGINS); hearing that it was uninstalled, APP_DELETED (MANAGE_APPS).
PERMISSIONS = ("MANAGE_ORDERS", "HANDLE_PAYMENTS", "MANAGE_PLUGINS", "MANAGE_APPS")
#: Webhook bodies larger than this are refused (Saleor's order payloads are a few kilobytes).
MAX_BODY = 5_000_000

AllowedUrls = Iterable[str] | Callable[[str], bool]


def _json(data: Mapping[str, Any], status: int = 200) -> Response:
    response = Response(json.dumps(data), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _refuse(status: int, code: str, message: str) -> Response:
    """Saleor's App SDK error shape: ``{"success": false, "error": {"code", "message"}}``."""
    return _json({"success": False, "error": {"code": code, "message": message}}, status)


class SaleorApp:
    """A Saleor App (WSGI) that keeps kasify's orders, timeline and emails in step with a Saleor shop.

    :param orders: The ``ko.Orders`` to keep; it must be connected with
        ``ko.Settings(manage_inventory=False)``, since Saleor owns stock.
    :param allowed_api_urls: The Saleor API URLs (``https://shop.example.com/graphql/``) allowed to
        install the app, or a predicate ``(api_url) -> bool``. Nothing else can install it.
    :param public_url: The app's public base URL for the manifest (``https://kasify.example.com/saleor``);
        None: taken from each manifest request.
    :param dashboard_url: The ``appUrl`` the Saleor dashboard opens; None: this app's ``/`` page.
    :param orders_url: Where the merchant's order pages are, linked from the ``/`` page.
    :param legacy_secret: The secret key of webhooks signed the legacy way (HMAC-SHA256), if any.
    :param allow_http: Accept ``http://`` Saleor API URLs that are not loopback (never in production).
    :param jwks_min_refetch_seconds: An unknown key id fetches the JWKS again at most this often.
    :param default_carrier: kasify's carrier for a Saleor tracking number it cannot attribute.
    :param write_back: Register :class:`SaleorWriteBack` on ``orders.plugins``, so the merchant's
        actions in kasify reach Saleor. Register it on delivery workers' ``Orders`` too.
    :param fetch_jwks: How JWKS documents are fetched (``url -> JSON``).
    :param timeout: Seconds to wait for Saleor's API.
    :param migrate: Create or upgrade the app's own tables now (``SALEOR_TABLES.upgrade``,
        idempotent). False: a deploy step does it, ``SALEOR_TABLES.upgrade(orders.store)``
        after ``kasify-orders db upgrade``.
    """

    def __init__(
        self,
        orders: Orders,
        *,
        allowed_api_urls: AllowedUrls,
        public_url: str | None = None,
        dashboard_url: str | None = None,
        orders_url: str | None = "/admin/orders/",
        name: str = "Kasify Orders",
        app_id: str = "kasify.orders",
        version: str = "1.0.0",
        legacy_secret: str | None = None,
        allow_http: bool = False,
        jwks_min_refetch_seconds: float = 10.0,
        default_carrier: str = "other",
        write_back: bool = True,
        fetch_jwks: FetchJson = fetch_json,
        timeout: float = 15.0,
        migrate: bool = True,
    ) -> None:
        if orders.settings.manage_inventory:
            raise ValueError(
                "Saleor owns stock: connect the Orders given to SaleorApp with "
                "ko.Settings(manage_inventory=False), so kasify never counts stock twice"
            )
        self.orders = orders
        if migrate:
            SALEOR_TABLES.upgrade(orders.store)
        self.installations = Installations(orders.store)
        self.verifier = SignatureVerifier(
            self.installations,
            fetch=fetch_jwks,
            legacy_secret=legacy_secret,
            min_refetch_seconds=jwks_min_refetch_seconds,
        )
        if callable(allowed_api_urls):
            self._allowed: Callable[[str], bool] = allowed_api_urls
        else:
            allowed = frozenset(allowed_api_urls)
            self._allowed = allowed.__contains__
        self.public_url = public_url.rstrip("/") if public_url else None
        self.dashboard_url = dashboard_url
        self.orders_url = orders_url
        self.name = name
        self.app_id = app_id
        self.version = version
        self.allow_http = allow_http
        self.default_carrier = default_carrier
        self.timeout = timeout
        self.writeback: SaleorWriteBack | None = None
        if write_back:
            # One write-back per Orders, however many apps share it: two would each call Saleor.
            existing = [p for p in orders.plugins.get_plugins() if isinstance(p, SaleorWriteBack)]
            if existing:
                self.writeback = existing[0]
            else:
                self.writeback = SaleorWriteBack(self.installations, self.client_for, orders=orders)
                # A name the same in every process: the outbox records who handled an event by it.
                orders.plugins.register(self.writeback, name="kasify_orders.saleor.writeback")
        self._routes = Map(
            [
                Rule("/", endpoint="home", methods=["GET"]),
                Rule("/api/manifest", endpoint="manifest", methods=["GET"]),
                Rule("/api/register", endpoint="register", methods=["POST"]),
                Rule("/api/webhooks", endpoint="webhook", methods=["POST"]),
            ]
        )

    # -- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        request = Request(environ)
        request.max_content_length = MAX_BODY
        try:
            endpoint, _ = self._routes.bind_to_environ(environ).match()
            response: Response = getattr(self, f"_{endpoint}")(request)
        except NotFound:
            response = _refuse(404, "NOT_FOUND", f"no such page: {request.path}")
        except HTTPException as error:
            response = _refuse(
                error.code or 400, error.name.upper().replace(" ", "_"), error.description or ""
            )
        return response(environ, start_response)

    def client_for(self, api_url: str) -> SaleorClient:
        """A GraphQL client for an active installation; raises :class:`SaleorError` otherwise."""
        installation = self.installations.get(api_url)
        if installation is None or not installation.active:
            raise SaleorError(f"the app is not installed on {api_url}")
        return SaleorClient(api_url, installation.app_token, timeout=self.timeout)

    def manifest(self, base_url: str) -> dict[str, Any]:
        """The App manifest, with every URL under *base_url*."""
        base = base_url.rstrip("/")
        return {
            "id": self.app_id,
            "version": self.version,
            "name": self.name,
            "about": (
                "Order timeline, customer emails and the merchant's order workflow, kept in step with Saleor."
            ),
            "permissions": list(PERMISSIONS),
            "appUrl": self.dashboard_url or f"{base}/",
            "tokenTargetUrl": f"{base}/api/register",
            "requiredSaleorVersion": ">=3.20",
            "author": "kasify-orders",
            "webhooks": [
                {
                    "name": "kasify orders",
                    "asyncEvents": [*EVENTS, *APP_EVENTS],
                    "query": ORDER_EVENTS_SUBSCRIPTION,
                    "targetUrl": f"{base}/api/webhooks",
                    "isActive": True,
                }
            ],
        }

    # -- endpoints ------------------------------------------------------------------------------

    def _home(self, request: Request) -> Response:
        link = (
            f'<p><a href="{html.escape(self.orders_url)}" target="_top">Open the orders</a></p>'
            if self.orders_url
            else ""
        )
        notices = "".join(
            f'<p class="warning"><strong>{html.escape(notice)}</strong></p>' for notice in self.warnings()
        )
        page = (
            f"<!doctype html><title>{html.escape(self.name)}</title>"
            f"<h1>{html.escape(self.name)}</h1>"
            f"<p>Installed on {len(self._active())} Saleor shop(s).</p>{notices}{link}"
        )
        return Response(page, mimetype="text/html")

    def warnings(self) -> list[str]:
        """What the merchant must know about each installation (Saleor's own emails, an uninstall)."""
        return installation_warnings(self.installations.all())

    def uninstall(self, api_url: str, *, why: str) -> bool:
        """:func:`uninstall` this app's installation at *api_url*."""
        return uninstall(self.installations, api_url, why=why)

    def _active(self) -> list[Installation]:
        return [installation for installation in self.installations.all() if installation.active]

    def _manifest(self, request: Request) -> Response:
        return _json(self.manifest(self.public_url or request.url_root))

    def _url_problem(self, api_url: str) -> str | None:
        parts = urlsplit(api_url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            return f"Saleor-Api-Url must be an absolute http(s) URL, got {api_url!r}"
        if parts.scheme == "http" and not (self.allow_http or is_loopback(parts.hostname)):
            return f"Saleor-Api-Url must use https, got {api_url!r}"
        if len(api_url) > 255:
            return "Saleor-Api-Url must be at most 255 characters"
        return None

    def _register(self, request: Request) -> Response:  # noqa: PLR0911 - one refusal per check
        api_url = request.headers.get("Saleor-Api-Url", "").strip()
        if not api_url:
            return _refuse(400, "MISSING_SALEOR_API_URL", "the Saleor-Api-Url header is missing")
        problem = self._url_problem(api_url)
        if problem:
            return _refuse(400, "INVALID_SALEOR_API_URL", problem)
        if not self._allowed(api_url):
            log.warning("refused to install on %s: not in allowed_api_urls", api_url)
            return _refuse(
                403, "SALEOR_URL_PROHIBITED", f"{api_url} may not install this app (allowed_api_urls)"
            )
        try:
            body = json.loads(request.get_data(cache=False))
        except ValueError:
            return _refuse(400, "INVALID_BODY", 'the body must be JSON: {"auth_token": "..."}')
        token = body.get("auth_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token.strip():
            return _refuse(
                400, "MISSING_AUTH_TOKEN", 'the body must hold the app token: {"auth_token": "..."}'
            )
        try:
            app = SaleorClient(api_url, token, timeout=self.timeout).execute(APP_ID).get("app")
        except SaleorError as error:
            return _refuse(401, "INVALID_AUTH_TOKEN", f"the token does not work on {api_url}: {error}")
        if not isinstance(app, dict) or not isinstance(app.get("id"), str):
            return _refuse(401, "INVALID_AUTH_TOKEN", f"{api_url} did not say which app the token belongs to")
        try:
            jwks = self.verifier.fetch_jwks(api_url)
        except SignatureError as error:
            return _refuse(502, "JWKS_NOT_AVAILABLE", str(error))
        domain = request.headers.get("Saleor-Domain", "").strip() or (urlsplit(api_url).netloc)
        warning = customer_email_warning(SaleorClient(api_url, token, timeout=self.timeout))
        self.installations.save(
            api_url=api_url,
            domain=domain[:255],
            app_id=app["id"],
            app_token=token,
            jwks=jwks,
            email_warning=warning,
        )
        log.info("installed on %s (app %s)", api_url, app["id"])
        if warning:
            log.warning("%s: %s", api_url, warning)
        return _json({"success": True})

    def _webhook(self, request: Request) -> Response:  # noqa: PLR0911 - one refusal per check
        headers = request.headers
        api_url = headers.get("Saleor-Api-Url", "").strip()
        if not api_url:
            return _refuse(401, "MISSING_SALEOR_API_URL", "the Saleor-Api-Url header is missing")
        installation = self.installations.get(api_url)
        if installation is None or not installation.active:
            log.warning("refused a webhook from %s: the app is not installed there", api_url)
            return _refuse(401, "NOT_INSTALLED", f"the app is not installed on {api_url}")
        signature = headers.get("Saleor-Signature") or headers.get("X-Saleor-Signature") or ""
        body = request.get_data(cache=False)
        try:
            self.verifier.verify(installation, body, signature)
        except SignatureError as error:
            log.warning("refused a webhook from %s: %s", api_url, error)
            return _refuse(401, "INVALID_SIGNATURE", str(error))
        event = (headers.get("Saleor-Event") or headers.get("X-Saleor-Event") or "").strip().upper()
        if not event:
            return _refuse(400, "MISSING_SALEOR_EVENT", "the Saleor-Event header is missing")
        if event in APP_EVENTS:
            return self._app_event(installation, event, body)
        if event not in EVENTS:
            return _json({"success": True, "outcome": "ignored", "event": event})
        digest = hashlib.sha256(b"\n".join([api_url.encode(), event.encode(), body])).hexdigest()
        if self.installations.seen(digest):
            return _json({"success": True, "outcome": "duplicate", "event": event})
        try:
            payload = json.loads(body)
        except ValueError:
            return _refuse(400, "INVALID_BODY", "the webhook body is not JSON")
        handler = EventHandler(
            self.orders,
            self.installations,
            api_url,
            lambda: self.client_for(api_url),
            default_carrier=self.default_carrier,
        )
        try:
            outcome = handler.handle(parse(event, payload))
        except (UnusableEvent, ValidationError) as error:
            log.warning("could not apply %s from %s: %s", event, api_url, error)
            return _refuse(422, "UNUSABLE_EVENT", str(error))
        except SaleorError as error:  # fetching the order failed: let Saleor retry
            log.warning("could not apply %s from %s: %s", event, api_url, error)
            return _refuse(503, "SALEOR_UNAVAILABLE", str(error))
        self.installations.mark_seen(digest, api_url=api_url, event=event)
        return _json({"success": True, "outcome": outcome, "event": event})

    def _app_event(self, installation: Installation, event: str, body: bytes) -> Response:
        """APP_DELETED: when it is this app that Saleor deleted, stop following that Saleor."""
        try:
            payload = json.loads(body)
        except ValueError:
            return _refuse(400, "INVALID_BODY", "the webhook body is not JSON")
        if isinstance(payload, list) and len(payload) == 1:  # legacy: an array holding the app
            payload = payload[0]
        app = payload.get("app", payload) if isinstance(payload, dict) else None
        app_id = app.get("id") if isinstance(app, dict) else None
        if app_id != installation.app_id:
            log.info("%s from %s is about app %r, not this one: ignored", event, installation.api_url, app_id)
            return _json({"success": True, "outcome": "ignored", "event": event})
        self.uninstall(installation.api_url, why="The kasify app was uninstalled in Saleor")
        return _json({"success": True, "outcome": "uninstalled", "event": event})


def installation_warnings(installations: Iterable[Installation]) -> list[str]:
    """The merchant's notices about *installations*: Saleor's own customer emails, uninstalls."""
    notices = []
    for installation in installations:
        if not installation.active:
            assert installation.removed_at is not None
            notices.append(
                f"Uninstalled from {installation.api_url} on {installation.removed_at:%Y-%m-%d %H:%M} UTC: "
                "its orders are no longer kept in step with Saleor"
            )
        elif installation.email_warning:
            notices.append(f"{installation.api_url}: {installation.email_warning}")
    return notices
