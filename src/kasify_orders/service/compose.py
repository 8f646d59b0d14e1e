"""The composition root: the one function that builds an :class:`~kasify_orders.Orders`.

``Orders.connect`` (a database URL) and the Django adapter (a store on Django's connection)
both build through :func:`compose`: the plugin manager (kasify's default plugins, installed
entry points, the host's plugins), the store, the ``Orders`` and, once it is ready, the
``kasify_started`` hook. What a feature such as the emails needs at start-up it does in its
own hooks, as any plugin would; the service knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import attrs
import pluggy

from kasify_orders.plugins import Hooks, build_plugin_manager
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store

if TYPE_CHECKING:
    from kasify_orders.service.orders import Orders

__all__ = ["PluginContext", "compose"]

OrdersT = TypeVar("OrdersT", bound="Orders")


@attrs.frozen
class PluginContext:
    """What a plugin is given when an ``Orders`` is built (``kasify_configure(context)``).

    Narrower than the ``Orders``: the settings, the time, the store (to keep a plugin's own
    records in the same database and transactions), and the plugin manager (to register
    more plugins or call hooks). A plugin that acts on orders does so from its event hooks,
    which are given the order.
    """

    #: The merchant's settings.
    settings: Settings
    #: What the time is (aware UTC), the same clock the ``Orders`` uses.
    clock: Callable[[], datetime]
    #: The order store.
    store: Store
    #: The plugin manager of this ``Orders``.
    plugins: pluggy.PluginManager


def compose(
    cls: type[OrdersT],
    *,
    store: Store | str,
    settings: Settings,
    plugins: Iterable[object] | pluggy.PluginManager,
    load_entrypoints: bool,
    clock: Callable[[], datetime],
    migrate: bool,
    started: bool = True,
) -> OrdersT:
    """Build an ``Orders`` of class *cls* on *store* (a store, or a database URL the storage hooks open).

    :param plugins: Plugin objects to register after the defaults and entry points, or a
        plugin manager already built.
    :param migrate: Apply the shipped migrations before the ``Orders`` is handed out.
    :param started: Call ``kasify_started`` (start-up reports, e.g. the emails' "cannot send");
        a host that reports at its own start-up (the Django app's ``ready``) passes False.
    """
    if isinstance(plugins, pluggy.PluginManager):
        manager = plugins
    else:
        manager = build_plugin_manager(plugins, load_entrypoints=load_entrypoints)
    if isinstance(store, str):
        store = Hooks(manager).storage(store, settings)
    orders = cls(store, settings=settings, plugins=manager, clock=clock)
    if migrate:
        orders.migrate()
    if started:
        manager.hook.kasify_started(context=orders.context)
    return orders
