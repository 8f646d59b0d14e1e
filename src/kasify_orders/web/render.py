"""The one jinja2 environment for the merchant's pages, shared by every adapter."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import jinja2

from kasify_orders.web import formatting
from kasify_orders.web.pages import Page

__all__ = ["ORIGINAL", "environment", "render"]


#: The prefix under which kasify's own templates stay reachable when a host overrides them.
ORIGINAL = "original"


@functools.cache
def environment(locale: str = "en", template_dirs: tuple[str, ...] = ()) -> jinja2.Environment:
    """Templates from ``kasify_orders/web/templates``, autoescaped, with our formatting filters.

    A template of the same name in one of *template_dirs* (a host's) is used instead, and
    kasify's own stays reachable as ``original/<name>`` (``{% extends "original/order_list.html" %}``).
    """
    package = jinja2.PackageLoader("kasify_orders.web", "templates")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(template_dirs), package, jinja2.PrefixLoader({ORIGINAL: package})]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def money(amount: Decimal, currency: str) -> str:
        return formatting.money_label(amount, currency, locale)

    env.filters.update(
        money=money,
        when=formatting.when,
        iso=formatting.iso,
        actor=formatting.actor_label,
        carrier=formatting.carrier_label,
        label=formatting.status_label,
    )
    return env


def render(
    page: Page, request_context: Mapping[str, Any], *, locale: str = "en", template_dirs: Sequence[str] = ()
) -> str:
    """Render *page* with what the adapter adds per request.

    *request_context* must hold ``urls`` (a :class:`~kasify_orders.web.pages.Urls`),
    ``csrf_token`` (str), ``store_name`` (str) and ``notices`` (a list of str).
    *template_dirs*: the host's folders whose templates override kasify's of the same name.
    """
    template = environment(locale, tuple(template_dirs)).get_template(page.template)
    return template.render({**request_context, **page.context})
