"""The Django adapter builds its ``Orders`` through the same composition root as ``Orders.connect``.

Plugins given in ``KASIFY_ORDERS["PLUGINS"]`` are set up with the same narrow context, on the
store over Django's connection; the app reports at its own start-up, so ``kasify_started`` is
not called. Renamed settings keys still work, with a DeprecationWarning.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.adapters.django.orders import reset
from kasify_orders.adapters.django.store import DjangoStore
from kasify_orders.service.compose import PluginContext
from tests.adapters.django.conftest import BASE_KASIFY
from tests.helpers import new_order


class ContextPlugin:
    def __init__(self) -> None:
        self.configured: list[PluginContext] = []
        self.started = 0

    @ko.hookimpl
    def kasify_configure(self, context: PluginContext) -> None:
        self.configured.append(context)

    @ko.hookimpl
    def kasify_started(self, context: PluginContext) -> None:
        self.started += 1


def test_the_django_orders_configures_plugins_with_the_context_on_djangos_store(host: str) -> None:
    plugin = ContextPlugin()
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "PLUGINS": [plugin]}):
        reset()
        orders = get_orders()
        (context,) = plugin.configured
        assert context is orders.context and isinstance(context.store, DjangoStore)
        assert context.settings is orders.settings and context.plugins is orders.plugins
        assert plugin.started == 0
        orders.place(new_order())
        assert orders.list().items
    reset()


def test_a_renamed_settings_key_warns_and_still_sets_the_setting(host: str) -> None:
    settings = {**BASE_KASIFY["SETTINGS"], "max_delivery_attempts": 3}  # type: ignore[dict-item]
    deprecated = pytest.warns(DeprecationWarning, match=r'\["max_delivery_attempts"\] is deprecated')
    with deprecated, override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "SETTINGS": settings}):
        reset()
        assert get_orders().settings.max_dispatch_attempts == 3
    reset()
