"""The back office's sidebar: kasify's sections, then the host's own links.

Each section names the route it opens and the permission a merchant needs to see it; a host
adds its own links (and a "back to my admin" link) through its adapter's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from kasify_orders.i18n import N_
from kasify_orders.registry.backoffice import MANAGE_COUPONS, MANAGE_INVENTORY, MANAGE_SETTINGS
from kasify_orders.registry.returns import OPEN_RETURN
from kasify_orders.web.pages import VIEW, Authorize

__all__ = ["NAV", "NavItem", "NavLink", "back_link", "host_links", "sidebar"]


@attrs.frozen
class NavItem:
    """One of kasify's sections: shown when ``authorize(permission, None)`` says yes."""

    label: str
    #: The :class:`~kasify_orders.web.routes.Route` name it opens (``"order_list"`` for Orders).
    route: str
    permission: str


@attrs.frozen
class NavLink:
    """An entry of the sidebar as drawn: its words, its URL, whether it is the current section."""

    label: str
    url: str
    current: bool = False
    #: A count beside the label (Orders: how many need attention), or None.
    badge: int | None = None


#: kasify's sections, in the sidebar's order. Each feature adds its own item here.
NAV: tuple[NavItem, ...] = (
    NavItem("Orders", "order_list", VIEW),
    NavItem("Returns", "returns", OPEN_RETURN.permission),
    NavItem("Coupons", "coupon_list", MANAGE_COUPONS),
    NavItem("Inventory", "inventory", MANAGE_INVENTORY),
    NavItem("Settings", "settings", MANAGE_SETTINGS),
)


def sidebar(
    authorize: Authorize,
    url: Callable[[str], str],
    *,
    current: str | None,
    attention: int | None = None,
    items: Sequence[NavItem] = NAV,
) -> list[NavLink]:
    """The sections this merchant may open, *current* (a route name) marked, Orders with *attention*."""
    return [
        NavLink(
            item.label,
            url(item.route),
            current=item.route == current,
            badge=attention if item.route == "order_list" else None,
        )
        for item in items
        if authorize(item.permission, None)
    ]


def host_links(value: object, setting: str) -> tuple[NavLink, ...]:
    """The host's own sidebar links from its setting: ``[("Label", "/url"), …]``.

    :raises ValueError: naming *setting* and what it takes, for anything else.
    """
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | tuple):
        raise ValueError(f'{setting} must be a list of ("label", "url") pairs, not {value!r}')  # noqa: TRY004 - one kind of setting mistake
    links = []
    for entry in value:
        if (
            not isinstance(entry, Sequence)
            or isinstance(entry, str)
            or len(entry) != 2
            or not all(isinstance(part, str) and part.strip() for part in entry)
        ):
            raise ValueError(f'{setting} entries must be ("label", "url") pairs of text, not {entry!r}')
        links.append(NavLink(entry[0], entry[1]))
    return tuple(links)


def back_link(value: object, setting: str) -> NavLink | None:
    """The "back to my admin" link from its setting: a URL, or ``("Label", "/url")``."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f'{setting} must be a URL or a ("label", "url") pair, not an empty text')
        return NavLink(N_("Back to admin"), value)
    return host_links([value], setting)[0]
