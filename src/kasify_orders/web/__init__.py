"""The merchant's pages and the JSON API, shared by every host adapter and free of any framework.

- :mod:`~kasify_orders.web.pages`: the order list, the order page; :mod:`~kasify_orders.web.forms`:
  the actions' forms, made from the action registry (:mod:`kasify_orders.registry`);
- :mod:`~kasify_orders.web.api`, :mod:`~kasify_orders.web.inputs` and :mod:`~kasify_orders.web.openapi`:
  the JSON API, its request bodies and its document, made from the same registry;
- :mod:`~kasify_orders.web.problems`: the one table from errors to HTTP answers, pages and API;
- ``templates/`` (jinja2) and ``static/`` (one small stylesheet), rendered by
  :mod:`~kasify_orders.web.render`.

An adapter maps its framework's requests, sessions, CSRF tokens and users onto these.
"""

from kasify_orders.web.api import ApiRequest, ApiResponse, JsonApi
from kasify_orders.web.openapi import openapi_document
from kasify_orders.web.pages import ACTION_LABELS, VIEW, Authorize, MerchantPages, Page, Redirect, Urls
from kasify_orders.web.render import render
from kasify_orders.web.routes import ALL_ROUTES  # noqa: F401 - first, so each feature's pages import it whole

__all__ = [
    "ACTION_LABELS",
    "VIEW",
    "ApiRequest",
    "ApiResponse",
    "Authorize",
    "JsonApi",
    "MerchantPages",
    "Page",
    "Redirect",
    "Urls",
    "openapi_document",
    "render",
]
