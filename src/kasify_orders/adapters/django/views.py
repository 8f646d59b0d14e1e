"""The merchant's order pages as Django views, over the shared view layer :mod:`kasify_orders.web`.

This module only maps Django onto it: the URL resolver builds the links, Django's CSRF token
protects every form (``csrf_protect``, whether or not the host has ``CsrfViewMiddleware``),
``request.user`` and ``KASIFY_ORDERS["AUTHORIZE"]`` decide who may do what, and the messages
framework carries an action's result to the page after the redirect. The pages themselves,
their forms and their error messages are the same jinja2 templates every host renders; a
host restyles them with its own versions in a ``kasify_orders/`` folder of a ``TEMPLATES``
directory (:func:`template_dirs`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template import engines
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from kasify_orders import i18n
from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.orders import get_orders
from kasify_orders.i18n import formats
from kasify_orders.model import Order
from kasify_orders.web.page_reuse import ShownPages
from kasify_orders.web.pages import Authorize, MerchantPages, Page, Redirect
from kasify_orders.web.render import render
from kasify_orders.web.routes import Download, PageRequest, Route, Upload

__all__ = [
    "TEMPLATE_FOLDER",
    "act",
    "order_detail",
    "order_list",
    "packing_slip",
    "route_view",
    "static",
    "template_dirs",
]

_STATIC = Path(__file__).resolve().parent.parent.parent / "web" / "static"
_STATIC_FILES = {path.name: path for path in _STATIC.iterdir() if path.is_file()}
#: The folder of a template directory holding a host's versions of kasify's pages.
TEMPLATE_FOLDER = "kasify_orders"
#: The hidden field of Django's CSRF token in a form.
_CSRF_FIELD = "csrfmiddlewaretoken"
_DEFAULT_RULE_HELP = (
    "kasify-orders lets in active staff users (is_staff) by default. To use Django's permissions "
    '(kasify_orders.view_order, refund_order, …) set KASIFY_ORDERS["AUTHORIZE"] to '
    '"kasify_orders.adapters.django.authorize.by_permission", or to the dotted path of your own '
    "function (request, action, order) -> bool."
)


class _DjangoUrls:
    """:class:`kasify_orders.web.pages.Urls` through Django's URL resolver (namespace-aware)."""

    def __init__(self, request: HttpRequest) -> None:
        match = request.resolver_match
        self.namespace = match.namespace if match is not None and match.namespace else "kasify_orders"

    def _reverse(self, name: str, *args: str) -> str:
        return reverse(f"{self.namespace}:{name}", args=args, current_app=self.namespace)

    def order_list(self, **query: str) -> str:
        url = self._reverse("order_list")
        return f"{url}?{urlencode(query)}" if query else url

    def order(self, order_id: str) -> str:
        return self._reverse("order_detail", order_id)

    def action(self, order_id: str, action: str) -> str:
        return self._reverse("act", order_id, action)

    def packing_slip(self, order_id: str) -> str:
        return self._reverse("packing_slip", order_id)

    def static(self, filename: str) -> str:
        return self._reverse("static", filename)

    def url(self, name: str, /, query: Mapping[str, str] | None = None, **params: str) -> str:
        url = reverse(f"{self.namespace}:{name}", kwargs=params or None, current_app=self.namespace)
        return f"{url}?{urlencode(query)}" if query else url


#: The order pages kept for reuse, for every request's pages (they are built per request).
_SHOWN = ShownPages()


def _pages(request: HttpRequest, config: conf.Conf) -> MerchantPages:
    return MerchantPages(
        get_orders(),
        _DjangoUrls(request),
        locale=config.page_locale(),
        page_size=config.page_size,
        shown=_SHOWN,
    )


def _authorize(request: HttpRequest, config: conf.Conf) -> Authorize:
    def allowed(action: str, order: Order | None) -> bool:
        return bool(config.authorize(request, action, order))

    return allowed


