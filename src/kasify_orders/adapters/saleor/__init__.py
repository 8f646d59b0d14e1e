"""The Saleor adapter: a Saleor App that keeps kasify's timeline and emails in step with a Saleor shop.

::

    import kasify_orders as ko
    from kasify_orders.adapters.saleor import SaleorApp

    orders = ko.Orders.connect(url, settings=ko.Settings(manage_inventory=False))
    saleor = SaleorApp(orders, allowed_api_urls=["https://shop.example.com/graphql/"])
    # a WSGI app: mount it at /saleor in Flask (DispatcherMiddleware) or beside Django

- :mod:`~.app`: the WSGI app (manifest, register, webhooks);
- :mod:`~.signatures`: ``Saleor-Signature`` checks (detached JWS against the JWKS, legacy HMAC);
- :mod:`~.events`: webhook payloads (subscription, filterable and legacy shapes) -> kasify actions;
- :mod:`~.writeback`: the plugin that sends the merchant's actions back to Saleor over GraphQL;
- :mod:`~.graphql`: every GraphQL document and the client;
- :mod:`~.emails`: finding Saleor's own customer emails at install;
- :mod:`~.installations`: the adapter's tables.

Needs ``pip install 'kasify-orders[saleor]'``. See ``docs/saleor.md``.
"""

from kasify_orders._extras import missing

try:
    import joserfc  # noqa: F401 - the import guard
    import werkzeug  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("saleor", "the Saleor adapter", error)

from kasify_orders.adapters.saleor.app import PERMISSIONS, SaleorApp, installation_warnings, uninstall
from kasify_orders.adapters.saleor.events import ACTOR, EVENTS
from kasify_orders.adapters.saleor.graphql import SaleorClient, SaleorError
from kasify_orders.adapters.saleor.installations import Installation, Installations
from kasify_orders.adapters.saleor.signatures import SignatureError, SignatureVerifier
from kasify_orders.adapters.saleor.tables import SALEOR_TABLES
from kasify_orders.adapters.saleor.writeback import SaleorRefundFailed, SaleorWriteBack

__all__ = [
    "ACTOR",
    "EVENTS",
    "PERMISSIONS",
    "SALEOR_TABLES",
    "Installation",
    "Installations",
    "SaleorApp",
    "SaleorClient",
    "SaleorError",
    "SaleorRefundFailed",
    "SaleorWriteBack",
    "SignatureError",
    "SignatureVerifier",
    "installation_warnings",
    "uninstall",
]
