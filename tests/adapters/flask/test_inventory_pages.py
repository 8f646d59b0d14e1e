"""The Inventory pages on a Flask host (tests/adapters/inventory_contract.py), on each database."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.inventory_contract import InventoryPagesContract


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """Staff who may do everything, on a Flask host."""
    return FlaskSite(orders)


class TestFlaskInventoryPages(InventoryPagesContract):
    """Every Inventory page behaviour, on the Flask adapter."""
