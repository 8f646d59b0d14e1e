"""The one jinja2 environment for the merchant's pages, shared by every adapter."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import jinja2

from kasify_orders.web import formatting
from kasify_orders.web.pages import Page

__all__ = ["environment", "render"]


@functools.cache
def environment(locale: str = "en") -> jinja2.Environment:
    """Templates from ``kasify_orders/web/templates``, autoescaped, with our formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kasify_orders.web", "templates"),
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


def render(page: Page, request_context: Mapping[str, Any], *, locale: str = "en") -> str:
    """Render *page* with what the adapter adds per request.

    *request_context* must hold ``urls`` (a :class:`~kasify_orders.web.pages.Urls`),
    ``csrf_token`` (str), ``store_name`` (str) and ``notices`` (a list of str).
    """
    template = environment(locale).get_template(page.template)
    return template.render({**request_context, **page.context})
