"""The Inventory pages on a Django host (tests/adapters/inventory_contract.py), on each backend."""

from __future__ import annotations

import pytest

from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.inventory_contract import InventoryPagesContract


@pytest.fixture
def site(host: str) -> MerchantSite:
    """Staff who may do everything, on a Django host."""
    return DjangoSite(host)


class TestDjangoInventoryPages(InventoryPagesContract):
    """Every Inventory page behaviour, on the Django adapter."""
