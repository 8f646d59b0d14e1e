"""One ``ko.Orders`` per process and database alias, on Django's own connection."""

from __future__ import annotations

import threading
from typing import Any

import pluggy

from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.mail import DjangoMail
from kasify_orders.adapters.django.store import DjangoStore
from kasify_orders.model import utcnow
from kasify_orders.plugins import build_plugin_manager
from kasify_orders.service import Orders
from kasify_orders.service.compose import compose

__all__ = ["get_orders", "plugin_manager", "reset", "store_for"]

_lock = threading.Lock()
_orders: dict[str, Orders] = {}


def get_orders(using: str | None = None) -> Orders:
    """The ``ko.Orders`` on Django's database (``KASIFY_ORDERS["DATABASE"]``, or *using*).

    Built on first use and shared by every thread of the process. Its writes join the
    host's ``transaction.atomic()``: they commit with it or roll back with it, and the event
    hooks (emails included) run after the host's commit, never after a rollback.
    """
    config = conf.load()
    alias = using or config.database
    with _lock:
        orders = _orders.get(alias)
        if orders is None:
            orders = _orders[alias] = _build(config, alias)
    return orders


def _build(config: conf.Conf, alias: str) -> Orders:
    """Build through the one composition root, as ``Orders.connect`` does, on Django's connection.

    Not migrated (``manage.py migrate`` does that) and no ``kasify_started``: the app's
    ``ready`` reports at start-up (emails that cannot be sent), before any ``Orders`` exists.
    """
    return compose(
        Orders,
        store=store_for(alias, config),
        settings=config.settings,
        plugins=plugin_manager(config),
        load_entrypoints=config.load_entrypoints,
        clock=utcnow,
        migrate=False,
        started=False,
    )


def plugin_manager(config: conf.Conf) -> pluggy.PluginManager:
    """The plugins of the configured ``Orders``: ``PLUGINS``, entry points, Django's mail."""
    plugins: list[Any] = list(config.plugins)
    if config.use_django_mail:
        plugins.append(DjangoMail())
    return build_plugin_manager(plugins, load_entrypoints=config.load_entrypoints)


def store_for(alias: str, config: conf.Conf | None = None) -> DjangoStore:
    """A store on *alias* with the configured table prefix and schema (no plugins, no ``Orders``)."""
    settings = (config or conf.load()).settings
    return DjangoStore(alias, table_prefix=settings.table_prefix, schema=settings.db_schema)


def reset(**_signal: object) -> None:
    """Forget the ``Orders`` built so far (``KASIFY_ORDERS`` changed, e.g. ``override_settings``)."""
    with _lock:
        built = list(_orders.values())
        _orders.clear()
    for orders in built:
        orders.close()
