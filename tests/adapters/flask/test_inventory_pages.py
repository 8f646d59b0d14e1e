"""The Inventory pages on a Flask host (tests/adapters/inventory_contract.py), on each database."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from kasify_orders.plugins import build_plugin_manager
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.conftest import ADMIN, make_app
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.inventory_contract import InventoryPagesContract
from tests.helpers import new_order


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """Staff who may do everything, on a Flask host."""
    return FlaskSite(orders)


class TestFlaskInventoryPages(InventoryPagesContract):
    """Every Inventory page behaviour, on the Flask adapter."""


def test_a_shop_whose_stock_another_system_keeps_is_told_so(orders: ko.Orders) -> None:
    """With ``manage_inventory`` off (the Saleor App), kasify checks no order against this stock."""
    elsewhere = ko.Orders(
        orders.store,
        settings=ko.Settings(manage_inventory=False),
        plugins=build_plugin_manager((), load_entrypoints=False),
    )
    elsewhere.inventory.track("MUG", 1)
    page = make_app(elsewhere, authorize=lambda action, order: True).test_client().get(f"{ADMIN}/inventory")
    assert page.status_code == 200
    assert "not checked against this stock" in page.get_data(as_text=True)
    elsewhere.place(new_order(sku="MUG", quantity=3))  # not checked: placed
    assert elsewhere.inventory.stock("MUG") == 1
