"""One composition root: plugins get a narrow context; the emails are a plugin like any other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

import kasify_orders as ko
from kasify_orders.service.compose import PluginContext
from tests.helpers import new_order


class ContextPlugin:
    """Records what ``kasify_configure`` and ``kasify_started`` are given."""

    def __init__(self) -> None:
        self.configured: list[PluginContext] = []
        self.started: list[int] = []

    @ko.hookimpl
    def kasify_configure(self, context: PluginContext) -> None:
        self.configured.append(context)

    @ko.hookimpl
    def kasify_started(self, context: PluginContext) -> None:
        # Called once the schema is there: the store answers.
        self.started.append(sum(context.store.count_by_status().values()))


class LegacyPlugin:
    """A plugin written before the context: it takes the whole ``Orders``."""

    def __init__(self) -> None:
        self.orders: list[ko.Orders] = []

    @ko.hookimpl
    def kasify_configure(self, orders: ko.Orders) -> None:
        self.orders.append(orders)


def test_a_plugin_is_configured_with_the_context_then_told_once_the_orders_started(tmp_path: Path) -> None:
    plugin = ContextPlugin()
    with ko.Orders.connect(
        f"sqlite:///{tmp_path / 'k.sqlite3'}", plugins=[plugin], load_entrypoints=False
    ) as orders:
        (context,) = plugin.configured
        assert context is orders.context
        assert context.settings is orders.settings and context.store is orders.store
        assert context.plugins is orders.plugins and context.clock is orders.clock
        assert plugin.started == [0]  # migrated first, then started, once
        orders.place(new_order())
        assert len(plugin.configured) == 1 and len(plugin.started) == 1


def test_a_plugin_taking_the_whole_orders_still_gets_it(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    plugin = LegacyPlugin()
    with ko.Orders.connect(
        f"sqlite:///{tmp_path / 'k.sqlite3'}", plugins=[plugin], load_entrypoints=False
    ) as orders:
        assert plugin.orders == [orders]
    assert not [w for w in recwarn.list if issubclass(w.category, DeprecationWarning)]


def test_a_plugin_registered_later_is_configured_at_registration(sqlite_orders: ko.Orders) -> None:
    plugin = ContextPlugin()
    sqlite_orders.plugins.register(plugin)
    assert plugin.configured == [sqlite_orders.context]


def test_resending_goes_through_the_hook_and_without_the_email_plugin_emails_are_off(tmp_path: Path) -> None:
    class Resender:
        asked: ClassVar[list[tuple[str, str, str | None]]] = []

        @ko.hookimpl
        def kasify_resend_notification(
            self, context: PluginContext, order_id: str, kind: str, actor: str | None
        ) -> list[str]:
            self.asked.append((order_id, kind, actor))
            return ["ada@example.com"]

    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    with ko.Orders.connect(url, plugins=[Resender()], load_entrypoints=False) as orders:
        order = orders.place(new_order())
        assert orders.resend_notification(order.id, "order_confirmation", actor="staff:7") == [
            "ada@example.com"
        ]
        assert Resender.asked == [(order.id, "order_confirmation", "staff:7")]
    with ko.Orders.connect(url, load_entrypoints=False) as orders:
        orders.plugins.unregister(name="kasify_orders.emails")
        with pytest.raises(ko.notifications.EmailsNotConfigured, match="emails are off"):
            orders.resend_notification(order.id, "order_confirmation")


def test_the_service_loads_no_email_module() -> None:
    code = "import sys, kasify_orders.service; print(sorted(m for m in sys.modules if 'notifications' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