def _respond(request: HttpRequest, config: conf.Conf, result: Page | Redirect | Download) -> HttpResponseBase:
    if isinstance(result, Download):
        download = StreamingHttpResponse(iter(result.chunks), content_type=result.content_type)
        download["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        add_never_cache_headers(download)
        return download
    if isinstance(result, Redirect):
        if result.notice:
            messages.success(request, result.notice)
        return redirect(result.location)
    pages = _pages(request, config)
    context = {
        **pages.frame(result, _authorize(request, config)),
        "host_links": config.nav_links,
        "back_link": config.back_link,
        "urls": pages.urls,
        "csrf_token": get_token(request),
        "csrf_field": _CSRF_FIELD,
        "notices": [str(message) for message in messages.get_messages(request)],
        "developer_help": _DEFAULT_RULE_HELP
        if settings.DEBUG and config.authorize is conf.staff_only
        else None,
    }
    page = render(
        result,
        context,
        locale=config.page_locale(),
        template_dirs=template_dirs(),
        timezone=formats.active_timezone(),
    )
    response = HttpResponse(page, status=result.status)
    add_never_cache_headers(response)
    return response


def template_dirs() -> list[str]:
    """The ``kasify_orders/`` folder of each directory in ``settings.TEMPLATES`` that has one.

    Each template engine's own directories, in its order: its ``DIRS``, then its apps'
    template folders when ``APP_DIRS`` is on. A jinja2 template there (``order_list.html``,
    ``base.html``…) is used instead of kasify's own of the same name.
    """
    found = []
    for engine in engines.all():
        for directory in engine.template_dirs:
            folder = Path(directory) / TEMPLATE_FOLDER
            if folder.is_dir():
                found.append(str(folder))
    return found


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def _in_language(view: _View) -> _View:
    """Run *view* in the pages' language, so what Python writes (buttons, notices) is translated.

    Its dates are on the merchant's time zone as saved on the Settings page, over ``TIMEZONE``
    / ``TIME_ZONE``, asked when a date is first written; the saved settings are read once for
    the whole request (``MerchantSettings.one_read``: the clock, the header and the sidebar).
    """

    @functools.wraps(view)
    def translated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        config = conf.load()
        merchant = get_orders().merchant_settings
        zone = functools.partial(merchant.page_timezone, config.timezone)
        with merchant.one_read(), i18n.activate(config.page_locale(), zone):
            return view(request, *args, **kwargs)

    return cast("_View", translated)


def _show(request: HttpRequest, build: Callable[[MerchantPages, Authorize], Page]) -> HttpResponseBase:
    """A page for signed-in users: *build* it with the shared view layer, then render it."""
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path())
    config = conf.load()
    return _respond(request, config, build(_pages(request, config), _authorize(request, config)))


@require_GET
@_in_language
def order_list(request: HttpRequest) -> HttpResponseBase:
    """The order list: status tabs, "Needs attention", search, paging."""
    return _show(request, lambda pages, authorize: pages.order_list(request.GET.dict(), authorize))


@require_GET
@_in_language
def order_detail(request: HttpRequest, order_id: str) -> HttpResponseBase:
    """One order, with the actions the user may take."""
    return _show(request, lambda pages, authorize: pages.order_detail(order_id, authorize))


@require_GET
@_in_language
def packing_slip(request: HttpRequest, order_id: str) -> HttpResponseBase:
    """The printable packing slip."""
    parcel = request.GET.get("parcel")
    return _show(request, lambda pages, authorize: pages.packing_slip(order_id, authorize, parcel=parcel))


@require_POST
@csrf_protect
@_in_language
def act(request: HttpRequest, order_id: str, action: str) -> HttpResponseBase:
    """An action's form: Django's CSRF check first, then the authorize rule, then the action.

    A failed action changes nothing, and the order page comes back with the reason beside
    the form; a successful one redirects to the order with the result as a message.
    """
    if not _signed_in(request):
        return redirect_to_login(reverse(f"{_DjangoUrls(request).namespace}:order_detail", args=[order_id]))
    config = conf.load()
    result = _pages(request, config).act(
        order_id,
        action,
        request.POST.dict(),
        actor=config.actor(request),
        authorize=_authorize(request, config),
    )
    return _respond(request, config, result)


def route_view(route: Route) -> Callable[..., HttpResponseBase]:
    """The Django view of one back-office :class:`~kasify_orders.web.routes.Route`.

    Django's CSRF check guards its ``POST`` (``csrf_protect``), a signed-out visitor goes to the
    login page, and the shared view answers.
    """

    @csrf_protect
    @_in_language
    def view(request: HttpRequest, **params: str) -> HttpResponseBase:
        if request.method not in route.methods:
            return HttpResponseNotAllowed(route.methods)
        if not _signed_in(request):
            back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER")
            return redirect_to_login(back or reverse(f"{_DjangoUrls(request).namespace}:order_list"))
        config = conf.load()
        page_request = PageRequest(
            args=request.GET.dict(),
            form=request.POST.dict(),
            form_lists={key: tuple(request.POST.getlist(key)) for key in request.POST},
            files={key: _upload(request, key) for key in request.FILES},
            params=params,
            actor=config.actor(request),
            authorize=_authorize(request, config),
        )
        return _respond(request, config, route.view(_pages(request, config), page_request))

    view.__name__ = route.name
    view.__doc__ = route.view.__doc__
    return view


def _upload(request: HttpRequest, key: str) -> Upload:
    upload = request.FILES.get(key)
    assert upload is not None and not isinstance(upload, list)  # a field the request has, one file
    return Upload(upload.name or "", upload.read())


@require_GET
def static(request: HttpRequest, filename: str) -> HttpResponseBase:
    """The pages' stylesheet (from the package: no ``collectstatic`` needed)."""
    path = _STATIC_FILES.get(filename)
    if path is None:
        raise Http404(filename)
    kind = "text/css; charset=utf-8" if filename.endswith(".css") else "application/octet-stream"
    response = HttpResponse(path.read_bytes(), content_type=kind)
    patch_cache_control(response, public=True, max_age=3600)
    return response
