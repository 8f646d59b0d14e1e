"""The back office's pages as one framework-free route table, served alike by every host.

A feature declares its pages as :class:`Route` values in its own module (``ROUTES``) and adds
them to :data:`ALL_ROUTES`; the Flask and Django adapters register every route from here, check
CSRF on every ``POST``, send signed-out visitors to the login page, and hand each view a
:class:`PageRequest`. A view answers with a :class:`~kasify_orders.web.pages.Page`, a
:class:`~kasify_orders.web.pages.Redirect` or a streamed :class:`Download`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from kasify_orders.web.pages import Authorize, Page, Redirect

if TYPE_CHECKING:
    from kasify_orders.web.pages import MerchantPages

__all__ = ["ALL_ROUTES", "Download", "PageRequest", "Route", "Upload", "View"]


@attrs.frozen
class Upload:
    """One uploaded file of a multipart form."""

    filename: str
    content: bytes


@attrs.frozen
class PageRequest:
    """What a view gets, the same from every host (CSRF already checked for a ``POST``)."""

    #: The query string.
    args: Mapping[str, str] = attrs.field(factory=dict)
    #: The posted form fields (empty on ``GET``); a field posted several times: its first value.
    form: Mapping[str, str] = attrs.field(factory=dict)
    #: Every posted value of each field (several checkboxes of one name), in the form's order.
    form_lists: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: The uploaded files, by field name.
    files: Mapping[str, Upload] = attrs.field(factory=dict)
    #: The route's path parameters.
    params: Mapping[str, str] = attrs.field(factory=dict)
    #: Who is acting, for the timeline and audit trails (None: unknown).
    actor: str | None = None
    #: ``authorize(permission, order_or_None) -> bool``, the host's rule.
    authorize: Authorize = attrs.field(default=lambda permission, order: False)


@attrs.frozen
class Download:
    """A file answer, streamed: *chunks* is consumed while the response is sent."""

    filename: str
    content_type: str
    chunks: Iterable[bytes]


View = Callable[["MerchantPages", PageRequest], "Page | Redirect | Download"]

_PARAM = re.compile(r"<([a-z_][a-z0-9_]*)>")


@attrs.frozen
class Route:
    """One page: its URL name, its path under the pages' mount and the view that answers it."""

    #: The URL name (``urls.url(name, **params)`` builds links to it); unique in :data:`ALL_ROUTES`.
    name: str
    #: The path under the pages' mount, without leading slash; ``<param>`` marks a path parameter.
    path: str
    view: View
    methods: tuple[str, ...] = ("GET",)

    @property
    def params(self) -> tuple[str, ...]:
        """The names of the path's parameters, in order."""
        return tuple(_PARAM.findall(self.path))

    def django_path(self) -> str:
        """The path in Django's syntax (``coupons/<str:code>/``), with Django's trailing slash."""
        converted = _PARAM.sub(r"<str:\1>", self.path)
        return f"{converted}/" if converted else ""


# The features' pages (each module imports Route from here: this module is complete by now).
from kasify_orders.web import coupon_pages, inventory_pages  # noqa: E402 - they use Route
from kasify_orders.web.bulk_ship_pages import ROUTES as BULK_SHIP_ROUTES  # noqa: E402
from kasify_orders.web.edit_pages import ROUTES as EDIT_ROUTES  # noqa: E402
from kasify_orders.web.order_bulk_pages import ROUTES as ORDER_BULK_ROUTES  # noqa: E402
from kasify_orders.web.returns_page import ROUTES as RETURNS_ROUTES  # noqa: E402
from kasify_orders.web.settings_pages import ROUTES as SETTINGS_ROUTES  # noqa: E402

#: Every back-office page, in registration order (fixed paths before parameterised ones).
ALL_ROUTES: tuple[Route, ...] = (
    *coupon_pages.routes(),
    *inventory_pages.ROUTES,
    *RETURNS_ROUTES,
    *SETTINGS_ROUTES,
    *BULK_SHIP_ROUTES,
    *ORDER_BULK_ROUTES,
    *EDIT_ROUTES,
)


def _check(routes: tuple[Route, ...]) -> None:
    names = [route.name for route in routes]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RuntimeError(f"two back-office routes share a name: {', '.join(repeated)}")


_check(ALL_ROUTES)
