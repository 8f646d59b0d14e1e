"""Plugins from entry points, the block list, and the pytest fixture kasify ships for hosts."""

import sys
from pathlib import Path

import pytest

import kasify_orders as ko
from kasify_orders.plugins import BLOCK_ENV
from tests.helpers import new_order

PLUGIN = """
import kasify_orders as ko

placed = []

@ko.hookimpl
def kasify_order_placed(order):
    placed.append(order.number)
"""


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A distribution on sys.path publishing ``kasify_audit`` under the ``kasify_orders`` group."""
    (tmp_path / "kasify_audit_plugin.py").write_text(PLUGIN)
    info = tmp_path / "kasify_audit-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kasify-audit\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[kasify_orders]\naudit = kasify_audit_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "kasify_audit_plugin"
    sys.modules.pop("kasify_audit_plugin", None)


def test_entry_point_plugins_are_loaded(tmp_path: Path, installed_plugin: str) -> None:
    with ko.Orders.connect(f"sqlite:///{tmp_path / 'ep.sqlite3'}") as orders:
        order = orders.place(new_order())
        assert orders.plugins.get_plugin("audit") is not None
    assert sys.modules[installed_plugin].placed == [order.number]


def test_blocked_plugins_are_not_loaded(
    tmp_path: Path, installed_plugin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BLOCK_ENV, "other, audit")
    with ko.Orders.connect(f"sqlite:///{tmp_path / 'ep.sqlite3'}") as orders:
        orders.place(new_order())
        assert orders.plugins.get_plugin("audit") is None
    assert sys.modules.get(installed_plugin) is None or sys.modules[installed_plugin].placed == []


def test_the_shipped_pytest_fixture_gives_an_empty_store(kasify_orders: ko.Orders) -> None:
    assert kasify_orders.list().items == ()
    assert kasify_orders.place(new_order()).number == 1
