"""Building the plugin manager: kasify's own defaults, entry points, then the host's plugins.

Each :class:`~kasify_orders.Orders` owns its own manager (never a module global), so two
apps in one process never see each other's plugins. kasify's defaults (the SQLAlchemy
store, the SMTP sender) are registered ``trylast``, so a host's implementation wins.

A plugin registered without a name is named after what it is, not where it sits in memory
(pluggy's default for an object is ``str(id(obj))``): the outbox saves the names of the
plugins that already handled an event, and a retry in another process (a worker, a restart)
must recognise them. See :meth:`KasifyPluginManager.get_canonical_name`.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterable
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, cast

import pluggy

from kasify_orders import hookspecs
from kasify_orders.errors import EmailsNotConfigured, NoStoragePlugin
from kasify_orders.hookspecs import PROJECT

if TYPE_CHECKING:
    from kasify_orders.model import Order, Refund
    from kasify_orders.settings import Settings
    from kasify_orders.storage.port import Store

__all__ = ["BLOCK_ENV", "Hooks", "KasifyPluginManager", "build_plugin_manager"]

#: Comma-separated plugin names not to load from entry points (``KASIFY_ORDERS_DISABLE_PLUGINS``).
BLOCK_ENV = "KASIFY_ORDERS_DISABLE_PLUGINS"


class KasifyPluginManager(pluggy.PluginManager):
    """A PluginManager whose default plugin names are the same in every process."""

    def get_canonical_name(self, plugin: object) -> str:
        """The name of *plugin* when it is registered without one.

        A module is named by its dotted name (``my_shop.kasify_audit``), a class by its module
        and qualified name (``my_shop.plugins.Audit``), any other object by its class's
        (``my_shop.plugins.Audit`` for ``Audit()``). These names survive a restart, so the
        outbox never calls a plugin again for an event it already handled in another process.
        """
        if isinstance(plugin, types.ModuleType):
            return plugin.__name__
        kind = plugin if isinstance(plugin, type) else type(plugin)
        return f"{kind.__module__}.{kind.__qualname__}"

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register *plugin*; without a *name*, under its canonical name.

        A second unnamed instance of the same class is named ``<canonical name>#2``, the
        third ``#3``, and so on, in the order they are registered: register them in the same
        order in every process, or give each an explicit name.
        """
        if name is None:
            base = self.get_canonical_name(plugin)
            name, count = base, 1
            while self.has_plugin(name) and self.get_plugin(name) is not plugin:
                count += 1
                name = f"{base}#{count}"
        return super().register(plugin, name)


def build_plugin_manager(
    plugins: Iterable[object] = (), *, load_entrypoints: bool = True
) -> pluggy.PluginManager:
    """A manager with every hookspec, kasify's defaults, installed plugins and *plugins*."""
    from kasify_orders.notifications import plugin as emails  # noqa: PLC0415
    from kasify_orders.notifications import readiness, smtp  # noqa: PLC0415 - defaults import the core
    from kasify_orders.storage import plugin as storage_plugin  # noqa: PLC0415

    manager = KasifyPluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(storage_plugin, name="kasify_orders.storage")
    manager.register(smtp, name="kasify_orders.smtp")
    manager.register(emails, name="kasify_orders.emails")
    manager.register(readiness, name="kasify_orders.emails.readiness")
    if load_entrypoints:
        for name in filter(None, (n.strip() for n in os.environ.get(BLOCK_ENV, "").split(","))):
            manager.set_blocked(name)
        manager.load_setuptools_entrypoints(PROJECT)
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()
    return manager


class Hooks:
    """Typed calls in front of the untyped ``manager.hook``."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager

    def storage(self, url: str, settings: Settings) -> Store:
        """The store of *url*, from the plugins; raises :class:`~kasify_orders.NoStoragePlugin` if none."""
        store = self.manager.hook.kasify_storage(url=url, settings=settings)
        if store is None:
            raise NoStoragePlugin(url)
        return cast("Store", store)

    def send_email(self, message: EmailMessage) -> None:
        """Send *message*; raises :class:`~kasify_orders.EmailsNotConfigured` when no plugin sent it."""
        if not self.manager.hook.kasify_send_email(message=message):
            raise EmailsNotConfigured("no kasify_send_email plugin sent the message (set Settings.smtp_url)")

    @property
    def refunds_through_provider(self) -> bool:
        """Whether a plugin implements ``kasify_refund_payment`` (else refunds are made by hand)."""
        return bool(self.manager.hook.kasify_refund_payment.get_hookimpls())

    def refund_payment(self, order: Order, refund: Refund) -> str | None:
        """The provider's reference for the pending *refund* (None if it gave none); raises if refused."""
        result = self.manager.hook.kasify_refund_payment(
            order=order,
            amount=refund.amount,
            note=refund.note,
            idempotency_key=refund.provider_key,
            refund=refund,
        )
        return None if result is None else str(result)

    def event_impls(self, hook: str) -> list[pluggy.HookImpl]:
        """The implementations of an event hook, in calling order (last registered first)."""
        caller: Any = getattr(self.manager.hook, hook)
        return list(reversed(caller.get_hookimpls()))
